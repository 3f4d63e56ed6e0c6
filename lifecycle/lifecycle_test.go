package lifecycle_test

import (
	"context"
	"errors"
	"iter"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/grade/gradetest"
	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
	"github.com/xuchang-hrss/creditsync/transform"
)

func current(t *testing.T, s store.Store, uscc, on string) lifecycle.Entry {
	t.Helper()
	e, ok, err := lifecycle.CurrentOn(context.Background(), s, uscc, day(on))
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		t.Fatalf("%s has no grade in effect on %s", uscc, on)
	}
	return e
}

func noGrade(t *testing.T, s store.Store, uscc, on string) {
	t.Helper()
	if e, ok, err := lifecycle.CurrentOn(context.Background(), s, uscc, day(on)); err != nil || ok {
		t.Errorf("%s on %s: grade %s in effect (%v), want none", uscc, on, e.Grade, err)
	}
}

func TestPublicityThenConfirmation(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	r := grade.DefaultRules()
	a := gradetest.Put(t, s, gradetest.Fixture{})
	b := gradetest.Put(t, s, gradetest.Fixture{Inst: gradetest.Inst{Unsigned: true}})

	run, entries, err := lifecycle.Evaluate(ctx, s, r, 2025, day("2025-07-31"), day("2025-08-01"))
	if err != nil {
		t.Fatal(err)
	}
	if run.Kind != lifecycle.RunEvaluate || run.RulesChecksum != r.Checksum() || len(entries) != 2 {
		t.Fatalf("run %+v, %d entries", run, len(entries))
	}
	for _, e := range entries {
		if e.Status != lifecycle.StatusPublicized || !e.PublicityEndsOn.Equal(day("2025-08-07")) {
			t.Errorf("%s: %s until %s, want publicized until 2025-08-07 (7 days)", e.USCC, e.Status, transform.FormatDate(e.PublicityEndsOn))
		}
	}
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2025, day("2025-08-31"), day("2025-09-01")); !errors.Is(err, lifecycle.ErrAlreadyEvaluated) {
		t.Errorf("second evaluation of 2025: %v", err)
	}

	if got, err := lifecycle.Confirm(ctx, s, grade.DefaultRules(), day("2025-08-07")); err != nil || len(got) != 0 {
		t.Fatalf("confirm on the last day of publicity: %d confirmed, %v", len(got), err)
	}
	noGrade(t, s, a, "2025-08-07")
	got, err := lifecycle.Confirm(ctx, s, grade.DefaultRules(), day("2025-08-09"))
	if err != nil || len(got) != 2 {
		t.Fatalf("confirm after publicity: %d confirmed, %v", len(got), err)
	}
	if again, err := lifecycle.Confirm(ctx, s, grade.DefaultRules(), day("2025-08-10")); err != nil || len(again) != 0 {
		t.Errorf("confirm twice: %d confirmed again, %v", len(again), err)
	}
	ea, eb := current(t, s, a, "2025-08-08"), current(t, s, b, "2025-08-08")
	if ea.Grade != "A" || eb.Grade != "B" || join(eb.ClauseIDs()) != "B1" {
		t.Errorf("grades %s and %s %v, want A and B [B1]", ea.Grade, eb.Grade, eb.ClauseIDs())
	}
	if !ea.ValidFrom.Equal(day("2025-08-08")) || !ea.ValidUntil.Equal(day("2026-08-07")) {
		t.Errorf("valid %s to %s, want 2025-08-08 (the day after publicity) to 2026-08-07", transform.FormatDate(ea.ValidFrom), transform.FormatDate(ea.ValidUntil))
	}
	if st := ea.StatusOn(day("2026-08-07")); st != lifecycle.StatusConfirmed {
		t.Errorf("on its last valid day: %s", st)
	}
	if st := ea.StatusOn(day("2026-08-08")); st != lifecycle.StatusExpired {
		t.Errorf("after valid_until: %s, want expired", st)
	}
	expired, err := lifecycle.Expire(ctx, s, day("2026-08-08"))
	if err != nil || len(expired) != 2 {
		t.Errorf("expire: %d, %v", len(expired), err)
	}
	if on, _ := lifecycle.GradesOn(ctx, s, day("2026-09-01")); len(on) != 2 || on[0].StatusOn(day("2026-09-01")) != lifecycle.StatusExpired {
		t.Errorf("grades on 2026-09-01: %+v", on)
	}

	// The next year's evaluation replaces the expired grade.
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2026, day("2026-09-01"), day("2026-09-02")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.Confirm(ctx, s, grade.DefaultRules(), day("2026-09-09")); err != nil {
		t.Fatal(err)
	}
	h, err := lifecycle.History(ctx, s, a)
	if err != nil || len(h) != 2 || h[0].Status != lifecycle.StatusSuperseded || !h[0].SupersededOn.Equal(day("2026-09-09")) || h[1].Status != lifecycle.StatusConfirmed {
		t.Errorf("history after the second Year: %+v (%v)", h, err)
	}
	if e := current(t, s, a, "2026-01-01"); e.Year != 2025 {
		t.Errorf("the grade on a past date is the one then in effect: got year %d", e.Year)
	}
}

func TestObjectionThenReview(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	r := grade.DefaultRules()
	u := gradetest.Put(t, s, gradetest.Fixture{Inst: gradetest.Inst{Unsigned: true}})
	other := gradetest.Put(t, s, gradetest.Fixture{Inst: gradetest.Inst{Unsigned: true}})
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2025, day("2025-07-31"), day("2025-08-01")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.ResolveObjection(ctx, s, r, u, "", "none filed", day("2025-08-03")); !errors.Is(err, lifecycle.ErrNotUnderReview) {
		t.Errorf("resolve without an objection: %v", err)
	}
	e, err := lifecycle.FileObjection(ctx, s, u, "承诺书已于2025年3月签订，系录入遗漏", day("2025-08-07"))
	if err != nil || e.Status != lifecycle.StatusUnderReview {
		t.Fatalf("objection on the last day of publicity: %+v %v", e, err)
	}
	if _, err := lifecycle.FileObjection(ctx, s, other, "too late", day("2025-08-08")); !errors.Is(err, lifecycle.ErrNoPublicity) {
		t.Errorf("objection after publicity: %v", err)
	}
	if got, _ := lifecycle.Confirm(ctx, s, grade.DefaultRules(), day("2025-08-10")); len(got) != 1 || got[0].USCC != other {
		t.Errorf("confirm must skip the grade under review: %+v", got)
	}
	noGrade(t, s, u, "2025-08-10")

	// The bureau corrects the register; the review grades again at the
	// evaluation's as-of date with the corrected data.
	gradetest.Replace(t, s, "institutions", []string{"uscc", "name", "name_key", "county_code", "licensed_on", "license_status", "commitment_signed_on"},
		[]any{u, gradetest.DefaultName(u), transform.NormalizeName(gradetest.DefaultName(u)), "411002", day("2015-01-01"), "valid", day("2025-03-10")})
	// A review is decided on or after the objection it answers: dated
	// before, its grade was in force while under objection.
	if _, err := lifecycle.ResolveObjection(ctx, s, r, u, "", "dated too early", day("2025-08-06")); !errors.Is(err, lifecycle.ErrReviewBeforeObjection) {
		t.Errorf("a review dated before its objection: %v", err)
	}
	res, err := lifecycle.ResolveObjection(ctx, s, r, u, "", "核实承诺书，更正为A", day("2025-08-12"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Grade != "A" || res.RunKind != lifecycle.RunReview || !res.ValidFrom.Equal(day("2025-08-12")) || !res.AsOf.Equal(day("2025-07-31")) {
		t.Errorf("review result %+v", res)
	}
	h, err := lifecycle.History(ctx, s, u)
	if err != nil || len(h) != 2 {
		t.Fatalf("history %+v %v", h, err)
	}
	if h[0].Grade != "B" || h[0].Status != lifecycle.StatusSuperseded || !strings.Contains(h[0].Note, "objection filed 2025-08-07") || !strings.Contains(h[0].Note, "B → A") {
		t.Errorf("the grade under review is kept with its notes: %+v", h[0])
	}
	if !strings.Contains(h[1].Note, "核实承诺书") {
		t.Errorf("reviewer's note Lost: %q", h[1].Note)
	}

	// A grade objected to and reviewed takes no second objection.
	if _, err := lifecycle.FileObjection(ctx, s, u, "x", day("2025-08-05")); !errors.Is(err, lifecycle.ErrObjected) {
		t.Errorf("a second objection to a reviewed grade: %v", err)
	}
}

func TestReviewerSetsGrade(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	r := grade.DefaultRules()
	u := gradetest.Put(t, s, gradetest.Fixture{Insp: []gradetest.Insp{{Kind: "violation", Severity: "serious", Handled: "2025-05-01"}}})
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2025, day("2025-07-31"), day("2025-08-01")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.FileObjection(ctx, s, u, "情节认定有误", day("2025-08-02")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.ResolveObjection(ctx, s, r, u, "E", "x", day("2025-08-05")); err == nil {
		t.Error("grade E accepted")
	}
	res, err := lifecycle.ResolveObjection(ctx, s, r, u, "B", "复评认定情节一般", day("2025-08-05"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Grade != "B" || join(res.ClauseIDs()) != "C2" || !strings.Contains(res.Note, "the rules give C") {
		t.Errorf("review result %s %v %q", res.Grade, res.ClauseIDs(), res.Note)
	}
}

func TestNewViolationDowngradesNextNight(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	r := grade.DefaultRules()
	u := gradetest.Put(t, s, gradetest.Fixture{})
	calm := gradetest.Put(t, s, gradetest.Fixture{})
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2025, day("2025-07-31"), day("2025-08-01")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.Confirm(ctx, s, grade.DefaultRules(), day("2025-08-08")); err != nil {
		t.Fatal(err)
	}
	if res, err := lifecycle.Regrade(ctx, s, r, day("2025-09-01")); err != nil || len(res.Downgrades) != 0 || res.Unchanged != 2 {
		t.Fatalf("quiet night: %+v %v", res, err)
	}
	gradetest.Insert(t, s, "inspections", []string{"record_id", "uscc", "kind", "severity", "handled_on", "measure"},
		[]any{"XCJC-2025-0901", u, "violation", "serious", day("2025-09-01"), "行政处罚"})

	res, err := lifecycle.Regrade(ctx, s, r, day("2025-09-02"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Downgrades) != 1 || res.Downgrades[0].USCC != u || res.Downgrades[0].From != "A" || res.Downgrades[0].To != "C" {
		t.Fatalf("downgrades %+v", res.Downgrades)
	}
	ev := res.Downgrades[0].Clauses[0].Evidence[0]
	if res.Downgrades[0].Clauses[0].ID != "C2" || ev.ID != "XCJC-2025-0901" {
		t.Errorf("downgrade evidence %+v", res.Downgrades[0].Clauses)
	}
	now := current(t, s, u, "2025-09-02")
	if now.Grade != "C" || now.RunKind != lifecycle.RunRegrade || !now.ValidUntil.Equal(day("2026-09-01")) || join(now.ClauseIDs()) != "C2" {
		t.Errorf("grade after the downgrade: %+v", now)
	}
	if before := current(t, s, u, "2025-09-01"); before.Grade != "A" {
		t.Errorf("the day before the downgrade the grade was %s, want A", before.Grade)
	}
	if c := current(t, s, calm, "2025-09-02"); c.Grade != "A" {
		t.Errorf("an institution without new records changed to %s", c.Grade)
	}
	if again, err := lifecycle.Regrade(ctx, s, r, day("2025-09-03")); err != nil || len(again.Downgrades) != 0 {
		t.Errorf("a second night lowers again: %+v %v", again.Downgrades, err)
	}
}

// A missed night replayed after a later night has run is replayed in
// order: its grade holds from its date until the later night's begins,
// and the later grade stands (docs/rules.md §4.8). The replayed grade,
// recorded last, used to win every day after it (C lifted to B).
func TestMissedNightReplayedAfterALaterOne(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	r := grade.DefaultRules()
	u := gradetest.Put(t, s, gradetest.Fixture{Insp: []gradetest.Insp{
		{Kind: "violation", Severity: "minor", Handled: "2025-09-01"},
		{Kind: "violation", Severity: "minor", Handled: "2025-09-05"},
	}})
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2025, day("2025-07-31"), day("2025-08-01")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.Confirm(ctx, s, r, day("2025-08-08")); err != nil {
		t.Fatal(err)
	}
	// The night of 5 September runs; that of 1 September was missed.
	if res, err := lifecycle.Regrade(ctx, s, r, day("2025-09-05")); err != nil || len(res.Downgrades) != 1 || res.Downgrades[0].To != "C" {
		t.Fatalf("night of 5 September: %+v %v", res.Downgrades, err)
	}
	if res, err := lifecycle.Regrade(ctx, s, r, day("2025-09-01")); err != nil || len(res.Downgrades) != 1 || res.Downgrades[0].From != "A" || res.Downgrades[0].To != "B" {
		t.Fatalf("night of 1 September, replayed: %+v %v", res.Downgrades, err)
	}
	for _, c := range []struct{ on, want string }{
		{"2025-08-31", "A"}, {"2025-09-01", "B"}, {"2025-09-04", "B"}, {"2025-09-05", "C"}, {"2025-09-06", "C"}, {"2026-01-01", "C"},
	} {
		if got := current(t, s, u, c.on); string(got.Grade) != c.want {
			t.Errorf("grade on %s: %s (run %s, from %s), want %s", c.on, got.Grade, got.RunKind, transform.FormatDate(got.ValidFrom), c.want)
		}
	}
	grades, err := lifecycle.GradesOn(ctx, s, day("2025-09-06"))
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range grades {
		if g.USCC == u && g.Grade != "C" {
			t.Errorf("GradesOn 6 September lists %s for the institution, want C", g.Grade)
		}
	}
}

func TestRemovalNeedsAnApplication(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	r := grade.DefaultRules()
	u := gradetest.Put(t, s, gradetest.Fixture{Abn: []gradetest.Listing{{Listed: "2025-03-01"}}})
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2025, day("2025-07-31"), day("2025-08-01")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.Confirm(ctx, s, grade.DefaultRules(), day("2025-08-08")); err != nil {
		t.Fatal(err)
	}
	if g := current(t, s, u, "2025-08-08").Grade; g != "C" {
		t.Fatalf("listed institution graded %s, want C", g)
	}
	if _, err := lifecycle.ApplyUpgrade(ctx, s, r, u, day("2025-09-01")); err != nil {
		t.Fatal(err)
	}
	if g := current(t, s, u, "2025-09-01").Grade; g != "C" {
		t.Fatalf("an application while still listed changed the grade to %s", g)
	}

	// The market regulator removes it from the list.
	gradetest.Replace(t, s, "abnormal", []string{"uscc", "name", "name_key", "listed_on", "removed_on", "reason"},
		[]any{u, gradetest.DefaultName(u), transform.NormalizeName(gradetest.DefaultName(u)), day("2025-03-01"), day("2025-10-01"), "测试"})
	res, err := lifecycle.Regrade(ctx, s, r, day("2025-10-02"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Downgrades) != 0 || len(res.Eligible) != 1 || res.Eligible[0].From != "C" || res.Eligible[0].To != "A" {
		t.Fatalf("regrade after removal: %+v", res)
	}
	if g := current(t, s, u, "2025-10-02").Grade; g != "C" {
		t.Fatalf("raised automatically to %s", g)
	}

	up, err := lifecycle.ApplyUpgrade(ctx, s, r, u, day("2025-10-08"))
	if err != nil || !up.Granted || up.Entry.Grade != "A" {
		t.Fatalf("application after removal: %+v %v", up, err)
	}
	if e := current(t, s, u, "2025-10-08"); e.Grade != "A" || e.RunKind != lifecycle.RunUpgrade || !e.ValidFrom.Equal(day("2025-10-08")) {
		t.Errorf("after the application: %+v", e)
	}
	if e := current(t, s, u, "2025-10-07"); e.Grade != "C" {
		t.Errorf("the day before the application: %s", e.Grade)
	}
	h, _ := lifecycle.History(ctx, s, u)
	if len(h) != 2 || h[0].Status != lifecycle.StatusSuperseded || !h[0].SupersededOn.Equal(day("2025-10-08")) {
		t.Errorf("history %+v", h)
	}
	if again, err := lifecycle.ApplyUpgrade(ctx, s, r, u, day("2025-10-09")); err != nil || again.Granted {
		t.Errorf("a second application: %+v %v", again, err)
	}
	if _, err := lifecycle.ApplyUpgrade(ctx, s, r, gradetest.Put(t, s, gradetest.Fixture{}), day("2025-10-09")); !errors.Is(err, lifecycle.ErrNoGrade) {
		t.Errorf("application without a Grade: %v", err)
	}
}

func TestConsequences(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	r := grade.DefaultRules()
	var as []string
	for i := 0; i < 41; i++ {
		as = append(as, gradetest.Put(t, s, gradetest.Fixture{}))
	}
	c := gradetest.Put(t, s, gradetest.Fixture{Insp: []gradetest.Insp{{Kind: "violation", Severity: "serious", Handled: "2025-05-01"}}})
	b := gradetest.Put(t, s, gradetest.Fixture{Inst: gradetest.Inst{Unsigned: true}})
	ungraded := gradetest.Put(t, s, gradetest.Fixture{Inst: gradetest.Inst{Licensed: "2025-09-01"}})
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2025, day("2025-07-31"), day("2025-08-01")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.Confirm(ctx, s, grade.DefaultRules(), day("2025-08-08")); err != nil {
		t.Fatal(err)
	}
	on := day("2025-09-01")

	for _, tc := range []struct {
		uscc     string
		eligible bool
		reason   string
	}{
		{as[0], true, "信用等级为A级（2025年8月8日起有效），不受限制"},
		{b, true, "信用等级为B级"},
		{c, false, "信用等级为C级（2025年8月8日起有效），C2 "},
		{c, false, "C、D级机构不得享受财政补贴"},
		{ungraded, false, "尚未评价，暂无有效信用等级"},
	} {
		got, err := report.EligibilityOn(ctx, &report.HistorySource{Store: s}, tc.uscc, on)
		if err != nil || got.Eligible != tc.eligible || !strings.Contains(got.Reason, tc.reason) {
			t.Errorf("eligibility of %s: %+v %v; want %v with %q", tc.uscc, got, err, tc.eligible, tc.reason)
		}
	}
	if _, err := report.EligibilityOn(ctx, &report.HistorySource{Store: s}, "91411002MA00000000", on); !errors.Is(err, grade.ErrUnknown) {
		t.Errorf("unknown USCC: %v", err)
	}

	plan, err := lifecycle.SamplingPlan(ctx, s, r, 42, on)
	if err != nil {
		t.Fatal(err)
	}
	sizes := map[grade.Grade][2]int{}
	for _, g := range plan {
		sizes[g.Grade] = [2]int{g.Population, len(g.Selected)}
	}
	// ceil(5% of 41) = 3; ceil(10% of 1) = 1; ceil(30% of 1) = 1.
	if want := map[grade.Grade][2]int{"A": {41, 3}, "B": {1, 1}, "C": {1, 1}, "D": {0, 0}}; !reflect.DeepEqual(sizes, want) {
		t.Errorf("plan sizes %v, want %v", sizes, want)
	}
	again, _ := lifecycle.SamplingPlan(ctx, s, r, 42, on)
	other, _ := lifecycle.SamplingPlan(ctx, s, r, 43, on)
	if !reflect.DeepEqual(plan, again) {
		t.Error("the same seed gave another plan")
	}
	if reflect.DeepEqual(plan[0].Selected, other[0].Selected) {
		t.Error("seeds 42 and 43 drew the same A institutions")
	}

	// All fixtures are in county 411002: floor(5% × 41) = 2 exemplary.
	if _, err := lifecycle.Nominate(ctx, s, r, 2025, []string{as[0], c}, "连续三年无违法违规", on); !errors.Is(err, lifecycle.ErrNomination) {
		t.Errorf("nominating a C institution: %v", err)
	}
	if got, err := lifecycle.Nominate(ctx, s, r, 2025, []string{as[0], as[1]}, "连续三年无违法违规", on); err != nil || len(got) != 2 {
		t.Fatalf("nominate two: %v %v", got, err)
	}
	if _, err := lifecycle.Nominate(ctx, s, r, 2025, []string{as[2]}, "x", on); err == nil || !strings.Contains(err.Error(), "at most 2") {
		t.Errorf("a third nomination: %v", err)
	}
	if n, err := lifecycle.Nominations(ctx, s, 2025); err != nil || len(n) != 2 || n[0].Reason != "连续三年无违法违规" {
		t.Errorf("nominations %+v %v", n, err)
	}
}

// TestViews reads the documented SQL views after an evaluation confirmed
// today, as an analyst would with creditsync sql.
func TestViews(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	r := grade.DefaultRules()
	today := grade.Today(time.Now())
	b := gradetest.Put(t, s, gradetest.Fixture{Inst: gradetest.Inst{Unsigned: true}, Insp: []gradetest.Insp{{Kind: "false_materials", Handled: transform.FormatDate(today.AddDate(0, 0, -20))}}})
	gradetest.Put(t, s, gradetest.Fixture{})
	if _, _, err := lifecycle.Evaluate(ctx, s, r, today.AddDate(0, 0, -10).Year(), today.AddDate(0, 0, -10), today.AddDate(0, 0, -9)); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.Confirm(ctx, s, grade.DefaultRules(), today); err != nil {
		t.Fatal(err)
	}
	var n int64
	var g, status string
	if err := store.QueryRow(ctx, s, "SELECT count(), anyIf(grade, uscc = {u:String}), anyIf(status, uscc = {u:String}) FROM v_current_grades",
		store.Params{"u": b}, &n, &g, &status); err != nil || n != 2 || g != "B" || status != "confirmed" {
		t.Errorf("v_current_grades: %d rows, %s %s, %v", n, g, status, err)
	}
	rows, err := s.Query(ctx, "SELECT clause, kind, record_id, date FROM v_clause_evidence WHERE uscc = {u:String} ORDER BY clause", store.Params{"u": b})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var clause, kind, id string
		var d *time.Time
		if err := rows.Scan(&clause, &kind, &id, &d); err != nil {
			t.Fatal(err)
		}
		got = append(got, clause+" "+kind+" "+id)
	}
	rows.Close()
	if want := []string{"B1 institution " + b, "B4 inspection " + b + "-R1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("v_clause_evidence: %q, want %q", got, want)
	}
	if n, err := store.Count(ctx, s, "SELECT count() FROM v_grade_history WHERE run_kind = 'evaluate' AND name != ''", nil); err != nil || n != 2 {
		t.Errorf("v_grade_history: %d rows, %v", n, err)
	}
}

// insertFailing is the real store with its n-th insert into one table
// failing, as a run killed between two writes would leave it.
type insertFailing struct {
	store.Store
	table string
	n     *int
	at    int
}

func (f insertFailing) Insert(ctx context.Context, table string, columns []string, rows iter.Seq2[[]any, error]) (int64, error) {
	if table == f.table {
		*f.n++
		if *f.n == f.at {
			return 0, errors.New("injected failure: the run died here")
		}
	}
	return f.Store.Insert(ctx, table, columns, rows)
}

// A regrade that died after recording its new grades and before marking
// the old ones superseded left two grades in force: every view and report
// still shows one, the one in force from the latest day, and the next run
// mends the rows.
func TestRunDiedBeforeRetiring(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	r := grade.DefaultRules()
	u := gradetest.Put(t, s, gradetest.Fixture{})
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2025, day("2025-07-31"), day("2025-08-01")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.Confirm(ctx, s, r, day("2025-08-08")); err != nil {
		t.Fatal(err)
	}
	gradetest.Insert(t, s, "inspections", []string{"record_id", "uscc", "kind", "severity", "handled_on"},
		[]any{"XCJC-2025-0901", u, "violation", "serious", day("2025-09-01")})
	n := 0
	// The first write to grade_history is the lowered grade, the second
	// marks the old one superseded.
	if _, err := lifecycle.Regrade(ctx, insertFailing{s, "grade_history", &n, 2}, r, day("2025-09-02")); err == nil {
		t.Fatal("the regrade should have failed")
	}
	open := func() int64 {
		t.Helper()
		c, err := store.Count(ctx, s, "SELECT count() FROM grade_history FINAL WHERE uscc = {u:String} AND valid_from IS NOT NULL AND superseded_on IS NULL", store.Params{"u": u})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if got := open(); got != 2 {
		t.Fatalf("%d grades left in force, want the two a dead run leaves", got)
	}
	var grades []string
	if err := store.QueryRow(ctx, s, "SELECT groupArray(grade) FROM v_grades_on(day = '2025-09-03') WHERE uscc = {u:String}", store.Params{"u": u}, &grades); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(grades, []string{"C"}) {
		t.Errorf("v_grades_on lists %v, want [C]", grades)
	}
	if got := current(t, s, u, "2025-09-03"); got.Grade != "C" {
		t.Errorf("in force: %s, want C", got.Grade)
	}
	if _, err := lifecycle.Regrade(ctx, s, r, day("2025-09-03")); err != nil {
		t.Fatal(err)
	}
	if got := open(); got != 1 {
		t.Errorf("after the next run, %d grades in force with no successor, want 1", got)
	}
	if got := current(t, s, u, "2025-09-01"); got.Grade != "A" {
		t.Errorf("the day before the downgrade: %s, want A", got.Grade)
	}
}

// An upgrade application recorded on a day before a later grade began (a
// lowering by a later night) holds until that grade began, as a replayed
// night's grade does (docs/rules.md §4.8): the later decision stands, and
// the history never has two grades in force at once.
func TestBackdatedUpgradeBeforeALaterLowering(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	r := grade.DefaultRules()
	u := gradetest.Put(t, s, gradetest.Fixture{
		Abn:  []gradetest.Listing{{Listed: "2025-03-01", Removed: "2025-10-01"}},
		Insp: []gradetest.Insp{{Kind: "violation", Severity: "major", Handled: "2025-10-20"}},
	})
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2025, day("2025-07-31"), day("2025-08-01")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.Confirm(ctx, s, r, day("2025-08-08")); err != nil {
		t.Fatal(err)
	}
	if res, err := lifecycle.Regrade(ctx, s, r, day("2025-10-21")); err != nil || len(res.Downgrades) != 1 {
		t.Fatalf("night of 21 October: %+v %v", res, err)
	}
	// The application of 8 October, recorded after that night.
	up, err := lifecycle.ApplyUpgrade(ctx, s, r, u, day("2025-10-08"))
	if err != nil || !up.Granted || up.Entry.Grade != "A" {
		t.Fatalf("application of 8 October: %+v %v", up, err)
	}
	later := current(t, s, u, "2025-10-21").Grade
	for _, c := range []struct{ on, want string }{
		{"2025-10-07", "C"}, {"2025-10-08", "A"}, {"2025-10-20", "A"}, {"2025-10-21", string(later)}, {"2025-12-01", string(later)},
	} {
		if got := current(t, s, u, c.on); string(got.Grade) != c.want {
			t.Errorf("grade on %s: %s (run %s, from %s), want %s", c.on, got.Grade, got.RunKind, transform.FormatDate(got.ValidFrom), c.want)
		}
	}
	h, err := lifecycle.History(ctx, s, u)
	if err != nil {
		t.Fatal(err)
	}
	var open []string
	for _, e := range h {
		if e.Status == lifecycle.StatusConfirmed && e.SupersededOn.IsZero() {
			open = append(open, string(e.Grade)+" from "+transform.FormatDate(e.ValidFrom))
		}
	}
	if len(open) != 1 {
		t.Errorf("grades in force with no end: %v, want only the later lowering", open)
	}
}
