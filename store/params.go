package store

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// RawParam is a parameter value already in ClickHouse's escaped text
// form, passed on as it is (clickhouse-client's --param_NAME=VALUE).
type RawParam string

// FormatParam writes a parameter value the way ClickHouse parses it for a
// {name:Type} placeholder. A time.Time at midnight UTC is written as a
// date, so it binds to both Date and DateTime placeholders.
func FormatParam(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return `\N`, nil
	case string:
		return paramEscaper.Replace(x), nil
	case RawParam:
		return string(x), nil
	case bool:
		if x {
			return "true", nil
		}
		return "false", nil
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case int32:
		return strconv.FormatInt(int64(x), 10), nil
	case uint64:
		return strconv.FormatUint(x, 10), nil
	case uint32:
		return strconv.FormatUint(uint64(x), 10), nil
	case uint16:
		return strconv.FormatUint(uint64(x), 10), nil
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), nil
	case time.Time:
		return formatTime(x), nil
	case []int64:
		parts := make([]string, len(x))
		for i, n := range x {
			parts[i] = strconv.FormatInt(n, 10)
		}
		return "[" + strings.Join(parts, ",") + "]", nil
	case []string:
		var b strings.Builder
		b.WriteByte('[')
		for i, s := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(quoteString(s))
		}
		b.WriteByte(']')
		return b.String(), nil
	}
	return "", fmt.Errorf("query parameter of type %T is not supported", v)
}

// FormatParams formats every parameter.
func FormatParams(p Params) (map[string]string, error) {
	out := make(map[string]string, len(p))
	for k, v := range p {
		s, err := FormatParam(v)
		if err != nil {
			return nil, fmt.Errorf("parameter %s: %w", k, err)
		}
		out[k] = s
	}
	return out, nil
}

// paramEscaper escapes a string parameter: ClickHouse reads parameter
// values in its escaped text format, where a backslash starts an escape
// and a raw tab or newline would end the value.
var paramEscaper = strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`, "\r", `\r`, "\x00", `\0`)

func formatTime(t time.Time) string {
	t = t.UTC()
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		return t.Format(time.DateOnly)
	}
	return t.Format("2006-01-02 15:04:05.000")
}

// quoteString writes s as a ClickHouse string literal.
func quoteString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`)
	return "'" + r.Replace(s) + "'"
}
