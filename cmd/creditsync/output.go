package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/text/width"

	"github.com/xuchang-hrss/creditsync/store"
)

// writeRows prints a result set as a table, CSV or JSON lines.
func writeRows(w io.Writer, rows store.Rows, format string) error {
	cols := rows.Columns()
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	var table [][]string
	var cw *csv.Writer
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	switch format {
	case "csv":
		cw = csv.NewWriter(w)
		if err := cw.Write(names); err != nil {
			return err
		}
	case "table":
		table = append(table, names)
	}
	for rows.Next() {
		vals := rows.Values()
		switch format {
		case "json":
			obj := make(map[string]any, len(vals))
			for i, v := range vals {
				obj[names[i]] = jsonValue(v)
			}
			if err := enc.Encode(obj); err != nil {
				return err
			}
		default:
			rec := make([]string, len(vals))
			for i, v := range vals {
				rec[i] = textValue(v)
			}
			if cw != nil {
				if err := cw.Write(rec); err != nil {
					return err
				}
			} else {
				table = append(table, rec)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if cw != nil {
		cw.Flush()
		return cw.Error()
	}
	if table != nil {
		printTable(w, table)
		fmt.Fprintf(w, "(%d row%s)\n", len(table)-1, plural(len(table)-1))
	}
	return nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func textValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.Format(time.DateOnly)
		}
		return x.Format("2006-01-02 15:04:05")
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = textValue(e)
		}
		return strings.Join(parts, ";")
	}
	return fmt.Sprint(v)
}

func jsonValue(v any) any {
	if t, ok := v.(time.Time); ok {
		return textValue(t)
	}
	if arr, ok := v.([]any); ok {
		out := make([]any, len(arr))
		for i, e := range arr {
			out[i] = jsonValue(e)
		}
		return out
	}
	return v
}

// displayWidth counts East Asian wide characters as two columns, so
// tables of Chinese names line up in a terminal.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

func printTable(w io.Writer, table [][]string) {
	if len(table) == 0 {
		return
	}
	widths := make([]int, len(table[0]))
	for _, row := range table {
		for i, c := range row {
			if i < len(widths) {
				widths[i] = max(widths[i], displayWidth(c))
			}
		}
	}
	line := func(row []string) {
		var b strings.Builder
		for i, c := range row {
			if i > 0 {
				b.WriteString("  ")
			}
			b.WriteString(c)
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-displayWidth(c)))
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	line(table[0])
	sep := make([]string, len(widths))
	for i, wd := range widths {
		sep[i] = strings.Repeat("-", wd)
	}
	line(sep)
	for _, row := range table[1:] {
		line(row)
	}
}
