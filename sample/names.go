package sample

import (
	"fmt"

	"github.com/xuchang-hrss/creditsync/transform"
)

// region is a GB/T 2260 division as it appears in USCCs and names.
type region struct {
	code   string
	full   string // 许昌市魏都区: official name, used for public bodies and authorities
	short  string // 许昌: what companies put in front of their trade name
	weight int    // share of institutions registered there
}

// xuchang are the codes a Xuchang USCC carries in positions 3–8. 411023 was
// 许昌县 until 2017; codes issued before stay unchanged, so it must appear.
var xuchang = []region{
	{"411000", "许昌市", "许昌", 10},
	{"411002", "许昌市魏都区", "许昌", 25},
	{"411003", "许昌市建安区", "许昌", 9},
	{"411023", "许昌县", "许昌", 7},
	{"411024", "鄢陵县", "鄢陵", 8},
	{"411025", "襄城县", "襄城", 8},
	{"411081", "禹州市", "禹州", 14},
	{"411082", "长葛市", "长葛", 12},
}

// elsewhere are registration offices outside Xuchang: branches licensed in
// Xuchang keep the head office's code, so their county must be explicit.
var elsewhere = []region{
	{"410105", "郑州市金水区", "郑州", 1},
	{"410104", "郑州市管城回族区", "郑州", 1},
	{"410302", "洛阳市老城区", "洛阳", 1},
	{"110105", "北京市朝阳区", "北京", 1},
	{"310115", "上海市浦东新区", "上海", 1},
	{"440304", "深圳市福田区", "深圳", 1},
}

// countyOf maps a code to the unit that grades it today (411023 → 411003).
func countyOf(code string) string {
	if code == "411023" {
		return "411003"
	}
	return code
}

// hrBureau and marketBureau name the authority of a (current) county.
func hrBureau(county string) string {
	return regionFull(county) + "人力资源和社会保障局"
}

func marketBureau(county string) string {
	return regionFull(county) + "市场监督管理局"
}

func regionFull(code string) string {
	code = countyOf(code)
	for _, r := range append(xuchang, elsewhere...) {
		if r.code == code {
			return r.full
		}
	}
	return "许昌市"
}

func regionShort(code string) string {
	for _, r := range append(xuchang, elsewhere...) {
		if r.code == code {
			return r.short
		}
	}
	return "许昌"
}

func (r *rng) region(rs []region) region {
	total := 0
	for _, x := range rs {
		total += x.weight
	}
	n := r.intn(total)
	for _, x := range rs {
		if n < x.weight {
			return x
		}
		n -= x.weight
	}
	return rs[len(rs)-1]
}

// Trade names (字号). Institutions and other enterprises draw from different
// lists and different suffixes, so an enterprise can never share a name with
// an institution and a name-only row is unambiguous by construction.
var hrBrands = []string{
	"智联", "英才", "鼎盛", "众诚", "汇才", "博远", "华信", "聚贤", "瑞丰", "恒通",
	"启航", "德润", "金桥", "宏达", "盛世", "立信", "锦程", "安达", "优聘", "职通",
	"人和", "天成", "中原", "腾飞", "卓越", "弘毅", "信诚", "佳业", "同创", "春晖",
	"景泰", "万众", "百川", "嘉禾", "远航", "新程", "诚邦", "才聚", "众邦", "永信",
	"兴业", "创优", "泽众", "凯盛", "德才", "颐和", "伯乐", "求贤", "猎英", "易聘",
}

var hrSuffixes = []string{
	"人力资源服务有限公司", "人力资源服务有限公司", "人力资源服务有限公司",
	"劳务派遣有限公司", "劳务派遣有限公司", "人力资源有限公司",
	"人才服务有限公司", "劳务服务有限公司", "企业管理咨询有限公司", "职业介绍服务有限公司",
}

var otherBrands = []string{
	"豫兴", "瑞祥", "恒昌", "鑫隆", "嘉盛", "宏远", "金鼎", "荣发", "中瑞", "华豫",
	"天瑞", "永盛", "福源", "祥和", "东方", "新星", "顺达", "金源", "汇丰", "伟业",
	"鸿运", "博创", "佳和", "泰丰", "润德", "亿通", "明珠", "龙腾", "凤鸣", "瑞贝",
	"森源", "黄河", "钧艺", "花都", "魏武", "曹魏", "三国", "清潩", "灞陵", "紫云",
}

var companySuffixes = []string{
	"发制品有限公司", "发制品有限公司", "商贸有限公司", "建筑工程有限公司", "机械制造有限公司",
	"电气设备有限公司", "食品有限公司", "物流有限公司", "餐饮管理有限公司", "房地产开发有限公司",
	"汽车销售服务有限公司", "纺织有限公司", "再生资源回收有限公司", "新材料科技有限公司",
	"钧瓷文化有限公司", "花木有限公司", "电力设备有限公司", "装饰工程有限公司",
}

var shopSuffixes = []string{"便利店", "百货商行", "餐馆", "理发店", "五金建材门市部", "烟酒店", "家电维修部"}

var coopSuffixes = []string{"花木种植专业合作社", "蔬菜种植专业合作社", "养殖专业合作社", "烟叶种植专业合作社"}

// orgAlphabet is the USCC character set: positions 9–16 must be drawn from it
// too, or the 18th check character cannot be computed.
const orgAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// orgCheck is the GB 11714 check character of an 8-character organisation
// code (docs/data.md): letters count A=10 … Z=35 here, not their USCC values.
func orgCheck(code string) byte {
	w := [8]int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 8; i++ {
		c := code[i]
		v := int(c - '0')
		if c >= 'A' && c <= 'Z' {
			v = int(c-'A') + 10
		}
		sum += v * w[i]
	}
	switch v := 11 - sum%11; v {
	case 10:
		return 'X'
	case 11:
		return '0'
	default:
		return byte('0' + v)
	}
}

// orgCode returns 8 characters in the style of the registering body: new
// enterprise codes start MA, civil-affairs ones MJ, older codes are digits.
func (r *rng) orgCode(prefix string) string {
	b := make([]byte, 0, 8)
	switch {
	case prefix == "52":
		b = append(b, 'M', 'J')
	case prefix == "12":
		b = append(b, '4', '1')
	case r.chance(55):
		b = append(b, 'M', 'A')
	}
	digitsOnly := len(b) == 0 || prefix == "12"
	for len(b) < 8 {
		if digitsOnly {
			b = append(b, orgAlphabet[r.intn(10)])
		} else {
			b = append(b, orgAlphabet[r.intn(len(orgAlphabet))])
		}
	}
	return string(b)
}

// newUSCC returns a fresh valid code: prefix + division + organisation code +
// its check character + the GB 32100 check character.
func (g *generator) newUSCC(prefix, division string) (string, error) {
	for {
		org := g.r.orgCode(prefix)
		body := prefix + division + org + string(orgCheck(org))
		c, err := transform.USCCCheckChar(body)
		if err != nil {
			return "", fmt.Errorf("sample: build USCC %s: %w", body, err)
		}
		code := body + string(c)
		if !g.usccs[code] {
			g.usccs[code] = true
			return code, nil
		}
	}
}

// claimName reserves a name; false when it (or a variant equal under
// normName) is already used by anybody.
func (g *generator) claimName(name string) bool {
	k := normName(name)
	if g.names[k] {
		return false
	}
	g.names[k] = true
	return true
}

// nameStyle asks for a particular kind of institution name.
type nameStyle int

const (
	anyName     nameStyle = iota
	bracketName           // 英才人力资源服务（许昌）有限公司, for half-width name-only matches
)

// newInstitution draws an identity: USCC, name, explicit county. Public
// talent centres (12…) and private non-profits (52…) are a minority, as in
// reality; a few are branches registered elsewhere.
func (g *generator) newInstitution(style nameStyle) (*institution, error) {
	r := g.r
	for attempt := 0; ; attempt++ {
		in := &institution{Status: "valid"}
		reg := r.region(xuchang)
		prefix := "91"
		switch n := r.intn(100); {
		case style == bracketName:
		case n < 5:
			prefix = "12"
		case n < 13:
			prefix = "52"
		}
		outside := style == anyName && prefix == "91" && r.chance(5)
		division := reg.code
		brand := r.pick(hrBrands)
		switch {
		case outside:
			home := r.region(elsewhere)
			division = home.code
			in.County = countyOf(reg.code)
			branch := regionShort(reg.code)
			in.Name = home.short + brand + "人力资源服务有限公司" + branch + "分公司"
		case style == bracketName || (prefix == "91" && r.chance(4)):
			in.Name = brand + "人力资源服务（" + reg.short + "）有限公司"
		case prefix == "12":
			in.Name = reg.full + r.pick([]string{"人才交流中心", "公共就业和人才服务中心", "人力资源市场服务中心"})
		case prefix == "52":
			in.Name = reg.short + brand + r.pick([]string{"人才服务中心", "职业介绍服务中心"})
		default:
			place := reg.short
			if reg.short != "许昌" && r.chance(50) {
				place = reg.full // 禹州市英才…: county-level names often keep 市/县
			}
			in.Name = place + brand + r.pick(hrSuffixes)
			if r.chance(3) {
				// A name typed with an ideographic space, as copied from a
				// Word document; normalisation has to cope.
				in.Name = place + "\u3000" + brand + r.pick(hrSuffixes)
			}
		}
		if attempt > 200 {
			return nil, fmt.Errorf("sample: cannot find %d distinct institution names; lower Institutions", len(g.names))
		}
		if !g.claimName(in.Name) {
			continue
		}
		if r.chance(2) {
			in.Name += "\u3000" // trailing ideographic space from a spreadsheet cell
		}
		code, err := g.newUSCC(prefix, division)
		if err != nil {
			return nil, err
		}
		in.USCC = code
		if !outside && r.chance(10) {
			// Some bureaus fill the column even when the code already says it.
			in.County = countyOf(division)
		}
		return in, nil
	}
}

// enterprise is a non-institution that appears on external lists.
type enterprise struct{ uscc, name, county string }

func (g *generator) newEnterprise() (enterprise, error) {
	r := g.r
	for {
		reg := r.region(xuchang)
		if r.chance(8) {
			reg = r.region(elsewhere)
		}
		var prefix, name string
		switch n := r.intn(100); {
		case n < 75:
			prefix = "91"
			place := reg.short
			if r.chance(40) {
				place = reg.full
			}
			name = place + r.pick(otherBrands) + r.pick(companySuffixes)
		case n < 93:
			prefix = "92"
			name = reg.full + r.pick(otherBrands) + r.pick(shopSuffixes)
		default:
			prefix = "93"
			name = reg.full + r.pick(otherBrands) + r.pick(coopSuffixes)
		}
		if !g.claimName(name) {
			continue
		}
		code, err := g.newUSCC(prefix, reg.code)
		if err != nil {
			return enterprise{}, err
		}
		return enterprise{uscc: code, name: name, county: countyOf(reg.code)}, nil
	}
}

// strayName is an institution-like name that belongs to nobody: the external
// row that must be kept for review, not matched.
func (g *generator) strayName() string {
	for {
		n := regionShort(g.r.region(xuchang).code) + g.r.pick(hrBrands) + g.r.pick(hrBrands) + "劳务有限公司"
		if g.claimName(n) {
			return n
		}
	}
}
