package serve

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/report/reporttest"
	"github.com/xuchang-hrss/creditsync/transform"
)

// Test tokens: one for the city, two for counties. The 魏都区 token is
// configured by its hash, the others through the environment.
const (
	cityToken   = "city-token-7f3a9c2e51d04b8a"
	weiduToken  = "weidu-token-0c8e2b6d94a17f35"
	jiananToken = "jianan-token-5d1f7a0e3c9b2846"
)

// now is the test clock: 3 August 2026, 09:30 in Xuchang.
var now = time.Date(2026, 8, 3, 1, 30, 0, 0, time.UTC)

func testConfig() Config {
	sum := sha256.Sum256([]byte(weiduToken))
	return Config{URLLogin: true, Tokens: []TokenConfig{
		{Name: "city", TokenEnv: "TEST_TOKEN_CITY", Scope: "city"},
		{Name: "weidu", TokenSHA256: hex.EncodeToString(sum[:]), Scope: "411002"},
		{Name: "jianan", TokenEnv: "TEST_TOKEN_JIANAN", Scope: "411003"},
	}}
}

func testEnv(k string) string {
	return map[string]string{"TEST_TOKEN_CITY": cityToken, "TEST_TOKEN_JIANAN": jiananToken}[k]
}

func newServer(t *testing.T, cfg Config) *Server {
	t.Helper()
	s, err := New(Options{Source: reporttest.Fixture(), Config: cfg, Getenv: testEnv, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type response struct {
	status int
	header http.Header
	body   string
}

// get requests path with a bearer token ("" for none).
func get(t *testing.T, h http.Handler, path, token string) response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return do(h, req)
}

func do(h http.Handler, req *http.Request) response {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Result().Body)
	return response{rec.Code, rec.Result().Header, string(b)}
}

// Owners of a probe: who may see what it asks for.
const (
	anyone  = "anyone"  // every token
	cityOne = "city"    // city tokens only
	listing = "listing" // every token, each seeing its own county's part
)

type probe struct {
	path  string
	owner string // anyone, cityOne, listing, or the division code of the institution or county asked for
}

// probes holds, for every authenticated route, requests for things of
// 魏都区, of 建安区, of the city bureau (411000) and of an institution
// registered outside Xuchang.
var probes = map[string][]probe{
	"GET /api/me":           {{"/api/me", anyone}},
	"GET /api/institutions": {{"/api/institutions", listing}, {"/api/institutions?q=有限公司&date=2026-07-31", listing}, {"/api/institutions?q=914110", listing}},
	"GET /api/institutions/{uscc}": {
		{"/api/institutions/" + reporttest.PlainA, "411002"}, {"/api/institutions/" + reporttest.FormulaD + "?date=2026-07-31", "411003"},
		{"/api/institutions/" + reporttest.CityA, "411000"}, {"/api/institutions/" + reporttest.OutsideB, "410100"},
	},
	"GET /api/institutions/{uscc}/explain": {
		{"/api/institutions/" + reporttest.ScriptC + "/explain?date=2026-04-01", "411002"}, {"/api/institutions/" + reporttest.FormulaD + "/explain", "411003"},
	},
	"GET /api/institutions/{uscc}/history": {
		{"/api/institutions/" + reporttest.ScriptC + "/history", "411002"}, {"/api/institutions/" + reporttest.FormulaD + "/history?from=2025-09&to=2026-07", "411003"},
		{"/api/institutions/" + reporttest.CancelledA + "/history", "411003"},
	},
	"GET /api/institutions/{uscc}/eligibility": {
		{"/api/institutions/" + reporttest.ImageB + "/eligibility", "411002"}, {"/api/institutions/" + reporttest.FormulaD + "/eligibility", "411003"},
	},
	"GET /api/grades": {
		{"/api/grades", listing}, {"/api/grades?date=2026-07-31&county=411002", "411002"}, {"/api/grades?county=411003", "411003"},
		{"/api/grades?county=411000", "411000"}, {"/api/grades?county=city", cityOne},
	},
	"GET /api/counties/{code}/trend": {
		{"/api/counties/411002/trend?from=2026-01&to=2026-07", "411002"}, {"/api/counties/411003/trend", "411003"}, {"/api/counties/411000/trend", "411000"},
	},
	"GET /api/city/trend": {{"/api/city/trend?from=2026-05&to=2026-07", cityOne}},
	"GET /{$}":            {{"/", listing}},
	"GET /search":         {{"/search?q=", listing}, {"/search?q=人力资源", listing}},
	"GET /institutions/{uscc}": {
		{"/institutions/" + reporttest.ScriptC, "411002"}, {"/institutions/" + reporttest.FormulaD + "?date=2026-07-31", "411003"},
		{"/institutions/" + reporttest.CityA, "411000"}, {"/institutions/" + reporttest.OutsideB, "410100"},
	},
	"GET /counties/{code}": {{"/counties/411002", "411002"}, {"/counties/411003?from=2026-01&to=2026-07", "411003"}, {"/counties/411000", "411000"}},
	"GET /city":            {{"/city", cityOne}},
	"GET /reports":         {{"/reports", listing}},
	"GET /reports/{kind}/{file}": {
		{"/reports/trend/411002.html", "411002"}, {"/reports/trend/411002.xlsx?from=2026-01&to=2026-07", "411002"}, {"/reports/trend/411003.csv", "411003"},
		{"/reports/summary/411002.xlsx?date=2026-07-31", "411002"}, {"/reports/summary/411003.xlsx", "411003"},
		{"/reports/public/411002.html", "411002"}, {"/reports/public/411003.csv", "411003"},
		{"/reports/trend/city.html", cityOne}, {"/reports/summary/city.xlsx", cityOne}, {"/reports/public/city.csv", cityOne},
		{"/reports/public/411000.html", "411000"},
	},
}

// tokens are the callers of the scope test, with the division each sees
// ("" for the whole city).
var tokens = []struct{ name, token, county string }{
	{"city", cityToken, ""},
	{"魏都区", weiduToken, "411002"},
	{"建安区", jiananToken, "411003"},
}

// foreign returns strings that must not appear in an answer to a token of
// county: the USCCs of other divisions' institutions, links to other
// counties' pages and reports, and the city overview.
func foreign(county string) []string {
	var out []string
	for _, in := range reporttest.Fixture().Institutions {
		if in.CountyCode != county {
			out = append(out, in.USCC)
		}
	}
	for _, c := range append(transform.XuchangCounties(), transform.County{Code: transform.CityCode}) {
		if c.Code != county {
			out = append(out, "/counties/"+c.Code, "/"+c.Code+".")
		}
	}
	return append(out, `href="/city"`, "/city.")
}

// TestScopeOnEveryRoute asks every route for things of every county with
// every kind of token: a county token gets its own county and 404 for all
// else, whatever the route; no token gets nothing.
func TestScopeOnEveryRoute(t *testing.T) {
	s := newServer(t, testConfig())
	h := s.Handler()
	wrongFrom := 0
	for _, rt := range s.routes() {
		if rt.kind == open {
			continue
		}
		ps, ok := probes[rt.pattern]
		if !ok {
			t.Errorf("route %s has no scope probe: add it to probes", rt.pattern)
			continue
		}
		for _, p := range ps {
			for _, tk := range tokens {
				r := get(t, h, p.path, tk.token)
				want := http.StatusOK
				switch p.owner {
				case anyone, listing:
				case cityOne:
					if tk.county != "" {
						want = http.StatusNotFound
					}
				default:
					if tk.county != "" && tk.county != p.owner {
						want = http.StatusNotFound
					}
				}
				if r.status != want {
					t.Errorf("%s with the %s token: status %d, want %d\n%.300s", p.path, tk.name, r.status, want, r.body)
					continue
				}
				if tk.county == "" || r.status != http.StatusOK {
					if r.status == http.StatusNotFound && !strings.Contains(r.body, "Not found") {
						t.Errorf("%s with the %s token: a 404 that differs from the one for what does not exist: %.200s", p.path, tk.name, r.body)
					}
					continue
				}
				for _, f := range foreign(tk.county) {
					if strings.Contains(r.body, f) {
						t.Errorf("%s with the %s token shows %q of another division", p.path, tk.name, f)
					}
				}
			}
			if r := get(t, h, p.path, ""); r.status != unauthenticated(rt.kind) {
				t.Errorf("%s without a token: status %d, want %d", p.path, r.status, unauthenticated(rt.kind))
			}
			// Each probe from an address of its own: the same wrong token
			// again and again from one address is rightly throttled (429).
			wrongFrom++
			req := httptest.NewRequest(http.MethodGet, p.path, nil)
			req.Header.Set("Authorization", "Bearer not-a-token-at-all-000000")
			req.RemoteAddr = fmt.Sprintf("198.18.%d.%d:4000", wrongFrom/250, wrongFrom%250+1)
			if r := do(h, req); r.status != unauthenticated(rt.kind) {
				t.Errorf("%s with a wrong token: status %d, want %d", p.path, r.status, unauthenticated(rt.kind))
			}
		}
	}
	for pattern := range probes {
		if !slices.ContainsFunc(s.routes(), func(r route) bool { return r.pattern == pattern }) {
			t.Errorf("probe for %s, which is not a route", pattern)
		}
	}
}

func unauthenticated(k routeKind) int {
	if k == api {
		return http.StatusUnauthorized
	}
	return http.StatusSeeOther
}

// Things that do not exist answer exactly like things of another county.
func TestNotFoundLooksTheSame(t *testing.T) {
	h := newServer(t, testConfig()).Handler()
	other := get(t, h, "/api/institutions/"+reporttest.FormulaD, weiduToken)
	missing := get(t, h, "/api/institutions/91411002MA99999999", weiduToken)
	if other.status != http.StatusNotFound || other.body != missing.body {
		t.Errorf("another county's institution: %d %q; a missing one: %d %q", other.status, other.body, missing.status, missing.body)
	}
	for _, p := range []string{"/counties/999999", "/reports/trend/411002.pdf", "/reports/nosuch/411002.html", "/nosuch", "/api/counties/city/trend"} {
		if r := get(t, h, p, cityToken); r.status != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", p, r.status)
		}
	}
}

func TestAPIAnswers(t *testing.T) {
	h := newServer(t, testConfig()).Handler()
	var elig eligibilityJSON
	decode(t, get(t, h, "/api/institutions/"+reporttest.ScriptC+"/eligibility?date=2026-04-01", weiduToken), &elig)
	if elig.Eligible || elig.Grade != "C" || !strings.Contains(elig.Reason, "C2 因严重劳动保障违法违规行为被查处") {
		t.Errorf("eligibility of a C institution: %+v", elig)
	}
	decode(t, get(t, h, "/api/institutions/"+reporttest.PlainA+"/eligibility", weiduToken), &elig)
	if !elig.Eligible {
		t.Errorf("eligibility of an A institution: %+v", elig)
	}

	var ex explainJSON
	decode(t, get(t, h, "/api/institutions/"+reporttest.ScriptC+"/explain?date=2026-04-01", weiduToken), &ex)
	if len(ex.Clauses) != 1 || ex.Clauses[0].ID != "C2" || ex.Clauses[0].Rule == "" || len(ex.Clauses[0].Evidence) != 1 || ex.Clauses[0].Evidence[0].ID != "WD-2026-017" {
		t.Errorf("explain: %+v", ex)
	}

	var hist historyJSON
	decode(t, get(t, h, "/api/institutions/"+reporttest.ScriptC+"/history?from=2026-01&to=2026-07", weiduToken), &hist)
	var gs []string
	for _, m := range hist.Months {
		gs = append(gs, string(m.Grade))
	}
	if !slices.Equal(gs, []string{"A", "A", "C", "C", "C", "B", "B"}) || len(hist.Downgrades) != 1 || hist.Downgrades[0].Date != "2026-03-10" {
		t.Errorf("history: grades %v, downgrades %+v", gs, hist.Downgrades)
	}

	var grades gradesJSON
	decode(t, get(t, h, "/api/grades?date=2026-07-31", jiananToken), &grades)
	if grades.Unit != "411003" || len(grades.Grades) != 1 || grades.Counts["D"] != 1 {
		t.Errorf("grades of 建安区 on 2026-07-31: %+v", grades)
	}

	var tr trendJSON
	decode(t, get(t, h, "/api/counties/411002/trend?from=2026-02&to=2026-03", cityToken), &tr)
	if len(tr.Periods) != 2 || tr.Periods[1].Counts["C"] != 1 || tr.Transitions[1].Moves["A→C"] != 1 || tr.Transitions[0].Entered == nil || *tr.Transitions[0].Entered != 1 {
		t.Errorf("trend: %+v", tr)
	}

	for _, bad := range []string{"/api/grades?date=2026-02-30", "/api/grades?date=2026-08-04", "/api/institutions?date=1999-12-31", "/api/counties/411002/trend?from=2020-01", "/api/city/trend?from=2026-07&to=2026-01"} {
		r := get(t, h, bad, cityToken)
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, "error") {
			t.Errorf("%s: %d %s, want 400 with the reason", bad, r.status, r.body)
		}
	}
}

func decode(t *testing.T, r response, v any) {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("%v: %s", err, r.body)
	}
}

// Hostile names are text on every page and in the JSON.
func TestHostileNamesAreEscaped(t *testing.T) {
	h := newServer(t, testConfig()).Handler()
	for _, c := range []struct {
		path string
		name string // a hostile name the page shows, "" when it shows none
	}{
		{"/", ""}, {"/reports", ""},
		{"/search?q=", reporttest.ScriptName},
		{"/search?q=" + url.QueryEscape(reporttest.ScriptName), reporttest.ScriptName},
		{"/institutions/" + reporttest.ScriptC, reporttest.ScriptName},
		{"/institutions/" + reporttest.ImageB, reporttest.ImageName},
		{"/counties/411002", reporttest.ScriptName},
		{"/city", reporttest.ScriptName},
		{"/reports/trend/city.html", reporttest.FormulaName},
		{"/reports/public/411002.html", reporttest.ImageName},
	} {
		r := get(t, h, c.path, cityToken)
		if r.status != http.StatusOK {
			t.Errorf("%s: status %d", c.path, r.status)
			continue
		}
		for _, problem := range reporttest.CheckHTML([]byte(r.body)) {
			t.Errorf("%s: %s", c.path, problem)
		}
		if c.name != "" && !slices.Contains(reporttest.TextNodes([]byte(r.body)), c.name) {
			t.Errorf("%s: %s is not shown as text", c.path, c.name)
		}
	}
	r := get(t, h, "/api/institutions?q=script", cityToken)
	if strings.Contains(r.body, "<script>") || !strings.Contains(r.body, `\u003cscript\u003e`) {
		t.Errorf("JSON does not escape the name: %s", r.body)
	}
	// What the user typed comes back escaped too.
	r = get(t, h, "/search?q="+url.QueryEscape(`"><img src=x>`), cityToken)
	if problems := reporttest.CheckHTML([]byte(r.body)); len(problems) > 0 {
		t.Errorf("search echo: %v", problems)
	}
}

func TestSecurityHeadersAndLimits(t *testing.T) {
	s := newServer(t, testConfig())
	h := s.Handler()
	r := get(t, h, "/", cityToken)
	for k, want := range map[string]string{"Content-Security-Policy": "default-src 'none'", "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store", "X-Frame-Options": "DENY"} {
		if !strings.Contains(r.header.Get(k), want) {
			t.Errorf("header %s = %q, want %q", k, r.header.Get(k), want)
		}
	}
	if r := get(t, h, "/search?q="+strings.Repeat("x", 3000), cityToken); r.status != http.StatusRequestURITooLong {
		t.Errorf("long URL: status %d", r.status)
	}
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader("token="+strings.Repeat("x", 10000)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if r := do(h, req); r.status != http.StatusBadRequest {
		t.Errorf("oversized login form: status %d, want 400", r.status)
	}
	srv := s.HTTPServer("127.0.0.1:0")
	if srv.ReadHeaderTimeout == 0 || srv.ReadTimeout == 0 || srv.WriteTimeout == 0 || srv.IdleTimeout == 0 || srv.MaxHeaderBytes == 0 {
		t.Errorf("http.Server without timeouts or limits: %+v", srv)
	}
	// An idle keep-alive connection holds one of the daemon's bounded
	// connections: a minute let one /ping every 40 s hold it for free.
	if srv.IdleTimeout > 15*time.Second {
		t.Errorf("idle connections kept %v", srv.IdleTimeout)
	}
}

func TestLoginSession(t *testing.T) {
	s := newServer(t, testConfig())
	h := s.Handler()
	login := func(tok, next string) response {
		req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"token": {tok}, "next": {next}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return do(h, req)
	}
	if r := login("wrong-token-0000000000", "/"); r.status != http.StatusUnauthorized || r.header.Get("Set-Cookie") != "" {
		t.Errorf("wrong token: status %d, cookie %q", r.status, r.header.Get("Set-Cookie"))
	}
	r := login(weiduToken, "/counties/411002")
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/counties/411002" {
		t.Fatalf("login: %d to %q", r.status, r.header.Get("Location"))
	}
	cookie := r.header.Get("Set-Cookie")
	if strings.Contains(cookie, weiduToken) || !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Lax") {
		t.Errorf("session cookie %q: must be HttpOnly, SameSite and not hold the token", cookie)
	}
	value := strings.TrimPrefix(strings.Split(cookie, ";")[0], sessionCookie+"=")
	withCookie := func(path, v string) int {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: v})
		return do(h, req).status
	}
	if st := withCookie("/counties/411002", value); st != http.StatusOK {
		t.Errorf("own county with the session: %d", st)
	}
	if st := withCookie("/counties/411003", value); st != http.StatusNotFound {
		t.Errorf("other county with the session: %d", st)
	}
	// Change the signature's last hex digit — to a digit it is not.
	last := "0"
	if strings.HasSuffix(value, "0") {
		last = "1"
	}
	if st := withCookie("/api/me", value[:len(value)-1]+last); st != http.StatusUnauthorized {
		t.Errorf("tampered session: %d", st)
	}
	if _, ok := s.lookupSession(value, now.Add(sessionFor+time.Second)); ok {
		t.Error("session accepted after it expired")
	}
	if r := login(weiduToken, "//evil.example/x"); r.header.Get("Location") != "/" {
		t.Errorf("next=//evil.example redirected to %q", r.header.Get("Location"))
	}
	if r := get(t, h, "/counties/411002?from=2026-01", ""); r.header.Get("Location") != "/login?next="+url.QueryEscape("/counties/411002?from=2026-01") {
		t.Errorf("page without a session redirects to %q", r.header.Get("Location"))
	}
}

func TestURLLoginIsOffByDefault(t *testing.T) {
	cfg := testConfig()
	cfg.URLLogin = false
	h := newServer(t, cfg).Handler()
	r := get(t, h, "/login?token="+cityToken+"&next=/city", "")
	if r.status != http.StatusOK || r.header.Get("Set-Cookie") != "" {
		t.Errorf("URL login while off: status %d, cookie %q", r.status, r.header.Get("Set-Cookie"))
	}
}

// With url_login on, a link on another site does not sign the visitor in
// with that site's token (a form posted from there may not either); a
// link opened from a bookmark or a mail program (Sec-Fetch-Site: none),
// or by a client that sends no such header, does.
func TestURLLoginRefusesALinkOnAnotherSite(t *testing.T) {
	h := newServer(t, testConfig()).Handler()
	for _, tt := range []struct {
		fetchSite string
		signsIn   bool
	}{{"cross-site", false}, {"same-site", false}, {"none", true}, {"same-origin", true}, {"", true}} {
		req := httptest.NewRequest(http.MethodGet, "/login?token="+cityToken+"&next=/city", nil)
		if tt.fetchSite != "" {
			req.Header.Set("Sec-Fetch-Site", tt.fetchSite)
			req.Header.Set("Sec-Fetch-Mode", "navigate")
		}
		r := do(h, req)
		if signedIn := r.header.Get("Set-Cookie") != ""; signedIn != tt.signsIn {
			t.Errorf("Sec-Fetch-Site %q: status %d, signed in %v, want %v", tt.fetchSite, r.status, signedIn, tt.signsIn)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	good := TokenConfig{TokenEnv: "TEST_TOKEN_CITY", Scope: "city"}
	for name, tc := range map[string][]TokenConfig{
		"none":        nil,
		"short env":   {{TokenEnv: "SHORT", Scope: "city"}},
		"unset env":   {{TokenEnv: "UNSET", Scope: "city"}},
		"both":        {{TokenEnv: "TEST_TOKEN_CITY", TokenSHA256: strings.Repeat("a", 64), Scope: "city"}},
		"neither":     {{Scope: "city"}},
		"bad hash":    {{TokenSHA256: "abc", Scope: "city"}},
		"bad scope":   {{TokenEnv: "TEST_TOKEN_CITY", Scope: "411099"}},
		"city code":   {{TokenEnv: "TEST_TOKEN_CITY", Scope: "411000"}},
		"empty scope": {{TokenEnv: "TEST_TOKEN_CITY"}},
		"duplicate":   {good, {TokenEnv: "TEST_TOKEN_CITY", Scope: "411002"}},
		// Two tokens, one name: one identity for query ids, KILL QUERY,
		// slots and the audit.
		"same name": {{Name: "analyst", TokenEnv: "TEST_TOKEN_CITY", Scope: "city"}, {Name: "analyst", TokenEnv: "TEST_TOKEN_WEIDU", Scope: "411002"}},
	} {
		_, err := New(Options{Source: reporttest.Fixture(), Config: Config{Tokens: tc},
			Getenv: func(k string) string {
				return map[string]string{"TEST_TOKEN_CITY": cityToken, "TEST_TOKEN_WEIDU": weiduToken, "SHORT": "abc"}[k]
			}})
		if err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), cityToken) {
			t.Errorf("%s: error shows the token: %v", name, err)
		}
	}
}

// The public list downloaded from the web carries its bureau's contact,
// as the one the CLI writes does: a county's own when it has one, as its
// own; else the city bureau's, named as the city's.
func TestPublicListCarriesTheContact(t *testing.T) {
	contacts := report.PublicContacts{
		City:     report.PublicContact{Person: "信用科", Phone: "0374-1234567"},
		Counties: map[string]report.PublicContact{"411002": {Person: "魏都区市场股", Phone: "0374-7654321"}},
	}
	s, err := New(Options{Source: reporttest.Fixture(), Config: testConfig(), Getenv: testEnv, Now: func() time.Time { return now }, Contacts: contacts})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path, token string
		want        string
		not         []string
	}{
		{"/reports/public/411002.html", weiduToken, "联系人：魏都区市场股；联系电话：0374-7654321。", []string{"0374-1234567", "联系方式："}},
		{"/reports/public/411002.html", cityToken, "联系人：魏都区市场股；联系电话：0374-7654321。", []string{"0374-1234567", "联系方式："}},
		{"/reports/public/411003.html", jiananToken, "许昌市人力资源和社会保障局联系方式：联系人：信用科；联系电话：0374-1234567。", []string{"0374-7654321"}},
		{"/reports/public/city.html", cityToken, "联系人：信用科；联系电话：0374-1234567。", []string{"0374-7654321", "联系方式："}},
	} {
		r := get(t, s.Handler(), tt.path, tt.token)
		if r.status != http.StatusOK || !strings.Contains(r.body, tt.want) {
			t.Errorf("%s: status %d; the public list lacks %q", tt.path, r.status, tt.want)
		}
		for _, not := range tt.not {
			if strings.Contains(r.body, not) {
				t.Errorf("%s: the public list shows %q", tt.path, not)
			}
		}
	}
	if r := get(t, newServer(t, testConfig()).Handler(), "/reports/public/411002.html", cityToken); strings.Contains(r.body, "0374-") {
		t.Error("a contact appears without one configured")
	}
}

// blockingSource holds every GradesOn until release is closed, counting
// the calls under way.
type blockingSource struct {
	*reporttest.Source
	inside  atomic.Int32
	release chan struct{}
}

func (b *blockingSource) GradesOn(ctx context.Context, day time.Time) ([]report.InstitutionGrade, error) {
	b.inside.Add(1)
	defer b.inside.Add(-1)
	select {
	case <-b.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return b.Source.GradesOn(ctx, day)
}

// One token's requests are served a few at a time: a reader asking for
// many days at once queues behind itself, and another bureau's page is
// served meanwhile.
func TestOneTokenCannotHoldTheServer(t *testing.T) {
	src := &blockingSource{Source: reporttest.Fixture(), release: make(chan struct{})}
	s, err := New(Options{Source: src, Config: testConfig(), Getenv: testEnv, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	var wg sync.WaitGroup
	for i := range tokenRequests + 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			get(t, h, fmt.Sprintf("/api/grades?on=2026-07-%02d", i+1), weiduToken)
		}()
	}
	deadline := time.Now().Add(10 * time.Second)
	for src.inside.Load() < tokenRequests && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // room for any more to slip in
	if n := src.inside.Load(); n != tokenRequests {
		t.Errorf("%d requests of one token served at once, want %d", n, tokenRequests)
	}
	// Another token is served beside them.
	other := make(chan int, 1)
	go func() { other <- get(t, h, "/api/grades?on=2026-06-30", cityToken).status }()
	for src.inside.Load() <= tokenRequests && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := src.inside.Load(); n != tokenRequests+1 {
		t.Errorf("another token's request is not served beside them: %d under way", n)
	}
	close(src.release)
	if st := <-other; st != http.StatusOK {
		t.Errorf("another token's request: %d", st)
	}
	wg.Wait()
}

// A token with blanks around it in its variable (an environment file
// keeps them) was hashed with them: the web pages, which trim what they
// are sent, never matched it, while the SQL endpoint's basic auth did.
// Refused at configuration, naming the variable, never the token.
func TestTokenWithBlanksRefused(t *testing.T) {
	for _, v := range []string{cityToken + "  ", " " + cityToken, cityToken + "\n"} {
		_, err := New(Options{Source: reporttest.Fixture(), Config: Config{Tokens: []TokenConfig{{TokenEnv: "SPACED", Scope: "city"}}},
			Getenv: func(k string) string { return map[string]string{"SPACED": v}[k] }})
		if err == nil || !strings.Contains(err.Error(), "environment variable SPACED holds white space before or after the token") || strings.Contains(err.Error(), cityToken) {
			t.Errorf("%q: %v", v, err)
		}
	}
}

// A path under /api/ that names no endpoint is answered as the API
// answers: JSON, 404 whatever its parameters, 401 without a token. It
// was a page: a 404 page, a 400 page for a parameter, a redirect to the
// sign-in page without a token.
func TestUnknownAPIPathAnswersAsTheAPI(t *testing.T) {
	s, err := New(Options{Source: reporttest.Fixture(), Config: testConfig(), Getenv: testEnv, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path, token string
		status      int
	}{
		{"/api/nosuch", cityToken, http.StatusNotFound},
		{"/api/nosuch?on=2026-07-31", weiduToken, http.StatusNotFound},
		{"/api/institutions/91411002MA4000001T/", cityToken, http.StatusNotFound},
		{"/api/nosuch", "", http.StatusUnauthorized},
	} {
		r := get(t, s.Handler(), tt.path, tt.token)
		if r.status != tt.status || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") || !strings.HasPrefix(strings.TrimSpace(r.body), "{") {
			t.Errorf("%s: %d %s %.80q; want %d JSON", tt.path, r.status, r.header.Get("Content-Type"), r.body, tt.status)
		}
	}
	if r := get(t, s.Handler(), "/nosuch?x=1", cityToken); r.status != http.StatusNotFound || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Errorf("/nosuch: %d %s, want a 404 page", r.status, r.header.Get("Content-Type"))
	}
}

// The connection bounds come from [serve]; the trusted proxies are not
// bounded per address, since every client behind one comes from its
// address, and a wrong bound is a configuration mistake.
func TestConnLimits(t *testing.T) {
	lim, err := Config{TrustedProxies: []string{"10.0.0.0/8"}, MaxConnections: 100, MaxConnectionsPerClient: 3}.ConnLimits()
	if err != nil {
		t.Fatal(err)
	}
	if lim.Total != 100 || lim.PerClient != 3 || lim.Exempt == nil {
		t.Fatalf("limits %+v", lim)
	}
	for addr, exempt := range map[string]bool{"10.1.2.3": true, "192.0.2.1": false} {
		if got := lim.Exempt(netip.MustParseAddr(addr)); got != exempt {
			t.Errorf("%s exempt %v, want %v", addr, got, exempt)
		}
	}
	for _, c := range []Config{{MaxConnections: -1}, {MaxConnectionsPerClient: -1}, {TrustedProxies: []string{"nonsense"}}} {
		if _, err := c.ConnLimits(); !errors.Is(err, ErrConfig) {
			t.Errorf("%+v: error %v, want ErrConfig", c, err)
		}
	}
}
