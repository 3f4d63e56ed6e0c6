package transform

import (
	"errors"
	"strings"
	"testing"
)

// verifiedUSCCs are the real codes checked by hand (docs/data.md).
var verifiedUSCCs = []string{
	"914403001922038216", // 华为技术有限公司
	"91440300708461136T",
	"9144030071526726XG", // 腾讯
	"91620105L015101280", // weighted sum divisible by 31: check 0
	"91411023174430174N", // carries the retired 许昌县 code 411023
}

func TestValidateUSCCVerified(t *testing.T) {
	for _, code := range verifiedUSCCs {
		if err := ValidateUSCC(code); err != nil {
			t.Errorf("ValidateUSCC(%q) = %v, want nil", code, err)
		}
		check, err := USCCCheckChar(code[:17])
		if err != nil || check != code[17] {
			t.Errorf("USCCCheckChar(%q) = %c, %v; want %c", code[:17], check, err, code[17])
		}
	}
}

// Any single substitution within the alphabet changes the weighted sum by a
// nonzero multiple of a weight modulo the prime 31, so the check must catch
// every one of them.
func TestValidateUSCCSingleSubstitutions(t *testing.T) {
	for _, code := range verifiedUSCCs {
		for i := 0; i < len(code); i++ {
			for j := 0; j < len(usccAlphabet); j++ {
				c := usccAlphabet[j]
				if c == code[i] {
					continue
				}
				mutated := code[:i] + string(c) + code[i+1:]
				err := ValidateUSCC(mutated)
				if err == nil {
					t.Errorf("ValidateUSCC(%q) = nil (position %d of %s changed)", mutated, i+1, code)
				} else if !errors.Is(err, ErrUSCC) {
					t.Errorf("ValidateUSCC(%q) error %v does not wrap ErrUSCC", mutated, err)
				}
			}
		}
	}
}

func TestValidateUSCCInvalid(t *testing.T) {
	tests := []struct {
		name, code, reason string
	}{
		{"empty", "", "0 characters"},
		{"17 characters", "91411023174430174", "17 characters"},
		{"19 characters", "91411023174430174NN", "19 characters"},
		{"lower case not normalised", "91411023174430174n", "not allowed"},
		{"letter I", "91411023174430I74N", "not allowed"},
		{"letter O", "9141102317443O174N", "not allowed"},
		{"letter S in check position", "91411023174430174S", "not allowed"},
		{"letter V", "V1411023174430174N", "not allowed"},
		{"letter Z", "91411023174430174Z", "not allowed"},
		{"hyphen", "91411023-74430174N", "not allowed"},
		{"full width not normalised", "９1411023174430174N", "characters"},
		{"wrong check", "91411023174430174P", "want N"},
		{"transposed digits", "91411023174430714N", "want"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateUSCC(tt.code)
			if err == nil {
				t.Fatalf("ValidateUSCC(%q) = nil, want an error", tt.code)
			}
			if !errors.Is(err, ErrUSCC) {
				t.Errorf("error %v does not wrap ErrUSCC", err)
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("error %q does not mention %q", err, tt.reason)
			}
		})
	}
}

func TestUSCCCheckCharInvalid(t *testing.T) {
	for _, in := range []string{"", "9141102317443017", "914110231744301745", "9141102317443017I"} {
		if c, err := USCCCheckChar(in); err == nil || !errors.Is(err, ErrUSCC) {
			t.Errorf("USCCCheckChar(%q) = %c, %v; want an ErrUSCC error", in, c, err)
		}
	}
}

func FuzzValidateUSCC(f *testing.F) {
	for _, code := range verifiedUSCCs {
		f.Add(code)
	}
	for _, s := range []string{"", "9141102317443017", "91411023174430174NN", "９１４１", "\xff\xfe", "IOSVZIOSVZIOSVZIOS"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if err := ValidateUSCC(s); err == nil {
			check, cerr := USCCCheckChar(s[:17])
			if len(s) != 18 || cerr != nil || check != s[17] {
				t.Fatalf("ValidateUSCC(%q) = nil but the check character is %c, %v", s, check, cerr)
			}
		} else if !errors.Is(err, ErrUSCC) {
			t.Fatalf("ValidateUSCC(%q) error %v does not wrap ErrUSCC", s, err)
		}
		_, _ = USCCCheckChar(s)
		_ = NormalizeUSCC(s)
		_ = CountyFromUSCC(s)

		// Any 17 characters of the alphabet, completed with their check
		// character, must validate.
		if len(s) < 17 {
			return
		}
		prefix := make([]byte, 17)
		for i := range prefix {
			prefix[i] = usccAlphabet[int(s[i])%len(usccAlphabet)]
		}
		check, err := USCCCheckChar(string(prefix))
		if err != nil {
			t.Fatalf("USCCCheckChar(%q) = %v", prefix, err)
		}
		code := string(prefix) + string(check)
		if err := ValidateUSCC(code); err != nil {
			t.Fatalf("ValidateUSCC(%q) = %v for a computed check character", code, err)
		}
	})
}
