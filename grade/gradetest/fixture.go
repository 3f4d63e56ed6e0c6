// Package gradetest stores the institutions and records that the tests of
// grade and lifecycle grade: one fixture per institution, written straight
// into the tables the rules read.
package gradetest

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/registered"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
)

// Fixture describes one institution and its records for a table test.
// Dates are "YYYY-MM-DD" strings, "" for none. Unless a case says
// otherwise the institution is a clean A: licensed 2015-01-01, commitment
// signed 2016-01-01, every annual report filed on 15 January after the
// year.
type Fixture struct {
	Inst      Inst
	NoReports bool     // start without the default reports
	Reports   []Report // added to (or replacing, by year) the defaults
	Insp      []Insp
	Pens      []Pen
	Abn, Dis  []Listing
	Evals     []Eval
}

// Inst is the institution's register row; empty fields take the defaults.
type Inst struct {
	Licensed, Status, StatusOn, Signed, Lost string
	Unsigned                                 bool // no commitment on file
	Name                                     string
}

// Insp is an inspection record.
type Insp struct {
	Kind, Severity, Handled, Rectified string
	Refused                            bool
}

// Report is the annual report for Year, submitted on Submitted ("" for
// none).
type Report struct {
	Year      int
	Submitted string
}

// Pen is a penalty, Listing an entry on the abnormal or dishonest list,
// Eval a public credit evaluation. ByName rows carry no USCC, only the
// institution's name (or Name, when set, to point at another or nobody).
type Pen struct {
	Decided, Ended string
	ByName         bool
	Name           string
}

type Listing struct {
	Listed, Removed string
	ByName          bool
	Name            string
}

type Eval struct {
	Grade, On string
	ByName    bool
	Name      string
}

var fixtureSeq atomic.Int64

// NewUSCC returns a fresh valid code, so fixtures never share a key.
func NewUSCC(t testing.TB) string {
	first := fmt.Sprintf("91411002MA%07d", fixtureSeq.Add(1))
	c, err := transform.USCCCheckChar(first)
	if err != nil {
		t.Fatal(err)
	}
	return first + string(c)
}

// Put stores the fixture under a new USCC and returns it.
func Put(t testing.TB, s store.Store, f Fixture) string {
	t.Helper()
	u := NewUSCC(t)
	name := f.Inst.Name
	if name == "" {
		name = DefaultName(u)
	}
	in := f.Inst
	if in.Licensed == "" {
		in.Licensed = "2015-01-01"
	}
	if in.Status == "" {
		in.Status = "valid"
	}
	if in.Signed == "" && !in.Unsigned {
		in.Signed = "2016-01-01"
	}
	Insert(t, s, "institutions",
		[]string{"uscc", "name", "name_key", "county_code", "licensed_on", "license_status", "license_status_on", "commitment_signed_on", "lost_contact_since"},
		[]any{u, name, transform.NormalizeName(name), "411002", Day(in.Licensed), in.Status, opt(in.StatusOn), opt(in.Signed), opt(in.Lost)})

	reports := map[int]string{}
	if !f.NoReports {
		for y := Day(in.Licensed).Year(); y <= 2030; y++ {
			reports[y] = fmt.Sprintf("%d-01-15", y+1)
		}
	}
	for _, r := range f.Reports {
		reports[r.Year] = r.Submitted
	}
	years := make([]int, 0, len(reports))
	for y := range reports {
		years = append(years, y)
	}
	slices.Sort(years)
	var rows [][]any
	for _, y := range years {
		if reports[y] != "" {
			rows = append(rows, []any{u, y, Day(reports[y])})
		}
	}
	Insert(t, s, "annual_reports", []string{"uscc", "year", "submitted_on"}, rows...)
	for i, r := range f.Insp {
		Insert(t, s, "inspections",
			[]string{"record_id", "uscc", "kind", "severity", "handled_on", "rectified_on", "refused", "measure"},
			[]any{fmt.Sprintf("%s-R%d", u, i+1), u, r.Kind, r.Severity, Day(r.Handled), opt(r.Rectified), r.Refused, "责令限期整改"})
	}
	owner := func(byName bool, other string) (string, string) {
		switch {
		case other != "":
			return "", other
		case byName:
			return "", name
		}
		return u, name
	}
	for i, p := range f.Pens {
		pu, pn := owner(p.ByName, p.Name)
		Insert(t, s, "penalties",
			[]string{"record_id", "uscc", "name", "name_key", "decided_on", "publicity_ended_on", "content"},
			[]any{fmt.Sprintf("许人社罚决字〔%s〕%d号", u, i+1), pu, pn, transform.NormalizeName(pn), Day(p.Decided), opt(p.Ended), "罚款"})
	}
	for _, l := range []struct {
		table string
		rows  []Listing
	}{{"abnormal", f.Abn}, {"dishonest", f.Dis}} {
		for _, x := range l.rows {
			lu, ln := owner(x.ByName, x.Name)
			Insert(t, s, l.table,
				[]string{"uscc", "name", "name_key", "listed_on", "removed_on", "reason"},
				[]any{lu, ln, transform.NormalizeName(ln), Day(x.Listed), opt(x.Removed), "测试"})
		}
	}
	for _, e := range f.Evals {
		eu, en := owner(e.ByName, e.Name)
		letter := map[string]string{"优": "A", "良": "B", "中": "C", "差": "D"}[e.Grade]
		if letter == "" {
			letter = e.Grade
		}
		Insert(t, s, "public_eval",
			[]string{"uscc", "name", "name_key", "grade", "grade_label", "evaluated_on"},
			[]any{eu, en, transform.NormalizeName(en), letter, e.Grade, Day(e.On)})
	}
	return u
}

// DefaultName is the register name of a fixture that names none.
func DefaultName(uscc string) string {
	return "许昌测试" + uscc[10:] + "人力资源服务（许昌）有限公司"
}

// opt is the date d, or NULL when d is "".
func opt(d string) any {
	if d == "" {
		return nil
	}
	return Day(d)
}

// Insert writes rows in one batch; no rows writes nothing.
func Insert(t testing.TB, s store.Store, table string, cols []string, rows ...[]any) {
	t.Helper()
	if len(rows) == 0 {
		return
	}
	seq := func(yield func([]any, error) bool) {
		for _, r := range rows {
			if !yield(r, nil) {
				return
			}
		}
	}
	if _, err := s.Insert(context.Background(), table, cols, seq); err != nil {
		t.Fatalf("insert into %s: %v", table, err)
	}
	// Rows written around the loader: grading reads the external lists
	// through their copies of entries about registered institutions.
	if l, err := contract.Lookup(table); err == nil && (l.External || l.Name == "institutions") {
		if err := registered.Refill(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
}

// Day parses a "YYYY-MM-DD" date, panicking on anything else: fixtures
// are written by hand.
func Day(s string) time.Time {
	d, err := transform.ParseISODate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// Replace writes a new version of a row, as a later import does.
func Replace(t testing.TB, s store.Store, table string, cols []string, row []any) {
	t.Helper()
	Insert(t, s, table, append(cols, "version"), append(row, uint64(time.Now().UnixNano())))
}
