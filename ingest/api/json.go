package api

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// parseDocument reads a page's JSON text as encoding/json's Decoder with
// UseNumber reads it into an any (maps, slices, json.Number, strings,
// bools and nil), followed by the check decode makes that nothing but
// the end, ']' or '}' follows it. It reads only the common shape of an
// answer, in one pass and without reflection: an object or array of
// valid UTF-8 text, with no \u escape of a surrogate and no nesting
// deeper than maxDepth. Anything else, a syntax error included, returns
// ok false, and decode reads the text with encoding/json instead: the
// result, and every error and its message, stay encoding/json's.
// Decoding into an any with encoding/json was most of the time a page
// took to read.
func parseDocument(text string) (doc any, ok bool) {
	p := jsonParser{s: text, keys: map[string]string{}}
	p.space()
	if p.i >= len(p.s) || (p.s[p.i] != '{' && p.s[p.i] != '[') {
		return nil, false
	}
	if doc, ok = p.value(0); !ok {
		return nil, false
	}
	p.space()
	if p.i < len(p.s) && p.s[p.i] != ']' && p.s[p.i] != '}' {
		return nil, false // data after the document: decode says so
	}
	return doc, true
}

// maxDepth bounds the nesting parseDocument reads itself.
const maxDepth = 256

type jsonParser struct {
	s string
	i int
	// keys interns object keys: the records of a page repeat them.
	keys map[string]string
}

func (p *jsonParser) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int) (any, bool) {
	if p.i >= len(p.s) {
		return nil, false
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		s, ok := p.str()
		if !ok {
			return nil, false
		}
		return strings.Clone(s), true
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case strings.HasPrefix(p.s[p.i:], "true"):
		p.i += 4
		return true, true
	case strings.HasPrefix(p.s[p.i:], "false"):
		p.i += 5
		return false, true
	case strings.HasPrefix(p.s[p.i:], "null"):
		p.i += 4
		return nil, true
	}
	return nil, false
}

func (p *jsonParser) object(depth int) (any, bool) {
	if depth > maxDepth {
		return nil, false
	}
	p.i++ // {
	m := map[string]any{}
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return m, true
	}
	for {
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return nil, false
		}
		k, ok := p.str()
		if !ok {
			return nil, false
		}
		key, seen := p.keys[k]
		if !seen {
			key = strings.Clone(k)
			p.keys[key] = key
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, false
		}
		p.i++
		p.space()
		v, ok := p.value(depth)
		if !ok {
			return nil, false
		}
		m[key] = v // a repeated key: the later wins, as in encoding/json
		p.space()
		if p.i >= len(p.s) {
			return nil, false
		}
		switch p.s[p.i] {
		case ',':
			p.i++
			p.space()
		case '}':
			p.i++
			return m, true
		default:
			return nil, false
		}
	}
}

func (p *jsonParser) array(depth int) (any, bool) {
	if depth > maxDepth {
		return nil, false
	}
	p.i++ // [
	a := make([]any, 0)
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return a, true
	}
	for {
		p.space()
		v, ok := p.value(depth)
		if !ok {
			return nil, false
		}
		a = append(a, v)
		p.space()
		if p.i >= len(p.s) {
			return nil, false
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return a, true
		default:
			return nil, false
		}
	}
}

// str reads a string literal. The result may share the text's memory
// (no escapes) or not; callers that keep it clone it.
func (p *jsonParser) str() (string, bool) {
	p.i++ // "
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			s := p.s[start:p.i]
			p.i++
			return s, true
		case c == '\\':
			return p.escaped(start)
		case c < 0x20:
			return "", false
		}
		p.i++
	}
	return "", false
}

// escaped reads the rest of a string literal that has an escape, from
// its start.
func (p *jsonParser) escaped(start int) (string, bool) {
	var b strings.Builder
	b.WriteString(p.s[start:p.i])
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String(), true
		case c < 0x20:
			return "", false
		case c != '\\':
			b.WriteByte(c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.s) {
			return "", false
		}
		e := p.s[p.i+1]
		p.i += 2
		switch e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, ok := hex4(p.s[p.i:])
			if !ok || utf8.RuneLen(r) < 0 { // a surrogate: encoding/json pairs or replaces it
				return "", false
			}
			b.WriteRune(r)
			p.i += 4
		default:
			return "", false
		}
	}
	return "", false
}

func hex4(s string) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[:4]) {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// number reads a number as JSON spells it, followed by what may follow
// a value.
func (p *jsonParser) number() (any, bool) {
	start := p.i
	s := p.s
	if s[p.i] == '-' {
		p.i++
	}
	digits := func() int {
		n := 0
		for p.i < len(s) && s[p.i] >= '0' && s[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	switch {
	case p.i < len(s) && s[p.i] == '0':
		p.i++
	case digits() == 0:
		return nil, false
	}
	if p.i < len(s) && s[p.i] == '.' {
		p.i++
		if digits() == 0 {
			return nil, false
		}
	}
	if p.i < len(s) && (s[p.i] == 'e' || s[p.i] == 'E') {
		p.i++
		if p.i < len(s) && (s[p.i] == '+' || s[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return nil, false
		}
	}
	if p.i < len(s) {
		switch s[p.i] {
		case ' ', '\t', '\n', '\r', ',', ']', '}':
		default:
			return nil, false
		}
	}
	return json.Number(strings.Clone(s[start:p.i])), true
}
