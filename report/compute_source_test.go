package report_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/ingest/file"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/report/reporttest"
	"github.com/xuchang-hrss/creditsync/sample"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
	"github.com/xuchang-hrss/creditsync/transform"
)

// loadSample imports the Xuchang sample into a fresh store on the real
// engine through the file importer, as `creditsync import` does.
func loadSample(t *testing.T, asOf time.Time) (store.Store, []sample.Expectation) {
	t.Helper()
	files, exps, err := sample.Write(t.TempDir(), sample.Options{Seed: 7, AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	s := storetest.OpenMigrated(t)
	for _, list := range contract.Lists() {
		res, err := file.Import(context.Background(), s, list, files[list.Name], file.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Rejected > 0 {
			t.Fatalf("%s: %d rows rejected: %v", list.Name, res.Rejected, res.Rejects)
		}
	}
	return s, exps
}

// Every report works end to end on the embedded engine with grades
// computed by the rules, and agrees with the grader.
func TestComputeSourceOnTheSample(t *testing.T) {
	ctx := context.Background()
	asOf := reporttest.Day("2026-07-31")
	s, exps := loadSample(t, asOf)
	src := &report.ComputeSource{Store: s, Rules: grade.DefaultRules()}

	gs, err := src.GradesOn(ctx, asOf)
	if err != nil {
		t.Fatal(err)
	}
	// Every institution the oracle grades is listed, a revoked licence
	// too, with its D (D3).
	graded, revoked := 0, 0
	for _, e := range exps {
		if e.Graded {
			graded++
		}
		if e.Graded && slices.Contains(e.Clauses, "D3") {
			revoked++
		}
	}
	if len(gs) != graded || graded == 0 || revoked == 0 {
		t.Fatalf("%d grades on %s, the sample grades %d (%d of them revoked)", len(gs), transform.FormatDate(asOf), graded, revoked)
	}
	for _, g := range gs {
		if slices.ContainsFunc(g.Clauses, func(c report.ClauseRef) bool { return c.ID == "D3" }) && g.Grade != "D" {
			t.Errorf("%s revoked (D3) but listed at %s", g.USCC, g.Grade)
		}
	}
	direct, err := grade.Compute(ctx, s, grade.DefaultRules(), asOf)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]grade.Grade{}
	for _, r := range direct {
		want[r.USCC] = r.Grade
	}
	withMeasures := 0
	for _, g := range gs {
		if g.Grade != want[g.USCC] {
			t.Errorf("%s: grade %s, grade.Compute says %s", g.USCC, g.Grade, want[g.USCC])
		}
		if !g.ValidFrom.Equal(asOf) || transform.FormatDate(g.ValidUntil) != "2027-07-30" {
			t.Errorf("%s: valid %s … %s, want 2026-07-31 … 2027-07-30", g.USCC, transform.FormatDate(g.ValidFrom), transform.FormatDate(g.ValidUntil))
		}
		for _, c := range g.Clauses {
			for _, e := range c.Evidence {
				if e.Kind != "inspection" && e.Kind != "penalty" {
					continue
				}
				found := false
				for _, r := range g.Records {
					found = found || r.ID == e.ID
				}
				if !found {
					t.Errorf("%s %s: evidence %s %s has no record", g.USCC, c.ID, e.Kind, e.ID)
				}
			}
		}
		if report.Measures(g) != "无" {
			withMeasures++
		}
	}
	if withMeasures == 0 {
		t.Error("no institution of the sample has a measure (查处情况) from its records")
	}

	months, err := report.ParseMonths("2026-02", "2026-07", asOf)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	o, err := report.CityOverview(ctx, src, months, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("city overview of %d months on %d institutions in %v", len(months.Ends), len(gs), time.Since(start).Round(time.Millisecond))
	latest := o.City.Latest().Dist
	if latest.Total() != len(gs) {
		t.Errorf("city total %d at %s, want %d", latest.Total(), transform.FormatDate(o.City.Latest().End), len(gs))
	}
	sum := 0
	for _, u := range o.Units {
		sum += u.Latest().Dist.Total()
	}
	if sum != latest.Total() {
		t.Errorf("units add up to %d, the city has %d", sum, latest.Total())
	}
	for _, d := range o.City.Downgrades {
		if !grade.Worse(d.To, d.From) || len(d.Clauses) == 0 {
			t.Errorf("downgrade %s %s→%s with clauses %v", d.USCC, d.From, d.To, d.Clauses)
		}
	}

	tr, err := report.CountyTrend(ctx, src, unit(t, "411002"), months, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	sm, err := report.BuildSummary(ctx, src, unit(t, report.CityCode), asOf, asOf)
	if err != nil {
		t.Fatal(err)
	}
	if len(sm.Rows) != len(gs) {
		t.Errorf("附件2 of the city has %d rows, want %d", len(sm.Rows), len(gs))
	}
	pub, err := report.BuildPublicList(ctx, src, unit(t, "411081"), asOf, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		doc     any
		formats []string
	}{{tr, []string{"html", "csv", "xlsx"}}, {o, []string{"html", "csv", "xlsx"}}, {sm, []string{"xlsx"}}, {pub, []string{"html", "csv"}}} {
		for _, f := range c.formats {
			var buf bytes.Buffer
			if err := report.Write(&buf, c.doc, f); err != nil {
				t.Errorf("%T as %s: %v", c.doc, f, err)
			}
			if f == "html" {
				for _, p := range reportProblems(buf.Bytes()) {
					t.Errorf("%T: %s", c.doc, p)
				}
			}
		}
	}
}

// reportProblems checks a report page: self-contained, and with charts
// unless it is the public list.
func reportProblems(doc []byte) []string {
	out := reporttest.CheckHTML(doc)
	if !bytes.Contains(doc, []byte("<svg")) && !strings.Contains(string(doc), "公示名单") {
		out = append(out, "no chart")
	}
	return out
}
