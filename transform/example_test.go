package transform_test

import (
	"fmt"
	"strings"

	"github.com/xuchang-hrss/creditsync/transform"
)

func ExampleNormalizeName() {
	a := transform.NormalizeName("腾讯科技（深圳）有限公司")
	b := transform.NormalizeName("腾讯科技 (深圳)有限公司")
	fmt.Println(a == b, a)
	// Output: true 腾讯科技(深圳)有限公司
}

func ExampleParseDate() {
	for _, s := range []string{"2023年7月31日", "2023/7/31 0:00", "", "2023-02-29"} {
		d, ok, err := transform.ParseDate(s)
		switch {
		case err != nil:
			fmt.Println("error")
		case !ok:
			fmt.Println("none")
		default:
			fmt.Println(transform.FormatDate(d))
		}
	}
	// Output:
	// 2023-07-31
	// 2023-07-31
	// none
	// error
}

func ExampleCountyFromUSCC() {
	code := transform.CountyFromUSCC("91411023174430174N")
	fmt.Println(code, transform.CountyName(code))
	// Output: 411003 建安区
}

func ExampleUSCCAllowList_Check() {
	list, err := transform.LoadUSCCAllowList(strings.NewReader("91350100MA2XXXXX1A 福建试点期代码\n"))
	if err != nil {
		panic(err)
	}
	fmt.Println(list.Check("91350100MA2XXXXX1A"))
	fmt.Println(list.Check("91350100MA2XXXXX1B"))
	// Output:
	// <nil>
	// invalid unified social credit code: "91350100MA2XXXXX1B" has check character B, want K (if this is a legal legacy code, add it to the USCC allow-list file)
}
