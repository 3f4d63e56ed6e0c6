package transform

import (
	"errors"
	"strings"
	"testing"
)

func TestParseBool(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"true", true}, {"TRUE", true}, {"True", true}, {"false", false}, {"FALSE", false},
		{"1", true}, {"0", false}, {"１", true}, {"０", false},
		{"yes", true}, {"YES", true}, {"Yes", true}, {"no", false}, {"NO", false},
		{"是", true}, {"否", false}, {" 是 ", true}, {"\u3000否\u3000", false},
		{"Y", true}, {"y", true}, {"N", false}, {"n", false}, {"Ｙ", true}, {"ｎ", false},
		{"T", true}, {"t", true}, {"F", false}, {"f", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok, err := ParseBool(tt.in)
			if err != nil || !ok || got != tt.want {
				t.Errorf("ParseBool(%q) = %v, %v, %v; want %v, true, nil", tt.in, got, ok, err, tt.want)
			}
		})
	}
}

func TestParseBoolEmpty(t *testing.T) {
	for _, in := range []string{"", "  ", "\u3000"} {
		got, ok, err := ParseBool(in)
		if got || ok || err != nil {
			t.Errorf("ParseBool(%q) = %v, %v, %v; want false, false, nil", in, got, ok, err)
		}
	}
}

func TestParseBoolInvalid(t *testing.T) {
	for _, in := range []string{"2", "-1", "ok", "yes!", "对", "有", "√", "×", "truee", "是的", "y es"} {
		t.Run(in, func(t *testing.T) {
			got, ok, err := ParseBool(in)
			if err == nil || ok || got {
				t.Fatalf("ParseBool(%q) = %v, %v, %v; want an error", in, got, ok, err)
			}
			if !errors.Is(err, ErrBool) {
				t.Errorf("error %v does not wrap ErrBool", err)
			}
			for _, want := range []string{in, "true/false", "1/0", "yes/no", "是/否", "Y/N"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}
