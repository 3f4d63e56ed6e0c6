package embedded

import "testing"

func TestUnquote(t *testing.T) {
	tests := []struct{ in, want string }{
		{`"plain 许昌"`, "plain 许昌"},
		{`"a\"b\\c\/d\n\t\r\b\f"`, "a\"b\\c/d\n\t\r\b\f"},
		{`"\u00e9\u8bb8 \ud83d\ude00"`, "é许 😀"},
		{"\"raw \xd6\xd0 bytes\"", "raw \xd6\xd0 bytes"},
		{`"lone \ud83d surrogate"`, "lone \ufffd surrogate"},
	}
	for _, tt := range tests {
		got, err := unquote([]byte(tt.in))
		if err != nil || got != tt.want {
			t.Errorf("unquote(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{`abc`, `"ends\"`, `"\x"`, `"\u12"`} {
		if _, err := unquote([]byte(bad)); err == nil {
			t.Errorf("unquote(%q) succeeded", bad)
		}
	}
}
