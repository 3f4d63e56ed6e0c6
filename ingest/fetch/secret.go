package fetch

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
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
	param  string   // the source's auth query parameter, if any
	m      *matcher // nil when the secret is too short to look for
}

func newRedactor(auth Auth) redactor {
	return redactor{secret: auth.Secret, param: auth.Query, m: newMatcher(auth.Secret.value)}
}

// text replaces the secret wherever it occurs, in any spelling it takes
// on its way back from a site (spelling.go).
func (r redactor) text(s string) string {
	if r.m == nil {
		return s
	}
	if b, ok := r.m.replace([]byte(s)); ok {
		return string(b)
	}
	return s
}

func (r redactor) bytes(b []byte) []byte {
	if r.m == nil {
		return b
	}
	if out, ok := r.m.replace(b); ok {
		return out
	}
	return b
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
