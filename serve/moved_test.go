package serve

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/grade/gradetest"
	"github.com/xuchang-hrss/creditsync/ingest/file"
	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/storetest"
)

// An institution that moved to 建安区 and was renamed after 魏都区 graded it
// stays on 魏都区's pages under the name it was graded with, the
// register's new name beside it (现名, register_name), found by either
// name; 建安区, which graded nothing of it, does not see it
// (docs/rules.md §4.9).
func TestMovedInstitutionStaysWithTheUnitThatGradedIt(t *testing.T) {
	ctx := context.Background()
	s, _, srv := evaluatedServer(t)
	l, err := contract.Lookup("institutions")
	if err != nil {
		t.Fatal(err)
	}
	if res, err := file.Import(ctx, s, l, filepath.Join("testdata", "moved", "institutions.csv"), file.ImportOptions{}); err != nil || res.Rejected > 0 {
		t.Fatalf("import the move: %v %v", err, res.Rejects)
	}
	h := srv.Handler()
	const moved = "914403001922038216"
	page := get(t, h, "/institutions/"+moved, weiduToken)
	if page.status != 200 || !strings.Contains(page.body, "<h1>许昌守信人力资源有限公司 <span") || !strings.Contains(page.body, "现名 许昌改名人力资源有限公司") {
		t.Errorf("魏都区's page of the moved institution: %d\n%.600s", page.status, page.body)
	}
	for _, q := range []string{"守信", "改名"} {
		if found := get(t, h, "/search?q="+q, weiduToken); !strings.Contains(found.body, moved) {
			t.Errorf("魏都区's search for %s misses the moved institution", q)
		}
	}
	api := get(t, h, "/api/institutions/"+moved, weiduToken)
	var j struct{ Name, RegisterName, CountyCode string }
	if err := json.Unmarshal([]byte(api.body), &struct {
		Name         *string `json:"name"`
		RegisterName *string `json:"register_name"`
		CountyCode   *string `json:"county_code"`
	}{&j.Name, &j.RegisterName, &j.CountyCode}); err != nil || j.Name != "许昌守信人力资源有限公司" || j.RegisterName != "许昌改名人力资源有限公司" || j.CountyCode != "411002" {
		t.Errorf("API: %.400s", api.body)
	}
	if p := get(t, h, "/institutions/"+moved, jiananToken); p.status != 404 {
		t.Errorf("建安区's page of an institution it never graded: %d, want 404", p.status)
	}
}

// movedTwice is a store where 魏都区 graded 91411002MA6UPT270A and lowered
// it (A → B on 2026-08-31, record WD-1), and 建安区 lowered it after it moved
// there under a new name (B → C on 2026-09-20, record JA-1); its server's
// day is 2026-10-08.
func movedTwice(t *testing.T) http.Handler {
	t.Helper()
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	dir := filepath.Join("testdata", "moved_downgrades")
	imp := func(list, name string) {
		t.Helper()
		l, err := contract.Lookup(list)
		if err != nil {
			t.Fatal(err)
		}
		if res, err := file.Import(ctx, s, l, filepath.Join(dir, name), file.ImportOptions{}); err != nil || res.Rejected > 0 {
			t.Fatalf("import %s: %v %v", name, err, res.Rejects)
		}
	}
	for _, list := range []string{"institutions", "annual_reports", "inspections"} {
		imp(list, list+".csv")
	}
	r := grade.DefaultRules()
	day := gradetest.Day
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2026, day("2026-07-31"), day("2026-07-31")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.Confirm(ctx, s, r, day("2026-08-07")); err != nil {
		t.Fatal(err)
	}
	if res, err := lifecycle.Regrade(ctx, s, r, day("2026-08-31")); err != nil || len(res.Downgrades) != 1 {
		t.Fatalf("魏都区's downgrade: %+v %v", res.Downgrades, err)
	}
	imp("institutions", "moved.csv")
	if res, err := lifecycle.Regrade(ctx, s, r, day("2026-09-20")); err != nil || len(res.Downgrades) != 1 {
		t.Fatalf("建安区's downgrade: %+v %v", res.Downgrades, err)
	}
	srv, err := New(Options{Source: &report.HistorySource{Store: s, Rules: r}, Config: testConfig(), Getenv: testEnv,
		Now: func() time.Time { return day("2026-10-08") }})
	if err != nil {
		t.Fatal(err)
	}
	return srv.Handler()
}

// A county signed in sees the grades its county made of an institution
// that moved between counties, and nothing of those the other county
// made: not the other's downgrade in the history (JSON or page), nor its
// clauses and evidence, nor the name the other graded it under
// (docs/rules.md §4.9). The history's downgrades were read unfiltered:
// 魏都区 got 建安区's downgrade with its evidence, and 建安区 魏都区's.
func TestCountySeesOnlyTheGradesItMade(t *testing.T) {
	h := movedTwice(t)
	const uscc = "91411002MA6UPT270A"
	tests := []struct {
		county, token string
		paths         []string
		downgrades    []string // the history's downgrades, "date from→to"
		want, never   []string
	}{
		{"411002", weiduToken,
			[]string{"/api/institutions/" + uscc + "/history?from=2026-07&to=2026-10", "/institutions/" + uscc + "?date=2026-09-15",
				"/api/institutions/" + uscc + "/explain?date=2026-09-15", "/api/counties/411002/trend?from=2026-07&to=2026-10",
				"/reports/trend/411002.csv?from=2026-07&to=2026-10", "/reports/adjustments/411002.csv?date=2026-10-08"},
			[]string{"2026-08-31 A→B"},
			[]string{"许昌众诚人力资源服务有限公司"},
			[]string{"JA-1", "C2", "因严重劳动保障违法违规行为被查处"}},
		{"411003", jiananToken,
			[]string{"/api/institutions/" + uscc + "/history?from=2026-07&to=2026-10", "/institutions/" + uscc,
				"/api/institutions/" + uscc + "/explain", "/api/counties/411003/trend?from=2026-07&to=2026-10",
				"/reports/trend/411003.csv?from=2026-07&to=2026-10", "/reports/adjustments/411003.csv?date=2026-10-08"},
			[]string{"2026-09-20 B→C"},
			[]string{"建安众诚人力资源服务有限公司"},
			[]string{"许昌众诚人力资源服务有限公司", "A → B"}},
	}
	for _, tt := range tests {
		session := sessionValue(t, postLogin(h, "192.0.2.1:1000", tt.token, "/"))
		for _, p := range tt.paths {
			r := withSession(h, http.MethodGet, p, session)
			if r.status != http.StatusOK {
				t.Errorf("%s: %s: %d\n%.300s", tt.county, p, r.status, r.body)
				continue
			}
			for _, w := range tt.want {
				if !strings.Contains(r.body, w) {
					t.Errorf("%s: %s lacks %q", tt.county, p, w)
				}
			}
			for _, n := range tt.never {
				if strings.Contains(r.body, n) {
					t.Errorf("%s: %s shows %q, of the other county's grade", tt.county, p, n)
				}
			}
			if !strings.Contains(p, "/history") || !strings.HasPrefix(p, "/api/") {
				continue
			}
			var hist historyJSON
			if err := json.Unmarshal([]byte(r.body), &hist); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range hist.Downgrades {
				got = append(got, fmt.Sprintf("%s %s→%s", d.Date, d.From, d.To))
			}
			if !slices.Equal(got, tt.downgrades) {
				t.Errorf("%s: history's downgrades %v, want %v", tt.county, got, tt.downgrades)
			}
		}
	}
}
