package report_test

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/ingest/file"
	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/report/reporttest"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
	"github.com/xuchang-hrss/creditsync/transform"
)

// importRows imports rows (the first is the header, in contract keys)
// into list through the file importer, as `creditsync import` does.
func importRows(t *testing.T, s store.Store, list string, rows [][]string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), list+".csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	l, err := contract.Lookup(list)
	if err != nil {
		t.Fatal(err)
	}
	res, err := file.Import(context.Background(), s, l, path, file.ImportOptions{})
	if err != nil || res.Rejected > 0 {
		t.Fatalf("import %s: %v, rejects %v", list, err, res.Rejects)
	}
}

func byUSCC(gs []report.InstitutionGrade) map[string]report.InstitutionGrade {
	m := make(map[string]report.InstitutionGrade, len(gs))
	for _, g := range gs {
		m[g.USCC] = g
	}
	return m
}

// The history source shows the grades the lifecycle recorded: nothing
// while publicized, the confirmed grades with their validity, a regrade's
// downgrade from the day it took effect with its clauses and records, no
// upgrade the rules would give, exemplary institutions while they are A,
// and grades past their validity as expired. NewSource uses it once an
// evaluation is recorded.
func TestHistorySourceFollowsTheLifecycle(t *testing.T) {
	ctx := context.Background()
	day := reporttest.Day
	asOf := day("2026-07-31")
	s, _ := loadSample(t, asOf)
	rules := grade.DefaultRules()

	src, kind, err := report.NewSource(ctx, s, rules)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := src.(*report.ComputeSource); !ok || kind != report.SourceCompute || report.SourceNote(kind) != "grades computed by the rules; no evaluation recorded yet" {
		t.Errorf("before any evaluation: %T %q", src, kind)
	}

	_, entries, err := lifecycle.Evaluate(ctx, s, rules, 2026, asOf, day("2026-08-03")) // publicized until 08-09
	if err != nil {
		t.Fatal(err)
	}
	src, kind, err = report.NewSource(ctx, s, rules)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := src.(*report.HistorySource); !ok || kind != report.SourceHistory || report.SourceNote(kind) != "grades as recorded in the history" {
		t.Errorf("after an evaluation: %T %q", src, kind)
	}

	// x (A, in the county with most A) is nominated, then lowered by a
	// serious violation; y (B for no commitment only) signs one and is
	// eligible for an upgrade; z objects and its review lowers it.
	evaluated := map[string]lifecycle.Entry{}
	aPerCounty := map[string]int{}
	for _, e := range entries {
		evaluated[e.USCC] = e
		if e.Grade == grade.A {
			aPerCounty[e.CountyCode]++
		}
	}
	county := ""
	for c, n := range aPerCounty {
		if n > aPerCounty[county] || n == aPerCounty[county] && c < county {
			county = c
		}
	}
	var x, y, z string
	for _, e := range entries {
		switch {
		case e.Grade == grade.A && e.CountyCode == county && x == "":
			x = e.USCC
		case e.Grade == grade.A && e.CountyCode != county && z == "":
			z = e.USCC
		case e.Grade == grade.B && slices.Equal(e.ClauseIDs(), []string{"B1"}) && e.Clauses[0].Evidence[0].Kind == "institution" && y == "":
			y = e.USCC
		}
	}
	if x == "" || y == "" || z == "" {
		t.Fatalf("the sample lacks an A institution (%q, %q) or a B1-only one (%q)", x, z, y)
	}
	if _, err := lifecycle.FileObjection(ctx, s, z, "评价有误", day("2026-08-05")); err != nil {
		t.Fatal(err)
	}
	h := &report.HistorySource{Store: s, Rules: rules}
	// During publicity the publicized grades are shown, labelled; z's as
	// under objection from the day it objected.
	if gs, err := h.GradesOn(ctx, day("2026-08-09")); err != nil || len(gs) == 0 {
		t.Errorf("during publicity: %d grades (%v), want the publicized ones", len(gs), err)
	} else {
		for _, g := range gs {
			want := report.StatePublicized
			if g.USCC == z {
				want = report.StateUnderReview
			}
			if g.State != want || g.Grade != evaluated[g.USCC].Grade || !g.ValidFrom.IsZero() || transform.FormatDate(g.PublicityEnds) != "2026-08-09" {
				t.Errorf("during publicity %s: state %q grade %s valid from %s, publicity to %s; want %q, the evaluated grade, no validity, to 2026-08-09",
					g.USCC, g.State, g.Grade, transform.FormatDate(g.ValidFrom), transform.FormatDate(g.PublicityEnds), want)
				break
			}
		}
	}
	if _, err := lifecycle.Confirm(ctx, s, grade.DefaultRules(), day("2026-08-10")); err != nil {
		t.Fatal(err)
	}
	const reason = "连续三年无违法违规，服务优良"
	if _, err := lifecycle.Nominate(ctx, s, rules, 2026, []string{x}, reason, day("2026-08-10")); err != nil {
		t.Fatal(err)
	}

	confirmed, err := h.GradesOn(ctx, day("2026-08-10"))
	if err != nil {
		t.Fatal(err)
	}
	var usccs []string
	for u := range evaluated {
		usccs = append(usccs, u)
	}
	if ended := licencesEnded(t, s, "2000-01-01", "2026-08-10", usccs...); ended == 0 || len(confirmed)+ended != len(entries) {
		t.Errorf("%d grades on 2026-08-10, want the %d evaluated (one under objection) but the %d whose licence ended", len(confirmed), len(entries), ended)
	}
	for _, g := range confirmed {
		e := evaluated[g.USCC]
		if g.USCC == z {
			if g.State != report.StateUnderReview {
				t.Errorf("%s on 2026-08-10: state %q, want under objection", z, g.State)
			}
			continue
		}
		// Confirmation takes the worse of the publicized grade and the
		// rules' on the confirmation day: records after the as-of date
		// count.
		if g.State != report.StateInForce || grade.Worse(e.Grade, g.Grade) || g.Name != e.Name || g.CountyCode != e.CountyCode || (g.Grade == e.Grade && len(g.Clauses) != len(e.Clauses)) {
			t.Errorf("%s: %s %q %s with %d clauses, evaluated %s %q %s with %d", g.USCC, g.Grade, g.Name, g.CountyCode, len(g.Clauses), e.Grade, e.Name, e.CountyCode, len(e.Clauses))
		}
		if transform.FormatDate(g.ValidFrom) != "2026-08-10" || transform.FormatDate(g.ValidUntil) != "2027-08-09" || g.Expired {
			t.Errorf("%s: valid %s … %s (expired %v), want 2026-08-10 … 2027-08-09", g.USCC, transform.FormatDate(g.ValidFrom), transform.FormatDate(g.ValidUntil), g.Expired)
		}
		if g.Exemplary != (g.USCC == x) || g.Exemplary && g.ExemplaryReason != reason {
			t.Errorf("%s: exemplary %v %q", g.USCC, g.Exemplary, g.ExemplaryReason)
		}
		for _, c := range g.Clauses {
			for _, ev := range c.Evidence {
				if ev.Kind == "inspection" || ev.Kind == "penalty" {
					if !slices.ContainsFunc(g.Records, func(r report.Record) bool { return r.ID == ev.ID }) {
						t.Errorf("%s %s: evidence %s %s has no record", g.USCC, c.ID, ev.Kind, ev.ID)
					}
				}
			}
		}
	}

	// The review lowers z (the reviewer's grade); a serious violation of x
	// is handled on 08-11 and y signs its commitment; the regrade on 08-12
	// lowers x and leaves y at B.
	if _, err := lifecycle.ResolveObjection(ctx, s, rules, z, grade.C, "复评：核实存在违规", day("2026-08-11")); err != nil {
		t.Fatal(err)
	}
	importRows(t, s, "inspections", [][]string{
		{"record_id", "uscc", "kind", "severity", "handled_on", "authority", "measure", "description"},
		{"HIST-TEST-0811", x, "violation", "serious", "2026-08-11", "许昌市人力资源和社会保障局", "责令限期整改", "未按规定明示服务项目"},
	})
	var name, countyCode, licenseNo, licensedOn, status, statusOn, lostSince string
	if err := store.QueryRow(ctx, s, `SELECT name, county_code, license_no, toString(licensed_on), license_status,
		ifNull(toString(license_status_on), ''), ifNull(toString(lost_contact_since), '') FROM institutions FINAL WHERE uscc = {uscc:String}`,
		store.Params{"uscc": y}, &name, &countyCode, &licenseNo, &licensedOn, &status, &statusOn, &lostSince); err != nil {
		t.Fatal(err)
	}
	importRows(t, s, "institutions", [][]string{
		{"uscc", "name", "county_code", "license_no", "licensed_on", "license_status", "license_status_on", "commitment_signed_on", "lost_contact_since"},
		{y, name, countyCode, licenseNo, licensedOn, status, statusOn, "2026-08-11", lostSince},
	})
	// The day read before the regrade, as a page would: the regrade
	// shows at once all the same (the cache follows the data).
	if w, err := h.GradesOn(ctx, day("2026-08-12")); err != nil || byUSCC(w)[x].Grade != grade.A {
		t.Fatalf("%s on 08-12 before the regrade: %v (%v), want A", x, byUSCC(w)[x].Grade, err)
	}
	res, err := lifecycle.Regrade(ctx, s, rules, day("2026-08-12"))
	if err != nil {
		t.Fatal(err)
	}
	lowered := map[string]lifecycle.Change{}
	for _, c := range res.Downgrades {
		lowered[c.USCC] = c
	}
	if c, ok := lowered[x]; !ok || c.To != grade.C {
		t.Fatalf("the regrade did not lower %s to C: %+v", x, res.Downgrades)
	}
	if !slices.ContainsFunc(res.Eligible, func(c lifecycle.Change) bool { return c.USCC == y && c.To == grade.A }) {
		t.Fatalf("%s is not eligible for an upgrade to A: %+v", y, res.Eligible)
	}

	t.Logf("%d evaluated; regrade on 2026-08-12: %d lowered (x %s), %d eligible (y %s); z %s reviewed", len(entries), len(res.Downgrades), x, len(res.Eligible), y, z)
	before, err := h.GradesOn(ctx, day("2026-08-11"))
	if err != nil {
		t.Fatal(err)
	}
	after, err := h.GradesOn(ctx, day("2026-08-12"))
	if err != nil {
		t.Fatal(err)
	}
	b, a := byUSCC(before), byUSCC(after)
	if g := b[x]; g.Grade != grade.A || !g.Exemplary {
		t.Errorf("%s on 08-11: %s exemplary %v, want A and exemplary", x, g.Grade, g.Exemplary)
	}
	gx := a[x]
	if gx.Grade != grade.C || gx.Exemplary || transform.FormatDate(gx.ValidFrom) != "2026-08-12" || transform.FormatDate(gx.ValidUntil) != "2027-08-11" {
		t.Errorf("%s on 08-12: %s exemplary %v valid %s … %s, want C from 2026-08-12 to 2027-08-11, not exemplary",
			x, gx.Grade, gx.Exemplary, transform.FormatDate(gx.ValidFrom), transform.FormatDate(gx.ValidUntil))
	}
	if !slices.ContainsFunc(gx.Records, func(r report.Record) bool { return r.ID == "HIST-TEST-0811" && r.Measure == "责令限期整改" }) {
		t.Errorf("%s on 08-12: records %+v lack the violation and its measure", x, gx.Records)
	}
	if g := b[z]; g.Grade != grade.C || transform.FormatDate(g.ValidFrom) != "2026-08-11" {
		t.Errorf("%s after its review: %s from %s, want C from 2026-08-11", z, g.Grade, transform.FormatDate(g.ValidFrom))
	}
	computed, err := (&report.ComputeSource{Store: s, Rules: rules}).GradesOn(ctx, day("2026-08-12"))
	if err != nil {
		t.Fatal(err)
	}
	if g, c := a[y], byUSCC(computed)[y]; g.Grade != grade.B || c.Grade != grade.A {
		t.Errorf("%s on 08-12: history %s, rules %s; want B recorded though the rules give A", y, g.Grade, c.Grade)
	}
	for uscc, g := range a {
		if old, ok := b[uscc]; ok && grade.Worse(old.Grade, g.Grade) {
			t.Errorf("%s shown upgraded %s → %s without an application", uscc, old.Grade, g.Grade)
		}
	}

	downs, err := h.Downgrades(ctx, day("2026-08-11"), day("2026-08-12"))
	if err != nil {
		t.Fatal(err)
	}
	if len(downs) != len(res.Downgrades) {
		t.Errorf("%d downgrades on 08-12, the regrade lowered %d", len(downs), len(res.Downgrades))
	}
	for _, d := range downs {
		c, ok := lowered[d.USCC]
		if !ok || d.From != c.From || d.To != c.To || transform.FormatDate(d.Day) != "2026-08-12" || len(d.Clauses) == 0 {
			t.Errorf("downgrade %s %s→%s on %s with %d clauses; the regrade says %+v", d.USCC, d.From, d.To, transform.FormatDate(d.Day), len(d.Clauses), c)
		}
		for _, cl := range d.Clauses {
			if def, _ := grade.LookupClause(cl.ID); !grade.Worse(def.Grade, d.From) {
				t.Errorf("downgrade %s %s→%s lists clause %s, which does not cause it", d.USCC, d.From, d.To, cl.ID)
			}
		}
		if d.USCC == x && (d.From != grade.A || d.To != grade.C || d.Clauses[0].ID != "C2" ||
			!slices.ContainsFunc(d.Clauses[0].Evidence, func(e report.Evidence) bool { return e.ID == "HIST-TEST-0811" })) {
			t.Errorf("downgrade of %s: %+v, want A→C for C2 with the violation as evidence", x, d)
		}
	}
	if !slices.ContainsFunc(downs, func(d report.Change) bool { return d.USCC == x }) {
		t.Errorf("downgrades on 08-12 lack %s", x)
	}
	review, err := h.Downgrades(ctx, day("2026-08-10"), day("2026-08-11"))
	if err != nil {
		t.Fatal(err)
	}
	if len(review) != 1 || review[0].USCC != z || review[0].From != grade.A || review[0].To != grade.C {
		t.Errorf("downgrades on 08-11: %+v, want the review of %s A→C", review, z)
	}
	// The confirmation of 08-10 lowered three publicized A grades: each a
	// downgrade from the A it lowered, as 动态调整情况 lists it.
	if ds, err := h.Downgrades(ctx, day("2026-07-31"), day("2026-08-10")); err != nil || len(ds) != 3 ||
		slices.ContainsFunc(ds, func(d report.Change) bool { return d.From != grade.A || !d.Day.Equal(day("2026-08-10")) }) {
		t.Errorf("downgrades after 2026-07-31 up to 2026-08-10: %+v (%v), want the three confirmations lower than the A publicized", ds, err)
	}
	for _, span := range [][2]string{{"2026-08-12", "2026-09-30"}} {
		if ds, err := h.Downgrades(ctx, day(span[0]), day(span[1])); err != nil || len(ds) != 0 {
			t.Errorf("downgrades after %s up to %s: %+v (%v), want none", span[0], span[1], ds, err)
		}
	}

	// Past valid_until with no new evaluation the grades are still shown,
	// as expired; x's lowered grade runs two days longer.
	for _, c := range []struct {
		on                string
		expired, xExpired bool
	}{{"2027-08-09", false, false}, {"2027-08-10", true, false}, {"2027-08-12", true, true}} {
		gs, err := h.GradesOn(ctx, day(c.on))
		if err != nil {
			t.Fatal(err)
		}
		// Only a licence ended since then takes an institution off.
		if ended := licencesEnded(t, s, "2026-08-12", c.on); len(gs)+ended != len(after) {
			t.Errorf("%d grades on %s, %d on 2026-08-12, %d licences ended between", len(gs), c.on, len(after), ended)
		}
		for _, g := range gs {
			want := c.expired
			switch {
			case g.USCC == x:
				want = c.xExpired
			case g.USCC == z:
				want = c.on >= "2027-08-11"
			case lowered[g.USCC].USCC != "":
				want = c.xExpired
			}
			if g.Expired != want || g.Grade != a[g.USCC].Grade || g.Exemplary {
				t.Errorf("%s on %s: %s expired %v exemplary %v, want %s expired %v", g.USCC, c.on, g.Grade, g.Expired, g.Exemplary, a[g.USCC].Grade, want)
			}
		}
	}

	// Expired grades are marked as such in the public list and in 附件2.
	pl, err := report.BuildPublicList(ctx, h, unit(t, report.CityCode), day("2027-08-12"), day("2027-08-12"))
	if err != nil {
		t.Fatal(err)
	}
	var csvText strings.Builder
	if err := pl.WriteCSV(&csvText); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(csvText.String(), "（已过期）"); n != len(pl.Rows) || n == 0 {
		t.Errorf("public list on 2027-08-12 marks %d of %d grades expired", n, len(pl.Rows))
	}
	expiredSummary, err := report.BuildSummary(ctx, h, unit(t, report.CityCode), day("2027-08-12"), day("2027-08-12"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range expiredSummary.Rows {
		if !strings.Contains(r.Note, "已过有效期") {
			t.Errorf("附件2 on 2027-08-12: %s 备注 %q lacks the expiry", r.USCC, r.Note)
			break
		}
	}

	// The reports read it as any source: 附件2 before and after the
	// downgrade, and the August trend with x's downgrade.
	for _, c := range []struct {
		on        string
		grade     grade.Grade
		exemplary string
	}{{"2026-08-11", "A", "是"}, {"2026-08-12", "C", ""}} { // only an A is asked
		sm, err := report.BuildSummary(ctx, h, unit(t, report.CityCode), day(c.on), day(c.on))
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(sm.Rows, func(r report.SummaryRow) bool { return r.USCC == x })
		if i < 0 || sm.Rows[i].Grade != report.GradeLabel(c.grade) || sm.Rows[i].Exemplary != c.exemplary {
			t.Errorf("附件2 on %s: row of %s %+v", c.on, x, sm.Rows[max(i, 0)])
		}
	}
	m, err := report.ParseMonths("2026-08", "2026-08", day("2026-08-31"))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := report.CountyTrend(ctx, h, unit(t, county), m, day("2026-08-31"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(tr.Downgrades, func(d report.Change) bool { return d.USCC == x && d.To == grade.C }) {
		t.Errorf("the August trend of %s lacks the downgrade of %s: %+v", county, x, tr.Downgrades)
	}
}

// licencesEnded counts the institutions (among the given ones, or all)
// whose licence was cancelled after day from, up to day to: a revoked one
// keeps its grade (D3).
func licencesEnded(t *testing.T, s store.Store, from, to string, among ...string) int {
	t.Helper()
	var n uint64
	if err := store.QueryRow(context.Background(), s, `SELECT count() FROM institutions FINAL
		WHERE license_status = 'cancelled' AND license_status_on > toDate({from:String}) AND license_status_on <= toDate({to:String})
		AND (empty({among:Array(String)}) OR has({among:Array(String)}, uscc))`,
		store.Params{"from": from, "to": to, "among": among}, &n); err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// A grade still publicized after its publicity ended — the confirmation
// did not run (a nightly run failed) — is no longer 公示中, which is
// publicity start ≤ D ≤ end (docs/rules.md §4.7): 附件2 says
// 公示期满，待确认 with the period, the public list says so and no longer
// invites objections; on the last day of publicity it is still 公示中.
func TestPublicityOverWithoutConfirmation(t *testing.T) {
	ctx := context.Background()
	day := reporttest.Day
	s := storetest.OpenMigrated(t)
	rules := grade.DefaultRules()
	importRows(t, s, "institutions", [][]string{
		{"uscc", "name", "county_code", "licensed_on", "commitment_signed_on"},
		{"91411002MA00000100", "时区人力资源有限公司", "", "2019-01-01", "2020-01-01"},
	})
	if _, _, err := lifecycle.Evaluate(ctx, s, rules, 2023, day("2023-07-31"), day("2023-08-01")); err != nil {
		t.Fatal(err)
	}
	src := &report.HistorySource{Store: s, Rules: rules}
	for _, tt := range []struct{ on, note string }{
		{"2023-08-07", "公示中（公示期2023年8月1日至2023年8月7日）"},
		{"2023-08-08", "公示期满，待确认（公示期2023年8月1日至2023年8月7日）"},
		{"2023-09-30", "公示期满，待确认（公示期2023年8月1日至2023年8月7日）"},
	} {
		sum, err := report.BuildSummary(ctx, src, unit(t, "411002"), day(tt.on), day(tt.on))
		if err != nil {
			t.Fatal(err)
		}
		if len(sum.Rows) != 1 || sum.Rows[0].Note != tt.note {
			t.Errorf("附件2 of %s: %+v, want 备注 %q", tt.on, sum.Rows, tt.note)
		}
		l, err := report.BuildPublicList(ctx, src, unit(t, "411002"), day(tt.on), day(tt.on))
		if err != nil {
			t.Fatal(err)
		}
		_, _, objecting := l.Publicity()
		if want := tt.on == "2023-08-07"; objecting != want {
			t.Errorf("public list of %s: publicity open %v, want %v", tt.on, objecting, want)
		}
	}
}
