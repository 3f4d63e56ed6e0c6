package embedded

import (
	"bytes"
	"encoding/json"
	"testing"
)

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

// splitArray must split every row the engine can write as encoding/json
// does: strings holding brackets, commas, quotes and escapes, nested
// arrays and tuples, nulls and numbers.
func TestSplitArrayAgreesWithEncodingJSON(t *testing.T) {
	lines := []string{
		`[]`,
		`[1]`,
		`["a,b", "c]d", "e\"f", "g\\", null, -1.5e3, true]`,
		`[["x", "y,z"], [], [[1,2],[3]], {"k": "v,w"}, "\u8bb8,["]`,
		` [ "许昌" , 2 ] `,
	}
	for _, l := range lines {
		var want []json.RawMessage
		if err := json.Unmarshal([]byte(l), &want); err != nil {
			t.Fatalf("test line %s: %v", l, err)
		}
		got, err := splitArray([]byte(l), nil)
		if err != nil {
			t.Fatalf("splitArray(%s): %v", l, err)
		}
		if len(got) != len(want) {
			t.Fatalf("splitArray(%s) = %q, want %q", l, got, want)
		}
		for i := range got {
			if !bytes.Equal(bytes.TrimSpace(got[i]), bytes.TrimSpace(want[i])) {
				t.Errorf("splitArray(%s)[%d] = %s, want %s", l, i, got[i], want[i])
			}
		}
	}
	for _, bad := range []string{`[`, `["a]`, `[1]]`, `1,2`, `[[1]`} {
		if _, err := splitArray([]byte(bad), nil); err == nil {
			t.Errorf("splitArray(%s) succeeded", bad)
		}
	}
}
