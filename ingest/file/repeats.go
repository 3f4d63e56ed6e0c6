package file

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/xuchang-hrss/creditsync/contract"
)

// Repeat is a key that several records of one import hold. Records
// that differ are rejected, each naming the others (load's
// refuseConflicts within a sheet, sheetConflicts across the sheets of a
// workbook), except in a list that keeps the later (List.KeepsLater: a 附件2);
// Repeats names the others, of which one is stored: within a sheet the
// later line (the others counted in load.Result.Duplicates), across
// sheets, each its own batch, the later sheet's.
type Repeat struct {
	Path string
	// Key names the key's columns, as the file's header writes them,
	// and its values as stored (统一社会信用代码 9141…, 记录编号 JC-004
	// for ＪＣ－００４).
	Key string
	// Places are the records in the order read: the last is kept.
	Places []Place
	// Differ are the columns in which the records' values differ, as
	// stored (ＪＣ－００４ and JC-004 are one value); none when the
	// records are alike.
	Differ []Difference
}

// Place is where a record was read: its sheet ("" in a CSV file) and
// line.
type Place struct {
	Sheet string
	Line  int
}

func (p Place) String() string {
	if p.Sheet == "" {
		return fmt.Sprintf("line %d", p.Line)
	}
	return fmt.Sprintf("[%s] line %d", p.Sheet, p.Line)
}

// Difference is a column in which the records of a repeated key differ,
// with each record's value (Repeat.Places order) as the file writes it;
// "" for none.
type Difference struct {
	Column string
	Values []string
	stored []string // the values compared (Values as stored)
}

// String says where the key is, which record is kept and which values
// are dropped, for the import's output.
func (r Repeat) String() string {
	var b strings.Builder
	places := make([]string, len(r.Places))
	lines := true // all in one sheet, or a CSV file: "lines 2 and 4"
	for i, p := range r.Places {
		places[i] = p.String()
		lines = lines && p.Sheet == r.Places[0].Sheet
	}
	where := oneOf(places, "and")
	if lines {
		for i, p := range r.Places {
			places[i] = fmt.Sprint(p.Line)
		}
		where = "lines " + oneOf(places, "and")
		if sheet := r.Places[0].Sheet; sheet != "" {
			where = "[" + sheet + "] " + where
		}
	}
	kept := r.Places[len(r.Places)-1]
	fmt.Fprintf(&b, "%s: %s is on %s", r.Path, r.Key, where)
	if len(r.Differ) == 0 {
		fmt.Fprintf(&b, ", with the same values: %s is kept", kept)
		return b.String()
	}
	cols := make([]string, len(r.Differ))
	for i, d := range r.Differ {
		cols[i] = d.Column
	}
	fmt.Fprintf(&b, " with different values (they differ in %s): %s, the last, is kept", strings.Join(cols, ", "), kept)
	last := len(r.Places) - 1
	for i, p := range r.Places[:last] {
		var dropped []string
		for _, d := range r.Differ {
			if d.stored[i] != d.stored[last] {
				dropped = append(dropped, fmt.Sprintf("%s %s (kept: %s)", d.Column, shown(d.Values[i]), shown(d.Values[last])))
			}
		}
		if len(dropped) > 0 {
			fmt.Fprintf(&b, "; dropped from %s: %s", p, strings.Join(dropped, ", "))
		}
	}
	return b.String()
}

func shown(v string) string {
	if v == "" {
		return "empty"
	}
	return fmt.Sprintf("%q", v)
}

// oneOf joins ss as "a, b and c".
func oneOf(ss []string, and string) string {
	if len(ss) < 2 {
		return strings.Join(ss, "")
	}
	return strings.Join(ss[:len(ss)-1], ", ") + " " + and + " " + ss[len(ss)-1]
}

// Repeats finds the keys that several records of an import of list hold
// alike (res, as Import or ImportSummary returned it, with the same
// options), in the order they are first read; in a list that keeps the
// later record (List.KeepsLater), those that differ too. It reads the file again, and only when there may be
// some: when a sheet counted repeated keys, or several sheets were
// imported.
func Repeats(ctx context.Context, list *contract.List, res Result, opt ImportOptions) ([]Repeat, error) {
	may := len(res.Sheets) > 1
	for _, sr := range res.Sheets {
		may = may || sr.Duplicates > 0
	}
	if !may {
		return nil, nil
	}
	// First the keys held more than once, then those keys' records: the
	// records of a large file are not all held in memory.
	seen := map[string]int{}
	err := eachRecord(ctx, list, res, opt, func(r record) error {
		seen[r.key]++
		return nil
	})
	if err != nil {
		return nil, err
	}
	var order []string
	held := map[string][]record{}
	err = eachRecord(ctx, list, res, opt, func(r record) error {
		if seen[r.key] < 2 {
			return nil
		}
		if _, ok := held[r.key]; !ok {
			order = append(order, r.key)
		}
		held[r.key] = append(held[r.key], r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]Repeat, 0, len(order))
	for _, k := range order {
		// Records that differ were rejected, each naming the others
		// (load's refuseConflicts, sheetConflicts), unless the list
		// keeps the later: only the others are left to name here.
		if r := repeatOf(list, res.Path, held[k]); len(r.Differ) == 0 || list.KeepsLater {
			out = append(out, r)
		}
	}
	return out, nil
}

// sheetConflicts finds the keys that records of several sheets of a
// workbook hold with different values (res's sheets, read as Import
// reads them), and returns the error that rejects each of those records,
// by its place. Each sheet is its own batch, so the load cannot see them:
// a later sheet's record replaced an earlier sheet's by its order alone
// (a sheet 2025年 after 2026年 made a cancelled licence valid again).
// Within a sheet the load rejects them itself.
func sheetConflicts(ctx context.Context, list *contract.List, res Result, opt ImportOptions) (map[Place]*contract.FieldError, error) {
	first := map[string]string{} // key → the first sheet holding it
	several := map[string]bool{}
	err := eachRecord(ctx, list, res, opt, func(r record) error {
		if s, ok := first[r.key]; !ok {
			first[r.key] = r.place.Sheet
		} else if s != r.place.Sheet {
			several[r.key] = true
		}
		return nil
	})
	if err != nil || len(several) == 0 {
		return nil, err
	}
	held := map[string][]record{}
	var order []string
	err = eachRecord(ctx, list, res, opt, func(r record) error {
		if several[r.key] {
			if _, ok := held[r.key]; !ok {
				order = append(order, r.key)
			}
			held[r.key] = append(held[r.key], r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := map[Place]*contract.FieldError{}
	for _, k := range order {
		r := repeatOf(list, res.Path, held[k])
		if len(r.Differ) == 0 {
			continue
		}
		places := make([]string, len(r.Places))
		for i, p := range r.Places {
			places[i] = p.String()
		}
		var cols []string
		for _, d := range r.Differ {
			cols = append(cols, d.Column)
		}
		times := "twice"
		if len(places) > 2 {
			times = fmt.Sprintf("%d times", len(places))
		}
		detail := fmt.Sprintf("record %s is given %s with different values: %s (they differ in %s); none of them is stored, and a record already stored keeps its values: keep the one that is right, or import one sheet with --sheet",
			r.Key, times, oneOf(places, "and"), strings.Join(cols, ", "))
		for _, p := range r.Places {
			out[p] = &contract.FieldError{Value: r.Key, Reason: contract.ReasonRepeated, Detail: detail}
		}
	}
	return out, nil
}

// record is a valid record read again by Repeats.
type record struct {
	place   Place
	key     string
	m       *contract.Mapping
	fields  []string
	row     *contract.Row
	virtual []string // the columns the importer appended, not the file's
}

// eachRecord reads the sheets of res again as Import read them, and
// calls fn with every record Parse accepts, in order.
func eachRecord(ctx context.Context, list *contract.List, res Result, opt ImportOptions, fn func(record) error) error {
	b, err := openWorkbook(res.Path)
	if err != nil {
		return err
	}
	defer b.close()
	for _, sr := range res.Sheets {
		rs, err := b.open(sr.Sheet)
		if err != nil {
			return err
		}
		t, err := findTable(list, sr.Sheet, rs, sr.virtual)
		if err != nil {
			return fmt.Errorf("%s: %w", sr.Ref, err)
		}
		m, err := list.Map(append(slices.Clone(t.header), sr.virtual...))
		if err != nil {
			return fmt.Errorf("%s: %w", sr.Ref, err)
		}
		m.SerialDates = b.serialDates()
		m.AllowList = opt.AllowList
		m.Unnamed = true
		m.Cells = textCells(b, t.header)
		t.bind(m)
		for n := 0; ; n++ {
			if n%10_000 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			r, skip, err := t.next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return fmt.Errorf("%s: %w", sr.Ref, err)
			}
			if skip != "" {
				continue
			}
			fields := r.cells
			if len(sr.values) > 0 && len(r.cells) >= m.Cells {
				// As the import appended them (importTableWith).
				fields = make([]string, len(t.header), len(t.header)+len(sr.values))
				copy(fields, r.cells)
				fields = append(fields, sr.values...)
			}
			row, errs := m.Parse(fields)
			if len(errs) > 0 {
				continue
			}
			var key []string
			for _, k := range list.Key {
				key = append(key, contract.ValueText(row.Get(k)))
			}
			if err := fn(record{place: Place{Sheet: sr.Sheet, Line: r.n}, key: strings.Join(key, "\x1f"), m: m, fields: fields, row: row, virtual: sr.virtual}); err != nil {
				return err
			}
		}
	}
	return nil
}

// repeatOf describes the records of one key.
func repeatOf(list *contract.List, path string, recs []record) Repeat {
	first := recs[0]
	r := Repeat{Path: path}
	var key []string
	for _, k := range list.Key {
		if k == "name_key" {
			k = "name" // the name as stored, which the key folds
		}
		if slices.Contains(first.virtual, k) {
			continue // the same for every record of the sheet (a 附件2's unit and date)
		}
		if v := contract.ValueText(first.row.Get(k)); v != "" {
			key = append(key, first.m.Header(k)+" "+v)
		}
	}
	r.Key = strings.Join(key, ", ")
	for _, rec := range recs {
		r.Places = append(r.Places, rec.place)
	}
	for _, c := range list.Columns {
		values, stored := make([]string, len(recs)), make([]string, len(recs))
		header := ""
		for i, rec := range recs {
			stored[i] = contract.ValueText(rec.row.Get(c.Key))
			values[i] = written(rec, c.Key)
			if c.Kind == contract.Date {
				// A workbook writes a date as its serial number.
				values[i] = stored[i]
			}
			if header == "" && rec.m.Field(c.Key) >= 0 {
				header = rec.m.Header(c.Key)
			}
		}
		if header != "" && slices.ContainsFunc(stored, func(s string) bool { return s != stored[0] }) {
			r.Differ = append(r.Differ, Difference{Column: header, Values: values, stored: stored})
		}
	}
	// The columns the contract does not know, kept with each record.
	var extra []string
	for _, rec := range recs {
		for name := range rec.row.Extra {
			if !slices.Contains(extra, name) {
				extra = append(extra, name)
			}
		}
	}
	slices.Sort(extra)
	for _, name := range extra {
		values := make([]string, len(recs))
		for i, rec := range recs {
			values[i] = strings.TrimSpace(rec.row.Extra[name])
		}
		if slices.ContainsFunc(values, func(s string) bool { return s != values[0] }) {
			r.Differ = append(r.Differ, Difference{Column: name, Values: values, stored: values})
		}
	}
	return r
}

// written is a record's value of a contract column as its file writes
// it, trimmed; "" when the file has no such column.
func written(rec record, key string) string {
	fi := rec.m.Field(key)
	if fi < 0 || fi >= len(rec.fields) {
		return ""
	}
	return strings.TrimSpace(rec.fields[fi])
}
