package file

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/load"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
)

// ImportOptions tune Import.
type ImportOptions struct {
	AllowList transform.USCCAllowList
	// Progress, if set, is called after every record with how far the
	// sheet has been read (bytes for CSV, rows for XLSX).
	Progress func(done, total int64)
	// Sheet, if set, imports only the workbook's sheet of that name.
	Sheet string
	// Replaces, if set, is the batch this file corrects (load.Source's
	// Replaces): what that batch wrote and this file lacks is withdrawn.
	// The file must hold one table.
	Replaces string

	digest func() string // of a CSV file, recorded with its batch
	// conflicts reject the records of keys that several sheets give
	// with different values (sheetConflicts).
	conflicts map[Place]*contract.FieldError
}

// Result is what importing one file did: the totals over its sheets in
// the embedded load.Result, and each sheet's own.
type Result struct {
	load.Result
	Path    string
	Sheets  []SheetResult
	Skipped int64 // rows under the tables that are not records
	// Others are the sheets of a workbook that hold no table of the list,
	// with the reason; they are reported and skipped.
	Others []OtherSheet
}

// SheetResult is what importing the table of one sheet did.
type SheetResult struct {
	load.Result
	Sheet string // "" for a CSV file
	// Ref names the sheet in messages and in import_rejects: the path,
	// or path[sheet] in a workbook of several sheets.
	Ref string
	// HeaderFirst and HeaderLast are the numbers of the header row(s).
	HeaderFirst, HeaderLast int
	// Above is the number of non-blank rows above the header (a title,
	// the unit and date), ignored.
	Above int
	// Skipped counts the rows under the header that are not records, by
	// kind (SkipBlank, SkipTotal …); SkippedRows lists those that have
	// values but no key, which may be records missing their key.
	Skipped     map[string]int64
	SkippedRows []SkippedRow
	// KeepsLater says that the sheet's records of one key that differ
	// were not rejected: the later is stored (contract.List.KeepsLater).
	KeepsLater bool
	// Hidden are the rows and columns that the sheet hides and that hold
	// values (an AutoFilter hides rows, people hide columns): a list's
	// table reads them as any other, since its records are in the file,
	// and the import names them. (A 附件2 that hides values is refused.)
	Hidden Hidden
	// Filed is what a 附件2 table was filed as (ImportSummary): its unit,
	// date and the filing it replaces; nil for a list's table.
	Filed *FiledTable
	// virtual are the columns the importer appended to every record of
	// the sheet (a 附件2's unit, date and filing) and values theirs: Repeats
	// reads the records again as they were read.
	virtual, values []string
}

// SkippedRow is a row that is not taken for a record although it has
// values in the list's columns.
type SkippedRow struct {
	Line   int
	Reason string
}

// OtherSheet is a sheet that holds no table of the list.
type OtherSheet struct {
	Sheet, Reason string
}

// SkippedTotal is the number of rows of the sheet that are not records.
func (r SheetResult) SkippedTotal() int64 {
	var n int64
	for _, c := range r.Skipped {
		n += c
	}
	return n
}

// SkipKinds returns the kinds of skipped rows in a fixed order.
func (r SheetResult) SkipKinds() []string {
	var out []string
	for _, k := range skipKinds {
		if r.Skipped[k] > 0 {
			out = append(out, k)
		}
	}
	return out
}

// ErrNoRecords is a table whose header no record follows: a file of
// headings only is refused, as an empty file is, and records no batch.
var ErrNoRecords = errors.New("no records under the header")

// Import loads the tables of list in one file: a CSV file, or every sheet
// of a workbook that holds one (opt.Sheet to pick one), each sheet as its
// own batch. In each sheet the header is looked for in the first rows;
// rows under it that are not records (blank, 合计, 注, signatures) are
// skipped and counted. Rejected records are in the result; the error is
// for failures that stopped the import (unreadable file, no table, bad
// header, store errors). Headers are checked in every sheet before
// anything is written, so a bad header writes nothing.
func Import(ctx context.Context, s store.Store, list *contract.List, path string, opt ImportOptions) (Result, error) {
	res, err := importFile(ctx, s, list, path, opt, nil)
	return res, plainlyInterrupted(ctx, err, path, list)
}

// plainlyInterrupted says plainly that an import stopped (Ctrl-C, the
// daemon stopping): the step it was in ("stage inspections rows the
// engine read: find the records that span several lines") meant nothing
// to the person. Other errors are as they are.
func plainlyInterrupted(ctx context.Context, err error, path string, list *contract.List) error {
	if err == nil || ctx.Err() == nil || !errors.Is(err, ctx.Err()) {
		return err
	}
	return interrupted{fmt.Sprintf("import %s into %s: interrupted before it finished; a file is stored whole or not at all, so run the same command again (a file already stored is recognised and not read twice)", path, list.Name), err}
}

// preambleFunc returns the values of the virtual columns appended to every
// record of a table, from the table (the rows above its header, its first
// records), read in the workbook's date system.
type preambleFunc struct {
	columns []string
	values  func(t *table, dates transform.SerialDates) ([]string, error)
	// other, if set, says why a table is not of the form imported (a
	// sheet sent beside it, whose columns are alike), "" when it is:
	// such a sheet is left out, and named with the reason.
	other func(t *table) string
	// empty imports the tables that list no record when no table of the
	// file lists any: a form filed listing none. (Beside a table with
	// records, an empty one adds nothing and is left out.)
	empty bool
	// agree, if set, checks the tables of the file together, with the
	// values of their virtual columns, before any of them is stored: an
	// error refuses the file whole.
	agree func(tables []preTable) error
}

// preTable is a table of a file found for import, with the values of
// its virtual columns (preambleFunc.values).
type preTable struct {
	Sheet, Ref string
	Values     []string
}

func importFile(ctx context.Context, s store.Store, list *contract.List, path string, opt ImportOptions, pre *preambleFunc) (Result, error) {
	res := Result{Result: load.Result{List: list.Name, ByReason: map[string]int64{}}, Path: path}
	b, err := openWorkbook(path)
	if err != nil {
		return res, err
	}
	defer b.close()
	sheets := b.sheets()
	if opt.Sheet != "" {
		if len(sheets) == 1 && sheets[0] == "" {
			return res, fmt.Errorf("%s: a CSV file has no sheets; --sheet %s is for workbooks", path, opt.Sheet)
		}
		if !contains(sheets, opt.Sheet) {
			return res, fmt.Errorf("%s: no sheet %q; the sheets are %q", path, opt.Sheet, sheets)
		}
		sheets = []string{opt.Sheet}
	}
	if len(sheets) == 1 && sheets[0] == "" && pre == nil && opt.Replaces == "" {
		// A CSV file imported again, unchanged, into a list nothing else
		// has written to since: nothing to read (see load.Repeat).
		// The digest is computed beside the rest: Repeat waits for it
		// only when the list's last batch has one to compare, and the
		// batch when it is recorded.
		hashCtx, stopHashing := context.WithCancel(ctx)
		defer stopHashing()
		src := load.Source{Name: "file", Ref: path, Encoding: b.encoding(), Digest: digestBeside(hashCtx, list.Name, opt.AllowList, path)}
		lr, ok, err := load.Repeat(ctx, s, list, src)
		if err != nil {
			return res, err
		}
		if ok {
			res.add(SheetResult{Result: lr, Ref: path, Skipped: map[string]int64{}})
			return res, nil
		}
		opt.digest = src.Digest
	}
	var virtual []string
	if pre != nil {
		virtual = pre.columns
	}
	type found struct {
		t      *table
		m      *contract.Mapping
		ref    string
		values []string
		fast   *fastCSV // when the engine may read the file itself
	}
	var tables, empties []found
	var hidden, headingsOnly, others []string
	for _, sheet := range sheets {
		if opt.Sheet == "" && b.hidden(sheet) {
			hidden = append(hidden, sheet)
			res.Others = append(res.Others, OtherSheet{Sheet: sheet, Reason: "the sheet is hidden in the workbook, so it was not read (unhide it, or import it with --sheet " + sheet + ")"})
			continue
		}
		ref := path
		if len(b.sheets()) > 1 {
			ref = path + "[" + sheet + "]"
		}
		rs, err := b.open(sheet)
		if err != nil {
			return res, err
		}
		t, err := findTable(list, sheet, rs, virtual)
		if errors.Is(err, ErrNoTable) && len(sheets) > 1 {
			res.Others = append(res.Others, OtherSheet{Sheet: sheet, Reason: err.Error()})
			continue
		}
		if t != nil && pre != nil && pre.other != nil {
			// Another form sent beside this one, with columns alike (or
			// most of them): left out, not read as this form's.
			if why := pre.other(t); why != "" {
				res.Others = append(res.Others, OtherSheet{Sheet: sheet, Reason: why})
				others = append(others, fmt.Sprintf("%s: %s", ref, why))
				continue
			}
		}
		if err != nil {
			return res, fmt.Errorf("%s: %w", ref, err)
		}
		m, err := list.Map(append(append([]string{}, t.header...), virtual...))
		if err != nil {
			return res, fmt.Errorf("%s: %w", ref, err)
		}
		m.SerialDates = b.serialDates()
		m.AllowList = opt.AllowList
		m.Unnamed = true
		m.Cells = textCells(b, t.header)
		t.bind(m)
		f := found{t: t, m: m, ref: ref}
		if t.eof && !t.anyRecord() {
			// Headings and nothing under them but blank rows, totals or
			// signatures: a file saved before its rows were pasted in.
			// Imported, it would report 0 read and record an empty batch.
			// (A form filed empty is imported when no sheet beside it
			// has records: see preambleFunc.empty.)
			what := "line"
			if sheet != "" {
				what = "row"
			}
			err := fmt.Errorf("%w: the header (%s %d) names the columns of %s, but no record follows it; import the file with its records", ErrNoRecords, what, t.last, list.Name)
			filedEmpty := pre != nil && pre.empty
			if filedEmpty {
				empties = append(empties, f)
			}
			if len(sheets) > 1 {
				res.Others = append(res.Others, OtherSheet{Sheet: sheet, Reason: err.Error()})
				headingsOnly = append(headingsOnly, sheet)
				continue
			}
			if filedEmpty {
				continue
			}
			return res, fmt.Errorf("%s: %w", ref, err)
		}
		if pre != nil {
			if f.values, err = pre.values(t, b.serialDates()); err != nil {
				return res, fmt.Errorf("%s: %w", ref, err)
			}
		}
		if pre == nil && len(sheets) == 1 && sheet == "" {
			f.fast = fastEligible(ctx, s, list, path, b, t, m, opt)
		}
		tables = append(tables, f)
	}
	if len(tables) == 0 && len(empties) > 0 {
		// The form filed listing nothing: its tables are the filing,
		// no longer sheets left out.
		res.Others = slices.DeleteFunc(res.Others, func(o OtherSheet) bool {
			return slices.ContainsFunc(empties, func(f found) bool { return f.t.sheet == o.Sheet })
		})
		for _, f := range empties {
			if f.values, err = pre.values(f.t, b.serialDates()); err != nil {
				return res, fmt.Errorf("%s: %w", f.ref, err)
			}
			tables = append(tables, f)
		}
	}
	if len(tables) == 0 {
		// A hidden sheet is named whatever the visible ones hold: it is
		// often the very table looked for (hidden by mistake, or to print
		// the others), and the person is told how to read it.
		hint := ""
		if len(hidden) > 0 {
			hint = fmt.Sprintf("; hidden, not read: %q (unhide the sheet, or import it with --sheet)", hidden)
		}
		if len(others) > 0 && len(headingsOnly) == 0 {
			return res, fmt.Errorf("%s: %w %s: %s%s", path, ErrNoTable, list.Name, strings.Join(others, "; "), hint)
		}
		if len(headingsOnly) > 0 {
			return res, fmt.Errorf("%s: %w: the sheets %q name the columns of %s, but no record follows their header; import the file with its records%s", path, ErrNoRecords, headingsOnly, list.Name, hint)
		}
		if len(hidden) > 0 {
			var visible []string
			for _, o := range res.Others {
				if !contains(hidden, o.Sheet) {
					visible = append(visible, fmt.Sprintf("%s: %s", o.Sheet, o.Reason))
				}
			}
			why := ""
			if len(visible) > 0 {
				why = " (" + strings.Join(visible, "; ") + ")"
			}
			return res, fmt.Errorf("%s: %w %s in any of its visible sheets%s%s", path, ErrNoTable, list.Name, why, hint)
		}
		return res, fmt.Errorf("%s: %w %s in any of its sheets %q; import it with the list its columns belong to", path, ErrNoTable, list.Name, sheets)
	}
	if pre != nil && pre.agree != nil {
		found := make([]preTable, len(tables))
		for i, f := range tables {
			found[i] = preTable{Sheet: f.t.sheet, Ref: f.ref, Values: f.values}
		}
		if err := pre.agree(found); err != nil {
			return res, fmt.Errorf("%s: %w", path, err)
		}
	}
	if opt.Replaces != "" && len(tables) > 1 {
		return res, fmt.Errorf("%s: %d sheets hold a table of %s; a file that replaces batch %s must hold one (name it with --sheet)", path, len(tables), list.Name, opt.Replaces)
	}
	if opt.Replaces != "" {
		if err := sameSheet(ctx, s, list, tables[0].t.sheet, opt.Replaces); err != nil {
			return res, fmt.Errorf("%s: %w", tables[0].ref, err)
		}
	}
	if len(tables) > 1 && pre == nil {
		var sheets Result
		sheets.Path = path
		for _, f := range tables {
			sheets.Sheets = append(sheets.Sheets, SheetResult{Sheet: f.t.sheet, Ref: f.ref})
		}
		if opt.conflicts, err = sheetConflicts(ctx, list, sheets, opt); err != nil {
			return res, err
		}
	}
	for _, f := range tables {
		src := load.Source{Name: "file", Ref: f.ref, Encoding: b.encoding(), Digest: opt.digest, Replaces: opt.Replaces, KeepAbsent: true, RefuseConflicts: !list.KeepsLater}
		var sr SheetResult
		if f.fast != nil {
			sr, err = importFast(ctx, s, list, f.t, f.m, f.fast, src, opt)
			if errors.Is(err, errEngineRead) {
				// Nothing of the batch was written: read the file in Go.
				sr, err = importTable(ctx, s, list, f.t, f.m, f.values, src, opt)
			}
		} else {
			sr, err = importTable(ctx, s, list, f.t, f.m, f.values, src, opt)
		}
		sr.Ref = f.ref
		sr.KeepsLater, sr.virtual, sr.values = !src.RefuseConflicts, virtual, f.values
		if errors.Is(err, errHeaderReordered) {
			// The file is refused whole: what was counted of it until
			// then is nothing (the engine's reading counts more).
			return res, fmt.Errorf("import %s into %s: %w", f.ref, list.Name, err)
		}
		res.add(sr)
		if err != nil {
			return res, fmt.Errorf("import %s into %s: %w", f.ref, list.Name, err)
		}
	}
	return res, nil
}

func importTable(ctx context.Context, s store.Store, list *contract.List, t *table, m *contract.Mapping, virtual []string, src load.Source, opt ImportOptions) (SheetResult, error) {
	return importTableWith(ctx, s, list, t, m, virtual, src, opt, nil)
}

// importTableWith is importTable for a table whose canonical records the
// engine writes itself (engine, see importFast); t holds the others.
func importTableWith(ctx context.Context, s store.Store, list *contract.List, t *table, m *contract.Mapping, virtual []string, src load.Source, opt ImportOptions, engine load.EngineRows) (SheetResult, error) {
	sr := SheetResult{Sheet: t.sheet, HeaderFirst: t.first, HeaderLast: t.last, Above: t.above, Skipped: map[string]int64{}}
	width := len(t.header)
	records := func(yield func(load.Record, error) bool) {
		for {
			r, skip, err := t.next()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					yield(load.Record{}, fmt.Errorf("%s: %w", src.Ref, err))
				}
				return
			}
			if opt.Progress != nil {
				opt.Progress(t.rows.progress())
			}
			if skip != "" {
				sr.Skipped[skip]++
				switch {
				case t.contractValues(r.cells) == 0:
				case skip == SkipNoKey:
					sr.SkippedRows = append(sr.SkippedRows, SkippedRow{Line: r.n, Reason: "no value in " + t.keyHeader + ", so not read as a record; if it is one, fill its key"})
				case skip == SkipNote && t.keyLike(r.cells):
					sr.SkippedRows = append(sr.SkippedRows, SkippedRow{Line: r.n, Reason: "begins like a note (注/说明/备注) though " + t.keyHeader + " holds a value, so not read as a record; if it is one, change its first cell"})
				case skip == SkipHeading:
					// Typed in a column of the list: say so, in case it is a
					// record after all.
					sr.SkippedRows = append(sr.SkippedRows, SkippedRow{Line: r.n, Reason: fmt.Sprintf("%q alone in its row reads as a heading or a numbered note, so not read as a record", strings.Join(strings.Fields(strings.Join(r.cells, " ")), " "))})
				}
				continue
			}
			fields := r.cells
			if len(virtual) > 0 && len(r.cells) >= m.Cells {
				// (A line cut short is left so, for Parse to refuse.)
				fields = make([]string, width, width+len(virtual))
				copy(fields, r.cells)
				fields = append(fields, virtual...)
			}
			rec := load.Record{Line: r.n, Fields: fields}
			if e := opt.conflicts[Place{Sheet: t.sheet, Line: r.n}]; e != nil {
				rec.Errors = []*contract.FieldError{e}
			}
			if !yield(rec, nil) {
				return
			}
		}
	}
	var lr load.Result
	var err error
	if engine != nil {
		lr, err = load.LoadWithEngine(ctx, s, m, list, src, records, engine)
	} else {
		lr, err = load.Load(ctx, s, m, list, src, records)
	}
	sr.Result = lr
	sr.Hidden = t.rows.hiddenCells()
	return sr, err
}

// sameSheet refuses a sheet that replaces a batch read from another
// sheet: a corrected 长葛市 does not replace 禹州市's batch, whose records
// it would all withdraw. A batch read from a CSV file or a workbook of one
// sheet names no sheet (its source_ref is the path alone).
func sameSheet(ctx context.Context, s store.Store, list *contract.List, sheet, replaces string) error {
	rb, err := load.Replaced(ctx, s, list, replaces)
	if err != nil {
		return err
	}
	was := refSheet(rb.Ref)
	if was == "" || sheet == "" || was == sheet {
		return nil
	}
	return fmt.Errorf("batch %s was read from sheet %s (%s), this table is sheet %s: a corrected sheet replaces the batch of the same sheet. Nothing was changed: import the sheet that corrects batch %s (--sheet %s), and sheet %s without --replaces", rb.ID, was, rb.Ref, sheet, rb.ID, was, sheet)
}

// refSheet is the sheet a source_ref names, path[sheet], or "" (Excel
// forbids [ and ] in a sheet's name).
func refSheet(ref string) string {
	if !strings.HasSuffix(ref, "]") {
		return ""
	}
	if i := strings.LastIndex(ref, "["); i >= 0 {
		return ref[i+1 : len(ref)-1]
	}
	return ""
}

// textCells is Mapping.Cells of a table with header in book b: for a
// CSV file, the cells up to its last heading (an unnamed column at the
// end, a trailing comma, may be left out of a line); 0 for a workbook.
func textCells(b workbook, header []string) int {
	if _, text := b.(*csvBook); !text {
		return 0
	}
	n := len(header)
	for n > 0 && strings.TrimSpace(header[n-1]) == "" {
		n--
	}
	return n
}

// add folds a sheet's result into the file's totals.
func (r *Result) add(sr SheetResult) {
	r.Sheets = append(r.Sheets, sr)
	if len(r.Sheets) == 1 {
		r.BatchID, r.Repeats = sr.BatchID, sr.Repeats
	} else {
		r.BatchID, r.Repeats = "", ""
	}
	r.Read += sr.Read
	r.Valid += sr.Valid
	r.Loaded += sr.Loaded
	r.Unchanged += sr.Unchanged
	r.Duplicates += sr.Duplicates
	r.Rejected += sr.Rejected
	r.Rejects = append(r.Rejects, sr.Rejects...)
	for k, v := range sr.ByReason {
		r.ByReason[k] += v
	}
	for _, e := range sr.Extra {
		if !contains(r.Extra, e) {
			r.Extra = append(r.Extra, e)
		}
	}
	r.Skipped += sr.SkippedTotal()
}

// interrupted is an import stopped before its end, said plainly; it
// wraps the context's error for errors.Is.
type interrupted struct {
	msg string
	err error
}

func (e interrupted) Error() string { return e.msg }
func (e interrupted) Unwrap() error { return e.err }
