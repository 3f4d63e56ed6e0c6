package serve

import (
	"encoding/json"
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
