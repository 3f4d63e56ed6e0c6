package grade_test

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/grade/gradetest"
	"github.com/xuchang-hrss/creditsync/sample"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
	"github.com/xuchang-hrss/creditsync/transform"
)

// TestDeterministic: the same data graded twice gives identical results,
// evidence order included.
func TestDeterministic(t *testing.T) {
	opt := sample.Options{Seed: 8, AsOf: ymd(2025, 7, 31)}
	s, _ := loadSample(t, opt)
	r := grade.DefaultRules()
	a := compute(t, s, r, opt.AsOf)
	b := compute(t, s, r, opt.AsOf)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two runs on the same data differ")
	}
	if len(a) == 0 || !slices.IsSortedFunc(a, func(x, y grade.Result) int { return strings.Compare(x.USCC, y.USCC) }) {
		t.Errorf("%d results, want a non-empty list in USCC order", len(a))
	}
}

// TestEvidenceKnownOnT: a grade on T rests on what was known on T, and
// its evidence says nothing later. Each sample is graded on days before,
// inside and after its records, so that many of its dates (signings,
// reports, listings, decisions) fall after some T.
func TestEvidenceKnownOnT(t *testing.T) {
	opt := sample.Options{Seed: 11, AsOf: ymd(2025, 7, 31)}
	s, _ := loadSample(t, opt)
	r := grade.DefaultRules()
	isoDate := regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)
	for _, asOf := range []time.Time{ymd(2023, 1, 31), ymd(2024, 2, 29), ymd(2024, 12, 31), opt.AsOf} {
		checked := 0
		for _, res := range compute(t, s, r, asOf) {
			for _, c := range res.Clauses {
				for _, e := range c.Evidence {
					checked++
					if e.Date.After(asOf) {
						t.Errorf("T=%s %s %s: evidence %s %s dated %s", transform.FormatDate(asOf), res.USCC, c.ID, e.Kind, e.ID, transform.FormatDate(e.Date))
					}
					if c.ID != "B6" { // a penalty states its publicity's end when decided
						for _, d := range isoDate.FindAllString(e.Detail, -1) {
							if d > transform.FormatDate(asOf) {
								t.Errorf("T=%s %s %s: evidence %s %s tells of %s: %q", transform.FormatDate(asOf), res.USCC, c.ID, e.Kind, e.ID, d, e.Detail)
							}
						}
					}
				}
			}
		}
		if checked == 0 {
			t.Errorf("T=%s: no evidence at all to check", transform.FormatDate(asOf))
		}
	}
}

// TestAddingARecordNeverImproves adds adverse records (inspections,
// penalties, list entries) in rounds to a sample and checks that no clause
// that held stops holding and no grade gets better. Public evaluations and
// annual reports are left out: a later evaluation or a filed report may
// rightly improve a grade.
func TestAddingARecordNeverImproves(t *testing.T) {
	opt := sample.Options{Seed: 9, AsOf: ymd(2025, 3, 31)}
	s, _ := loadSample(t, opt)
	r := grade.DefaultRules()
	dates := []time.Time{opt.AsOf, ymd(2024, 12, 31), ymd(2025, 6, 30)}
	prev := map[time.Time]map[string]grade.Result{}
	for _, d := range dates {
		prev[d] = byUSCC(compute(t, s, r, d))
	}
	var usccs []string
	for u := range prev[opt.AsOf] {
		usccs = append(usccs, u)
	}
	slices.Sort(usccs)
	rng := rand.New(rand.NewPCG(9, 9))
	for round := 0; round < 4; round++ {
		for i := 0; i < 15; i++ {
			addAdverse(t, s, rng, usccs[rng.IntN(len(usccs))], fmt.Sprintf("P%d-%d", round, i), opt.AsOf)
		}
		for _, d := range dates {
			now := byUSCC(compute(t, s, r, d))
			for u, before := range prev[d] {
				after, ok := now[u]
				if !ok {
					t.Fatalf("T=%s %s: no longer graded after adding records", transform.FormatDate(d), u)
				}
				if grade.Worse(before.Grade, after.Grade) {
					t.Errorf("T=%s %s: grade improved from %s to %s", transform.FormatDate(d), u, before.Grade, after.Grade)
				}
				for _, id := range before.ClauseIDs() {
					if !slices.Contains(after.ClauseIDs(), id) {
						t.Errorf("T=%s %s: clause %s stopped holding (now %v)", transform.FormatDate(d), u, id, after.ClauseIDs())
					}
				}
			}
			prev[d] = now
		}
	}
}

// addAdverse adds one random adverse record about uscc, dated within two
// years before asOf or a little after it.
func addAdverse(t *testing.T, s store.Store, rng *rand.Rand, uscc, id string, asOf time.Time) {
	on := func() time.Time { return asOf.AddDate(0, 0, 60-rng.IntN(800)) }
	maybe := func() any {
		if rng.IntN(2) == 0 {
			return nil
		}
		return on()
	}
	switch rng.IntN(4) {
	case 0, 1:
		kinds := []string{"violation", "fund_fraud", "false_materials", "conditions_unmet", "compliance_failure", "commitment_breach"}
		kind, sev := kinds[rng.IntN(len(kinds))], ""
		if kind == "violation" {
			sev = []string{"minor", "general", "serious", "major"}[rng.IntN(4)]
		}
		gradetest.Insert(t, s, "inspections", []string{"record_id", "uscc", "kind", "severity", "handled_on", "rectified_on", "refused"},
			[]any{id, uscc, kind, sev, on(), maybe(), rng.IntN(3) == 0})
	case 2:
		gradetest.Insert(t, s, "penalties", []string{"record_id", "uscc", "decided_on", "publicity_ended_on"}, []any{id, uscc, on(), maybe()})
	default:
		table := []string{"abnormal", "dishonest"}[rng.IntN(2)]
		gradetest.Insert(t, s, table, []string{"uscc", "listed_on", "removed_on", "reason"}, []any{uscc, on(), maybe(), id})
	}
}

// TestCSVAndXLSXGradeAlike imports one sample as CSV and, into another
// database, as XLSX workbooks, and expects identical results.
func TestCSVAndXLSXGradeAlike(t *testing.T) {
	opt := sample.Options{Seed: 12, AsOf: ymd(2024, 2, 29)}
	csvStore, files := loadSample(t, opt)
	dir := t.TempDir()
	xlsx := map[string]string{}
	for list, path := range files {
		xlsx[list] = filepath.Join(dir, list+".xlsx")
		csvToXLSX(t, path, xlsx[list])
	}
	xlsxStore := storetest.OpenMigrated(t)
	importFiles(t, xlsxStore, xlsx)
	r := grade.DefaultRules()
	for _, d := range []time.Time{opt.AsOf, ymd(2025, 2, 28), ymd(2023, 3, 1)} {
		a, b := compute(t, csvStore, r, d), compute(t, xlsxStore, r, d)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("T=%s: CSV and XLSX imports grade differently", transform.FormatDate(d))
		}
	}
}

// csvToXLSX copies a CSV file into the first sheet of a workbook, every
// cell as text, as a clerk's "save as .xlsx" does.
func csvToXLSX(t *testing.T, from, to string) {
	t.Helper()
	f, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	x := excelize.NewFile()
	defer x.Close()
	sheet := x.GetSheetName(0)
	for i, rec := range records {
		for j, v := range rec {
			cell, err := excelize.CoordinatesToCellName(j+1, i+1)
			if err != nil {
				t.Fatal(err)
			}
			if err := x.SetCellStr(sheet, cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := x.SaveAs(to); err != nil {
		t.Fatal(err)
	}
}

// TestExplain: one institution's grade equals its line in Compute, and
// the reasons for not grading are told apart.
func TestExplain(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	r := grade.DefaultRules()
	T := day("2024-02-29")
	d := gradetest.Put(t, s, gradetest.Fixture{
		Inst: gradetest.Inst{Lost: "2022-01-01"},
		Insp: []gradetest.Insp{{Kind: "violation", Severity: "major", Handled: "2023-06-01"}, {Kind: "violation", Severity: "minor", Handled: "2023-03-01"}},
		Dis:  []gradetest.Listing{{Listed: "2023-09-01", ByName: true}},
		Pens: []gradetest.Pen{{Decided: "2023-10-01"}},
	})
	a := gradetest.Put(t, s, gradetest.Fixture{})
	late := gradetest.Put(t, s, gradetest.Fixture{Inst: gradetest.Inst{Licensed: "2024-03-01"}})
	gone := gradetest.Put(t, s, gradetest.Fixture{Inst: gradetest.Inst{Status: "cancelled", StatusOn: "2024-01-02"}})

	all := byUSCC(compute(t, s, r, T))
	for _, u := range []string{d, a} {
		got, err := grade.Explain(ctx, s, r, T, u)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, all[u]) {
			t.Errorf("Explain(%s) = %+v, Compute has %+v", u, got, all[u])
		}
	}
	got := all[d]
	if got.Grade != grade.D || join(got.ClauseIDs()) != "D1;D5;C1;C4;B2;B6" {
		t.Fatalf("got %s %v", got.Grade, got.ClauseIDs())
	}
	c1 := got.Clauses[2]
	if c1.Text != "一年内因劳动保障违法违规行为被查处两次以上" || len(c1.Evidence) != 2 ||
		c1.Evidence[0].Kind != "inspection" || c1.Evidence[0].ID != d+"-R2" || !c1.Evidence[0].Date.Equal(day("2023-03-01")) {
		t.Errorf("C1 = %+v", c1)
	}
	d5 := got.Clauses[1].Evidence[0]
	if d5.Kind != "dishonest" || !strings.Contains(d5.Detail, "matched by name") || !d5.Date.Equal(day("2023-09-01")) {
		t.Errorf("D5 evidence = %+v", d5)
	}
	if all[a].Grade != grade.A || len(all[a].Clauses) != 0 {
		t.Errorf("clean institution: %+v", all[a])
	}

	var ng *grade.NotGradedError
	if _, err := grade.Explain(ctx, s, r, T, late); !errors.As(err, &ng) || !strings.Contains(ng.Reason, "licensed only on 2024-03-01") {
		t.Errorf("licensed after T: %v", err)
	}
	if _, err := grade.Explain(ctx, s, r, T, gone); !errors.As(err, &ng) || !strings.Contains(ng.Reason, "cancelled on 2024-01-02") {
		t.Errorf("cancelled: %v", err)
	}
	if _, err := grade.Explain(ctx, s, r, T, "91411002MA00000000"); !errors.Is(err, grade.ErrUnknown) {
		t.Errorf("unknown USCC: %v", err)
	}
}
