package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/store"
)

// insertJSON is Insert for endpoints that take the data of an INSERT only
// as text in the request (insert_format=JSONEachRow in the DSN): each
// block is one statement whose data, one JSON object per row, follows
// FORMAT JSONEachRow. A block ends at batch_rows rows or batch_bytes bytes
// of JSON, whichever comes first.
func (s *Store) insertJSON(ctx context.Context, table string, columns []string, seq iter.Seq2[[]any, error]) (int64, error) {
	head := fmt.Sprintf("INSERT INTO `%s` (`%s`) FORMAT JSONEachRow\n", table, strings.Join(columns, "`, `"))
	types, err := s.columnTypes(ctx, table)
	if err != nil {
		return 0, err
	}
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
			if line, err = appendValue(line, row[i], types[c]); err != nil {
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

// appendValue writes v as JSON the way a column of type typ reads it:
// times as text that names the same instant in any zone
// (store.AppendTime) and strings byte for byte (see appendString).
func appendValue(b []byte, v any, typ string) ([]byte, error) {
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
	case map[string]string:
		b = append(b, '{')
		for i, k := range slices.Sorted(maps.Keys(x)) {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(appendString(b, k), ':')
			b = appendString(b, x[k])
		}
		return append(b, '}'), nil
	case time.Time:
		return appendString(b, string(store.AppendTime(nil, x, typ))), nil
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

// columnTypes reads the types of table's columns, for the times to be
// written in their column's terms.
func (s *Store) columnTypes(ctx context.Context, table string) (map[string]string, error) {
	rows, err := s.Query(ctx, "SELECT name, type FROM system.columns WHERE database = {db:String} AND table = {table:String}",
		store.Params{"db": s.database, "table": table})
	if err != nil {
		return nil, fmt.Errorf("describe %s: %w", table, err)
	}
	defer rows.Close()
	types := map[string]string{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, fmt.Errorf("describe %s: %w", table, err)
		}
		types[name] = typ
	}
	return types, rows.Err()
}
