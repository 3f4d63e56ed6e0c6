package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"strings"
	"time"
)

// insertJSON is Insert for endpoints that take the data of an INSERT only
// as text in the request (insert_format=JSONEachRow in the DSN): each
// block is one statement whose data, one JSON object per row, follows
// FORMAT JSONEachRow. A block ends at batch_rows rows or batch_bytes bytes
// of JSON, whichever comes first.
func (s *Store) insertJSON(ctx context.Context, table string, columns []string, seq iter.Seq2[[]any, error]) (int64, error) {
	head := fmt.Sprintf("INSERT INTO `%s` (`%s`) FORMAT JSONEachRow\n", table, strings.Join(columns, "`, `"))
	var buf bytes.Buffer
	var sent, pending int64
	send := func() error {
		if pending == 0 {
			return nil
		}
		if err := s.conn.Exec(ctx, head+buf.String()); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
		sent += pending
		pending = 0
		buf.Reset()
		return nil
	}
	var line []byte
	for row, err := range seq {
		if err != nil {
			return sent, err
		}
		if len(row) != len(columns) {
			return sent, fmt.Errorf("insert into %s: row of %d values for %d columns", table, len(row), len(columns))
		}
		line = append(line[:0], '{')
		for i, c := range columns {
			if i > 0 {
				line = append(line, ',')
			}
			line = appendString(line, c)
			line = append(line, ':')
			if line, err = appendValue(line, row[i]); err != nil {
				return sent, fmt.Errorf("insert into %s, column %s: %w", table, c, err)
			}
		}
		line = append(line, '}')
		if pending > 0 && int64(buf.Len()+len(line)+1) > s.batchBytes {
			if err := send(); err != nil {
				return sent, err
			}
		}
		buf.Write(line)
		buf.WriteByte('\n')
		pending++
		if pending >= s.batchRows {
			if err := send(); err != nil {
				return sent, err
			}
		}
	}
	return sent, send()
}

// appendValue writes v as JSON the way ClickHouse reads it: times as
// text (a date alone at midnight UTC, so it fits Date and DateTime columns
// alike) and strings byte for byte (see appendString).
func appendValue(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendString(b, x), nil
	case []string:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, e)
		}
		return append(b, ']'), nil
	case time.Time:
		x = x.UTC()
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return appendString(b, x.Format(time.DateOnly)), nil
		}
		return appendString(b, x.Format("2006-01-02 15:04:05.000000000")), nil
	}
	j, err := json.Marshal(v)
	if err != nil {
		return b, err
	}
	return append(b, j...), nil
}

// appendString quotes s for JSON without touching bytes that are not
// UTF-8: ClickHouse stores strings as bytes, and a value must come back as
// it went in (encoding/json would replace them with U+FFFD).
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
