package sqlaccess

import "testing"

// The engine does not always escape a quote inside a value it quotes: a
// pattern of escaped quotes matched 'f(file(' and '), 2)' and left the
// path between them showing.
func TestWithoutQuoted(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Code: 36. DB::Exception: Got parameter 'groupArrayInsertAt(file('/etc/hostname'), 2)'. (BAD_ARGUMENTS)",
			"Code: 36. DB::Exception: Got parameter '…'. (BAD_ARGUMENTS)"},
		{"Cannot parse 'it\\'s' as Date. (CANNOT_PARSE_DATE)", "Cannot parse '…' as Date. (CANNOT_PARSE_DATE)"},
		{"Value 'a' and 'b' differ. (X)", "Value '…' differ. (X)"},
		{"A value 'cut short", "A value '…"},
		{"Nothing quoted. (X)", "Nothing quoted. (X)"},
	} {
		if got := withoutQuoted(c.in); got != c.want {
			t.Errorf("withoutQuoted(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
