package serve

import (
	"encoding/json"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/report/reporttest"
)

// The API's parameters are the CLI's flag names; anything else is refused
// with a JSON error that names it.
func TestAPIParameters(t *testing.T) {
	h := newServer(t, testConfig()).Handler()
	inst := "/api/institutions/" + reporttest.ScriptC
	tests := []struct {
		path   string
		status int
		names  string // what the error must name
	}{
		{"/api/grades?on=2026-07-31", http.StatusOK, ""},
		{"/api/grades?date=2026-07-31", http.StatusOK, ""}, // the pages' older name
		{"/api/grades?on=2026-07-31&county=411003&format=json", http.StatusOK, ""},
		{"/api/institutions?q=有限公司&on=2026-07-31", http.StatusOK, ""},
		{inst + "/explain?on=2026-04-01", http.StatusOK, ""},
		{inst + "/history?from=2026-01&to=2026-07", http.StatusOK, ""},
		{"/api/counties/411002/trend?from=2026-02&to=2026-03", http.StatusOK, ""},
		{"/api/me", http.StatusOK, ""},

		{"/api/grades?dat=2026-07-31", http.StatusBadRequest, `"dat"`},
		{"/api/grades?on=2026-07-31&limit=5", http.StatusBadRequest, `"limit"`},
		{"/api/me?on=2026-07-31", http.StatusBadRequest, `"on"`},
		{inst + "/history?on=2026-07-31", http.StatusBadRequest, `"on"`},
		{inst + "?from=2026-01", http.StatusBadRequest, `"from"`},
		{"/api/counties/411002/trend?county=411002", http.StatusBadRequest, `"county"`},
		{"/api/grades?on=2026-07-31&on=2026-07-30", http.StatusBadRequest, `"on"`},
		{"/api/grades?on=2026-07-31&date=2026-07-30", http.StatusBadRequest, `"date"`},
		{"/api/grades?format=csv", http.StatusBadRequest, `"format"`},
		{"/api/grades?on=2026-02-30", http.StatusBadRequest, `"on"`},
		{"/api/grades?date=2026-02-30", http.StatusBadRequest, `"date"`},
	}
	for _, tt := range tests {
		r := get(t, h, tt.path, cityToken)
		if r.status != tt.status {
			t.Errorf("%s: status %d, want %d: %s", tt.path, r.status, tt.status, r.body)
			continue
		}
		if tt.status == http.StatusOK {
			continue
		}
		var e map[string]string
		if err := json.Unmarshal([]byte(r.body), &e); err != nil || !strings.Contains(e["error"], tt.names) {
			t.Errorf("%s: error %q (%v), want one naming %s", tt.path, r.body, err, tt.names)
		}
	}

	// on and its older name give the same answer.
	a, b := get(t, h, "/api/grades?on=2026-07-31", jiananToken), get(t, h, "/api/grades?date=2026-07-31", jiananToken)
	if a.body != b.body || !strings.Contains(a.body, `"date": "2026-07-31"`) {
		t.Errorf("?on= and ?date= differ:\n%s\n%s", a.body, b.body)
	}
	// A county token learns nothing more from a bad parameter than from a
	// good one: the refusal does not depend on what the token may see.
	if r := get(t, h, "/api/grades?bogus=1", weiduToken); r.status != http.StatusBadRequest {
		t.Errorf("county token, unknown parameter: %d", r.status)
	}
}

// The pages and the downloads take their parameters as the API does, by
// the same check: ?dat= mistyped for ?date= gave today's 附件2 with a blank
// 填报时间, ?date=A&date=B used A; each is now a 400 page naming it.
func TestPageAndDownloadParameters(t *testing.T) {
	h := newServer(t, testConfig()).Handler()
	inst := "/institutions/" + reporttest.ScriptC
	tests := []struct {
		path   string
		status int
		names  string // what the error page must name
	}{
		{"/", http.StatusOK, ""},
		{"/search?q=有限公司&date=2026-07-31", http.StatusOK, ""},
		{inst + "?date=2026-07-31", http.StatusOK, ""},
		{inst + "?on=2026-07-31", http.StatusOK, ""},
		{"/counties/411002?from=2026-01&to=2026-07", http.StatusOK, ""},
		{"/city?from=2026-01&to=2026-07", http.StatusOK, ""},
		{"/reports?from=2026-01&to=2026-07&date=2026-07-31", http.StatusOK, ""},
		{"/reports/summary/411002.xlsx?date=2026-07-31", http.StatusOK, ""},
		{"/reports/summary/411002.xlsx?on=2026-07-31", http.StatusOK, ""},
		{"/reports/trend/411002.csv?from=2026-01&to=2026-07", http.StatusOK, ""},

		{"/?date=2026-07-31", http.StatusBadRequest, `"date"`},
		{"/search?q=a&dat=2026-07-31", http.StatusBadRequest, `"dat"`},
		{inst + "?date=2026-07-31&date=2026-07-30", http.StatusBadRequest, `"date"`},
		{"/counties/411002?from=2026-01&form=2026-07", http.StatusBadRequest, `"form"`},
		{"/city?format=json", http.StatusBadRequest, `"format"`},
		{"/reports/summary/411002.xlsx?dat=2024-08-31", http.StatusBadRequest, `"dat"`},
		{"/reports/summary/411002.xlsx?date=2026-07-31&date=2026-07-30", http.StatusBadRequest, `"date"`},
		{"/reports/summary/411002.xlsx?on=2026-07-31&date=2026-07-30", http.StatusBadRequest, `"date"`},
		{"/reports/summary/411002.xlsx?from=2026-01", http.StatusBadRequest, `"from"`},
		{"/reports/public/411002.csv?to=2026-07", http.StatusBadRequest, `"to"`},
		{"/reports/trend/411002.csv?date=2026-07-31", http.StatusBadRequest, `"date"`},
		// A pair Go's URL.Query drops without a word: the page must not
		// answer without it.
		{"/reports/summary/411002.xlsx?on=2024-08-31;", http.StatusBadRequest, "cannot be read"},
		{"/reports/summary/411002.xlsx?on=2024-08-31%zz", http.StatusBadRequest, "cannot be read"},
		{"/api/grades?on=2026-07-31&on=2025-01-01;", http.StatusBadRequest, "cannot be read"},
	}
	for _, tt := range tests {
		r := get(t, h, tt.path, cityToken)
		if r.status != tt.status {
			t.Errorf("%s: status %d, want %d: %.300s", tt.path, r.status, tt.status, r.body)
			continue
		}
		if tt.status != http.StatusOK && !strings.Contains(r.body, html.EscapeString(tt.names)) {
			t.Errorf("%s: page %.600q, want one naming %s", tt.path, r.body, tt.names)
		}
	}
	// ?on= fills 填报时间 as ?date= does: the same workbook.
	a, b := get(t, h, "/reports/summary/411002.xlsx?on=2026-07-31", weiduToken), get(t, h, "/reports/summary/411002.xlsx?date=2026-07-31", weiduToken)
	if a.status != http.StatusOK || a.body != b.body {
		t.Errorf("附件2 by ?on= and by ?date= differ (%d, %d bytes; %d, %d bytes)", a.status, len(a.body), b.status, len(b.body))
	}
}
