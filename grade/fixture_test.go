package grade_test

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/registered"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
)

// A fixture describes one institution and its records for a table test.
// Dates are "YYYY-MM-DD" strings, "" for none. Unless a case says
// otherwise the institution is a clean A: licensed 2015-01-01, commitment
// signed 2016-01-01, every annual report filed on 15 January after the
// year.
type fixture struct {
	inst      inst
	noReports bool     // start without the default reports
	reports   []report // added to (or replacing, by year) the defaults
	insp      []insp
	pens      []pen
	abn, dis  []listing
	evals     []eval
}

type inst struct {
	licensed, status, statusOn, signed, lost string
	unsigned                                 bool // no commitment on file
	name                                     string
}

type insp struct {
	kind, severity, handled, rectified string
	refused                            bool
}

type report struct {
	year      int
	submitted string
}

// byName external rows carry no USCC, only the institution's name (or
// name, when set, to point at another or nobody).
type pen struct {
	decided, ended string
	byName         bool
	name           string
}

type listing struct {
	listed, removed string
	byName          bool
	name            string
}

type eval struct {
	grade, on string
	byName    bool
	name      string
}

var fixtureSeq atomic.Int64

// newUSCC returns a fresh valid code, so fixtures never share a key.
func newUSCC(t testing.TB) string {
	first := fmt.Sprintf("91411002MA%07d", fixtureSeq.Add(1))
	c, err := transform.USCCCheckChar(first)
	if err != nil {
		t.Fatal(err)
	}
	return first + string(c)
}

// put stores the fixture under a new USCC and returns it.
func put(t testing.TB, s store.Store, f fixture) string {
	t.Helper()
	u := newUSCC(t)
	name := f.inst.name
	if name == "" {
		name = defaultName(u)
	}
	in := f.inst
	if in.licensed == "" {
		in.licensed = "2015-01-01"
	}
	if in.status == "" {
		in.status = "valid"
	}
	if in.signed == "" && !in.unsigned {
		in.signed = "2016-01-01"
	}
	insert(t, s, "institutions",
		[]string{"uscc", "name", "name_key", "county_code", "licensed_on", "license_status", "license_status_on", "commitment_signed_on", "lost_contact_since"},
		[]any{u, name, transform.NormalizeName(name), "411002", day(in.licensed), in.status, opt(in.statusOn), opt(in.signed), opt(in.lost)})

	reports := map[int]string{}
	if !f.noReports {
		for y := day(in.licensed).Year(); y <= 2030; y++ {
			reports[y] = fmt.Sprintf("%d-01-15", y+1)
		}
	}
	for _, r := range f.reports {
		reports[r.year] = r.submitted
	}
	years := make([]int, 0, len(reports))
	for y := range reports {
		years = append(years, y)
	}
	slices.Sort(years)
	var rows [][]any
	for _, y := range years {
		if reports[y] != "" {
			rows = append(rows, []any{u, y, day(reports[y])})
		}
	}
	insert(t, s, "annual_reports", []string{"uscc", "year", "submitted_on"}, rows...)
	for i, r := range f.insp {
		insert(t, s, "inspections",
			[]string{"record_id", "uscc", "kind", "severity", "handled_on", "rectified_on", "refused", "measure"},
			[]any{fmt.Sprintf("%s-R%d", u, i+1), u, r.kind, r.severity, day(r.handled), opt(r.rectified), r.refused, "责令限期整改"})
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
	for i, p := range f.pens {
		pu, pn := owner(p.byName, p.name)
		insert(t, s, "penalties",
			[]string{"record_id", "uscc", "name", "name_key", "decided_on", "publicity_ended_on", "content"},
			[]any{fmt.Sprintf("许人社罚决字〔%s〕%d号", u, i+1), pu, pn, transform.NormalizeName(pn), day(p.decided), opt(p.ended), "罚款"})
	}
	for _, l := range []struct {
		table string
		rows  []listing
	}{{"abnormal", f.abn}, {"dishonest", f.dis}} {
		for _, x := range l.rows {
			lu, ln := owner(x.byName, x.name)
			insert(t, s, l.table,
				[]string{"uscc", "name", "name_key", "listed_on", "removed_on", "reason"},
				[]any{lu, ln, transform.NormalizeName(ln), day(x.listed), opt(x.removed), "测试"})
		}
	}
	for _, e := range f.evals {
		eu, en := owner(e.byName, e.name)
		letter := map[string]string{"优": "A", "良": "B", "中": "C", "差": "D"}[e.grade]
		if letter == "" {
			letter = e.grade
		}
		insert(t, s, "public_eval",
			[]string{"uscc", "name", "name_key", "grade", "grade_label", "evaluated_on"},
			[]any{eu, en, transform.NormalizeName(en), letter, e.grade, day(e.on)})
	}
	return u
}

// defaultName is the register name of a fixture that names none.
func defaultName(uscc string) string {
	return "许昌测试" + uscc[10:] + "人力资源服务（许昌）有限公司"
}

func opt(d string) any {
	if d == "" {
		return nil
	}
	return day(d)
}

// insert writes rows in one batch; no rows writes nothing.
func insert(t testing.TB, s store.Store, table string, cols []string, rows ...[]any) {
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
