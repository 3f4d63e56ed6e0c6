package embedded

import (
	"bytes"
	"strings"
	"testing"
)

// TestWriteTSVString checks the escaping against a plain replacer, for
// values with no special byte (the fast path) and with each of them at
// the start, inside and at the end.
func TestWriteTSVString(t *testing.T) {
	oracle := strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`, "\r", `\r`, "\x00", `\0`)
	values := []string{"", "许昌市魏都区人力资源服务有限公司", "91411002MA40000009", strings.Repeat("长文本", 2000)}
	for _, special := range []string{`\`, "\t", "\n", "\r", "\x00", "\r\n", `\\t`} {
		values = append(values, special, special+"许昌", "许昌"+special+"人社", "许昌"+special, strings.Repeat("x", 100)+special+strings.Repeat("y", 100))
	}
	for _, v := range values {
		var buf bytes.Buffer
		writeTSVString(&buf, v)
		if got, want := buf.String(), oracle.Replace(v); got != want {
			t.Errorf("writeTSVString(%q) = %q, want %q", v, got, want)
		}
	}
}
