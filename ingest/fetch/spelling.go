package fetch

import (
	"bytes"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// A secret comes back from a site in the spelling of wherever the site
// put it, and each kind of echo that leaked was once a case of its own
// here (a CAS redirect's service= escaped twice, a gateway's JSON writing
// '/' as \/, an HTML page's &#43;), so the next one leaked too: an SSO
// login's returnUrl holding the request URL in base64, PHP's double
// json_encode (\\\/), a query decoded twice ('+' read as a space), an
// upper-cased echo, HTML5's &plus;, a key echoed cut short. The matcher
// is therefore built on what every echo keeps rather than on a list of
// echoes:
//
//   - A spelling of a byte is the byte itself or an escape of it, and
//     every character of an escape may be spelled again, up to
//     maxLevels levels, the families mixed as encoders mix them: %XX
//     (%252B is '+' escaped twice), a backslash before punctuation or
//     a code escape (\u00XX, \u{XX}, \xXX, octal \NNN: JSON, JavaScript,
//     C, PHP, Python; \\\/ is '/' encoded twice), and HTML's
//     character references (numeric ones with any number of zeros, and
//     the named ones of the characters a key can hold).
//   - The key's letters and digits, its skeleton, are what identify it:
//     they match in either case. Each other byte of it ('+', '/', '=')
//     matches any spelling of itself or of a space (a '+' decoded twice)
//     or nothing at all (padding dropped).
//   - A run of the key's first bytes holding at least 3/4 of its
//     skeleton, or 12 letters and digits, is an echo cut short: the rest
//     of it is easily guessed, so it goes as the whole key does.
//   - A run that reads as base64 (either alphabet, percent-escaped or
//     not) is decoded, and goes whole when what it holds holds the key,
//     read by these same rules, up to maxBase64 levels deep.
//
// What a spelling matches decodes to (an echo of) the key, so reading
// one spelling more can only redact the key, never the text around it.
const (
	maxLevels = 4
	maxBase64 = 3
	// minSecret is the shortest secret looked for: replacing "1"
	// everywhere would garble messages and is no real secret anyway.
	minSecret = 4
	// minCut is the fewest letters and digits an echo cut short holds:
	// fewer are too common in text to say it is the key.
	minCut = 6
	// minBase64 is the shortest base64 run decoded (12 bytes), for a
	// short key: a run shorter than the key's own base64 is not decoded
	// either, as what sites encode holds more than the key (a URL).
	minBase64 = 16
)

// matcher finds one secret's spellings.
type matcher struct {
	key      []byte // the secret, letters lower-cased
	loose    bool   // its bytes other than letters and digits may be left out
	cut      int    // letters and digits of its first bytes that make an echo
	starters []byte // the bytes a spelling of it can begin with
	b64      int    // the shortest base64 run decoded
}

func newMatcher(secret string) *matcher {
	if len(secret) < minSecret {
		return nil
	}
	m := &matcher{key: []byte(secret)}
	skeleton, first := 0, -1
	for i, c := range m.key {
		m.key[i] = lower(c)
		if isAlnum(c) {
			skeleton++
			if first < 0 {
				first = i
			}
		}
	}
	// A key of punctuation alone, or nearly, is matched byte for byte.
	m.loose = skeleton >= minSecret
	m.cut = skeleton
	if q := min((3*skeleton+3)/4, 12); m.loose && q >= minCut && q < skeleton {
		m.cut = q
	}
	// Every escape starts with one of % \ &; the key's own spelling with
	// its first byte, or, when leading punctuation is left out, with its
	// first letter or digit, in either case.
	add := func(c byte) {
		if !slices.Contains(m.starters, c) {
			m.starters = append(m.starters, c)
		}
	}
	for _, c := range []byte{'%', '\\', '&', m.key[0], upper(m.key[0])} {
		add(c)
	}
	if m.loose && first > 0 {
		add(m.key[first])
		add(upper(m.key[first]))
	}
	m.b64 = max(minBase64, (4*len(m.key)+2)/3)
	return m
}

// replaceSpelled returns b with every spelling of secret replaced by
// "[redacted]", and whether it found any (b is not copied otherwise).
func replaceSpelled(b []byte, secret string) ([]byte, bool) {
	m := newMatcher(secret)
	if m == nil {
		return b, false
	}
	return m.replace(b)
}

// span is a part of a text to redact, [from, to).
type span struct{ from, to int }

// scratch is a search's working memory, so that reading a page
// allocates nothing: spell is recursive, which sends arrays it is
// handed to the heap, so each level of escapes has arrays of its own.
type scratch struct {
	units [16]unit
	level [maxLevels + 1][3][8]unit
	pos   [2][16]int
}

var scratches = sync.Pool{New: func() any { return new(scratch) }}

func (m *matcher) replace(b []byte) ([]byte, bool) {
	sc := scratches.Get().(*scratch)
	defer scratches.Put(sc)
	spans := m.spelled(b, sc, false, nil)
	spans = m.base64(b, sc, maxBase64, false, spans)
	if len(spans) == 0 {
		return b, false
	}
	slices.SortFunc(spans, func(x, y span) int { return x.from - y.from })
	out := make([]byte, 0, len(b))
	last := 0
	for i := 0; i < len(spans); {
		s := spans[i]
		// Overlapping spans (a key inside a base64 run that also spells
		// it) are redacted as one.
		for i++; i < len(spans) && spans[i].from < s.to; i++ {
			s.to = max(s.to, spans[i].to)
		}
		out = append(append(out, b[last:s.from]...), redacted...)
		last = s.to
	}
	return append(out, b[last:]...), true
}

// holds reports whether b holds a spelling of the key, base64 runs read
// up to depth levels.
func (m *matcher) holds(b []byte, sc *scratch, depth int) bool {
	return len(m.spelled(b, sc, true, nil)) > 0 || (depth > 0 && len(m.base64(b, sc, depth, true, nil)) > 0)
}

// spelled appends to out the spans of b that spell the key (only the
// first when first is set).
func (m *matcher) spelled(b []byte, sc *scratch, first bool, out []span) []span {
	// A spelling starts with a starter. Each is found with
	// bytes.IndexByte (vectorised), its next place kept until passed:
	// pages are read at the speed of the search, not of a loop over
	// every byte (which cost a sixth of a JSON sync's fetch).
	var buf [8]int
	next := buf[:0]
	for _, c := range m.starters {
		next = append(next, indexFrom(b, 0, c))
	}
	pos := 0
	for {
		i := -1
		for j, c := range m.starters {
			if next[j] >= 0 && next[j] < pos {
				next[j] = indexFrom(b, pos, c)
			}
			if next[j] >= 0 && (i < 0 || next[j] < i) {
				i = next[j]
			}
		}
		if i < 0 {
			return out
		}
		end := -1
		if m.mayStart(b, i) {
			end = m.matchAt(b, i, sc)
		}
		if end < 0 {
			pos = i + 1
			continue
		}
		out = append(out, span{i, end})
		if first {
			return out
		}
		pos = end
	}
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

// mayStart rules out at a glance most places where the key's first
// letter starts (the s of every "status"): it is not followed by the
// key's second, in either case, nor by an escape.
func (m *matcher) mayStart(b []byte, i int) bool {
	k1 := m.key[1]
	if i+1 >= len(b) || !isAlnum(b[i]) || !isAlnum(m.key[0]) || !isAlnum(k1) {
		return true
	}
	c := b[i+1]
	return lower(c) == k1 || c == '%' || c == '\\' || c == '&'
}

// matchAt returns where a spelling of the key starting at b[at] ends
// (the longest, when spellings of different lengths match), or -1.
// Every place a byte's spelling can end is followed: "%25" is '%' and
// the start of a second-level escape alike.
func (m *matcher) matchAt(b []byte, at int, sc *scratch) int {
	cur := append(sc.pos[0][:0], at)
	alnum, end := 0, -1
	for k, kc := range m.key {
		al := isAlnum(kc)
		next := sc.pos[(k+1)%2][:0]
		for _, p := range cur {
			if !al && m.loose {
				next = addPos(next, p)
			}
			for _, u := range spell(b, p, maxLevels, sc, sc.units[:0]) {
				if (al && lower(u.b) == kc) || (!al && (u.b == kc || u.b == ' ')) {
					next = addPos(next, p+u.n)
				}
			}
		}
		if len(next) == 0 {
			break
		}
		cur = next
		if al {
			alnum++
		}
		if k == len(m.key)-1 || (m.loose && alnum >= m.cut) {
			end = slices.Max(cur)
		}
	}
	// A space matched for the key's last punctuation ('=' padding) is
	// the text's own more likely: it stays.
	for end > at && b[end-1] == ' ' {
		end--
	}
	if end <= at {
		return -1
	}
	return end
}

func addPos(ps []int, p int) []int {
	if slices.Contains(ps, p) {
		return ps
	}
	return append(ps, p)
}

// unit is one byte as spelled in text: its value and the length of the
// spelling.
type unit struct {
	b byte
	n int
}

// spell appends to us what the text at b[p] may spell, escapes read
// depth levels deep: the byte itself ('+' a space too) and every escape
// that starts there.
func spell(b []byte, p, depth int, sc *scratch, us []unit) []unit {
	if p >= len(b) {
		return us
	}
	c := b[p]
	us = append(us, unit{c, 1})
	switch c {
	case '+':
		us = append(us, unit{' ', 1})
	case '%', '\\', '&':
		if depth > 0 {
			us = escapes(b, p, depth, sc, us)
		}
	}
	return us
}

// escapes appends the escapes starting at b[p]: an escape's introducer
// and the characters after it are spelled one level less deep (%25 for
// the '%' of %2B, \\ for the '\' of \/).
func escapes(b []byte, p, depth int, sc *scratch, us []unit) []unit {
	intro, hi, lo := &sc.level[depth][0], &sc.level[depth][1], &sc.level[depth][2]
	for _, in := range spell(b, p, depth-1, sc, intro[:0]) {
		q := p + in.n
		switch in.b {
		case '%':
			for _, h := range spell(b, q, depth-1, sc, hi[:0]) {
				hv, ok := hexDigit(h.b)
				if !ok {
					continue
				}
				for _, l := range spell(b, q+h.n, depth-1, sc, lo[:0]) {
					if lv, ok := hexDigit(l.b); ok {
						us = append(us, unit{hv<<4 | lv, q + h.n + l.n - p})
					}
				}
			}
		case '\\':
			for _, f := range spell(b, q, depth-1, sc, hi[:0]) {
				r := q + f.n
				switch {
				case f.b == 'u' || f.b == 'U' || f.b == 'x' || f.b == 'X' || isOctal(f.b):
					if v, n, ok := codeEscape(f.b, b[r:]); ok {
						us = append(us, unit{v, r + n - p})
					}
				case isPunct(f.b):
					// \/ in JSON, \+ \= from quoting for regular
					// expressions or shells: the character itself.
					us = append(us, unit{f.b, r - p})
				}
			}
		case '&':
			if v, n, ok := htmlRef(b[q:]); ok {
				us = append(us, unit{v, q + n - p})
			}
		}
	}
	return us
}

// codeEscape reads the code escape of an ASCII byte whose letter (or
// first octal digit) is c and whose rest starts b, as languages write
// them after a backslash: \u00XX (JSON, JavaScript, Java), \u{XX}
// (JavaScript), \U000000XX (Python, C), \xXX (JavaScript, Python, C,
// PHP) and octal \NNN (C, PHP, Python, old JavaScript). It returns the
// byte and the escape's length after c.
func codeEscape(c byte, b []byte) (byte, int, bool) {
	switch c {
	case 'x', 'X':
		if len(b) >= 2 {
			if v, ok := hexByte(b[0], b[1]); ok && v < utf8.RuneSelf {
				return v, 2, true
			}
		}
	case 'u', 'U':
		if len(b) > 0 && b[0] == '{' {
			// \u{2b}, \u{002B}: hex digits up to the brace.
			v, n := 0, 1
			for ; n < len(b) && n <= 7 && b[n] != '}'; n++ {
				d, ok := hexDigit(b[n])
				if !ok {
					return 0, 0, false
				}
				v = v<<4 | int(d)
			}
			if n > 1 && n < len(b) && b[n] == '}' && v < utf8.RuneSelf {
				return byte(v), n + 1, true
			}
			return 0, 0, false
		}
		zeros := 2 // \u00XX
		if c == 'U' && len(b) >= 8 && string(b[:6]) == "000000" {
			zeros = 6 // \U000000XX
		}
		if len(b) >= zeros+2 && strings.Count(string(b[:zeros]), "0") == zeros {
			if v, ok := hexByte(b[zeros], b[zeros+1]); ok && v < utf8.RuneSelf {
				return v, zeros + 2, true
			}
		}
	default: // octal: c is the first of at most three digits
		v, n := int(c-'0'), 0
		for ; n < len(b) && n < 2 && isOctal(b[n]); n++ {
			v = v<<3 | int(b[n]-'0')
		}
		if v > 0 && v < utf8.RuneSelf {
			return byte(v), n, true
		}
	}
	return 0, 0, false
}

func isOctal(c byte) bool { return '0' <= c && c <= '7' }

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

// namedRefs are HTML5's named character references of ASCII characters
// (and of a no-break space, which stands for a space).
var namedRefs = map[string]byte{
	"Tab": '\t', "NewLine": '\n', "nbsp": ' ', "excl": '!', "quot": '"', "QUOT": '"', "num": '#', "dollar": '$',
	"percnt": '%', "amp": '&', "AMP": '&', "apos": '\'', "lpar": '(', "rpar": ')', "ast": '*', "midast": '*',
	"plus": '+', "comma": ',', "period": '.', "sol": '/', "colon": ':', "semi": ';', "lt": '<', "LT": '<',
	"equals": '=', "gt": '>', "GT": '>', "quest": '?', "commat": '@', "lsqb": '[', "lbrack": '[', "bsol": '\\',
	"rsqb": ']', "rbrack": ']', "Hat": '^', "lowbar": '_', "UnderBar": '_', "grave": '`', "DiacriticalGrave": '`',
	"lcub": '{', "lbrace": '{', "verbar": '|', "vert": '|', "VerticalLine": '|', "rcub": '}', "rbrace": '}',
}

// htmlRef reads the character reference at the start of b (just after
// its '&') that spells an ASCII byte: a named one, or a numeric one
// with any number of leading zeros (&#x0002B;). It returns the byte and
// the reference's length with its ';'.
func htmlRef(b []byte) (byte, int, bool) {
	semi := bytes.IndexByte(b[:min(len(b), 32)], ';')
	if semi < 1 {
		return 0, 0, false
	}
	name := b[:semi]
	if name[0] != '#' {
		v, ok := namedRefs[string(name)]
		return v, semi + 1, ok
	}
	digits, base := name[1:], uint64(10)
	if len(digits) > 0 && (digits[0] == 'x' || digits[0] == 'X') {
		digits, base = digits[1:], 16
	}
	if len(digits) == 0 {
		return 0, 0, false
	}
	v := uint64(0)
	for _, c := range digits {
		d, ok := hexDigit(c)
		if !ok || uint64(d) >= base {
			return 0, 0, false
		}
		if v = v*base + uint64(d); v >= utf8.RuneSelf {
			return 0, 0, false
		}
	}
	return byte(v), semi + 1, true
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func isPunct(c byte) bool { return c > ' ' && c < utf8.RuneSelf && !isAlnum(c) }

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// b64Value is the value of a base64 digit of either alphabet (+/ and
// -_), or -1; b64Class marks the bytes of a run that may be base64 (its
// digits, '=' padding, and the % and \ of a digit escaped in a URL or
// JSON) with inRun, its letters also with their case (mixedCase).
var (
	b64Value [256]int8
	b64Class [256]uint8
)

const (
	inRun     = 1
	lowerCase = 2
	upperCase = 4
	bothCases = lowerCase | upperCase
)

func init() {
	const std = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := range b64Value {
		b64Value[i] = -1
	}
	for i := 0; i < len(std); i++ {
		b64Value[std[i]] = int8(i)
		b64Class[std[i]] = inRun
		switch {
		case 'a' <= std[i] && std[i] <= 'z':
			b64Class[std[i]] |= lowerCase
		case 'A' <= std[i] && std[i] <= 'Z':
			b64Class[std[i]] |= upperCase
		}
	}
	b64Value['-'], b64Value['_'] = 62, 63
	for _, c := range []byte("-_=%\\") {
		b64Class[c] = inRun
	}
}

// base64 appends to out the base64 runs of b that hold the key (only
// the first when first is set), what they hold read depth levels deep.
// Runs shorter than m.b64 are not decoded; the search steps m.b64 bytes
// at a time, so a page without long runs costs a probe every m.b64
// bytes, not a look at each.
func (m *matcher) base64(b []byte, sc *scratch, depth int, first bool, out []span) []span {
	n, lo := m.b64, 0
	for i := n - 1; i < len(b); {
		if b64Class[b[i]] == 0 {
			i += n
			continue
		}
		s, e, cases := i, i+1, b64Class[b[i]]
		for s > lo && b64Class[b[s-1]] != 0 {
			s--
			cases |= b64Class[b[s]]
		}
		for e < len(b) && b64Class[b[e]] != 0 {
			cases |= b64Class[b[e]]
			e++
		}
		if e-s >= n && cases&bothCases == bothCases {
			before := len(out)
			out = m.base64Run(b, s, e, sc, depth, out)
			if first && len(out) > before {
				return out
			}
		}
		lo, i = e, e+n
	}
	return out
}

// base64Run appends the parts of the run b[s:e] that decode to a text
// holding the key. The run is first read as digits (an escaped digit,
// %2B or \/, as the digit) and cut at '=' (padding, or the = of a
// returnUrl= glued to it). A part that is not base64 (a path, a word)
// decodes to nothing holding the key.
func (m *matcher) base64Run(b []byte, s, e int, sc *scratch, depth int, out []span) []span {
	digits := b[s:e]
	var at []int // where each digit starts in b, when escapes were read
	if bytes.ContainsAny(digits, `%\`) {
		digits, at = nil, nil
		for p := s; p < e; {
			best := unit{}
			for _, u := range spell(b[:e], p, maxLevels, sc, sc.units[:0]) {
				if (b64Value[u.b] >= 0 || u.b == '=') && u.n > best.n {
					best = u
				}
			}
			if best.n == 0 {
				best = unit{'=', 1} // a stray % or \ ends a part
			}
			digits, at = append(digits, best.b), append(at, p)
			p += best.n
		}
		at = append(at, e)
	}
	orig := func(i int) int {
		if at == nil {
			return s + i
		}
		return at[i]
	}
	var dec []byte
	for i := 0; i < len(digits); {
		j := i
		for j < len(digits) && digits[j] != '=' {
			j++
		}
		end := j
		for end < len(digits) && digits[end] == '=' {
			end++
		}
		if j-i >= m.b64 && mixedCase(digits[i:j]) {
			for off := 0; off < 4; off++ {
				dec = decodeBase64(dec[:0], digits[i+off:j])
				if m.holds(dec, sc, depth-1) {
					out = append(out, span{orig(i), orig(end)})
					break
				}
			}
		}
		i = end
	}
	return out
}

// mixedCase reports whether a run holds letters of both cases. Base64
// of 12 bytes or more does but by chance (38 of the 64 digits are no
// lower-case letter: 16 such in a row 1 in 4,000, 32 1 in 10^7), and
// text around a key makes the run longer; runs of one case, as register
// codes (91411002MA44RS2L0Q) and most words are, are not decoded, which
// keeps list pages, with a code in every record, fast.
func mixedCase(run []byte) bool {
	cases := uint8(0)
	for _, c := range run {
		if cases |= b64Class[c]; cases&bothCases == bothCases {
			return true
		}
	}
	return false
}

// decodeBase64 appends to dst what the digits decode to, either
// alphabet, without padding; a last lone digit is dropped.
func decodeBase64(dst, digits []byte) []byte {
	var acc uint32
	n := 0
	for _, c := range digits {
		acc = acc<<6 | uint32(b64Value[c])
		if n++; n == 4 {
			dst = append(dst, byte(acc>>16), byte(acc>>8), byte(acc))
			acc, n = 0, 0
		}
	}
	switch n {
	case 2:
		dst = append(dst, byte(acc>>4))
	case 3:
		dst = append(dst, byte(acc>>10), byte(acc>>2))
	}
	return dst
}
