package fetch

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuchang-hrss/creditsync/redact"
)

// Secret is a credential. It prints, logs and marshals as "[redacted]",
// so a Secret that ends up in a log line, an error or a config dump by
// mistake does not leak; only this package reads its value.
type Secret struct{ value string }

const redacted = "[redacted]"

// NewSecret wraps a credential value.
func NewSecret(v string) Secret { return Secret{value: strings.TrimSpace(v)} }

// IsZero reports whether no credential is set.
func (s Secret) IsZero() bool { return s.value == "" }

func (s Secret) String() string {
	if s.value == "" {
		return ""
	}
	return redacted
}

// GoString keeps %#v from printing the value.
func (s Secret) GoString() string { return "fetch.Secret(" + s.String() + ")" }

// LogValue keeps slog from printing the value.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText keeps encoders from writing the value.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// ErrSecret means a credential could not be read.
var ErrSecret = errors.New("credential not available")

// SecretFrom reads a credential from the environment variable env or,
// when env is empty, from file (its first line). Errors name the variable
// or the file, never what they hold. Both empty yields a zero Secret.
func SecretFrom(env, file string) (Secret, error) {
	switch {
	case env != "":
		v, ok := os.LookupEnv(env)
		if !ok || strings.TrimSpace(v) == "" {
			return Secret{}, fmt.Errorf("%w: environment variable %s is not set", ErrSecret, env)
		}
		return NewSecret(v), nil
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			// The path is fine to show; os errors never include content.
			return Secret{}, fmt.Errorf("%w: %v", ErrSecret, err)
		}
		line, _, _ := strings.Cut(string(b), "\n")
		if strings.TrimSpace(line) == "" {
			return Secret{}, fmt.Errorf("%w: %s is empty", ErrSecret, file)
		}
		return NewSecret(line), nil
	}
	return Secret{}, nil
}

// credentialWords are the words of a query parameter's name that make
// it a credential, its name split into words at case changes, digits and
// separators (accessKey, access_key, X-Amz-Signature): gateways name
// their keys every way (appSecret, authToken, secretKey, sid, jwt, ak and
// sk for Baidu's and cloud gateways' key pairs), and next links and
// redirects carry session tokens of their own. credentialNames are
// names written as one word that hold such a word (apikey, jsessionid).
// Paging and query parameters (page, pageNo, size, keyword, region)
// hold none and stay readable.
var (
	credentialWords = wordSet("key keys secret token tokens tkn auth authorization sign signature sig password passwd pass pwd " +
		"sid sessid session jwt ticket credential credentials ak sk otp cookie")
	credentialNames = wordSet("apikey appkey accesskey accesskeyid secretkey secretid privatekey signkey appsecret clientsecret " +
		"accesstoken authtoken apitoken apptoken xtoken sessionid jsessionid phpsessid aspsessionid passcode authcode")
)

func wordSet(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// nameWords splits a parameter name into its lower-case words:
// accessKeyID → access key id, APIKey → api key, sign2 → sign 2.
func nameWords(name string) []string {
	var words []string
	var cur []rune
	rs := []rune(name)
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	for i, r := range rs {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
			continue
		case i > 0 && len(cur) > 0:
			prev := rs[i-1]
			lowerToUpper := unicode.IsUpper(r) && (unicode.IsLower(prev) || unicode.IsDigit(prev))
			acronymEnd := unicode.IsUpper(r) && unicode.IsUpper(prev) && i+1 < len(rs) && unicode.IsLower(rs[i+1])
			digitEdge := unicode.IsDigit(r) != unicode.IsDigit(prev)
			if lowerToUpper || acronymEnd || digitEdge {
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return words
}

// credentialName reports whether a query parameter's name says it holds
// a credential.
func credentialName(name string) bool {
	words := nameWords(name)
	for _, w := range words {
		if credentialWords[w] {
			return true
		}
	}
	return credentialNames[strings.Join(words, "")]
}

// opaqueSegment reports a path segment that reads as a key rather than
// a name: a run of 16 or more letters and digits mixing both
// (SECRETPATHSEG0123456789abcdef, an MD5), or 32 or more characters of
// a token's alphabet with digits among them (a UUID, a JWT), as gateways
// and hooks put their keys in the path. Names (administrative-penalties,
// index_2.html) and long numbers (an id) stay readable.
func opaqueSegment(seg string) bool {
	run, letters, digits := 0, false, false
	allToken, anyDigit := true, false
	for _, r := range seg {
		alnum := r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))
		if unicode.IsDigit(r) {
			anyDigit = true
		}
		if !alnum && !strings.ContainsRune("-_.~=+", r) {
			allToken = false
		}
		if !alnum {
			run, letters, digits = 0, false, false
			continue
		}
		run++
		letters = letters || unicode.IsLetter(r)
		digits = digits || unicode.IsDigit(r)
		if run >= 16 && letters && digits {
			return true
		}
	}
	return allToken && anyDigit && len(seg) >= 32
}

// redactor removes one source's credentials from text.
type redactor struct {
	secret Secret
	param  string // the source's auth query parameter, if any
}

func newRedactor(auth Auth) redactor { return redactor{secret: auth.Secret, param: auth.Query} }

// minSecret is the shortest secret looked for. Very short secrets are
// left alone: replacing "1" everywhere would garble messages and such a
// value is no real secret anyway.
const minSecret = 4

// text replaces the secret wherever it occurs, in any spelling it takes
// on its way back from a site (spelled).
func (r redactor) text(s string) string {
	if len(r.secret.value) < minSecret {
		return s
	}
	if b, ok := replaceSpelled([]byte(s), r.secret.value); ok {
		return string(b)
	}
	return s
}

func (r redactor) bytes(b []byte) []byte {
	if len(r.secret.value) < minSecret {
		return b
	}
	if out, ok := replaceSpelled(b, r.secret.value); ok {
		return out
	}
	return b
}

// A secret comes back from a site in the spelling of wherever the site
// put it: a CAS login redirect carries the request URL percent-encoded
// in its service= parameter (the secret escaped twice), a gateway's
// error JSON echoes the query string (escaped once, '/' written \/ or
// \u002f), an HTML page escapes '&'. A base64 token (+ / =) read only
// literally leaked in all of those, so the secret is matched byte by
// byte, each byte in any of the spellings below, mixed as encoders mix
// them (encodeURIComponent escapes '+' and leaves letters be):
//
//   - the byte itself;
//   - %XX, hex in either case, and that escaped again up to
//     maxEscapes times (%252B, %25252b);
//   - '+' for a space (query escaping);
//   - \/ for '/', \uXXXX for any ASCII byte (JSON);
//   - &amp; &lt; &gt; &quot; &#NN; &#xNN; (HTML).
//
// What matches decodes to the secret and nothing else, so a spelling
// more can only redact the secret, never text around it.
const maxEscapes = 3

// replaceSpelled returns b with every spelling of secret replaced by
// "[redacted]", and whether it found any (b is not copied otherwise).
func replaceSpelled(b []byte, secret string) ([]byte, bool) {
	var out []byte
	// A spelling starts with the secret's first byte or the first byte
	// of an escape. Each is found with bytes.IndexByte (vectorised), its
	// next place kept until passed: pages are read at the speed of the
	// search, not of a loop over every byte (which cost a sixth of a
	// JSON sync's fetch).
	starters := [...]byte{secret[0], '%', '\\', '&', '+'}
	var next [len(starters)]int
	for j, c := range starters {
		next[j] = indexFrom(b, 0, c)
	}
	last, pos := 0, 0 // copied up to last; searching from pos
	for {
		i := -1
		for j, c := range starters {
			if next[j] >= 0 && next[j] < pos {
				next[j] = indexFrom(b, pos, c)
			}
			if next[j] >= 0 && (i < 0 || next[j] < i) {
				i = next[j]
			}
		}
		if i < 0 {
			break
		}
		end := matchSpelled(b, i, secret)
		if end < 0 {
			pos = i + 1
			continue
		}
		if out == nil {
			out = make([]byte, 0, len(b))
		}
		out = append(append(out, b[last:i]...), redacted...)
		last, pos = end, end
	}
	if out == nil {
		return b, false
	}
	return append(out, b[last:]...), true
}

// indexFrom is the index of the first c in b at or after from, or -1.
func indexFrom(b []byte, from int, c byte) int {
	if from >= len(b) {
		return -1
	}
	if j := bytes.IndexByte(b[from:], c); j >= 0 {
		return from + j
	}
	return -1
}

// matchSpelled returns where a spelling of secret starting at b[at]
// ends (the longest, when spellings of different lengths match), or -1.
// Every place a byte's spelling can end is followed: "%25" is '%' and
// the start of a second-level escape alike.
func matchSpelled(b []byte, at int, secret string) int {
	var buf [2][8]int
	var units [maxEscapes + 3]unit
	cur := append(buf[0][:0], at)
	for k := 0; k < len(secret); k++ {
		next := buf[1][:0]
		if k%2 == 1 {
			next = buf[0][:0]
		}
		for _, p := range cur {
			for _, u := range spellingsAt(b, p, units[:0]) {
				if u.b == secret[k] && !slices.Contains(next, p+u.n) {
					next = append(next, p+u.n)
				}
			}
		}
		if len(next) == 0 {
			return -1
		}
		cur = next
	}
	return slices.Max(cur)
}

// unit is one byte as spelled in text: its value and the length of the
// spelling.
type unit struct {
	b byte
	n int
}

// spellingsAt appends to us what the text at b[p] may spell: the byte
// itself and every escape that starts there.
func spellingsAt(b []byte, p int, us []unit) []unit {
	if p >= len(b) {
		return us
	}
	us = append(us, unit{b[p], 1})
	switch b[p] {
	case '+':
		us = append(us, unit{' ', 1})
	case '%':
		// %XX, %25XX, %2525XX …: each 25 is one more level of escaping.
		for j, level := p+1, 0; level < maxEscapes && j+2 <= len(b); level, j = level+1, j+2 {
			v, ok := hexByte(b[j], b[j+1])
			if !ok {
				break
			}
			us = append(us, unit{v, j + 2 - p})
			if v != '%' {
				break
			}
		}
	case '\\':
		if p+1 < len(b) && b[p+1] == '/' {
			us = append(us, unit{'/', 2})
		}
		if p+6 <= len(b) && b[p+1] == 'u' && b[p+2] == '0' && b[p+3] == '0' {
			if v, ok := hexByte(b[p+4], b[p+5]); ok && v < utf8.RuneSelf {
				us = append(us, unit{v, 6})
			}
		}
	case '&':
		if u, ok := htmlEntity(b[p:]); ok {
			us = append(us, u)
		}
	}
	return us
}

func hexByte(hi, lo byte) (byte, bool) {
	h, ok1 := hexDigit(hi)
	l, ok2 := hexDigit(lo)
	return h<<4 | l, ok1 && ok2
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

var namedEntities = map[string]byte{"amp": '&', "lt": '<', "gt": '>', "quot": '"', "apos": '\''}

// htmlEntity reads the entity at the start of b that spells an ASCII
// byte: the five named ones and numeric references.
func htmlEntity(b []byte) (unit, bool) {
	semi := bytes.IndexByte(b[:min(len(b), 8)], ';')
	if semi < 0 {
		return unit{}, false
	}
	name := string(b[1:semi])
	if v, ok := namedEntities[name]; ok {
		return unit{v, semi + 1}, true
	}
	if !strings.HasPrefix(name, "#") || len(name) < 2 {
		return unit{}, false
	}
	base, digits := 10, name[1:]
	if digits[0] == 'x' || digits[0] == 'X' {
		base, digits = 16, digits[1:]
	}
	v, err := strconv.ParseUint(digits, base, 8)
	if err != nil || v >= utf8.RuneSelf {
		return unit{}, false
	}
	return unit{byte(v), semi + 1}, true
}

// url redacts a URL's credentials: its password, the values of query
// parameters named as credentials (credentialName), opaque path segments
// (opaqueSegment) and the secret itself. The rest stays as written (a
// page template's {page} too): it is the address people read.
func (r redactor) url(raw string) string {
	if _, err := url.Parse(raw); err != nil {
		// Text that does not parse cannot be read part by part: the
		// one redaction of URLs keeps its scheme, user and host only.
		return r.text(redact.URL(raw))
	}
	rest, fragment, hasFragment := strings.Cut(raw, "#")
	rest, query, hasQuery := strings.Cut(rest, "?")
	authority, path := "", rest
	if scheme, after, ok := strings.Cut(rest, "://"); ok {
		host, p, slash := strings.Cut(after, "/")
		if slash {
			p = "/" + p
		}
		if user, at, ok := strings.Cut(host, "@"); ok {
			// The password goes; the user name says who signs in.
			user, _, _ = strings.Cut(user, ":")
			host = user + "@" + at
		}
		authority, path = scheme+"://"+host, p
	}
	segs := strings.Split(path, "/")
	for i, seg := range segs {
		if un, err := url.PathUnescape(seg); err == nil && opaqueSegment(un) {
			segs[i] = "REDACTED"
		}
	}
	out := authority + strings.Join(segs, "/")
	if hasQuery {
		params := strings.Split(query, "&")
		for i, p := range params {
			name, _, _ := strings.Cut(p, "=")
			if un, err := url.QueryUnescape(name); err == nil && r.isCredential(un) {
				params[i] = name + "=REDACTED"
			}
		}
		out += "?" + strings.Join(params, "&")
	}
	if hasFragment {
		out += "#" + fragment
	}
	return r.text(out)
}

// RedactURL is raw with its credentials redacted as a client of auth
// redacts every URL it shows: for a URL kept beside the data (a batch's
// source), where no client is at hand.
func RedactURL(raw string, auth Auth) string {
	return newRedactor(auth).url(raw)
}

func (r redactor) isCredential(param string) bool {
	return (r.param != "" && strings.EqualFold(param, r.param)) || credentialName(param)
}
