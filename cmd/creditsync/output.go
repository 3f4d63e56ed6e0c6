package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/text/width"

	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
)

// Every command that prints records offers the same three formats, written
// by one recordWriter so that they agree across commands: a table for
// people, CSV with a header row, and JSON lines whose keys follow the
// column order.
const formatHelp = "output format: table, csv or json"

// outputFlags is the --format flag of a command that prints records. --json,
// the older spelling of some commands, stays as a hidden, deprecated alias of
// --format json so that scripts keep working.
type outputFlags struct {
	format string
	json   bool
}

func (o *outputFlags) register(cmd *cobra.Command, jsonAlias bool) {
	cmd.Flags().StringVar(&o.format, "format", "table", formatHelp)
	if jsonAlias {
		cmd.Flags().BoolVar(&o.json, "json", false, "same as --format json")
		_ = cmd.Flags().MarkDeprecated("json", "use --format json")
	}
}

// get returns the chosen format, or a usage error naming the choices.
func (o *outputFlags) get() (string, error) {
	if o.json {
		if o.format != "table" && o.format != "json" {
			return "", usageError{fmt.Errorf("--json and --format %s disagree; use --format alone", o.format)}
		}
		return "json", nil
	}
	switch o.format {
	case "table", "csv", "json":
		return o.format, nil
	}
	return "", usageError{fmt.Errorf("--format must be table, csv or json, not %q", o.format)}
}

// recordWriter writes records of fixed columns in one format. CSV and JSON
// stream; a table is held until Close, to size its columns.
//
// Values: nil (a value that does not apply: empty in a table or CSV, null
// in JSON), strings, numbers, bools, time.Time (a timestamp, written with
// its zone; pass dates as "YYYY-MM-DD" strings), []string (codes: a JSON
// array, space-separated in a table, ";"-separated in CSV), []any and
// map[string]any as a query returns them (JSON arrays and objects,
// ClickHouse's notation in a table or CSV), recordValues, and for JSON
// only any other value encoding/json can write.
type recordWriter struct {
	w      io.Writer
	format string
	cols   []string
	keys   [][]byte // JSON-encoded column names
	csv    *csv.Writer
	table  [][]string
	n      int
}

func newRecordWriter(w io.Writer, format string, cols ...string) (*recordWriter, error) {
	rw := &recordWriter{w: w, format: format, cols: cols}
	switch format {
	case "csv":
		rw.csv = csv.NewWriter(w)
		if err := rw.csv.Write(cols); err != nil {
			return nil, err
		}
	case "json":
		for _, c := range cols {
			k, err := marshalJSON(c)
			if err != nil {
				return nil, err
			}
			rw.keys = append(rw.keys, k)
		}
	case "table":
		rw.table = [][]string{cols}
	default:
		return nil, fmt.Errorf("unknown output format %q", format)
	}
	return rw, nil
}

// Write adds one record, its values in column order.
func (rw *recordWriter) Write(vals ...any) error {
	if len(vals) != len(rw.cols) {
		return fmt.Errorf("record of %d values for %d columns", len(vals), len(rw.cols))
	}
	rw.n++
	switch rw.format {
	case "json":
		var b bytes.Buffer
		b.WriteByte('{')
		for i, v := range vals {
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(rw.keys[i])
			b.WriteByte(':')
			enc, err := marshalJSON(jsonValue(v))
			if err != nil {
				return fmt.Errorf("column %s: %w", rw.cols[i], err)
			}
			b.Write(enc)
		}
		b.WriteString("}\n")
		_, err := rw.w.Write(b.Bytes())
		return err
	case "csv":
		rec := make([]string, len(vals))
		for i, v := range vals {
			rec[i] = cellText(v, ";")
		}
		return rw.csv.Write(rec)
	}
	rec := make([]string, len(vals))
	for i, v := range vals {
		rec[i] = cellText(v, " ")
	}
	rw.table = append(rw.table, rec)
	return nil
}

// Count is the number of records written.
func (rw *recordWriter) Count() int { return rw.n }

// Close flushes what is buffered: the table, or CSV's last rows.
func (rw *recordWriter) Close() error {
	switch rw.format {
	case "csv":
		rw.csv.Flush()
		return rw.csv.Error()
	case "table":
		printTable(rw.w, rw.table)
	}
	return nil
}

// marshalJSON encodes v without escaping <, > and & (names and evidence
// carry them, and the output is not HTML).
func marshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// timestampLayout writes a timestamp with its zone, so a reader never has
// to guess whether it is UTC or Beijing time.
const timestampLayout = "2006-01-02 15:04:05 MST"

// recordValue is a value that is written differently in a table or CSV
// than in JSON (a grade's clauses: IDs, or objects with their evidence).
type recordValue interface {
	cellText(sep string) string
	jsonValue() any
}

func cellText(v any, sep string) string {
	switch x := v.(type) {
	case nil:
		return ""
	case recordValue:
		return x.cellText(sep)
	case string:
		return x
	case time.Time:
		return x.Format(timestampLayout)
	case []string:
		// Commands pass lists of codes (clause IDs, USCCs) that never hold
		// the separator.
		return strings.Join(x, sep)
	case []any, map[string]any:
		// Query results may hold any text: written in ClickHouse's own
		// notation, so ['a;b','c'] stays two elements.
		return literal(x)
	case float64:
		return floatText(x)
	}
	return fmt.Sprint(v)
}

// floatText writes NaN and infinities as ClickHouse does (nan, inf, -inf).
func floatText(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strings.ToLower(fmt.Sprint(f))
	}
	return fmt.Sprint(f)
}

// literal writes a value as ClickHouse writes it inside an array or map:
// strings quoted with ' and escaped, NULL, numbers and nested structures
// as they are.
func literal(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(x) + "'"
	case time.Time:
		return literal(x.Format(timestampLayout))
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = literal(e)
		}
		return "[" + strings.Join(parts, ",") + "]"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = literal(k) + ":" + literal(x[k])
		}
		return "{" + strings.Join(parts, ",") + "}"
	case float64:
		return floatText(x)
	}
	return fmt.Sprint(v)
}

func jsonValue(v any) any {
	switch x := v.(type) {
	case recordValue:
		return x.jsonValue()
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case float64:
		// JSON has no NaN or infinity; write them as ClickHouse does when
		// asked to quote them, rather than fail or turn them into null.
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return floatText(x)
		}
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonValue(e)
		}
		return out
	case []string:
		if x == nil {
			return []string{}
		}
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonValue(e)
		}
		return out
	}
	return v
}

// writeRows prints a query result in a record format.
func writeRows(w io.Writer, rows store.Rows, format string) error {
	rw, err := newRecordWriter(w, format, columnNames(rows)...)
	if err != nil {
		return err
	}
	if err := copyRows(rows, rw.Write); err != nil {
		return err
	}
	if err := rw.Close(); err != nil {
		return err
	}
	if format == "table" {
		fmt.Fprintf(w, "(%d row%s)\n", rw.Count(), plural(rw.Count()))
	}
	return nil
}

func columnNames(rows store.Rows) []string {
	cols := rows.Columns()
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return names
}

// copyRows passes every row of a query result to write, its times written
// as their column types say.
func copyRows(rows store.Rows, write func(vals ...any) error) error {
	return copyRowsIn(rows, nil, write)
}

// copyRowsIn is copyRows with every time in loc (nil: its column's zone),
// in the form its column type says.
func copyRowsIn(rows store.Rows, loc *time.Location, write func(vals ...any) error) error {
	cols := rows.Columns()
	for rows.Next() {
		vals := rows.Values()
		for i, v := range vals {
			if t, ok := v.(time.Time); ok {
				if loc != nil {
					t = t.In(loc)
				}
				vals[i] = timeOfColumn(t, cols[i].Type)
			}
		}
		if err := write(vals...); err != nil {
			return err
		}
	}
	return rows.Err()
}

// timeOfColumn writes a time as its column type says: a Date as a bare
// date, a DateTime to the second and a DateTime64 to its precision, both
// with their zone, so that one column never mixes forms.
func timeOfColumn(t time.Time, typ string) string {
	base := typ
	for _, wrapper := range []string{"Nullable(", "LowCardinality("} {
		if strings.HasPrefix(base, wrapper) {
			base = strings.TrimSuffix(strings.TrimPrefix(base, wrapper), ")")
		}
	}
	switch {
	case strings.HasPrefix(base, "DateTime64("):
		prec := 3
		fmt.Sscanf(strings.TrimPrefix(base, "DateTime64("), "%d", &prec)
		layout := "2006-01-02 15:04:05"
		if prec > 0 {
			layout += "." + strings.Repeat("0", min(prec, 9))
		}
		return t.Format(layout + " MST")
	case strings.HasPrefix(base, "DateTime"):
		return t.Format(timestampLayout)
	case strings.HasPrefix(base, "Date"):
		return t.Format(time.DateOnly)
	}
	return t.Format(time.RFC3339Nano)
}

// dateValue is a record value for a date: "YYYY-MM-DD", or nil when unset.
func dateValue(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Format(time.DateOnly)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
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

// maxCellWidth bounds a table cell, in terminal columns: a long summary or
// error would otherwise stretch every row of its table off the screen. The
// full text is in --format csv and json.
const maxCellWidth = 80

// fitCell keeps a table cell on one line of at most maxCellWidth columns,
// marking what it leaves out with "…", and shows its control characters
// as escapes (transform.ShowControls): a stored name holding ESC [2J
// would clear the screen it is printed on.
func fitCell(s string) string {
	first, _, multi := strings.Cut(s, "\n")
	first = transform.ShowControls(strings.TrimRight(first, "\r "))
	if displayWidth(first) <= maxCellWidth && !multi {
		return first
	}
	var b strings.Builder
	w := 0
	for _, r := range first {
		rw := displayWidth(string(r))
		if w+rw > maxCellWidth-1 {
			break
		}
		b.WriteRune(r)
		w += rw
	}
	return b.String() + "…"
}

func printTable(w io.Writer, table [][]string) {
	if len(table) == 0 {
		return
	}
	fitted := make([][]string, len(table))
	for i, row := range table {
		fitted[i] = make([]string, len(row))
		for j, c := range row {
			fitted[i][j] = fitCell(c)
		}
	}
	table = fitted
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
