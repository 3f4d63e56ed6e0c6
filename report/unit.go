package report

import (
	"errors"
	"fmt"
	"strings"

	"github.com/xuchang-hrss/creditsync/transform"
)

// CityCode names the whole city as an evaluating unit in commands, URLs
// and token scopes. It differs from transform.CityCode (411000), which is
// the division of the institutions the city bureau licenses itself (市本级).
const CityCode = "city"

// otherCode groups institutions whose division lies outside Xuchang
// (registered elsewhere, known to the bureau).
const otherCode = "other"

// Unit is an evaluating unit: the whole city, the city bureau's own
// institutions (411000), or one county-level division.
type Unit struct {
	Code string // CityCode, 411000 or a county code
	Name string
}

// ErrUnit marks an evaluating unit that is not known.
var ErrUnit = errors.New("unknown evaluating unit")

// City is the whole city.
func City() Unit { return Unit{Code: CityCode, Name: "许昌市（全市）"} }

// LookupUnit returns the unit of a code: "city", 411000 or one of the six
// county-level divisions, a retired code naming its successor's (411023
// is 建安区, as everywhere a county code appears).
func LookupUnit(code string) (Unit, error) {
	code = transform.CurrentCountyCode(strings.TrimSpace(code))
	if code == CityCode {
		return City(), nil
	}
	for _, u := range Units() {
		if u.Code == code {
			return u, nil
		}
	}
	return Unit{}, fmt.Errorf("%w %q: want %q or a division code: %s", ErrUnit, code, CityCode, unitCodes())
}

// Units returns the units below the city in code order: the city bureau's
// own institutions first, then the six county-level divisions.
func Units() []Unit {
	out := []Unit{{Code: transform.CityCode, Name: "许昌市本级"}}
	for _, c := range transform.XuchangCounties() {
		out = append(out, Unit{Code: c.Code, Name: c.Name})
	}
	return out
}

func unitCodes() string {
	var codes []string
	for _, u := range Units() {
		codes = append(codes, u.Code+" "+u.Name)
	}
	return strings.Join(codes, ", ")
}

// Contains reports whether an institution of the given division belongs
// to the unit.
func (u Unit) Contains(countyCode string) bool {
	switch u.Code {
	case CityCode:
		return true
	case otherCode:
		return transform.CountyName(countyCode) == ""
	}
	return u.Code == transform.CurrentCountyCode(countyCode)
}

// Bureau is the unit's human-resources bureau: the 填报单位 of its
// reports and the 评价单位 of its institutions. Every bureau is named the
// one way the notice's 附件2 names them — "XX 市人力资源和社会保障局" for
// the city, "XX 市 XX 县人力资源和社会保障局" for a county-level division,
// district, county or county-level city alike (许昌市魏都区…, 许昌市鄢陵县…,
// 许昌市禹州市…) — so the 评价单位 column never mixes two styles. The city
// bureau evaluates its own institutions and those registered outside
// Xuchang. Units and this method are the one table of bureau names:
// records that name a bureau another way are read through Authority.
func (u Unit) Bureau() string {
	switch u.Code {
	case CityCode, transform.CityCode, otherCode:
		return cityBureau
	}
	return cityName + transform.CountyName(u.Code) + hrBureauSuffix
}

const (
	cityName       = "许昌市"
	hrBureauSuffix = "人力资源和社会保障局"
	cityBureau     = cityName + hrBureauSuffix
)

// Authority returns the name of a handling authority as the reports
// write it: an HR bureau of Xuchang written short (魏都区人社局) or without
// the city (魏都区人力资源和社会保障局), or a withdrawn county's
// (许昌县人力资源和社会保障局, now 建安区's), becomes its Bureau name, the
// county read from transform's one table; any other
// authority (a market-regulation bureau, the labour inspection
// detachment) is kept as written.
func Authority(name string) string {
	name = strings.TrimSpace(name)
	long := strings.Replace(name, "人社局", hrBureauSuffix, 1)
	if !strings.HasSuffix(long, hrBureauSuffix) {
		return name
	}
	place := strings.TrimSuffix(long, hrBureauSuffix)
	if place == "许昌市" || place == "许昌" || place == "市" {
		return cityBureau
	}
	// A withdrawn county's bureau (许昌县人力资源和社会保障局) is its
	// successor's, named as the 评价单位 column names it.
	if code := transform.CountyCodeByName(place); code != "" {
		if u, err := LookupUnit(code); err == nil {
			return u.Bureau()
		}
	}
	return long
}

// unitOf returns the unit an institution of a division belongs to.
func unitOf(countyCode string) Unit {
	if u, err := LookupUnit(transform.CurrentCountyCode(countyCode)); err == nil {
		return u
	}
	return Unit{Code: otherCode, Name: "许昌以外注册"}
}
