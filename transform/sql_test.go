package transform

import (
	"testing"
	"unicode/utf8"
)

// TestInertClass checks the runes SQLNormalText admits against the Go
// definitions: NFKC leaves each of them alone, and only the space among
// them is trimmed.
func TestInertClass(t *testing.T) {
	class := []rune(inertInnerClass)
	if class[0] != ' ' {
		t.Fatalf("the inner class starts with %q, want the space", class[0])
	}
	n := 0
	for i := 1; i < len(class); i += 3 {
		if class[i+1] != '-' {
			t.Fatalf("class %q: want ranges a-b", inertInnerClass)
		}
		for r := class[i]; r <= class[i+2]; r++ {
			s := string(r)
			if !utf8.ValidRune(r) || !NFKCInert(s) || isTrimmable(r) || NormalizeText("x"+s+"x") != "x"+s+"x" {
				t.Errorf("%U is in the SQL class of normal text but not inert", r)
			}
			n++
		}
	}
	if !isTrimmable(' ') || NormalizeText("a b") != "a b" {
		t.Error("the space is trimmed at the ends and kept inside")
	}
	if n < 20000 {
		t.Errorf("the class has %d runes, fewer than expected", n)
	}
}
