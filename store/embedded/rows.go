package embedded

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuchang-hrss/creditsync/store"
)

// rows decodes a JSONCompactEachRowWithNamesAndTypes result held in C
// memory, one line per Next, so a large result is never copied whole.
type rows struct {
	res     result
	rest    []byte
	columns []store.Column
	bases   []string // types without Nullable/LowCardinality
	values  []any
	raw     []json.RawMessage // the current row's values, reused
	err     error
	done    bool
}

func newRows(r result) (*rows, error) {
	rs := &rows{res: r, rest: r.bytes()}
	var names, types []string
	if len(rs.rest) == 0 {
		// Statements without a result set (and empty results of some
		// formats) carry no header.
		rs.done = true
		return rs, nil
	}
	if err := json.Unmarshal(rs.line(), &names); err != nil {
		return nil, fmt.Errorf("decode result header: %w", err)
	}
	if err := json.Unmarshal(rs.line(), &types); err != nil {
		return nil, fmt.Errorf("decode result types: %w", err)
	}
	for i := range names {
		rs.columns = append(rs.columns, store.Column{Name: names[i], Type: types[i]})
		b, _ := store.BaseType(types[i])
		rs.bases = append(rs.bases, b)
	}
	return rs, nil
}

func (r *rows) line() []byte {
	i := bytes.IndexByte(r.rest, '\n')
	var l []byte
	if i < 0 {
		l, r.rest = r.rest, nil
	} else {
		l, r.rest = r.rest[:i], r.rest[i+1:]
	}
	return l
}

func (r *rows) Columns() []store.Column { return r.columns }

func (r *rows) Next() bool {
	if r.done || r.err != nil {
		return false
	}
	for len(r.rest) > 0 {
		l := r.line()
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		raw, err := splitArray(l, r.raw[:0])
		if err != nil {
			r.err = fmt.Errorf("decode result row: %w", err)
			return false
		}
		r.raw = raw
		if len(raw) != len(r.columns) {
			r.err = fmt.Errorf("decode result row: %d values for %d columns", len(raw), len(r.columns))
			return false
		}
		vals := make([]any, len(raw))
		for i, m := range raw {
			v, err := decodeValue(r.bases[i], m)
			if err != nil {
				r.err = fmt.Errorf("decode column %s (%s): %w", r.columns[i].Name, r.columns[i].Type, err)
				return false
			}
			vals[i] = v
		}
		r.values = vals
		return true
	}
	r.done = true
	return false
}

// splitArray returns the elements of a JSON array as raw values,
// appended to out: the engine's rows are arrays of scalars, strings and
// nested arrays, and splitting them by hand is several times cheaper than
// encoding/json's reflection (a national regrade reads a million rows).
// Elements are not validated; decodeValue parses each.
func splitArray(l []byte, out []json.RawMessage) ([]json.RawMessage, error) {
	l = bytes.TrimSpace(l)
	if len(l) < 2 || l[0] != '[' || l[len(l)-1] != ']' {
		return nil, fmt.Errorf("not a JSON array: %.40q", l)
	}
	body := l[1 : len(l)-1]
	if len(bytes.TrimSpace(body)) == 0 {
		return out, nil
	}
	depth, start, inString := 0, 0, false
	for i := 0; i < len(body); i++ {
		c := body[i]
		if inString {
			switch c {
			case '\\':
				i++ // the escaped character
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '[', '{':
			depth++
		case ']', '}':
			depth--
			if depth < 0 {
				return nil, fmt.Errorf("unbalanced JSON array: %.40q", l)
			}
		case ',':
			if depth == 0 {
				out = append(out, json.RawMessage(bytes.TrimSpace(body[start:i])))
				start = i + 1
			}
		}
	}
	if inString || depth != 0 {
		return nil, fmt.Errorf("unterminated JSON array: %.40q", l)
	}
	return append(out, json.RawMessage(bytes.TrimSpace(body[start:]))), nil
}

func (r *rows) Scan(dest ...any) error { return store.ScanRow(r.values, dest...) }

func (r *rows) Values() []any { return r.values }

func (r *rows) Err() error { return r.err }

func (r *rows) Close() error {
	if r.res.ptr != 0 {
		r.res.release()
		r.res.ptr = 0
		r.rest = nil
	}
	return nil
}

// decodeValue turns one JSON value of ClickHouse type typ (without
// Nullable/LowCardinality) into the Go value documented on store.Rows.
func decodeValue(typ string, m json.RawMessage) (any, error) {
	if string(m) == "null" {
		return nil, nil
	}
	switch {
	case strings.HasPrefix(typ, "Array("):
		inner, _ := store.BaseType(typ[len("Array(") : len(typ)-1])
		elems, err := splitArray(m, nil)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(elems))
		for i, e := range elems {
			v, err := decodeValue(inner, e)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case strings.HasPrefix(typ, "UInt"):
		return strconv.ParseUint(string(bytes.Trim(m, `"`)), 10, 64)
	case strings.HasPrefix(typ, "Int"):
		return strconv.ParseInt(string(bytes.Trim(m, `"`)), 10, 64)
	case strings.HasPrefix(typ, "Float"):
		var f float64
		err := json.Unmarshal(m, &f)
		return f, err
	case typ == "Bool":
		var b bool
		err := json.Unmarshal(m, &b)
		return b, err
	case store.IsDateType(typ):
		s, err := unquote(m)
		if err != nil {
			return nil, err
		}
		return time.Parse(time.DateOnly, s)
	case store.IsTimeType(typ):
		s, err := unquote(m)
		if err != nil {
			return nil, err
		}
		t, err := time.ParseInLocation("2006-01-02 15:04:05.999999999", s, timeZone(typ))
		return t.UTC(), err
	case strings.HasPrefix(typ, "String"), strings.HasPrefix(typ, "FixedString"), strings.HasPrefix(typ, "Enum"), typ == "UUID":
		return unquote(m)
	}
	var v any
	err := json.Unmarshal(m, &v)
	return v, err
}

// timeZone reads the zone of DateTime('Asia/Shanghai') or
// DateTime64(3, 'UTC'); values without one are in the engine's zone, which
// creditsync keeps at UTC.
func timeZone(typ string) *time.Location {
	if loc, ok := zones.Load(typ); ok {
		return loc.(*time.Location)
	}
	loc := time.UTC
	if i := strings.IndexByte(typ, '\''); i >= 0 {
		if j := strings.LastIndexByte(typ, '\''); j > i {
			if l, err := time.LoadLocation(typ[i+1 : j]); err == nil {
				loc = l
			}
		}
	}
	zones.Store(typ, loc)
	return loc
}

// zones caches timeZone by type: time.LoadLocation reads the zone
// database on every call, and a result may hold a million timestamps.
var zones sync.Map

// unquote decodes a JSON string literal byte for byte. ClickHouse writes
// String values as they are stored, and a String may hold bytes that are
// not UTF-8 (a GBK page in raw_pages, say); encoding/json would replace
// them with U+FFFD, so the escapes are undone here and other bytes kept.
func unquote(m []byte) (string, error) {
	if len(m) < 2 || m[0] != '"' || m[len(m)-1] != '"' {
		return "", fmt.Errorf("not a JSON string: %.40q", m)
	}
	m = m[1 : len(m)-1]
	if !bytes.ContainsRune(m, '\\') {
		return string(m), nil
	}
	out := make([]byte, 0, len(m))
	for i := 0; i < len(m); i++ {
		c := m[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		if i >= len(m) {
			return "", errors.New("JSON string ends in a backslash")
		}
		switch m[i] {
		case '"', '\\', '/':
			out = append(out, m[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, n, err := unicodeEscape(m[i+1:])
			if err != nil {
				return "", err
			}
			out = utf8.AppendRune(out, r)
			i += n
		default:
			return "", fmt.Errorf("bad escape \\%c in JSON string", m[i])
		}
	}
	return string(out), nil
}

// unicodeEscape reads the hex digits after \u, joining a surrogate pair;
// it returns the rune and how many bytes it consumed.
func unicodeEscape(b []byte) (rune, int, error) {
	hex4 := func(b []byte) (rune, error) {
		if len(b) < 4 {
			return 0, errors.New("short \\u escape in JSON string")
		}
		v, err := strconv.ParseUint(string(b[:4]), 16, 32)
		return rune(v), err
	}
	r, err := hex4(b)
	if err != nil {
		return 0, 0, err
	}
	if utf16.IsSurrogate(r) && len(b) >= 10 && b[4] == '\\' && b[5] == 'u' {
		if r2, err := hex4(b[6:]); err == nil {
			if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
				return dec, 10, nil
			}
		}
	}
	return r, 4, nil
}
