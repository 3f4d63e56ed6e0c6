package serve

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/ingest/file"
	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
	"github.com/xuchang-hrss/creditsync/transform"
)

// The institutions of testdata/publicity: both graded A in 2025 and
// confirmed, exemplary chosen among them; the 2026 evaluation, publicized
// from 2026-07-31 until 2026-08-06, gives exemplary A again and publicized
// B (a violation of 2026-07-01).
const exemplary, publicized = "914403001922038216", "91440300708461136T"

// publicityStore is a real store holding the files of testdata/publicity,
// nothing evaluated yet.
func publicityStore(t *testing.T) store.Store {
	t.Helper()
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	for _, list := range []string{"annual_reports", "institutions", "inspections"} {
		l, err := contract.Lookup(list)
		if err != nil {
			t.Fatal(err)
		}
		if res, err := file.Import(ctx, s, l, filepath.Join("testdata", "publicity", list+".csv"), file.ImportOptions{}); err != nil || res.Rejected > 0 {
			t.Fatalf("import %s: %v %v", list, err, res.Rejects)
		}
	}
	return s
}

// publicityServer is a server on a real store of testdata/publicity
// whose today is today (2026-08-03: the fourth day of the 2026
// evaluation's publicity).
func publicityServer(t *testing.T, today string) (store.Store, *Server) {
	t.Helper()
	ctx := context.Background()
	s := publicityStore(t)
	r := grade.DefaultRules()
	generous := *r
	generous.Exemplary.SharePercent = 100 // one of the two A institutions
	steps := []func() error{
		func() error {
			_, _, err := lifecycle.Evaluate(ctx, s, r, 2025, isoDay(t, "2025-07-31"), isoDay(t, "2025-07-31"))
			return err
		},
		func() error { _, err := lifecycle.Confirm(ctx, s, r, isoDay(t, "2025-08-07")); return err },
		func() error {
			_, err := lifecycle.Nominate(ctx, s, &generous, 2025, []string{exemplary}, "服务规范，群众满意", isoDay(t, "2025-08-20"))
			return err
		},
		func() error {
			_, _, err := lifecycle.Evaluate(ctx, s, r, 2026, isoDay(t, "2026-07-31"), isoDay(t, "2026-07-31"))
			return err
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
	}
	srv, err := New(Options{Source: &report.HistorySource{Store: s, Rules: r}, Config: testConfig(), Getenv: testEnv,
		Now: func() time.Time { return isoDay(t, today) }})
	if err != nil {
		t.Fatal(err)
	}
	return s, srv
}

func isoDay(t *testing.T, d string) time.Time {
	t.Helper()
	v, err := transform.ParseISODate(d)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// The web's eligibility answer counts only the grade in force, as the
// command line's does (docs/rules.md §4.7): on a day a B is publicized
// beside an A in force, the institution is eligible by the A, and the
// answer names both, labelled. On every day around the publicity the
// web and the command line's report.EligibilityOn give the same verdict
// and the same words.
func TestEligibilityCountsTheGradeInForce(t *testing.T) {
	ctx := context.Background()
	s, srv := publicityServer(t, "2026-08-12")
	h := srv.Handler()
	var got eligibilityJSON
	decode(t, get(t, h, "/api/institutions/"+publicized+"/eligibility?on=2026-08-03", cityToken), &got)
	if !got.Eligible || got.Grade != optText(grade.B) || got.State != "publicized" || got.GradeInForce != optText(grade.A) ||
		!strings.Contains(got.Reason, "信用等级为A级（2025年8月7日起有效）") || !strings.Contains(got.Reason, "新评信用等级B级公示中") {
		t.Errorf("eligibility during publicity: %+v", got)
	}
	page := get(t, h, "/institutions/"+publicized+"?date=2026-08-03", cityToken)
	if !strings.Contains(page.body, `<span class="ok">可享受</span>`) || !strings.Contains(page.body, `现行有效等级 In force</dt><dd><span class="badge g-A">A</span> 2025-08-07 至 2026-08-06`) {
		t.Errorf("the institution's page during publicity:\n%.1500s", page.body)
	}
	for _, d := range []string{"2025-08-20", "2026-07-30", "2026-07-31", "2026-08-03", "2026-08-06", "2026-08-07", "2026-08-12"} {
		for _, uscc := range []string{exemplary, publicized} {
			want, err := report.EligibilityOn(ctx, &report.HistorySource{Store: s}, uscc, isoDay(t, d))
			if err != nil {
				t.Fatal(err)
			}
			var web eligibilityJSON
			decode(t, get(t, h, fmt.Sprintf("/api/institutions/%s/eligibility?on=%s", uscc, d), cityToken), &web)
			if web.Eligible != want.Eligible || web.GradeInForce != optText(want.Grade) || web.Reason != want.Reason {
				t.Errorf("%s on %s: web eligible %v by %q, command line %v by %q (%s)", uscc, d, web.Eligible, web.GradeInForce, want.Eligible, want.Grade, want.Reason)
			}
		}
	}
}

// On a publicity day every count says the same thing as the dashboards:
// the grades in force, with those publicized counted apart and labelled
// (docs/rules.md §4.7) — the home page's card, /api/grades and the
// county's trend; the JSON's items carry their state and the grade in
// force, and the institution's month-ends label a publicized grade.
func TestCountsOnAPublicityDayAreOfTheGradesInForce(t *testing.T) {
	_, srv := publicityServer(t, "2026-08-03")
	h := srv.Handler()
	var gs gradesJSON
	decode(t, get(t, h, "/api/grades?on=2026-08-03&county=411002", cityToken), &gs)
	wantCounts := map[string]map[string]int{
		"counts":     {"A": 2, "B": 0, "C": 0, "D": 0},
		"publicized": {"A": 1, "B": 1, "C": 0, "D": 0},
	}
	if fmt.Sprint(gs.Counts) != fmt.Sprint(wantCounts["counts"]) || fmt.Sprint(gs.Publicized) != fmt.Sprint(wantCounts["publicized"]) {
		t.Errorf("/api/grades counts %v publicized %v; want %v", gs.Counts, gs.Publicized, wantCounts)
	}
	for _, g := range gs.Grades {
		if g.State != "publicized" || g.GradeInForce != optText(grade.A) || g.Expired || !strings.HasPrefix(g.StateLabel, "公示中") {
			t.Errorf("/api/grades item %+v; want publicized beside A in force", g.institutionJSON)
		}
	}
	var tr trendJSON
	decode(t, get(t, h, "/api/counties/411002/trend?from=2026-08&to=2026-08", cityToken), &tr)
	if n := len(tr.Periods); n == 0 || fmt.Sprint(tr.Periods[n-1].Counts) != fmt.Sprint(gs.Counts) {
		t.Errorf("the dashboard counts %+v, /api/grades %v", tr.Periods, gs.Counts)
	}
	home := get(t, h, "/", cityToken)
	card := home.body[strings.Index(home.body, `class="card" href="/counties/411002"`):]
	card = card[:strings.Index(card, "</a>")]
	if !strings.Contains(card, `g-A">A</span> 2<`) || !strings.Contains(card, `g-B">B</span> 0<`) || !strings.Contains(card, "有效等级 In force · 公示中 2 家") {
		t.Errorf("the home page's card of 魏都区:\n%s", card)
	}
	page := get(t, h, "/institutions/"+publicized, cityToken)
	if !strings.Contains(page.body, `<td>2026-08-03</td><td class="grade g-B">B <span class="state">公示中</span> <span class="muted">有效等级 A</span></td>`) {
		t.Errorf("the institution's month-ends:\n%s", page.body[strings.Index(page.body, "各月末等级"):])
	}
	var hist historyJSON
	decode(t, get(t, h, "/api/institutions/"+publicized+"/history?from=2026-06&to=2026-08", cityToken), &hist)
	if n := len(hist.Months); n != 3 || hist.Months[0].State != "in_force" || hist.Months[0].Grade != optText(grade.A) ||
		hist.Months[2].State != "publicized" || hist.Months[2].Grade != optText(grade.B) || hist.Months[2].GradeInForce != optText(grade.A) {
		t.Errorf("the history's months: %+v", hist.Months)
	}
}

// A daemon started before the first evaluation was recorded shows the
// recorded grades from the moment there are some, as a command run then
// does: its public list, chosen once at start, kept computing grades with
// the rules — a grade being publicized listed as in force for a year —
// until a restart.
func TestPagesFollowAnEvaluationRecordedWhileTheyRun(t *testing.T) {
	ctx := context.Background()
	s := publicityStore(t)
	r := grade.DefaultRules()
	srv, err := New(Options{Sources: report.NewSources(s, r), Config: testConfig(), Getenv: testEnv,
		Now: func() time.Time { return isoDay(t, "2025-08-03") }})
	if err != nil {
		t.Fatal(err)
	}
	const path = "/reports/public/411002.csv?date=2025-08-03"
	before := get(t, srv.Handler(), path, weiduToken)
	if before.status != 200 || !strings.Contains(before.body, ",有效,") || strings.Contains(before.body, "公示中") {
		t.Fatalf("before any evaluation: %d\n%s\nwant the rules' grades, in force", before.status, before.body)
	}
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2025, isoDay(t, "2025-07-31"), isoDay(t, "2025-07-31")); err != nil {
		t.Fatal(err)
	}
	after := get(t, srv.Handler(), path, weiduToken)
	if after.status != 200 || !strings.Contains(after.body, "公示中") || strings.Contains(after.body, ",有效,") {
		t.Errorf("after the evaluation was recorded: %d\n%s\nwant the grades being publicized (公示中), none in force", after.status, after.body)
	}
	if _, err := New(Options{Source: &report.HistorySource{Store: s, Rules: r}, Sources: report.NewSources(s, r), Config: testConfig(), Getenv: testEnv}); err == nil {
		t.Error("a server given both a fixed source and a chooser: want refused")
	}
}

// registerCounter counts the register's answers a server asks for.
type registerCounter struct {
	*report.HistorySource
	asked int
}

func (c *registerCounter) NotGraded(ctx context.Context, uscc string, day time.Time) (report.Ungraded, error) {
	c.asked++
	return c.HistorySource.NotGraded(ctx, uscc, day)
}

// Another county's graded institution and a code no grade shows answer
// the same 404 after the same work: the register is asked for both. The
// first was answered at once, and the time an answer took told a county
// which codes another county had graded (half the time of the other).
func TestAnotherCountysGradeTakesTheWorkOfNoGrade(t *testing.T) {
	s, _ := publicityServer(t, "2026-08-03")
	src := &registerCounter{HistorySource: &report.HistorySource{Store: s, Rules: grade.DefaultRules()}}
	srv, err := New(Options{Source: src, Config: testConfig(), Getenv: testEnv, Now: func() time.Time { return isoDay(t, "2026-08-03") }})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	for _, uscc := range []string{exemplary, "91411081MA9XWY7775"} { // 魏都区's; none
		src.asked = 0
		r := get(t, h, "/api/institutions/"+uscc, jiananToken)
		if r.status != http.StatusNotFound || src.asked != 1 {
			t.Errorf("%s for 建安区: %d, the register asked %d times; want 404 after asking it once", uscc, r.status, src.asked)
		}
	}
}
