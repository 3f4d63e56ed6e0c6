package transform

import (
	"errors"
	"maps"
	"os"
	"strings"
	"testing"
)

const legacyCode = "91350100MA2XXXXX1A" // fails the check: it should end in K

func TestLoadUSCCAllowListFile(t *testing.T) {
	f, err := os.Open("testdata/allowlist/valid.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := LoadUSCCAllowList(f)
	if err != nil {
		t.Fatalf("LoadUSCCAllowList: %v", err)
	}
	want := USCCAllowList{
		legacyCode:           "福建试点期代码，经市场监管局核实",
		"914403001922038217": "全角录入",
		"91411023174430174N": "lower case is fine",
		"914403001922038215": "",
	}
	if !maps.Equal(got, want) {
		t.Errorf("LoadUSCCAllowList = %q, want %q", got, want)
	}
}

func TestLoadUSCCAllowList(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want USCCAllowList
	}{
		{"empty", "", USCCAllowList{}},
		{"comments and blank lines", "# header\n\n   \n  # indented comment\n", USCCAllowList{}},
		{"code only", legacyCode + "\n", USCCAllowList{legacyCode: ""}},
		{"no final newline", legacyCode, USCCAllowList{legacyCode: ""}},
		{"CRLF", legacyCode + " note\r\n", USCCAllowList{legacyCode: "note"}},
		{"comma", legacyCode + ",note, with comma\n", USCCAllowList{legacyCode: "note, with comma"}},
		{"full-width comma", legacyCode + "，备注\n", USCCAllowList{legacyCode: "备注"}},
		{"tab", legacyCode + "\tnote\n", USCCAllowList{legacyCode: "note"}},
		{"ideographic space", "\u3000" + legacyCode + "\u3000备注\u3000\n", USCCAllowList{legacyCode: "备注"}},
		{"hash note", legacyCode + " # pilot\n", USCCAllowList{legacyCode: "pilot"}},
		{"BOM", "\ufeff" + legacyCode + "\n", USCCAllowList{legacyCode: ""}},
		{"lower case", strings.ToLower(legacyCode) + "\n", USCCAllowList{legacyCode: ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadUSCCAllowList(strings.NewReader(tt.in))
			if err != nil {
				t.Fatalf("LoadUSCCAllowList: %v", err)
			}
			if !maps.Equal(got, tt.want) {
				t.Errorf("LoadUSCCAllowList = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLoadUSCCAllowListGBK(t *testing.T) {
	in := gbk(t, legacyCode+" 许昌堃昇人力资源有限公司\n")
	got, err := LoadUSCCAllowList(strings.NewReader(string(in)))
	if err != nil {
		t.Fatalf("LoadUSCCAllowList: %v", err)
	}
	if got[legacyCode] != "许昌堃昇人力资源有限公司" {
		t.Errorf("note = %q", got[legacyCode])
	}
}

func TestLoadUSCCAllowListErrors(t *testing.T) {
	tests := []struct {
		name, in, wantLine string
	}{
		{"17 characters", "# ok\n\n9135010MA2XXXXX1A\n", "line 3"},
		{"19 characters", legacyCode + "1\n", "line 1"},
		{"note without separator", legacyCode + "备注\n", "line 1"},
		{"punctuation in code", "# c\n91350100-MA2XXXX1A\n", "line 2"},
		{"after a good line", legacyCode + "\n\n913501\n", "line 3"},
		{"a stray word", "legacy codes:\n", "line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadUSCCAllowList(strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("LoadUSCCAllowList = %v, want an error", got)
			}
			if !strings.Contains(err.Error(), tt.wantLine) || !strings.Contains(err.Error(), "18") {
				t.Errorf("error %q does not name %s and the expected length", err, tt.wantLine)
			}
		})
	}
}

func TestUSCCAllowListCheck(t *testing.T) {
	list := USCCAllowList{legacyCode: "pilot"}
	for _, code := range append([]string{legacyCode}, verifiedUSCCs...) {
		if err := list.Check(code); err != nil {
			t.Errorf("Check(%q) = %v, want nil", code, err)
		}
	}
	var none USCCAllowList
	if err := none.Check(verifiedUSCCs[0]); err != nil {
		t.Errorf("nil list: Check(valid) = %v", err)
	}
	for _, tc := range []struct {
		list USCCAllowList
		code string
	}{
		{list, "91350100MA2XXXXX1B"},
		{list, "9135010"},
		{none, legacyCode},
	} {
		err := tc.list.Check(tc.code)
		if err == nil {
			t.Fatalf("Check(%q) = nil, want an error", tc.code)
		}
		if !errors.Is(err, ErrUSCC) {
			t.Errorf("error %v does not wrap ErrUSCC", err)
		}
		want := ValidateUSCC(tc.code).Error() + " (if this is a legal legacy code, add it to the USCC allow-list file)"
		if err.Error() != want {
			t.Errorf("Check(%q) = %q, want %q", tc.code, err, want)
		}
	}
}
