package transform

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// CityCode is the GB/T 2260 code of 许昌市 itself. Institutions licensed by
// the city bureau rather than a county carry it, so it has a name but is not
// one of XuchangCounties.
const CityCode = "411000"

// County is a county-level division of Xuchang under GB/T 2260.
type County struct {
	Code, Name string
}

var xuchangCounties = []County{
	{"411002", "魏都区"},
	{"411003", "建安区"},
	{"411024", "鄢陵县"},
	{"411025", "襄城县"},
	{"411081", "禹州市"},
	{"411082", "长葛市"},
}

// retiredCounties maps division codes that GB/T 2260 has withdrawn to their
// successors. A USCC keeps the code of its registration office for life, so
// institutions registered before a merger still carry the old one.
var retiredCounties = map[string]string{
	"411023": "411003", // 许昌县 became 建安区 in 2017 (国函〔2016〕189号)
}

// retiredNames are the names of the withdrawn divisions: records typed
// before a merger (an inspection's 查处机关) still name the old county's
// bureau, which is its successor's now.
var retiredNames = map[string]string{
	"411023": "许昌县",
}

// XuchangCounties lists the current county-level divisions in code order,
// the order reports group by. The development zones are absent: they have
// statistics codes, not GB/T 2260 codes. The slice is a copy and may be
// changed by the caller.
func XuchangCounties() []County {
	return append([]County(nil), xuchangCounties...)
}

// LegacyCodes returns the withdrawn division codes whose area is now the
// division code's, sorted, or nil: USCCs registered there before the merger
// still carry them.
func LegacyCodes(code string) []string {
	var out []string
	for old, successor := range retiredCounties {
		if successor == code {
			out = append(out, old)
		}
	}
	sort.Strings(out)
	return out
}

// CountyName returns the Chinese name of a Xuchang county or of the city, or
// "" for any other code: institutions registered elsewhere are expected, and
// the caller decides how to show them.
func CountyName(code string) string {
	code = CurrentCountyCode(code)
	if code == CityCode {
		return "许昌市"
	}
	for _, c := range xuchangCounties {
		if c.Code == code {
			return c.Name
		}
	}
	return ""
}

// CountyCodeByName returns the current code of a Xuchang division written
// by its name — current (建安区) or withdrawn (许昌县, whose area is
// 建安区's), alone or after the city (许昌市建安区) — or "" for any other
// name. The city itself is not a county: 许昌市 gives "".
func CountyCodeByName(name string) string {
	name = strings.TrimPrefix(strings.TrimSpace(name), "许昌市")
	if name == "" {
		return ""
	}
	for _, c := range xuchangCounties {
		if c.Name == name {
			return c.Code
		}
	}
	for code, old := range retiredNames {
		if old == name {
			return CurrentCountyCode(code)
		}
	}
	return ""
}

// CountyFromUSCC derives the default county_code from characters 3–8 of an
// 18-character USCC, the division of the office that registered it, mapping
// retired codes to their successors. The result may lie outside Xuchang. It
// is "" when the code is not 18 characters or those six are not digits
// (some legacy and non-market codes), so the caller can tell "unknown" from
// a real division. An explicit county_code in the data wins over this.
func CountyFromUSCC(uscc string) string {
	code := NormalizeUSCC(uscc)
	if len(code) != 18 {
		return ""
	}
	div := code[2:8]
	if !allDigits(div) {
		return ""
	}
	return CurrentCountyCode(div)
}

// ValidCountyCode checks an explicit county_code: its shape, and within
// Xuchang's range (4110xx) that it is one of Xuchang's divisions or a
// statistics code of one of its zones (zoneCodes). It does not require a
// Xuchang code, for the same reason CountyFromUSCC does not (institutions
// registered elsewhere); but a code of Xuchang's that is neither (411099
// mistyped) would put the institution in no county's grades and forms.
func ValidCountyCode(s string) error {
	if len(s) != 6 || !allDigits(s) {
		return fmt.Errorf("county code %q: want 6 digits (a GB/T 2260 code such as 411002)", s)
	}
	if strings.HasPrefix(s, xuchangPrefix) && CountyName(s) == "" && !slices.Contains(zoneCodes, s) {
		return fmt.Errorf("county code %q is in Xuchang's range (%sxx) but is no division of it: want one of %s", s, xuchangPrefix, XuchangCodes())
	}
	return nil
}

// zoneCodes are the statistics codes of Xuchang's development zones in
// its range (411071 许昌经济技术开发区): no GB/T 2260 division and no bureau
// of the county table — whether a zone runs its own is unconfirmed — but
// registers do carry them. An institution coded so is kept, as before, in
// no county (the city's pages and forms show it), not refused with its
// whole row: refused, it would leave the register and never be graded.
var zoneCodes = []string{"411071"}

// xuchangPrefix begins the division codes of Xuchang (GB/T 2260: 41 河南,
// 10 许昌).
const xuchangPrefix = "4110"

// XuchangCodes lists the codes of Xuchang's divisions for a message:
// the city, the counties, and the retired codes with what they are read
// as.
func XuchangCodes() string {
	out := []string{CityCode + " " + CountyName(CityCode)}
	for _, c := range xuchangCounties {
		out = append(out, c.Code+" "+c.Name)
	}
	for _, old := range retiredCodes() {
		out = append(out, fmt.Sprintf("%s (read as %s %s)", old, retiredCounties[old], CountyName(old)))
	}
	return strings.Join(out, ", ")
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// CurrentCountyCode maps a retired division code to its successor and
// returns any other code unchanged. Every place a county code enters the
// system — the register's column, a USCC, stored rows read back — goes
// through it, so the mapping is kept here only (retiredCounties).
func CurrentCountyCode(code string) string {
	if successor, ok := retiredCounties[code]; ok {
		return successor
	}
	return code
}

// CountyFullName is the official name of a Xuchang division as public
// bodies use it: districts carry the city in front (许昌市魏都区), counties
// and county-level cities stand alone (鄢陵县, 禹州市), the city is 许昌市.
// It is "" outside Xuchang.
func CountyFullName(code string) string {
	name := CountyName(CurrentCountyCode(code))
	if strings.HasSuffix(name, "区") {
		return "许昌市" + name
	}
	return name
}
