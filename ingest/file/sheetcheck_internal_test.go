package file

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/xuchang-hrss/creditsync/transform"
)

// code returns a valid USCC of 长葛市 with serial n.
func code(n int) string {
	first := fmt.Sprintf("91411082MA4%06d", n)
	c, err := transform.USCCCheckChar(first)
	if err != nil {
		panic(err)
	}
	return first + string(c)
}

// The 合计 line of a submitted sheet is read as the import reads it: the
// same words begin it (小计 too), a row with a code is a record whatever
// its first cell says, and its count is 共N家 where it says so, else its
// one count, in whichever cell (the code's included).
func TestSheetTotalLine(t *testing.T) {
	rows := "机构名称,统一社会信用代码,信用等级\n机构一," + code(1) + ",A级\n机构二," + code(2) + ",B级\n机构三," + code(3) + ",A级\n"
	for _, c := range []struct {
		name, total string
		declared    int // 0: no count read
		listed      int
	}{
		{"共N家 after counts per grade", "合计：A级2家，B级1家，共3家,,", 3, 3},
		{"共N家 disagreeing", "合计：A级2家，B级1家，共4家,,", 4, 3},
		{"the count in the code's column", "合计,3家,", 3, 3},
		{"小计", "小计：共4家,,", 4, 3},
		{"several counts without 共", "合计：A级2家，B级1家,,", 0, 3},
		{"a record whose name begins like a total", "合计人力资源有限公司," + code(4) + ",A级", 0, 4},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "附件2.csv")
			if err := os.WriteFile(path, []byte(rows+c.total+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := checkSheet(path, "")
			if err != nil || got.declared != c.declared || len(got.rows) != c.listed {
				t.Fatalf("declared %d listed %d (%v), want %d %d", got.declared, len(got.rows), err, c.declared, c.listed)
			}
			if c.declared != 0 && got.declaredLine != 5 {
				t.Errorf("the 合计 line read as line %d, want 5", got.declaredLine)
			}
		})
	}
}

// The columns of a submitted sheet are found by every name the import
// reads them by — the contract's other names and headings with a note —
// so that a USCC listed twice with different grades is found whatever
// the heading: a grade read from another column (the name, the same on
// both lines) hid it, and a code column not found skipped the checks.
func TestSheetColumnsAsTheImportNamesThem(t *testing.T) {
	for _, c := range []struct{ code, grade string }{
		{"统一社会信用代码", "信用等级"},
		{"统一社会信用代码", "评价等级"},
		{"统一社会信用代码", "等级"},
		{"统一社会信用代码", "信用评价等级"},
		{"统一社会信用代码（18位）", "信用等级（A/B/C/D）"},
		{" 统一社会信用代码 ", "信用等级【必填】"},
	} {
		t.Run(c.code+" "+c.grade, func(t *testing.T) {
			rows := "机构名称," + c.code + "," + c.grade + "\n" +
				"机构一," + code(1) + ",A级\n" +
				"机构二," + code(2) + ",B级\n" +
				"机构一," + code(1) + ",B 级\n"
			path := filepath.Join(t.TempDir(), "附件2.csv")
			if err := os.WriteFile(path, []byte(rows), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := checkSheet(path, "")
			want := []listedCode{{code(1), 2, "A"}, {code(2), 3, "B"}, {code(1), 4, "B"}}
			if err != nil || fmt.Sprint(got.rows) != fmt.Sprint(want) {
				t.Errorf("rows %v (%v), want %v", got.rows, err, want)
			}
		})
	}
}
