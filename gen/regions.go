package gen

import (
	"github.com/xuchang-hrss/creditsync/transform"
)

// division is a GB/T 2260 division as it appears in positions 3–8 of a
// USCC. Codes are frozen at registration, so retired ones (411023) occur.
type division struct {
	code   string
	name   string // official name of the unit holding the code today; authorities are named after it
	place  string // what enterprises put in front of their trade name
	weight int    // relative share of the entities registered there
}

// Region is the geography a scale draws division codes from.
type Region int

// Regions.
const (
	// Xuchang: institutions in the city and its counties (docs/data.md), a
	// few branches of firms registered elsewhere; most enterprises local.
	Xuchang Region = iota
	// Henan: the province's county-level divisions.
	Henan
	// China: a spread of divisions over every province.
	China
)

func (r Region) String() string {
	switch r {
	case Xuchang:
		return "xuchang"
	case Henan:
		return "henan"
	case China:
		return "china"
	}
	return "unknown"
}

var xuchang = []division{
	{"411000", "许昌市", "许昌", 10},
	{"411002", "许昌市魏都区", "许昌", 25},
	{"411003", "许昌市建安区", "许昌", 9},
	{"411023", "许昌市建安区", "许昌", 7}, // 许昌县 until 2017; codes issued before keep it
	{"411024", "鄢陵县", "鄢陵", 8},
	{"411025", "襄城县", "襄城", 8},
	{"411081", "禹州市", "禹州", 14},
	{"411082", "长葛市", "长葛", 12},
}

// henan holds the rest of the province; xuchang completes it.
var henan = []division{
	{"410102", "郑州市中原区", "郑州", 8},
	{"410103", "郑州市二七区", "郑州", 8},
	{"410104", "郑州市管城回族区", "郑州", 6},
	{"410105", "郑州市金水区", "郑州", 16},
	{"410122", "中牟县", "中牟", 4},
	{"410181", "巩义市", "巩义", 4},
	{"410202", "开封市龙亭区", "开封", 5},
	{"410302", "洛阳市老城区", "洛阳", 4},
	{"410311", "洛阳市洛龙区", "洛阳", 8},
	{"410402", "平顶山市新华区", "平顶山", 6},
	{"410502", "安阳市文峰区", "安阳", 6},
	{"410602", "鹤壁市鹤山区", "鹤壁", 2},
	{"410702", "新乡市红旗区", "新乡", 6},
	{"410802", "焦作市解放区", "焦作", 4},
	{"410902", "濮阳市华龙区", "濮阳", 4},
	{"411102", "漯河市源汇区", "漯河", 3},
	{"411202", "三门峡市湖滨区", "三门峡", 2},
	{"411302", "南阳市宛城区", "南阳", 8},
	{"411402", "商丘市梁园区", "商丘", 6},
	{"411502", "信阳市浉河区", "信阳", 6},
	{"411602", "周口市川汇区", "周口", 6},
	{"411702", "驻马店市驿城区", "驻马店", 6},
	{"419001", "济源市", "济源", 2},
}

// china holds divisions of the other provinces; henan and xuchang
// complete it.
var china = []division{
	{"110101", "北京市东城区", "北京", 6},
	{"110105", "北京市朝阳区", "北京", 14},
	{"110108", "北京市海淀区", "北京", 14},
	{"120101", "天津市和平区", "天津", 8},
	{"130102", "石家庄市长安区", "石家庄", 8},
	{"140105", "太原市小店区", "太原", 6},
	{"150102", "呼和浩特市新城区", "呼和浩特", 4},
	{"210102", "沈阳市和平区", "沈阳", 8},
	{"220102", "长春市南关区", "长春", 6},
	{"230102", "哈尔滨市道里区", "哈尔滨", 6},
	{"310101", "上海市黄浦区", "上海", 8},
	{"310104", "上海市徐汇区", "上海", 8},
	{"310115", "上海市浦东新区", "上海", 18},
	{"320102", "南京市玄武区", "南京", 10},
	{"320505", "苏州市虎丘区", "苏州", 12},
	{"330102", "杭州市上城区", "杭州", 8},
	{"330106", "杭州市西湖区", "杭州", 10},
	{"340102", "合肥市瑶海区", "合肥", 8},
	{"350102", "福州市鼓楼区", "福州", 6},
	{"350203", "厦门市思明区", "厦门", 6},
	{"360102", "南昌市东湖区", "南昌", 6},
	{"370102", "济南市历下区", "济南", 8},
	{"370202", "青岛市市南区", "青岛", 8},
	{"420102", "武汉市江岸区", "武汉", 10},
	{"430102", "长沙市芙蓉区", "长沙", 8},
	{"440103", "广州市荔湾区", "广州", 10},
	{"440106", "广州市天河区", "广州", 16},
	{"440304", "深圳市福田区", "深圳", 14},
	{"440305", "深圳市南山区", "深圳", 14},
	{"450102", "南宁市兴宁区", "南宁", 6},
	{"460105", "海口市秀英区", "海口", 3},
	{"500103", "重庆市渝中区", "重庆", 12},
	{"510104", "成都市锦江区", "成都", 12},
	{"520102", "贵阳市南明区", "贵阳", 5},
	{"530102", "昆明市五华区", "昆明", 6},
	{"540102", "拉萨市城关区", "拉萨", 1},
	{"610102", "西安市新城区", "西安", 6},
	{"610113", "西安市雁塔区", "西安", 8},
	{"620102", "兰州市城关区", "兰州", 4},
	{"630102", "西宁市城东区", "西宁", 2},
	{"640104", "银川市兴庆区", "银川", 2},
	{"650102", "乌鲁木齐市天山区", "乌鲁木齐", 3},
}

// elsewhere are offices outside Xuchang that register branches licensed
// there and the few non-local enterprises on Xuchang's lists.
var elsewhere = []division{
	{"410105", "郑州市金水区", "郑州", 3},
	{"410104", "郑州市管城回族区", "郑州", 1},
	{"410302", "洛阳市老城区", "洛阳", 1},
	{"110105", "北京市朝阳区", "北京", 1},
	{"310115", "上海市浦东新区", "上海", 1},
	{"440304", "深圳市福田区", "深圳", 1},
}

// geography is what a region contributes to the generator's parameters.
type geography struct {
	institutions []division // where institutions are registered
	enterprises  []division // where the other enterprises on the lists are
	branches     []division // head offices of branches (Xuchang only)
	branchPct    int        // share of market-registered institutions that are branches
}

func (r Region) geography() geography {
	switch r {
	case Henan:
		prov := append(append([]division(nil), henan...), xuchang...)
		return geography{institutions: prov, enterprises: append(prov, reweigh(china, 1)...), branches: elsewhere}
	case China:
		all := append(append(append([]division(nil), china...), henan...), xuchang...)
		return geography{institutions: all, enterprises: all, branches: elsewhere}
	}
	return geography{institutions: xuchang, enterprises: append(append([]division(nil), xuchang...), elsewhere...), branches: elsewhere, branchPct: 5}
}

// reweigh gives every division the same weight, for a thin spread of
// registrations from far away.
func reweigh(ds []division, w int) []division {
	out := make([]division, len(ds))
	for i, d := range ds {
		d.weight = w
		out[i] = d
	}
	return out
}

// params returns the division lookup tables (every code once, with the
// current county it belongs to) and the weighted pick lists.
func (g geography) params() map[string]any {
	var codes, names, places, counties []string
	seen := map[string]bool{}
	for _, list := range [][]division{g.institutions, g.enterprises, g.branches} {
		for _, d := range list {
			if seen[d.code] {
				continue
			}
			seen[d.code] = true
			codes = append(codes, d.code)
			names = append(names, d.name)
			places = append(places, d.place)
			// One definition of retired codes: the importer's.
			counties = append(counties, transform.CountyFromUSCC("91"+d.code+"0000000000"))
		}
	}
	return map[string]any{
		"div_codes":    codes,
		"div_names":    names,
		"div_places":   places,
		"div_counties": counties,
		"inst_divs":    weighted(g.institutions),
		"ent_divs":     weighted(g.enterprises),
		"branch_divs":  weighted(g.branches),
		"branch_pct":   uint64(g.branchPct),
	}
}

// weighted repeats each code by its weight, so SQL picks one with
// arr[1 + h % length(arr)].
func weighted(ds []division) []string {
	var out []string
	for _, d := range ds {
		for range d.weight {
			out = append(out, d.code)
		}
	}
	return out
}
