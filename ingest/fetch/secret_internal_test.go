package fetch

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// TestRedactorSpellings: a secret is redacted in every spelling a site
// writes it back in — a CAS redirect's service= parameter (escaped
// twice), an error JSON echoing the query (escaped once, '/' as \/),
// an HTML page — by text, bytes and url alike; a short secret and text
// that only resembles the secret are left alone (TestRedactorEchoes has
// the spellings found later).
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
		{"less than 3/4 of its letters", tok, "SEKRITab%2B 已过期", "SEKRITab%2B 已过期"},
		{"another token", tok, "SEKRITab%2Bxd%2Fef%3D%3D", "SEKRITab%2Bxd%2Fef%3D%3D"},
		{"a percent sign in the secret", "50%off!", "a=50%25off%21 b=50%off!", "a=[redacted] b=[redacted]"},
		{"short secret left alone", "a+b", "a+b a%2Bb", "a+b a%2Bb"},
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

// TestRedactorEchoes: the spellings sites were found to echo a key in
// after TestRedactorSpellings' were redacted, each of which leaked: base64
// of a text holding the key (an SSO login's returnUrl), a second JSON
// level (PHP's double json_encode), a second query decoding ('+' a
// space), another case, HTML5's named references and zero-padded
// numeric ones, a key cut short or without its padding, and mixes of
// those. What surrounds an echo, and text that only resembles the key,
// stays.
func TestRedactorEchoes(t *testing.T) {
	const tok = "SEKRITab+cd/ef=="
	request := "http://127.0.0.1:18563/api/pen?appkey=" + url.QueryEscape(tok) + "&pageNo=1&pageSize=2"
	std, urlSafe := base64.StdEncoding.EncodeToString, base64.URLEncoding.EncodeToString
	other := "http://127.0.0.1:18563/api/pen?appkey=OTHERkey%2Bxy%2Fz%3D&pageNo=1&pageSize=2"
	tests := []struct{ name, in, want string }{
		{"base64 of the request URL", "returnUrl=" + std([]byte(request)) + "&x=1", "returnUrl=[redacted]&x=1"},
		{"base64, URL alphabet", "/sso/login?returnUrl=" + urlSafe([]byte(request)), "/sso/login?returnUrl=[redacted]"},
		{"base64 without padding", "returnUrl=" + base64.RawStdEncoding.EncodeToString([]byte(request)) + " 请登录", "returnUrl=[redacted] 请登录"},
		{"base64 escaped in a query", "returnUrl=" + url.QueryEscape(std([]byte(request+"&t=1"))), "returnUrl=[redacted]"},
		{"base64 of the key alone", "state=" + std([]byte(tok)) + ";", "state=[redacted];"},
		{"base64 of JSON holding it", "t=" + std([]byte(`{"appkey":"SEKRITab+cd\/ef==","exp":1}`)), "t=[redacted]"},
		{"base64 twice", "r=" + std([]byte("u="+std([]byte(request)))), "r=[redacted]"},
		{"base64 of other text", "returnUrl=" + std([]byte(other)), "returnUrl=" + std([]byte(other))},
		{"double json_encode", `{"data":"{\"appkey\": \"SEKRITab+cd\\\/ef==\"}"}`, `{"data":"{\"appkey\": \"[redacted]\"}"}`},
		{"quoted JSON escape", fmt.Sprintf("answered %q", `appkey SEKRITab+cd\/ef==`), `answered "appkey [redacted]"`},
		{"JSON \\u escape encoded twice", `SEKRITab\\u002bcd\\u002fef==`, "[redacted]"},
		{"backslash before punctuation", `SEKRITab\+cd\/ef\=\=`, "[redacted]"},
		{"JavaScript \\x escapes", `var u="SEKRITab\x2bcd\x2fef\x3d\x3d";`, `var u="[redacted]";`},
		{"every byte a \\x escape", `var u="\x53\x45\x4b\x52\x49\x54\x61\x62\x2b\x63\x64\x2f\x65\x66\x3d\x3d";`, `var u="[redacted]";`},
		{"code point escapes", `SEKRITab\u{2b}cd\u{002F}ef\u{3d}\u{3D}`, "[redacted]"},
		{"Python's long escapes", `SEKRITab\U0000002bcd\U0000002fef==`, "[redacted]"},
		{"octal escapes", `SEKRITab\53cd\057ef\75\75`, "[redacted]"},
		{"\\x escapes of other text", `var u="OTHERkey\x2bxy\x2fz\x3d";`, `var u="OTHERkey\x2bxy\x2fz\x3d";`},
		{"plus read as a space", "appkey SEKRITab cd/ef== 无效", "appkey [redacted] 无效"},
		{"upper-cased", "APPKEY SEKRITAB+CD/EF== NOT AUTHORIZED", "APPKEY [redacted] NOT AUTHORIZED"},
		{"lower-cased, escaped", "appkey=sekritab%2bcd%2fef%3d%3d&x=1", "appkey=[redacted]&x=1"},
		{"HTML5 named references", "SEKRITab&plus;cd&sol;ef&equals;&equals;", "[redacted]"},
		{"zero-padded numeric references", "SEKRITab&#x0002B;cd&#000047;ef&#61;&#0061;", "[redacted]"},
		{"a reference escaped again", "SEKRITab&amp;#43;cd&amp;sol;ef==", "[redacted]"},
		{"a percent escape's % as a reference", "SEKRITab&#37;2Bcd%2Fef==", "[redacted]"},
		{"cut short", "appkey SEKRITab+cd/ef… 已过期", "appkey [redacted]… 已过期"},
		{"3/4 of its letters", "appkey SEKRITab+cd 已过期", "appkey [redacted] 已过期"},
		{"without its padding", `{"appkey":"SEKRITab+cd/ef","n":1}`, `{"appkey":"[redacted]","n":1}`},
		{"without its punctuation", "key SEKRITabcdef.", "key [redacted]."},
		{"a code and words", "91411002MA44RS2L0Q administrative-penalties SEKRITaboo", "91411002MA44RS2L0Q administrative-penalties SEKRITaboo"},
	}
	r := newRedactor(Auth{Secret: NewSecret(tok)})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.text(tt.in); got != tt.want {
				t.Errorf("text(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
			if got := string(r.bytes([]byte(tt.in))); got != tt.want {
				t.Errorf("bytes(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}
