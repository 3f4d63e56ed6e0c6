package serve

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/ingest/file"
)

// The institutions of testdata/notgraded's register no grade shows on
// 2026-10-08: one whose licence was cancelled on 2026-09-01 after its
// grade, and two licensed on 2026-08-15 after the evaluation, never
// evaluated — one in 魏都区, one in 禹州市.
const cancelled, newWeidu, newYuzhou = "9144030071526726XG", "91411002MA0000108D", "91411081MA0000108T"

// notGradedServer is evaluatedServer with the register of
// testdata/notgraded imported after the evaluation.
func notGradedServer(t *testing.T) http.Handler {
	t.Helper()
	s, _, srv := evaluatedServer(t)
	l, err := contract.Lookup("institutions")
	if err != nil {
		t.Fatal(err)
	}
	if res, err := file.Import(context.Background(), s, l, filepath.Join("testdata", "notgraded", "institutions.csv"), file.ImportOptions{}); err != nil || res.Rejected > 0 {
		t.Fatalf("import: %v %v", err, res.Rejects)
	}
	return srv.Handler()
}

// The eligibility endpoint answers as the command line does (docs/rules.md
// §4.7, §5) for every institution of the register the caller's county may
// see: one whose licence was cancelled, or not yet evaluated, is not
// eligible, with the reason — not 404, which stays for an unknown USCC and
// for another county's institution.
func TestEligibilityOfInstitutionsWithoutAGrade(t *testing.T) {
	h := notGradedServer(t)
	tests := []struct {
		name, uscc, token string
		status            int
		reason            string
	}{
		{"cancelled", cancelled, weiduToken, 200, "2026年9月1日注销"},
		{"not yet evaluated", newWeidu, weiduToken, 200, "尚未评价"},
		{"not yet evaluated, for the city", newYuzhou, cityToken, 200, "尚未评价"},
		{"another county's", newYuzhou, weiduToken, 404, ""},
		{"unknown", "91411002MA0000999X", cityToken, 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := get(t, h, "/api/institutions/"+tt.uscc+"/eligibility?on=2026-10-08", tt.token)
			if resp.status != tt.status {
				t.Fatalf("status %d, want %d: %.300s", resp.status, tt.status, resp.body)
			}
			if tt.status != 200 {
				return
			}
			var e eligibilityJSON
			if err := json.Unmarshal([]byte(resp.body), &e); err != nil {
				t.Fatal(err)
			}
			if e.USCC != tt.uscc || e.Eligible || !strings.Contains(e.Reason, tt.reason) {
				t.Errorf("%s: eligible %v, reason %q; want not eligible, %q", e.USCC, e.Eligible, e.Reason, tt.reason)
			}
		})
	}
}

// An institution of the register no grade shows — not yet evaluated, or
// its licence cancelled — is found by search and has its page and its
// API answer, for every scope that may see it (the county of its last
// grade, else the register's, as eligibility decides): its register data
// (name, county, licence), its state and no grade, null in JSON. Another
// county's stays 404 and out of its search.
func TestInstitutionsWithoutAGradeAreFound(t *testing.T) {
	h := notGradedServer(t)
	tests := []struct {
		name, uscc, token string
		found             bool
		county, state     string
		label, licence    string // on the page
	}{
		{"not yet evaluated, its county", newWeidu, weiduToken, true, "411002", "not_evaluated", "尚未评价", "2026-08-15 取得许可"},
		{"not yet evaluated, the city", newYuzhou, cityToken, true, "411081", "not_evaluated", "尚未评价", "2026-08-15 取得许可"},
		{"cancelled, the county that graded it", cancelled, weiduToken, true, "411002", "cancelled", "许可已注销", "2024-06-01 取得许可 · 2026-09-01 注销"},
		{"another county's", newYuzhou, weiduToken, false, "", "", "", ""},
		{"another county's, by the register", newWeidu, jiananToken, false, "", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var search struct{ Results []map[string]any }
			decode(t, get(t, h, "/api/institutions?q="+tt.uscc[:10], tt.token), &search)
			i := slices.IndexFunc(search.Results, func(r map[string]any) bool { return r["uscc"] == tt.uscc })
			page := get(t, h, "/search?q="+tt.uscc[:10], tt.token)
			if i >= 0 != tt.found || strings.Contains(page.body, tt.uscc) != tt.found {
				t.Errorf("search: found in the API %v, on the page %v; want %v", i >= 0, strings.Contains(page.body, tt.uscc), tt.found)
			}
			api := get(t, h, "/api/institutions/"+tt.uscc, tt.token)
			inst := get(t, h, "/institutions/"+tt.uscc, tt.token)
			if !tt.found {
				if api.status != 404 || inst.status != 404 {
					t.Errorf("API %d, page %d; want 404", api.status, inst.status)
				}
				return
			}
			if i >= 0 {
				if g, ok := search.Results[i]["grade"]; !ok || g != nil || search.Results[i]["state"] != tt.state {
					t.Errorf("search result: %v", search.Results[i])
				}
			}
			var d map[string]any
			decode(t, api, &d)
			if g, ok := d["grade"]; !ok || g != nil || d["grade_in_force"] != nil || d["state"] != tt.state || d["county_code"] != tt.county || d["name"] == "" || d["licensed_on"] == nil {
				t.Errorf("API: %s", api.body)
			}
			if e, _ := d["eligibility"].(map[string]any); e == nil || e["eligible"] != false {
				t.Errorf("API eligibility: %s", api.body)
			}
			if inst.status != 200 || !strings.Contains(inst.body, `<span class="state">`+tt.label+`</span>`) || !strings.Contains(inst.body, tt.licence) || !strings.Contains(inst.body, `<span class="no">不可享受</span>`) {
				t.Errorf("page: %d\n%.2000s", inst.status, inst.body)
			}
		})
	}
}

// Search takes part of a USCC, as docs/analysts.md says — its start, or
// any part a person copied, such as the sequence after the division
// code (MA0000108D), typed in lower case or full width — for graded
// institutions and those no grade shows alike; it found only a USCC's
// start.
func TestSearchFindsPartOfAUSCC(t *testing.T) {
	h := notGradedServer(t)
	tests := []struct{ q, want string }{
		{"91411002MA00", newWeidu},
		{"MA0000108D", newWeidu},
		{"ma0000108d", newWeidu},
		{"ＭＡ０００", newWeidu},
		{"1922038216", "914403001922038216"},
		{"26726XG", cancelled},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			var search struct{ Results []struct{ USCC string } }
			decode(t, get(t, h, "/api/institutions?q="+url.QueryEscape(tt.q), weiduToken), &search)
			if !slices.ContainsFunc(search.Results, func(r struct{ USCC string }) bool { return r.USCC == tt.want }) {
				t.Errorf("q=%s: %v, want %s among them", tt.q, search.Results, tt.want)
			}
		})
	}
}
