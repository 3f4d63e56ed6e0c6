package fetch

import (
	"net/url"
	"strings"
	"testing"
)

// TestRedactorSpellings: a secret is redacted in every spelling a site
// writes it back in — a CAS redirect's service= parameter (escaped
// twice), an error JSON echoing the query (escaped once, '/' as \/),
// an HTML page — by text, bytes and url alike; a short secret and text
// that only resembles the secret are left alone.
func TestRedactorSpellings(t *testing.T) {
	const tok = "SEKRITab+cd/ef=="
	q, p := url.QueryEscape(tok), url.PathEscape(tok)
	tests := []struct {
		name, secret, in, want string
	}{
		{"literal", tok, "appkey SEKRITab+cd/ef== 已过期", "appkey [redacted] 已过期"},
		{"query-escaped", tok, "appkey=" + q + "&pageNo=1", "appkey=[redacted]&pageNo=1"},
		{"path-escaped", tok, "/api/" + p + "/list", "/api/[redacted]/list"},
		{"query-escaped twice", tok, "service=" + url.QueryEscape("http://h/list?appkey="+q+"&pageNo=1"),
			"service=http%3A%2F%2Fh%2Flist%3Fappkey%3D[redacted]%26pageNo%3D1"},
		{"path-escaped twice", tok, url.PathEscape(p), "[redacted]"},
		{"query then path", tok, url.PathEscape(q), "[redacted]"},
		{"escaped three times", tok, url.QueryEscape(url.QueryEscape(q)), "[redacted]"},
		{"lower-case hex", tok, "SEKRITab%2bcd%2fef%3d%3d", "[redacted]"},
		{"lower-case hex twice", tok, "SEKRITab%252bcd%252Fef%253d%253D", "[redacted]"},
		{"every byte escaped", tok, strings.ToUpper(hexAll(tok)), "[redacted]"},
		{"JSON slash", tok, `{"msg":"appkey=SEKRITab+cd\/ef=="}`, `{"msg":"appkey=[redacted]"}`},
		{"JSON \\u escapes", tok, `"SEKRITab\u002bcd\u002Fef\u003d\u003d"`, `"[redacted]"`},
		{"HTML entities", "ab&cd<ef", "x=ab&amp;cd&lt;ef;", "x=[redacted];"},
		{"HTML numeric", tok, "SEKRITab&#43;cd&#x2F;ef==", "[redacted]"},
		{"space as plus", "my secret key", "k=my+secret+key", "k=[redacted]"},
		{"twice in a text", tok, q + " and " + tok, "[redacted] and [redacted]"},
		{"a prefix only", tok, "SEKRITab%2Bcd%2Fef%3D", "SEKRITab%2Bcd%2Fef%3D"},
		{"another token", tok, "SEKRITab%2Bcd%2Fxf%3D%3D", "SEKRITab%2Bcd%2Fxf%3D%3D"},
		{"a percent sign in the secret", "50%off!", "a=50%25off%21 b=50%off!", "a=[redacted] b=[redacted]"},
		{"short secret left alone", "a+b", "a+b a%2Bb", "a+b a%2Bb"},
		{"letters are case-sensitive", tok, "sekritab+cd/ef==", "sekritab+cd/ef=="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRedactor(Auth{Secret: NewSecret(tt.secret)})
			if got := r.text(tt.in); got != tt.want {
				t.Errorf("text(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
			if got := string(r.bytes([]byte(tt.in))); got != tt.want {
				t.Errorf("bytes(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func hexAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteString("%" + strings.ToLower(string("0123456789abcdef"[s[i]>>4])+string("0123456789abcdef"[s[i]&15])))
	}
	return b.String()
}

// TestRedactorURLNested: a URL carried inside another URL's parameter
// (a login redirect's service=, a redirect=) loses the secret as the
// outer URL does, by the same path.
func TestRedactorURLNested(t *testing.T) {
	const tok = "SEKRITab+cd/ef=="
	inner := "http://127.0.0.1:1/api/list?appkey=" + url.QueryEscape(tok) + "&pageNo=1"
	raw := "http://127.0.0.1:1/cas/login?service=" + url.QueryEscape(inner)
	got := newRedactor(Auth{Query: "appkey", Secret: NewSecret(tok)}).url(raw)
	want := "http://127.0.0.1:1/cas/login?service=http%3A%2F%2F127.0.0.1%3A1%2Fapi%2Flist%3Fappkey%3D[redacted]%26pageNo%3D1"
	if got != want {
		t.Errorf("url\n got %s\nwant %s", got, want)
	}
}
