package serve

import (
	"context"
	"net/http"
	"os"
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
	"github.com/xuchang-hrss/creditsync/zone"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// A revoked licence is D (D3) and stays in every listing of the web —
// the search, the institution's page (for the city and its county), the
// county's 附件2 and public list — while a cancelled one leaves the 附件2
// and the public list and has no grade anywhere (docs/rules.md §4.7): the
// search and its page show it as 许可已注销, without a grade, on the
// recorded history of a real store.
func TestRevokedInstitutionsStayListed(t *testing.T) {
	ctx := context.Background()
	s, r, srv := evaluatedServer(t)
	day := func(d string) time.Time {
		t.Helper()
		v, err := transform.ParseISODate(d)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	h := srv.Handler()
	const kept, revoked, cancelled = "914403001922038216", "91440300708461136T", "9144030071526726XG"
	for _, token := range []string{cityToken, weiduToken} {
		page := get(t, h, "/institutions/"+revoked, token)
		if page.status != 200 || !strings.Contains(page.body, `badge big g-D">D<`) || !strings.Contains(page.body, "被吊销人力资源服务许可") {
			t.Errorf("the revoked institution's page: %d\n%.400s", page.status, page.body)
		}
		if p := get(t, h, "/institutions/"+cancelled, token); p.status != 200 || strings.Contains(p.body, "badge big") || !strings.Contains(p.body, `<span class="state">许可已注销</span>`) {
			t.Errorf("the cancelled institution's page: %d, want it without a grade, 许可已注销\n%.400s", p.status, p.body)
		}
	}
	search := get(t, h, "/search?q=人力资源", cityToken)
	if !strings.Contains(search.body, revoked) || !strings.Contains(search.body, cancelled) || !strings.Contains(search.body, kept) ||
		!strings.Contains(search.body, `<td>`+cancelled+`</td><td>魏都区</td><td class="muted">许可已注销</td>`) {
		t.Errorf("search lists the revoked %v, the cancelled (许可已注销, no grade) %v, the valid %v\n%s", strings.Contains(search.body, revoked), strings.Contains(search.body, cancelled), strings.Contains(search.body, kept), search.body)
	}
	public := get(t, h, "/reports/public/411002.csv?date=2026-10-08", weiduToken)
	if !strings.Contains(public.body, "许昌吊销人力资源有限公司") || !strings.Contains(public.body, "D 级") || strings.Contains(public.body, "许昌注销人力资源有限公司") {
		t.Errorf("public list:\n%s", public.body)
	}
	// 动态调整情况 asked for a day before any evaluation: nothing to count
	// from, said as a 404, not an internal error.
	if early := get(t, h, "/reports/adjustments/411002.csv?date=2023-07-30", weiduToken); early.status != http.StatusNotFound || !strings.Contains(early.body, "no evaluation") {
		t.Errorf("动态调整情况 before any evaluation: %d %.200q", early.status, early.body)
	}
	summary := get(t, h, "/reports/summary/411002.xlsx?date=2026-10-08", weiduToken)
	if summary.status != 200 || !strings.Contains(summary.body, "PK") {
		t.Fatalf("附件2 download: %d", summary.status)
	}
	sum, err := report.BuildSummary(ctx, &report.HistorySource{Store: s, Rules: r}, report.Units()[1], day("2026-10-08"), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, row := range sum.Rows {
		rows = append(rows, row.USCC+" "+row.Grade)
	}
	if strings.Join(rows, ",") != kept+" A 级,"+revoked+" D 级" {
		t.Errorf("附件2 of 魏都区: %v, want the valid one at A and the revoked one at D", rows)
	}
}

// evaluatedServer is a server on a real store of the institutions of
// testdata/revoked, evaluated as of 2026-07-31 (publicized from that day),
// confirmed and regraded, on 2026-10-08.
func evaluatedServer(t *testing.T) (store.Store, *grade.Rules, *Server) {
	t.Helper()
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	for _, list := range []string{"annual_reports", "institutions"} {
		l, err := contract.Lookup(list)
		if err != nil {
			t.Fatal(err)
		}
		if res, err := file.Import(ctx, s, l, filepath.Join("testdata", "revoked", list+".csv"), file.ImportOptions{}); err != nil || res.Rejected > 0 {
			t.Fatalf("import %s: %v %v", list, err, res.Rejects)
		}
	}
	r := grade.DefaultRules()
	day := func(d string) time.Time {
		t.Helper()
		v, err := transform.ParseISODate(d)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2026, day("2026-07-31"), day("2026-07-31")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.Confirm(ctx, s, r, day("2026-08-07")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.Regrade(ctx, s, r, day("2026-09-30")); err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{Source: &report.HistorySource{Store: s, Rules: r}, Config: testConfig(), Getenv: testEnv,
		Now: func() time.Time { return day("2026-10-08") }})
	if err != nil {
		t.Fatal(err)
	}
	return s, r, srv
}

// A download with nothing to show — asked for a day before the first
// evaluation was publicized — is a 404 saying why, as the command line
// says it, never an empty form (a 附件2 of no rows, 共 0 家, an empty CSV).
func TestDownloadsWithNothingToShowSayWhy(t *testing.T) {
	_, _, srv := evaluatedServer(t)
	h := srv.Handler()
	for _, path := range []string{
		"/reports/summary/411002.xlsx?date=2020-01-01", "/reports/public/411002.html?date=2020-01-01",
		"/reports/public/411002.csv?date=2020-01-01", "/reports/typical/411002.csv?date=2020-01-01",
		"/reports/trend/411002.csv?from=2020-01&to=2020-03", "/reports/trend/city.xlsx?from=2020-01&to=2020-03",
	} {
		got := get(t, h, path, cityToken)
		if got.status != http.StatusNotFound || !strings.Contains(got.body, "Nothing to report") ||
			!strings.Contains(got.body, "no evaluation was publicized on or before") {
			t.Errorf("%s: %d %.300q", path, got.status, got.body)
		}
	}
	// Once an evaluation was publicized, a year without exemplary
	// institutions is an answer: its list is written, empty.
	if got := get(t, h, "/reports/typical/411002.csv?date=2026-10-08", cityToken); got.status != http.StatusOK {
		t.Errorf("typical after the evaluation: %d %.300q", got.status, got.body)
	}
	// A year not evaluated (yet) has no list: an empty one of 2027 read
	// as a year that named none.
	later, err := New(Options{Source: srv.src, Config: testConfig(), Getenv: testEnv,
		Now: func() time.Time { return time.Date(2027, 3, 1, 12, 0, 0, 0, zone.Shanghai) }})
	if err != nil {
		t.Fatal(err)
	}
	if got := get(t, later.Handler(), "/reports/typical/411002.csv?date=2027-03-01", cityToken); got.status != http.StatusNotFound ||
		!strings.Contains(got.body, "no evaluation of 2027 is recorded") {
		t.Errorf("typical of a year not evaluated: %d %.300q", got.status, got.body)
	}
}

// A range wholly before the first evaluation has no data: the dashboards'
// headline says 无数据, not "0 A 级 … 0.0% C+D", and the API's months and
// steps are null, not counts of 0 (docs/guide.md: never zero).
func TestMonthsBeforeTheFirstEvaluationHaveNoData(t *testing.T) {
	_, _, srv := evaluatedServer(t)
	h := srv.Handler()
	for _, path := range []string{"/counties/411002?from=2026-01&to=2026-03", "/city?from=2026-01&to=2026-03"} {
		page := get(t, h, path, cityToken)
		figures, _, _ := strings.Cut(page.body[strings.Index(page.body, `<div class="figures">`)+1:], "</div>\n</div>")
		if page.status != http.StatusOK || !strings.Contains(figures, "无数据") || strings.Contains(figures, "0.0%") || strings.Contains(figures, "级（有效）") {
			t.Errorf("%s: %d, headline %.600q", path, page.status, figures)
		}
	}
	for _, path := range []string{"/api/city/trend?from=2026-01&to=2026-03", "/api/counties/411002/trend?from=2026-01&to=2026-03"} {
		type months struct {
			Periods []map[string]any `json:"periods"`
			Steps   []map[string]any `json:"transitions"`
		}
		var tr months
		if strings.HasPrefix(path, "/api/city/") {
			var o struct{ City months }
			decode(t, get(t, h, path, cityToken), &o)
			tr = o.City
		} else {
			decode(t, get(t, h, path, cityToken), &tr)
		}
		if len(tr.Periods) != 3 || len(tr.Steps) == 0 {
			t.Fatalf("%s: %+v", path, tr)
		}
		for _, p := range append(tr.Periods, tr.Steps...) {
			if p["no_data"] != true || p["counts"] != nil || p["total"] != nil || p["cd_share"] != nil || p["moves"] != nil || p["entered"] != nil {
				t.Errorf("%s: %v, want no data and nulls", path, p)
			}
		}
	}
	// After it, the months have their counts.
	var o struct {
		City struct {
			Periods []map[string]any `json:"periods"`
		}
	}
	decode(t, get(t, h, "/api/city/trend?from=2026-08&to=2026-09", cityToken), &o)
	if ps := o.City.Periods; len(ps) != 2 || ps[1]["no_data"] != false || ps[1]["total"] == nil || ps[1]["total"] == 0.0 {
		t.Errorf("months after the evaluation: %+v", ps)
	}
}

// The web's 附件1 says what the command line writes: with every
// institution signed, or none licensed, that sentence — it answered the
// notice's blank letter (_____), which reads as one still to sign. Both
// sources of a store read the register, before an evaluation too.
func TestCommitmentLettersAreTheCommandLines(t *testing.T) {
	s, r, srv := evaluatedServer(t)
	computed, err := New(Options{Source: &report.ComputeSource{Store: s, Rules: r}, Config: testConfig(), Getenv: testEnv, Now: srv.now})
	if err != nil {
		t.Fatal(err)
	}
	for name, h := range map[string]http.Handler{"recorded": srv.Handler(), "computed": computed.Handler()} {
		for _, c := range []struct{ unit, want string }{
			{"411002", "2026年10月8日：魏都区所有机构均已签订诚信承诺书。"},
			{"411025", "2026年10月8日：襄城县没有持证的人力资源服务机构。"},
		} {
			got := get(t, h, "/reports/commitments/"+c.unit+".html?date=2026-10-08", cityToken)
			if got.status != http.StatusOK || !strings.Contains(got.body, c.want) || strings.Contains(got.body, "_____") {
				t.Errorf("%s 附件1 of %s: %d, want %q\n%.400s", name, c.unit, got.status, c.want, got.body)
			}
		}
	}
}
