package transform

import (
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// TestInertClass checks the runes SQLNormalText admits against
// NormalizeText: a text made only of them is its own normal form, and
// only the space among them is trimmed.
func TestInertClass(t *testing.T) {
	class := []rune(inertInnerClass)
	if class[0] != ' ' {
		t.Fatalf("the inner class starts with %q, want the space", class[0])
	}
	var ascii, all []rune
	for i := 1; i < len(class); i += 3 {
		if class[i+1] != '-' {
			t.Fatalf("class %q: want ranges a-b", inertInnerClass)
		}
		for r := class[i]; r <= class[i+2]; r++ {
			all = append(all, r)
			if r < utf8.RuneSelf {
				ascii = append(ascii, r)
			}
		}
	}
	ascii = append(ascii, ' ')
	for _, r := range all {
		s := string(r)
		if !utf8.ValidRune(r) || isTrimmable(r) || norm.NFKC.String(s) != s || !norm.NFKC.PropertiesString(s).BoundaryBefore() {
			t.Errorf("%U is in the SQL class of normal text but not normal on its own", r)
			continue
		}
		// Next to any ASCII one, as a value holds them: no composition.
		for _, a := range ascii {
			for _, pair := range []string{string(a) + s, s + string(a)} {
				if !norm.NFKC.IsNormalString(pair) {
					t.Errorf("%q is not normal", pair)
				}
			}
		}
	}
	if !isTrimmable(' ') || NormalizeText("a b") != "a b" {
		t.Error("the space is trimmed at the ends and kept inside")
	}
	if len(all) < 20000 {
		t.Errorf("the class has %d runes, fewer than expected", len(all))
	}
}

// TestInertClassIsNFKCInert: the SQL class of normal text and the Go
// shortcut agree on every rune of the class.
func TestInertClassIsNFKCInert(t *testing.T) {
	class := []rune(inertClass)
	for i := 0; i+2 < len(class); i += 3 {
		for r := class[i]; r <= class[i+2]; r++ {
			if !NFKCInert(string(r)) {
				t.Errorf("%U is in the SQL class of normal text but not NFKCInert", r)
			}
		}
	}
}
