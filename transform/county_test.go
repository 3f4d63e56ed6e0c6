package transform

import (
	"slices"
	"strings"
	"testing"
)

func TestXuchangCounties(t *testing.T) {
	want := []County{
		{"411002", "魏都区"},
		{"411003", "建安区"},
		{"411024", "鄢陵县"},
		{"411025", "襄城县"},
		{"411081", "禹州市"},
		{"411082", "长葛市"},
	}
	got := XuchangCounties()
	if !slices.Equal(got, want) {
		t.Fatalf("XuchangCounties() = %v, want %v", got, want)
	}
	got[0].Name = "changed"
	if XuchangCounties()[0].Name != "魏都区" {
		t.Error("changing the returned slice changed the table")
	}
	for _, c := range got {
		if c.Code == CityCode {
			t.Errorf("the city %s is listed as a county", CityCode)
		}
	}
}

func TestCountyName(t *testing.T) {
	tests := []struct{ code, want string }{
		{"411000", "许昌市"},
		{CityCode, "许昌市"},
		{"411002", "魏都区"},
		{"411003", "建安区"},
		{"411024", "鄢陵县"},
		{"411025", "襄城县"},
		{"411081", "禹州市"},
		{"411082", "长葛市"},
		{"411023", "建安区"}, // retired: named as its successor wherever it appears
		{"411071", ""},    // a statistics code, not GB/T 2260
		{"440300", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := CountyName(tt.code); got != tt.want {
			t.Errorf("CountyName(%q) = %q, want %q", tt.code, got, tt.want)
		}
	}
}

func TestCountyFromUSCC(t *testing.T) {
	tests := []struct {
		name, uscc, want string
	}{
		{"retired 许昌县 mapped to 建安区", "91411023174430174N", "411003"},
		{"normalised first", " ９１４１１０２３１７４４３０１７４ｎ ", "411003"},
		{"魏都区", "914110020000000000", "411002"},
		{"city level", "914110000000000000", "411000"},
		{"Shenzhen, not Xuchang", "914403001922038216", "440300"},
		{"Lanzhou, not Xuchang", "91620105L015101280", "620105"},
		{"legacy code failing the check still derives", "91350100MA2XXXXX1A", "350100"},
		{"letters in the division", "9144AB00192203821X", ""},
		{"too short", "9141102317443017", ""},
		{"much too short", "9141", ""},
		{"too long", "91411023174430174NX", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CountyFromUSCC(tt.uscc); got != tt.want {
				t.Errorf("CountyFromUSCC(%q) = %q, want %q", tt.uscc, got, tt.want)
			}
		})
	}
}

// A division named in a record, a withdrawn one by its old name, is the
// division now: 许昌县 is 建安区.
func TestCountyCodeByName(t *testing.T) {
	for _, tt := range []struct{ name, want string }{
		{"建安区", "411003"},
		{"许昌市建安区", "411003"},
		{"许昌县", "411003"},
		{"许昌市许昌县", "411003"},
		{"禹州市", "411081"},
		{"许昌市", ""},
		{"许昌市许昌市", ""},
		{"郑州市", ""},
		{"", ""},
	} {
		if got := CountyCodeByName(tt.name); got != tt.want {
			t.Errorf("CountyCodeByName(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestValidCountyCode(t *testing.T) {
	for _, ok := range []string{"411002", "411000", "411082", "411023", "440300", "000000", "410100", "411071"} {
		if err := ValidCountyCode(ok); err != nil {
			t.Errorf("ValidCountyCode(%q) = %v, want nil", ok, err)
		}
	}
	// Within Xuchang's range, a code that is none of its divisions would
	// put the institution in no county: refused, naming the known ones.
	for _, bad := range []string{"411099", "411001", "411080"} {
		err := ValidCountyCode(bad)
		if err == nil || !strings.Contains(err.Error(), "no division of it: want one of 411000 许昌市, 411002 魏都区, 411003 建安区, 411024 鄢陵县, 411025 襄城县, 411081 禹州市, 411082 长葛市, 411023 (read as 411003 建安区)") {
			t.Errorf("ValidCountyCode(%q) = %v, want Xuchang's codes named", bad, err)
		}
	}
	for _, bad := range []string{"", "41100", "4110020", "41100A", "４１１００２", " 411002", "411 02", "-41100"} {
		if err := ValidCountyCode(bad); err == nil {
			t.Errorf("ValidCountyCode(%q) = nil, want an error", bad)
		}
	}
}

func TestCurrentCountyCodeAndFullName(t *testing.T) {
	for _, tt := range []struct{ code, current, full string }{
		{"411023", "411003", "许昌市建安区"},
		{"411002", "411002", "许昌市魏都区"},
		{"411081", "411081", "禹州市"},
		{"411024", "411024", "鄢陵县"},
		{"440300", "440300", ""},
	} {
		if got := CurrentCountyCode(tt.code); got != tt.current {
			t.Errorf("CurrentCountyCode(%q) = %q, want %q", tt.code, got, tt.current)
		}
		if got := CountyFullName(tt.code); got != tt.full {
			t.Errorf("CountyFullName(%q) = %q, want %q", tt.code, got, tt.full)
		}
	}
}
