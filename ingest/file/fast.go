package file

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/load"
	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
)

// The fast import: a CSV file laid out exactly as the contract says is
// read by the engine itself. Its records whose every value is already
// canonical (contract.Canonical, and no row the table would skip) go
// straight from the file into the batch's stage; the others are read
// back, in order with their row numbers, and go through the Go path
// (table.next, contract.Parse) into the same batch. Anything the engine
// might read differently from encoding/csv sends the whole file to the
// Go path, before anything of the batch is visible.

// errEngineRead wraps what the engine's reading of a file ran into; the
// import then reads the file in Go.
var errEngineRead = errors.New("the engine could not read the file as the Go reader does")

// maxMultiline bounds the records with embedded newlines a fast import
// takes: each shifts the line numbers of the records under it, and the
// engine adds up the shifts for every record.
const maxMultiline = 256

// noFastImport, when set in the environment, sends every file to the Go
// path (tests compare both; a user can rule out the fast path).
const noFastImport = "CREDITSYNC_NO_FAST_IMPORT"

// fastImports counts the tables read by importFast to the end, and
// engineRows the records the engine staged in them.
var fastImports, engineRows atomic.Int64

// fastCSV is a CSV file the engine may read, with what the queries need.
type fastCSV struct {
	path   string // absolute
	size   int64
	fields []string // c1 … cN, one per header cell
	data   map[string]any
}

// fastEligible returns the fast reading of a CSV file whose table t was
// found with mapping m, or nil when the file must be read in Go.
func fastEligible(ctx context.Context, s store.Store, list *contract.List, path string, b workbook, t *table, m *contract.Mapping, opt ImportOptions) *fastCSV {
	if os.Getenv(noFastImport) != "" || s.Engine() != "embedded" || len(opt.AllowList) > 0 {
		return nil
	}
	if cb, ok := b.(*csvBook); !ok || b.encoding() != "UTF-8" || cb.crLines || cb.r.Comma != ',' {
		return nil // the engine would read lone CRs as part of a value, and reads commas only
	}
	if ext := strings.ToLower(filepath.Ext(path)); ext != ".csv" && ext != ".txt" {
		return nil
	}
	// The header is the file's first line, alone: the engine skips one
	// line, encoding/csv one record. The record after it starts on line
	// 2 (a header only is left to Go: its lines are unknown).
	if t.first != 1 || t.last != 1 || t.above != 0 || len(m.Extra()) > 0 || len(t.pending) == 0 || t.pending[0].n != 2 {
		return nil
	}
	abs, err := filepath.Abs(path)
	if err != nil || strings.ContainsAny(abs, "*?{}[]'\\") {
		return nil // file() reads those as a pattern
	}
	st, err := os.Stat(abs)
	if err != nil || !linesWithin(abs, maxRecordBytes) {
		// A line longer than a record may be is refused by the Go
		// reader without reading it whole; the engine would read it all
		// (a 210 MB line took it over a minute and a gigabyte).
		return nil
	}
	f := &fastCSV{path: abs, size: st.Size()}
	for i := range t.header {
		f.fields = append(f.fields, fmt.Sprintf("c%d", i+1))
	}
	field := func(key string) string {
		if fi := m.Field(key); fi >= 0 {
			return f.fields[fi]
		}
		return ""
	}
	canon, ok := list.Canonical(field)
	if !ok {
		return nil
	}
	// The input table (csv_create_input) has the list's columns beside
	// the file's fields: none may share a name.
	for _, c := range list.TableColumns() {
		if slices.Contains(f.fields, c) || strings.HasPrefix(c, "fast_") {
			return nil
		}
	}
	where := []string{canon.Where, f.recordSQL(list, field)}
	for i, h := range t.header {
		if strings.TrimSpace(h) == "" {
			// A value in a column without a heading: Go refuses it.
			where = append(where, "trimBoth("+f.fields[i]+") = ''")
		}
	}
	var newlines []string
	for _, c := range f.fields {
		newlines = append(newlines, "countSubstrings("+c+", '\\n')")
	}
	typed := make([]string, len(f.fields))
	addFields := make([]string, len(f.fields))
	for i, c := range f.fields {
		typed[i] = c + " String"
		addFields[i] = "ADD COLUMN " + typed[i]
	}
	f.data = map[string]any{
		"Structure": transform.SQLString(strings.Join(typed, ", ")),
		"Typed":     strings.Join(typed, ", "),
		"AddFields": strings.Join(addFields, ",\n    "),
		"Fields":    strings.Join(f.fields, ", "),
		"Canonical": "(" + strings.Join(where, " AND ") + ")",
		"Columns":   strings.Join(append(list.StoredColumns(), contract.MetaColumns...), ", "),
		"Values":    strings.Join(canon.Values, ",\n    "),
		"Newlines":  strings.Join(newlines, " + "),
	}
	if sampleFirst && !f.mostlyCanonical(ctx, s, t) {
		return nil
	}
	return f
}

// sampleFirst turns mostlyCanonical on (the tests turn it off, to
// have the engine read files of any mix).
var sampleFirst = true

// mostlyCanonical reports whether most of the first records of the
// table (those read while finding it) are canonical. A file of which
// they are not is read faster in Go than by the engine and then in Go
// again; the files of one source are alike from top to bottom.
func (f *fastCSV) mostlyCanonical(ctx context.Context, s store.Store, t *table) bool {
	var sample []string
	for _, r := range t.pending {
		if blank(r.cells) {
			continue
		}
		cells := make([]string, len(f.fields))
		copy(cells, r.cells)
		sample = append(sample, transform.SQLStrings(cells))
	}
	if len(sample) == 0 {
		return true
	}
	data := map[string]any{"Canonical": f.data["Canonical"], "Sample": "[" + strings.Join(sample, ", ") + "]"}
	var fields []string
	for i, c := range f.fields {
		fields = append(fields, fmt.Sprintf("r[%d] AS %s", i+1, c))
	}
	data["Columns"] = strings.Join(fields, ", ")
	text, err := sql.QueryWith(sql.Target{Cluster: s.Cluster()}, "imports/csv_sample", data)
	if err != nil {
		return false
	}
	var canonical uint64
	if err := store.QueryRow(ctx, s, text, nil, &canonical); err != nil {
		return false
	}
	return 2*int(canonical) >= len(sample)
}

// recordSQL is true for a row the table takes for a record (classify
// returns ""), conservatively: its first value and one of its keys begin
// with no character a total, note or signature begins with.
func (f *fastCSV) recordSQL(list *contract.List, field func(string) string) string {
	var starts []rune
	for r := range markerStarts {
		starts = append(starts, r)
	}
	for r := range labelStarts {
		if !markerStarts[r] {
			starts = append(starts, r)
		}
	}
	slices.Sort(starts)
	marker := transform.SQLString("^[" + string(starts) + "]")
	var first []string
	for _, c := range f.fields {
		first = append(first, c+" != ''", "NOT match("+c+", "+marker+")")
	}
	var keys []string
	for _, k := range list.RecordKeys() {
		if c := field(k); c != "" {
			keys = append(keys, fmt.Sprintf("(%s != '' AND NOT match(%s, %s))", c, c, marker))
		}
	}
	if len(keys) == 0 {
		keys = []string{"false"}
	}
	return fmt.Sprintf("multiIf(%s, false) AND (%s)", strings.Join(first, ", "), strings.Join(keys, " OR "))
}

// importFast imports a table the engine reads (see fastCSV). An error
// wrapping errEngineRead means nothing was written and the file is for
// the Go path.
//
// The engine reads the file once, into a Null table whose two views
// write the canonical records into the batch's stage and the others
// into a table for Go, which then reads them back in order (oddRows).
// Records spanning several lines shift the line numbers of those under
// them; when there are any, the canonical records are read again with
// the shifts (they are rare in the files the bureau receives).
func importFast(ctx context.Context, s store.Store, list *contract.List, t *table, m *contract.Mapping, f *fastCSV, src load.Source, opt ImportOptions) (SheetResult, error) {
	st := sql.Target{Cluster: s.Cluster()}
	data := map[string]any{}
	for k, v := range f.data {
		data[k] = v
	}
	q := func(name string) (string, error) {
		return sql.QueryWith(st, "imports/"+name, data)
	}
	exec := func(name string, params store.Params) error {
		text, err := q(name)
		if err != nil {
			return err
		}
		return s.Exec(ctx, text, params)
	}
	sr := SheetResult{Sheet: t.sheet, HeaderFirst: t.first, HeaderLast: t.last, Above: t.above, Skipped: map[string]int64{}}
	id := "_stage_" + newOddName()
	names := []string{id + "_to_stage", id + "_to_odd", id + "_in", id + "_odd"}
	data["StageView"], data["OddView"], data["Input"], data["Odd"] = names[0], names[1], names[2], names[3]
	defer func() {
		for _, n := range names {
			data["Name"] = n
			if text, err := q("csv_drop"); err == nil {
				_ = s.Exec(context.WithoutCancel(ctx), text, nil)
			}
		}
	}()
	odd := &oddRows{f: f}
	var lastLine int64
	engine := func(ctx context.Context, stage load.Stage) (int64, error) {
		data["Stage"] = stage.Table
		// In MetaColumns order, as literals: the statement that reads the
		// file has one query parameter, the path.
		data["Meta"] = strings.Join([]string{
			transform.SQLString(stage.Source.Name),
			transform.SQLString(stage.Source.Ref),
			"toUInt32(_row_number + 2)",
			transform.SQLString(stage.BatchID),
			"toDateTime64(" + transform.SQLString(stage.LoadedAt.UTC().Format("2006-01-02 15:04:05.000")) + ", 3, 'UTC')",
			fmt.Sprintf("toUInt64(%d)", stage.Version),
			"''",
		}, ",\n    ")
		for _, step := range []string{"csv_stop_stage_merges", "csv_create_odd", "csv_create_input", "csv_add_input_fields", "csv_create_odd_view", "csv_create_stage_view"} {
			if err := exec(step, nil); err != nil {
				return 0, fmt.Errorf("prepare to read the file in the engine: %w", err)
			}
		}
		if err := exec("csv_read_file", store.Params{"path": f.path}); err != nil {
			return 0, fmt.Errorf("%w: %w", errEngineRead, err)
		}
		if err := odd.multiline(ctx, s, q); err != nil {
			return 0, err
		}
		if len(odd.breaks) > 0 {
			// The engine, like encoding/csv, reads a quote never closed
			// to the end of the file: its value then holds every line
			// after it. The Go path says where it opened. (It also
			// refuses a record over many lines longer than a record may
			// be, as it does one on a line too long, see linesWithin.)
			if err := f.quotesClosed(); err != nil {
				return 0, fmt.Errorf("%w: %w", errEngineRead, err)
			}
		}
		if len(odd.breaks) > 0 {
			// Read the canonical records again, with the lines the
			// multi-line ones above them take.
			if err := exec("csv_truncate_stage", nil); err != nil {
				return 0, err
			}
			err := exec("csv_stage_canonical", store.Params{
				"path": f.path, "source": stage.Source.Name, "source_ref": stage.Source.Ref,
				"batch_id": stage.BatchID, "loaded_at": stage.LoadedAt, "version": stage.Version,
				"breaks": odd.breaks, "extras": odd.extras,
			})
			if err != nil {
				return 0, fmt.Errorf("%w: %w", errEngineRead, err)
			}
		}
		n, err := stagedRows(ctx, s, stage.Table)
		if err != nil {
			return 0, err
		}
		text, err := q("csv_last_line")
		if err != nil {
			return 0, err
		}
		if err := store.QueryRow(ctx, s, text, nil, &lastLine); err != nil {
			return 0, fmt.Errorf("find the last line staged: %w", err)
		}
		engineRows.Add(n)
		if odd.query, err = q("csv_odd_rows"); err != nil {
			return 0, err
		}
		odd.ctx, odd.s = ctx, s
		return n, nil
	}
	defer func() {
		if odd.rows != nil {
			odd.rows.Close()
		}
	}()
	ot := &table{list: t.list, sheet: t.sheet, rows: odd, header: t.header, first: t.first, last: t.last, above: t.above, keyHeader: t.keyHeader}
	ot.bind(m)
	opt.Progress = nil // the engine reads the file; odd rows say little of how far
	sr, err := importTableWith(ctx, s, list, ot, m, nil, src, opt, engine)
	if err != nil {
		return sr, err
	}
	// Blank rows that only canonical records follow: the Go path counts
	// them, since a record follows.
	for _, b := range ot.blanks {
		if int64(b) < lastLine {
			sr.Skipped[SkipBlank]++
		}
	}
	fastImports.Add(1)
	return sr, nil
}

// quotesClosed reads the file through and fails if a quoted value is
// still open at its end. Only files with records over several lines
// need it: a value opened and never closed takes at least the line break
// that ends its line.
func (f *fastCSV) quotesClosed() error {
	file, err := os.Open(f.path)
	if err != nil {
		return err
	}
	defer file.Close()
	return unclosedQuote(file, ',')
}

// linesWithin reports whether every line of the file at path is at most
// limit bytes long, reading it a MiB at a time (a scan for line feeds,
// a fraction of what the engine's reading costs).
func linesWithin(path string, limit int) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	run := 0 // bytes of the line being read
	for {
		n, err := f.Read(buf)
		for b := buf[:n]; len(b) > 0; {
			i := bytes.IndexByte(b, '\n')
			if i < 0 {
				run += len(b)
				break
			}
			if run+i > limit {
				return false
			}
			run, b = 0, b[i+1:]
		}
		switch {
		case run > limit:
			return false
		case err == io.EOF:
			return true
		case err != nil:
			return false
		}
	}
}

// newOddName names a fast import's tables.
func newOddName() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "odd_" + hex.EncodeToString(b[:])
}

func stagedRows(ctx context.Context, s store.Store, table string) (int64, error) {
	n, err := store.Count(ctx, s, "SELECT count() FROM "+table, nil)
	if err != nil {
		return 0, fmt.Errorf("count staged rows: %w", err)
	}
	return n, nil
}

// oddPage is how many rows for Go are read back at a time: a result is
// held whole in memory until read. (A variable for the tests.)
var oddPage = 50_000

// oddRows yields the rows read back from the engine as table rows, with
// the line numbers encoding/csv gives them, a page at a time; multiline
// finds the multi-line ones first, for the canonical rows' numbers.
type oddRows struct {
	f      *fastCSV
	ctx    context.Context
	s      store.Store
	query  string // csv_odd_rows
	rows   store.Rows
	from   uint64 // the row number to read from
	inPage int    // rows read of the current page
	done   bool   // the last page was short
	shift  int    // newlines embedded in the rows so far
	breaks []int64
	extras []int64
}

func (o *oddRows) progress() (int64, int64) { return 0, o.f.size }

// hiddenCells: the engine reads only text files, which hide nothing.
func (o *oddRows) hiddenCells() Hidden { return Hidden{} }

func (o *oddRows) next() (int, []string, error) {
	for {
		if o.rows == nil {
			if o.done {
				return 0, nil, io.EOF
			}
			rows, err := o.s.Query(o.ctx, o.query, store.Params{"from": o.from, "page": uint64(oddPage)})
			if err != nil {
				return 0, nil, fmt.Errorf("read the rows to validate in Go: %w", err)
			}
			o.rows, o.inPage = rows, 0
		}
		if o.rows.Next() {
			break
		}
		err := o.rows.Err()
		o.rows.Close()
		o.rows = nil
		if err != nil {
			return 0, nil, fmt.Errorf("read the rows to validate in Go: %w", err)
		}
		o.done = o.inPage < oddPage
	}
	o.inPage++
	vals := o.rows.Values()
	row, _ := vals[0].(uint64)
	o.from = row + 1
	cells := make([]string, len(vals)-1)
	newlines := 0
	for i, v := range vals[1:] {
		c, _ := v.(string)
		if !utf8.ValidString(c) {
			// The Go reader stops at the first byte that is not UTF-8.
			return 0, nil, fmt.Errorf("%w: row %d is not UTF-8", errEngineRead, row+1)
		}
		// encoding/csv drops the carriage return of every line end,
		// inside quotes too.
		c = strings.ReplaceAll(c, "\r\n", "\n")
		newlines += strings.Count(c, "\n")
		cells[i] = c
	}
	line := int(row) + 2 + o.shift
	o.shift += newlines
	return line, cells, nil
}

// multiline finds the rows for Go that span several lines.
func (o *oddRows) multiline(ctx context.Context, s store.Store, q func(string) (string, error)) error {
	text, err := q("csv_multiline")
	if err != nil {
		return err
	}
	rows, err := s.Query(ctx, text, nil)
	if err != nil {
		return fmt.Errorf("find the records that span several lines: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var row, newlines int64
		if err := rows.Scan(&row, &newlines); err != nil {
			return err
		}
		if len(o.breaks) == maxMultiline {
			return fmt.Errorf("%w: more than %d records span several lines", errEngineRead, maxMultiline)
		}
		o.breaks = append(o.breaks, row)
		o.extras = append(o.extras, newlines)
	}
	return rows.Err()
}
