package lifecycle_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/grade/gradetest"
	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
	"github.com/xuchang-hrss/creditsync/transform"
)

// endLicence records in the register that u's licence was cancelled or
// revoked on day on, as a later import of the register does.
func endLicence(t *testing.T, s store.Store, u, status, on string) {
	t.Helper()
	name := gradetest.DefaultName(u)
	gradetest.Replace(t, s, "institutions",
		[]string{"uscc", "name", "name_key", "county_code", "licensed_on", "license_status", "license_status_on", "commitment_signed_on"},
		[]any{u, name, transform.NormalizeName(name), "411002", day("2015-01-01"), status, day(on), day("2016-01-01")})
}

func stateOf(t *testing.T, s store.Store, u, on string) (lifecycle.State, bool) {
	t.Helper()
	sts, err := lifecycle.StatesOn(context.Background(), s, day(on))
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range sts {
		if st.USCC == u {
			return st, true
		}
	}
	return lifecycle.State{}, false
}

// During publicity a grade is listed as publicized, from the day an
// objection is filed as under objection, and once confirmed as in force;
// the grade in force before stays listed beside it.
func TestStatesDuringPublicityAndObjection(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	r := grade.DefaultRules()
	calm := gradetest.Put(t, s, gradetest.Fixture{})
	objecting := gradetest.Put(t, s, gradetest.Fixture{Inst: gradetest.Inst{Unsigned: true}})
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2025, day("2025-07-31"), day("2025-08-01")); err != nil {
		t.Fatal(err)
	}
	if _, ok := stateOf(t, s, calm, "2025-07-31"); ok {
		t.Errorf("a grade is listed on 2025-07-31, before its publicity starts on 2025-08-01")
	}
	// Its history shows it as not yet publicized before that day, and as
	// publicized from it (the stored status is publicized from the start).
	if h, err := lifecycle.History(ctx, s, calm); err != nil || len(h) != 1 {
		t.Fatalf("history: %v, %v", h, err)
	} else if got := []lifecycle.Status{h[0].StatusOn(day("2025-07-31")), h[0].StatusOn(day("2025-08-01"))}; got[0] != lifecycle.StatusNotYetPublicized || got[1] != lifecycle.StatusPublicized {
		t.Errorf("status on 2025-07-31 and 2025-08-01: %v, want not yet publicized, then publicized", got)
	}
	if _, err := lifecycle.FileObjection(ctx, s, objecting, "早于公示", day("2025-07-31")); !errors.Is(err, lifecycle.ErrNoPublicity) {
		t.Errorf("objection before publicity starts: %v", err)
	}
	if _, err := lifecycle.FileObjection(ctx, s, objecting, "承诺书已签订", day("2025-08-05")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		uscc, on string
		status   lifecycle.Status
		inForce  bool
	}{
		{calm, "2025-08-01", lifecycle.StatusPublicized, false},
		{calm, "2025-08-07", lifecycle.StatusPublicized, false},
		{objecting, "2025-08-04", lifecycle.StatusPublicized, false},
		{objecting, "2025-08-05", lifecycle.StatusUnderReview, false},
		{objecting, "2025-08-20", lifecycle.StatusUnderReview, false}, // no review yet
	} {
		st, ok := stateOf(t, s, c.uscc, c.on)
		if !ok || st.PendingStatus != c.status || (st.InForce != nil) != c.inForce {
			t.Errorf("%s on %s: listed %v, pending %q, in force %v; want %q", c.uscc, c.on, ok, st.PendingStatus, st.InForce != nil, c.status)
		}
	}
	if _, err := lifecycle.Confirm(ctx, s, r, day("2025-08-08")); err != nil {
		t.Fatal(err)
	}
	if st, ok := stateOf(t, s, calm, "2025-08-08"); !ok || st.InForce == nil || st.Pending != nil || st.InForce.Grade != "A" {
		t.Errorf("after confirmation: %+v", st)
	}
	// The past stays as it was: on 2025-08-03 the grade was publicized.
	if st, ok := stateOf(t, s, calm, "2025-08-03"); !ok || st.PendingStatus != lifecycle.StatusPublicized || st.InForce != nil {
		t.Errorf("2025-08-03 after confirmation: %+v", st)
	}
	if _, err := lifecycle.ResolveObjection(ctx, s, r, objecting, "A", "承诺书核实无误", day("2025-08-21")); err != nil {
		t.Fatal(err)
	}
	if st, ok := stateOf(t, s, objecting, "2025-08-20"); !ok || st.PendingStatus != lifecycle.StatusUnderReview {
		t.Errorf("2025-08-20 after the review: %+v", st)
	}
	if st, ok := stateOf(t, s, objecting, "2025-08-21"); !ok || st.Pending != nil || st.InForce == nil || st.InForce.Grade != "A" {
		t.Errorf("the day of the review: %+v", st)
	}
}

// A cancelled licence ends the grade in force on its date: no grade, no
// eligibility, nothing for the regrade to lower. A revoked one does not
// (docs/rules.md §4): revocation is clause D3, so the nightly regrade
// lowers the grade to D at once, and that D stays in force and listed.
func TestLicenceEnds(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	r := grade.DefaultRules()
	cancelled := gradetest.Put(t, s, gradetest.Fixture{})
	revoked := gradetest.Put(t, s, gradetest.Fixture{})
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2025, day("2025-07-31"), day("2025-08-01")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.Confirm(ctx, s, r, day("2025-08-08")); err != nil {
		t.Fatal(err)
	}
	endLicence(t, s, cancelled, "cancelled", "2025-12-01")
	endLicence(t, s, revoked, "revoked", "2025-12-03")
	if e := current(t, s, cancelled, "2025-11-30"); e.Grade != "A" {
		t.Errorf("the day before cancellation: %s", e.Grade)
	}
	noGrade(t, s, cancelled, "2025-12-01")
	noGrade(t, s, cancelled, "2025-12-02")
	el, err := report.EligibilityOn(ctx, &report.HistorySource{Store: s}, cancelled, day("2025-12-05"))
	if err != nil || el.Eligible || !strings.Contains(el.Reason, "人力资源服务许可于2025年12月1日注销") {
		t.Errorf("eligibility after cancellation: %+v %v", el, err)
	}
	// Until the nightly run sees the revocation, the grade stands.
	if e := current(t, s, revoked, "2025-12-03"); e.Grade != "A" {
		t.Errorf("revoked, before the regrade: %s", e.Grade)
	}
	res, err := lifecycle.Regrade(ctx, s, r, day("2025-12-05"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Downgrades) != 1 || res.Downgrades[0].USCC != revoked || res.Downgrades[0].To != "D" {
		t.Errorf("the regrade lowered %+v, want only the revoked institution, to D", res.Downgrades)
	}
	for _, d := range []string{"2025-12-05", "2026-06-30"} {
		e := current(t, s, revoked, d)
		if e.Grade != "D" || !slices.Contains(e.ClauseIDs(), "D3") || e.StatusOn(day(d)) != lifecycle.StatusConfirmed {
			t.Errorf("revoked on %s: %s %v %s, want D (D3) in force", d, e.Grade, e.ClauseIDs(), e.StatusOn(day(d)))
		}
	}
	on, err := lifecycle.GradesOn(ctx, s, day("2025-12-05"))
	if err != nil {
		t.Fatal(err)
	}
	if len(on) != 1 || on[0].USCC != revoked || on[0].Grade != "D" {
		t.Errorf("grades on 2025-12-05: %+v, want only %s at D", on, revoked)
	}
	el, err = report.EligibilityOn(ctx, &report.HistorySource{Store: s}, revoked, day("2025-12-05"))
	if err != nil || el.Eligible || !strings.Contains(el.Reason, "D3 ") {
		t.Errorf("eligibility after revocation: %+v %v", el, err)
	}
	h, err := lifecycle.History(ctx, s, cancelled)
	if err != nil || len(h) != 1 || h[0].StatusOn(day("2025-12-05")) != lifecycle.StatusLicenceEnded {
		t.Errorf("history keeps the ended Grade: %+v %v", h, err)
	}
}

// A licence cancelled during publicity ends the publicized grade that day
// (docs/rules.md §4.7): confirmation does not bring it into force after
// the licence ended. The history keeps it, superseded on the cancellation
// day with the reason, never confirmed; the other institution's grade is
// confirmed as usual.
func TestLicenceCancelledDuringPublicityIsNotConfirmed(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	r := grade.DefaultRules()
	cancelled := gradetest.Put(t, s, gradetest.Fixture{})
	other := gradetest.Put(t, s, gradetest.Fixture{})
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2023, day("2023-07-31"), day("2023-08-01")); err != nil {
		t.Fatal(err)
	}
	endLicence(t, s, cancelled, "cancelled", "2023-08-01")
	got, err := lifecycle.Confirm(ctx, s, r, day("2023-08-08"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].USCC != other {
		t.Errorf("confirmed %+v, want only %s", got, other)
	}
	h, err := lifecycle.History(ctx, s, cancelled)
	if err != nil || len(h) != 1 {
		t.Fatalf("history: %+v %v", h, err)
	}
	e := h[0]
	if e.Status != lifecycle.StatusSuperseded || !e.ValidFrom.IsZero() || !e.ValidUntil.IsZero() || !e.SupersededOn.Equal(day("2023-08-01")) ||
		!strings.Contains(e.Note, "licence was cancelled on 2023-08-01") {
		t.Errorf("the cancelled institution's grade: %s, valid %s – %s, superseded %s, note %q; want superseded on 2023-08-01, never in force, the reason noted",
			e.Status, transform.FormatDate(e.ValidFrom), transform.FormatDate(e.ValidUntil), transform.FormatDate(e.SupersededOn), e.Note)
	}
	noGrade(t, s, cancelled, "2023-08-08")
	if again, err := lifecycle.Confirm(ctx, s, r, day("2023-08-09")); err != nil || len(again) != 0 {
		t.Errorf("confirm again: %+v %v", again, err)
	}
}

// A reviewer's decision (A, where the rules gave B) is not undone by the
// next night's regrade on the record the reviewer weighed; a record that
// appears after the decision lowers it.
func TestReviewIsNotUndoneByTheRulesItOverrode(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	r := grade.DefaultRules()
	u := gradetest.Put(t, s, gradetest.Fixture{Insp: []gradetest.Insp{{Kind: "violation", Severity: "minor", Handled: "2025-05-10", Rectified: "2025-05-20"}}})
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2025, day("2025-07-31"), day("2025-08-01")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.FileObjection(ctx, s, u, "已及时整改", day("2025-08-03")); err != nil {
		t.Fatal(err)
	}
	rev, err := lifecycle.ResolveObjection(ctx, s, r, u, "A", "整改到位，维持A级", day("2025-08-10"))
	if err != nil || rev.Grade != "A" {
		t.Fatalf("review: %+v %v", rev, err)
	}
	res, err := lifecycle.Regrade(ctx, s, r, day("2025-08-11"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Downgrades) != 0 || len(res.Upheld) != 1 || res.Upheld[0].USCC != u {
		t.Errorf("night after the review: downgrades %+v, upheld %+v; want the reviewer's A upheld", res.Downgrades, res.Upheld)
	}
	if e := current(t, s, u, "2025-08-11"); e.Grade != "A" || e.RunKind != lifecycle.RunReview {
		t.Errorf("after the regrade: %s by %s, want the reviewer's A", e.Grade, e.RunKind)
	}
	// A new record, handled after the review, counts.
	gradetest.Insert(t, s, "inspections", []string{"record_id", "uscc", "kind", "severity", "handled_on", "measure"},
		[]any{"XCJC-2025-0902", u, "violation", "general", day("2025-09-02"), "责令限期整改"})
	res, err = lifecycle.Regrade(ctx, s, r, day("2025-09-03"))
	if err != nil {
		t.Fatal(err)
	}
	// Two violations in a Year: C1 holds, and its evidence is new.
	if len(res.Downgrades) != 1 || res.Downgrades[0].To != "C" {
		t.Errorf("after a new violation: %+v", res.Downgrades)
	}
}

// A record known before a confirmed grade's decision, imported only after
// it, is new evidence: the decision never weighed it.
func TestLateImportIsNewEvidence(t *testing.T) {
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
	gradetest.Insert(t, s, "inspections", []string{"record_id", "uscc", "kind", "severity", "handled_on", "measure"},
		[]any{"XCJC-2025-0620", u, "violation", "serious", day("2025-06-20"), "行政处罚"})
	res, err := lifecycle.Regrade(ctx, s, r, day("2025-08-20"))
	if err != nil || len(res.Downgrades) != 1 || res.Downgrades[0].To != "C" {
		t.Errorf("record of June imported in August: %+v %v", res.Downgrades, err)
	}
}

// A major violation handled during publicity is caught by the
// confirmation: the grade in force from the confirmation day is the
// worse one, and the publicized grade is kept as superseded.
func TestConfirmationCatchesAViolationDuringPublicity(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	r := grade.DefaultRules()
	u := gradetest.Put(t, s, gradetest.Fixture{})
	calm := gradetest.Put(t, s, gradetest.Fixture{})
	for range 5 { // enough grades that slices have spare capacity
		gradetest.Put(t, s, gradetest.Fixture{})
	}
	// Last year's grades are in force when this year's are confirmed.
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2024, day("2024-07-31"), day("2024-08-01")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.Confirm(ctx, s, r, day("2024-08-08")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2025, day("2025-07-31"), day("2025-08-01")); err != nil {
		t.Fatal(err)
	}
	gradetest.Insert(t, s, "inspections", []string{"record_id", "uscc", "kind", "severity", "handled_on", "measure"},
		[]any{"XCJC-2025-0804", u, "violation", "major", day("2025-08-04"), "行政处罚"})
	got, err := lifecycle.Confirm(ctx, s, r, day("2025-08-09"))
	if err != nil || len(got) != 7 {
		t.Fatalf("confirm: %d took effect, %v", len(got), err)
	}
	lowered := 0
	for _, e := range got {
		if e.RunKind == lifecycle.RunRegrade {
			lowered++
			if e.USCC != u || e.Grade != "D" {
				t.Errorf("lowered at confirmation: %s %s", e.USCC, e.Grade)
			}
		}
	}
	if lowered != 1 {
		t.Errorf("%d grades lowered at confirmation, want 1", lowered)
	}
	// One grade in force per institution: last year's are superseded.
	on, err := lifecycle.GradesOn(ctx, s, day("2025-08-08"))
	if err != nil || len(on) != 7 {
		t.Errorf("grades on 2025-08-08: %d (%v), want 7", len(on), err)
	}
	h, err := lifecycle.History(ctx, s, u)
	if err != nil || len(h) != 3 || !h[0].SupersededOn.Equal(day("2025-08-08")) {
		t.Errorf("history of %s: %+v (%v), want last year's grade superseded on 2025-08-08", u, h, err)
	}
	for _, e := range h {
		if e.InEffectOn(day("2025-08-08")) && e.Grade != "D" {
			t.Errorf("%s still in force on 2025-08-08: %s from %s", u, e.Grade, transform.FormatDate(e.ValidFrom))
		}
	}
	e := current(t, s, u, "2025-08-08")
	if e.Grade != "D" || join(e.ClauseIDs()) != "D1" || !e.ValidFrom.Equal(day("2025-08-08")) || !strings.Contains(e.Note, "publicized") {
		t.Errorf("grade from the confirmation day: %s %v from %s (%q), want D [D1] from 2025-08-08", e.Grade, e.ClauseIDs(), transform.FormatDate(e.ValidFrom), e.Note)
	}
	if c := current(t, s, calm, "2025-08-08"); c.Grade != "A" || c.RunKind != lifecycle.RunEvaluate {
		t.Errorf("the calm institution: %s by %s", c.Grade, c.RunKind)
	}
	if st, ok := stateOf(t, s, u, "2025-08-05"); !ok || st.PendingStatus != lifecycle.StatusPublicized || st.Pending.Grade != "A" {
		t.Errorf("during publicity the publicized grade stays A: %+v", st)
	}
	if again, err := lifecycle.Confirm(ctx, s, r, day("2025-08-10")); err != nil || len(again) != 0 {
		t.Errorf("confirm twice: %d, %v", len(again), err)
	}
	if res, err := lifecycle.Regrade(ctx, s, r, day("2025-08-09")); err != nil || len(res.Downgrades) != 0 {
		t.Errorf("the night after: lowered again %+v %v", res.Downgrades, err)
	}
}

// A grade keeps the county that graded it and the name it was graded with
// through every later change of its state (docs/rules.md §4.9): the
// institution moves to 鄢陵县 and is renamed after its grade was
// confirmed; the grade lowered afterwards is 鄢陵县's, under the new name,
// and the one it supersedes (written again to record that) is still
// 魏都区's, under the old name.
func TestGradeKeepsItsUnitWhenTheInstitutionMoves(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	r := grade.DefaultRules()
	u := gradetest.Put(t, s, gradetest.Fixture{Inst: gradetest.Inst{Name: "旧名人力资源有限公司"}})
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2025, day("2025-07-31"), day("2025-08-01")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.Confirm(ctx, s, r, day("2025-08-08")); err != nil {
		t.Fatal(err)
	}
	gradetest.Replace(t, s, "institutions",
		[]string{"uscc", "name", "name_key", "county_code", "licensed_on", "license_status", "commitment_signed_on"},
		[]any{u, "新名人力资源有限公司", transform.NormalizeName("新名人力资源有限公司"), "411024", day("2015-01-01"), "valid", day("2016-01-01")})
	gradetest.Insert(t, s, "inspections", []string{"record_id", "uscc", "kind", "severity", "handled_on", "measure"},
		[]any{u + "-MOVED", u, "violation", "serious", day("2025-09-01"), "行政处罚"})
	if res, err := lifecycle.Regrade(ctx, s, r, day("2025-09-02")); err != nil || len(res.Downgrades) != 1 {
		t.Fatalf("regrade after the move: %+v %v", res.Downgrades, err)
	}
	h, err := lifecycle.History(ctx, s, u)
	if err != nil || len(h) != 2 {
		t.Fatalf("history: %+v %v", h, err)
	}
	type unitName struct{ Grade, Status, County, Name, RegisterName string }
	got := []unitName{}
	for _, e := range h {
		got = append(got, unitName{string(e.Grade), string(e.Status), e.CountyCode, e.Name, e.RegisterName})
	}
	want := []unitName{
		{"A", "superseded", "411002", "旧名人力资源有限公司", "新名人力资源有限公司"},
		{"C", "confirmed", "411024", "新名人力资源有限公司", "新名人力资源有限公司"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("history after the move:\n%+v\nwant\n%+v", got, want)
	}
	if e := current(t, s, u, "2025-08-31"); e.CountyCode != "411002" || e.Name != "旧名人力资源有限公司" {
		t.Errorf("grade in force before the move was recorded: county %s name %s, want 411002 旧名人力资源有限公司", e.CountyCode, e.Name)
	}
}

// A cancellation the register shows only after the confirmation — dated
// during publicity, imported later — is mended by the next confirmation
// run (the nightly run's): the grade confirmed meanwhile was never in
// force, and the history says so as if the cancellation had been known.
// A grade whose licence was cancelled after it took effect stays as
// recorded: the reads end it on the cancellation day.
func TestLicenceCancellationLearntAfterConfirmation(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	r := grade.DefaultRules()
	before := gradetest.Put(t, s, gradetest.Fixture{})
	after := gradetest.Put(t, s, gradetest.Fixture{})
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2026, day("2026-07-31"), day("2026-08-01")); err != nil {
		t.Fatal(err)
	}
	if got, err := lifecycle.Confirm(ctx, s, r, day("2026-08-08")); err != nil || len(got) != 2 {
		t.Fatalf("confirm: %+v %v", got, err)
	}
	endLicence(t, s, before, "cancelled", "2026-08-03")
	endLicence(t, s, after, "cancelled", "2026-09-01")
	if got, err := lifecycle.Confirm(ctx, s, r, day("2026-09-02")); err != nil || len(got) != 0 {
		t.Errorf("the next confirmation run confirmed %+v (%v), want nothing", got, err)
	}
	tests := []struct {
		uscc       string
		status     lifecycle.Status
		from, upTo string // valid_from, superseded_on
		note       string
	}{
		{before, lifecycle.StatusSuperseded, "", "2026-08-03", "not confirmed: the licence was cancelled on 2026-08-03, which ended the grade that day (recorded in force from 2026-08-08"},
		{after, lifecycle.StatusConfirmed, "2026-08-08", "", ""},
	}
	for _, tt := range tests {
		h, err := lifecycle.History(ctx, s, tt.uscc)
		if err != nil || len(h) != 1 {
			t.Fatalf("history of %s: %+v %v", tt.uscc, h, err)
		}
		e := h[0]
		if e.Status != tt.status || transform.FormatDate(e.ValidFrom) != tt.from || transform.FormatDate(e.SupersededOn) != tt.upTo ||
			!strings.Contains(e.Note, tt.note) || tt.note == "" && strings.Contains(e.Note, "cancelled") {
			t.Errorf("%s: %s, valid from %q, superseded %q, note %q; want %s, from %q, superseded %q, note with %q",
				tt.uscc, e.Status, transform.FormatDate(e.ValidFrom), transform.FormatDate(e.SupersededOn), e.Note, tt.status, tt.from, tt.upTo, tt.note)
		}
	}
	noGrade(t, s, before, "2026-08-08")
	if e := current(t, s, after, "2026-08-31"); e.Grade != "A" {
		t.Errorf("%s the day before its cancellation: %s, want A in force", after, e.Grade)
	}
	noGrade(t, s, after, "2026-09-01")
	// Mended once: the next run writes nothing more.
	if _, err := lifecycle.Confirm(ctx, s, r, day("2026-09-03")); err != nil {
		t.Fatal(err)
	}
	if h, err := lifecycle.History(ctx, s, before); err != nil || strings.Count(h[0].Note, "cancelled") != 1 {
		t.Errorf("after another run: %+v %v", h, err)
	}
}

// A reviewer's stricter decision (B, where the rules gave A) is not
// undone by an upgrade application on the records the reviewer weighed:
// an upgrade is for a failing corrected (纠正失信行为), and nothing the
// review weighed has gone. The application is refused and recorded,
// saying why; it used to raise the grade to A the next day. An
// institution that corrected what its grade rested on is raised.
func TestUpgradeDoesNotUndoAStricterReview(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	r := grade.DefaultRules()
	reviewed := gradetest.Put(t, s, gradetest.Fixture{})
	signed := gradetest.Put(t, s, gradetest.Fixture{Inst: gradetest.Inst{Unsigned: true}})
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2025, day("2025-07-31"), day("2025-08-01")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.FileObjection(ctx, s, reviewed, "举报其违规收费", day("2025-08-03")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.Confirm(ctx, s, r, day("2025-08-08")); err != nil {
		t.Fatal(err)
	}
	if rev, err := lifecycle.ResolveObjection(ctx, s, r, reviewed, grade.B, "复核为B", day("2025-08-10")); err != nil || rev.Grade != grade.B {
		t.Fatalf("review: %+v %v", rev, err)
	}
	gradetest.Replace(t, s, "institutions", []string{"uscc", "name", "name_key", "county_code", "licensed_on", "license_status", "commitment_signed_on"},
		[]any{signed, gradetest.DefaultName(signed), transform.NormalizeName(gradetest.DefaultName(signed)), "411002", day("2015-01-01"), "valid", day("2025-08-20")})

	up, err := lifecycle.ApplyUpgrade(ctx, s, r, reviewed, day("2025-08-11"))
	if err != nil {
		t.Fatal(err)
	}
	if up.Granted || up.Change.To != grade.A || !strings.Contains(up.Refusal, "A is the grade that decision overrode") {
		t.Errorf("upgrade after a stricter review: granted %v, refusal %q; want refused, the rules' A being what the reviewer overrode", up.Granted, up.Refusal)
	}
	if e := current(t, s, reviewed, "2025-08-11"); e.Grade != grade.B || e.RunKind != lifecycle.RunReview {
		t.Errorf("after the application: %s by %s, want the reviewer's B", e.Grade, e.RunKind)
	}
	if up, err := lifecycle.ApplyUpgrade(ctx, s, r, signed, day("2025-08-21")); err != nil || !up.Granted || up.Entry.Grade != grade.A {
		t.Errorf("upgrade after signing the commitment: %+v %v, want raised to A", up, err)
	}
}

// A review is decided on a day as a confirmation is (docs/rules.md §4.3,
// §4.7): a licence cancelled on or before the review day ends the
// reviewed grade before it comes into force, and a licence revoked since
// the evaluation (clause D3, evidence the review did not weigh) lowers it
// at once. Both reviews used to put grade A in force, and eligibility
// answered "eligible" until the next regrade.
func TestReviewAfterTheLicenceEnded(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	r := grade.DefaultRules()
	cancelled := gradetest.Put(t, s, gradetest.Fixture{Inst: gradetest.Inst{Unsigned: true}})
	revoked := gradetest.Put(t, s, gradetest.Fixture{Inst: gradetest.Inst{Unsigned: true}})
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2025, day("2025-07-31"), day("2025-08-01")); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{cancelled, revoked} {
		if _, err := lifecycle.FileObjection(ctx, s, u, "承诺书已签订", day("2025-08-03")); err != nil {
			t.Fatal(err)
		}
	}
	endLicence(t, s, cancelled, "cancelled", "2025-08-05")
	endLicence(t, s, revoked, "revoked", "2025-08-05")

	rev, err := lifecycle.ResolveObjection(ctx, s, r, cancelled, grade.A, "复核为A", day("2025-08-10"))
	if err != nil {
		t.Fatal(err)
	}
	if !rev.ValidFrom.IsZero() || rev.Status != lifecycle.StatusSuperseded || !rev.SupersededOn.Equal(day("2025-08-05")) || !strings.Contains(rev.Note, "the licence was cancelled on 2025-08-05") {
		t.Errorf("review after the cancellation: %+v, want never in force, superseded on 2025-08-05 with the reason", rev.Entry)
	}
	noGrade(t, s, cancelled, "2025-08-10")

	rev, err = lifecycle.ResolveObjection(ctx, s, r, revoked, grade.A, "复核为A", day("2025-08-10"))
	if err != nil {
		t.Fatal(err)
	}
	if rev.Lowered == nil || rev.Lowered.Grade != grade.D || !strings.Contains(join(rev.Lowered.ClauseIDs()), "D3") || rev.Status != lifecycle.StatusSuperseded {
		t.Fatalf("review after the revocation: %+v, lowered %+v; want A recorded and lowered to D (D3) at once", rev.Entry, rev.Lowered)
	}
	if e := current(t, s, revoked, "2025-08-10"); e.Grade != grade.D || e.RunKind != lifecycle.RunRegrade {
		t.Errorf("in force on the review day: %s by %s, want D by the regrade", e.Grade, e.RunKind)
	}
	if el, err := report.EligibilityOn(ctx, &report.HistorySource{Store: s}, revoked, day("2025-08-11")); err != nil || el.Eligible {
		t.Errorf("eligibility after the revocation: %+v %v", el, err)
	}
}
