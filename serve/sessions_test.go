package serve

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/report/reporttest"
)

func newStatefulServer(t *testing.T, dir string) *Server {
	t.Helper()
	s, err := New(Options{Source: reporttest.Fixture(), Config: testConfig(), Getenv: testEnv, Now: func() time.Time { return now }, StateDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// postLogin signs in through the form from addr and returns the answer.
func postLogin(h http.Handler, addr, tok, next string) response {
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"token": {tok}, "next": {next}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = addr
	return do(h, req)
}

func sessionValue(t *testing.T, r response) string {
	t.Helper()
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == sessionCookie && c.Value != "" {
			return c.Value
		}
	}
	t.Fatalf("no session cookie in %v", r.header)
	return ""
}

func withSession(h http.Handler, method, path, value string) response {
	req := httptest.NewRequest(method, path, nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: value})
	return do(h, req)
}

// A proxy's own Authorization header (Basic, forwarded) does not hide the
// session cookie, and a bearer token's scheme is read in any case.
func TestAuthorizationSchemes(t *testing.T) {
	h := newStatefulServer(t, t.TempDir()).Handler()
	value := sessionValue(t, postLogin(h, "192.0.2.1:1000", weiduToken, "/"))
	req := httptest.NewRequest(http.MethodGet, "/api/me", nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: value})
	req.Header.Set("Authorization", "Basic dXNlcjpwYXNz")
	if r := do(h, req); r.status != http.StatusOK {
		t.Errorf("a session behind a proxy's Basic header: %d", r.status)
	}
	req = httptest.NewRequest(http.MethodGet, "/api/me", nil)
	req.Header.Set("Authorization", "bearer "+weiduToken)
	if r := do(h, req); r.status != http.StatusOK {
		t.Errorf("a bearer token with its scheme in lower case: %d", r.status)
	}
}

// A form on another site can neither sign a visitor in nor out.
func TestNoCrossSiteSignInOrOut(t *testing.T) {
	h := newStatefulServer(t, t.TempDir()).Handler()
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"token": {weiduToken}, "next": {"/"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if r := do(h, req); r.status != http.StatusForbidden || r.header.Get("Set-Cookie") != "" {
		t.Errorf("cross-site sign-in: %d, Set-Cookie %q", r.status, r.header.Get("Set-Cookie"))
	}
	value := sessionValue(t, postLogin(h, "192.0.2.1:1000", weiduToken, "/"))
	req = httptest.NewRequest(http.MethodPost, "/logout", nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: value})
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if r := do(h, req); r.status != http.StatusForbidden {
		t.Errorf("cross-site sign-out: %d", r.status)
	}
	if r := withSession(h, http.MethodGet, "/api/me", value); r.status != http.StatusOK {
		t.Errorf("the session after a refused cross-site sign-out: %d", r.status)
	}
	// A browser that sends no Sec-Fetch-Site is judged by its Origin.
	req = httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"token": {weiduToken}, "next": {"/"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://evil.example")
	if r := do(h, req); r.status != http.StatusForbidden || r.header.Get("Set-Cookie") != "" {
		t.Errorf("sign-in from another Origin: %d, Set-Cookie %q", r.status, r.header.Get("Set-Cookie"))
	}
	req = httptest.NewRequest(http.MethodPost, "/logout", nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: value})
	req.Header.Set("Origin", "http://evil.example")
	if r := do(h, req); r.status != http.StatusForbidden {
		t.Errorf("sign-out from another Origin: %d", r.status)
	}
	for _, same := range []map[string]string{{"Sec-Fetch-Site": "same-origin"}, {"Origin": "http://" + req.Host}, {}} {
		req = httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"token": {weiduToken}, "next": {"/"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range same {
			req.Header.Set(k, v)
		}
		if r := do(h, req); r.status != http.StatusSeeOther {
			t.Errorf("same-origin sign-in (%v): %d", same, r.status)
		}
	}
}

func TestSessionSurvivesRestartAndDiesAtLogout(t *testing.T) {
	dir := t.TempDir()
	first := newStatefulServer(t, dir).Handler()
	value := sessionValue(t, postLogin(first, "192.0.2.1:1000", weiduToken, "/"))

	// A restart (a new server on the same state) keeps the session.
	second := newStatefulServer(t, dir).Handler()
	if r := withSession(second, http.MethodGet, "/api/me", value); r.status != http.StatusOK {
		t.Fatalf("session after restart: %d", r.status)
	}
	if fi, err := os.Stat(filepath.Join(dir, keyFileName)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("session key file: %v, %v", fi, err)
	}
	// Logout revokes it on the server: the same cookie, replayed, fails,
	// here and after another restart.
	if r := withSession(second, http.MethodPost, "/logout", value); r.status != http.StatusSeeOther {
		t.Fatalf("logout: %d", r.status)
	}
	if r := withSession(second, http.MethodGet, "/api/me", value); r.status != http.StatusUnauthorized {
		t.Errorf("session after logout: %d", r.status)
	}
	third := newStatefulServer(t, dir).Handler()
	if r := withSession(third, http.MethodGet, "/api/me", value); r.status != http.StatusUnauthorized {
		t.Errorf("logged-out session after restart: %d", r.status)
	}
	// Another sign-in of the same token is a session of its own.
	other := sessionValue(t, postLogin(third, "192.0.2.1:1000", weiduToken, "/"))
	if r := withSession(third, http.MethodGet, "/api/me", other); r.status != http.StatusOK {
		t.Errorf("new session: %d", r.status)
	}
	// Without a state directory a restart signs everyone out.
	if r := withSession(newServer(t, testConfig()).Handler(), http.MethodGet, "/api/me", other); r.status != http.StatusUnauthorized {
		t.Errorf("session accepted by a server with another key: %d", r.status)
	}
}

func TestWrongTokensAreThrottled(t *testing.T) {
	h := newServer(t, testConfig()).Handler()
	const guesser, other = "198.51.100.7:4000", "198.51.100.8:4000"
	for i := range freeTriesAddress {
		if r := postLogin(h, guesser, fmt.Sprintf("wrong-token-%011d", i), "/"); r.status != http.StatusUnauthorized {
			t.Fatalf("wrong token %d: %d", i+1, r.status)
		}
	}
	// Now even the right token must wait: it never worked from here.
	r := postLogin(h, guesser, weiduToken, "/")
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" || r.header.Get("Set-Cookie") != "" {
		t.Errorf("throttled sign-in: %d, Retry-After %q", r.status, r.header.Get("Retry-After"))
	}
	req := httptest.NewRequest(http.MethodGet, "/api/me", nil)
	req.Header.Set("Authorization", "Bearer "+weiduToken)
	req.RemoteAddr = guesser
	if r := do(h, req); r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Errorf("throttled bearer: %d, Retry-After %q", r.status, r.header.Get("Retry-After"))
	}
	// Others are not slowed down.
	if r := postLogin(h, other, weiduToken, "/"); r.status != http.StatusSeeOther {
		t.Errorf("sign-in from another address: %d", r.status)
	}
}

func TestThrottleWaitGrowsAndEnds(t *testing.T) {
	clock := now
	th := NewThrottle()
	th.now = func() time.Time { return clock }
	for range freeTries {
		th.Failed("a", "wrong")
	}
	if ok, wait := th.Allow("a", "wrong"); ok || wait != firstWait {
		t.Fatalf("after %d failures: allowed %v, wait %s", freeTries, ok, wait)
	}
	clock = clock.Add(firstWait)
	th.Failed("a", "wrong")
	if _, wait := th.Allow("a", "wrong"); wait != 2*firstWait {
		t.Errorf("next wait %s, want %s", wait, 2*firstWait)
	}
	th.Succeeded("a", "wrong")
	if ok, _ := th.Allow("a", "wrong"); !ok {
		t.Error("a right token did not clear its own failures")
	}
}

// One client's wrong token must not lock out another token, from the same
// address or another; a guesser trying many tokens from one address must
// still wait, except with a token that already worked from there.
func TestThrottleCannotBeTurnedAgainstOthers(t *testing.T) {
	clock := now
	th := NewThrottle()
	th.now = func() time.Time { return clock }
	th.Succeeded("proxy", "county-a")
	for range 2 * freeTries {
		th.Failed("proxy", "typo")
	}
	if ok, _ := th.Allow("proxy", "typo"); ok {
		t.Error("a wrong token retried 10 times is not slowed down")
	}
	for _, tok := range []string{"county-a", "county-b"} {
		if ok, wait := th.Allow("proxy", tok); !ok {
			t.Errorf("one typo locked out %s from the same address for %s", tok, wait)
		}
	}
	if ok, _ := th.Allow("elsewhere", "typo"); !ok {
		t.Error("a wrong token from one address is slowed down at another")
	}
	for i := range freeTriesAddress {
		th.Failed("guesser", fmt.Sprintf("guess-%d", i))
	}
	if ok, _ := th.Allow("guesser", "county-b"); ok {
		t.Errorf("after %d distinct wrong tokens an untried token is not slowed down", freeTriesAddress)
	}
	if ok, _ := th.Allow("proxy", "county-b"); !ok {
		t.Error("a guesser at one address slowed down another address")
	}
	th.Succeeded("guesser", "county-a")
	clock = clock.Add(time.Second)
	if ok, _ := th.Allow("guesser", "county-a"); !ok {
		t.Error("a token that worked from an address is refused there")
	}
}

func TestNextIsAPlainLocalPath(t *testing.T) {
	h := newServer(t, testConfig()).Handler()
	tests := []struct{ next, want string }{
		{"/counties/411002?from=2026-01", "/counties/411002?from=2026-01"},
		{"/\t/evil.example/", "/"}, // next=/%09/evil.example/ once decoded
		{"/\n/evil.example/", "/"},
		{"//evil.example/", "/"},
		{"/\\evil.example/", "/"},
		{"/\\/evil.example/", "/"},
		{"https://evil.example/", "/"},
		{"evil.example", "/"},
		{"/city?token=" + cityToken, "/"},
		{"/ /evil", "/"},
	}
	for _, tt := range tests {
		r := postLogin(h, "203.0.113.1:1", cityToken, tt.next)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != tt.want {
			t.Errorf("next %q: %d to %q, want %q", tt.next, r.status, r.header.Get("Location"), tt.want)
		}
	}
	// The raw query form of the tab case, through the login page.
	r := get(t, h, "/login?next=/%09/evil.example/", "")
	if strings.Contains(r.body, "evil.example") {
		t.Errorf("login page carries the off-site next: %s", r.body)
	}
}

func TestTokenIsNeverEchoed(t *testing.T) {
	h := newServer(t, testConfig()).Handler()
	const typed = "typed-but-wrong-token-123456"
	pages := map[string]response{
		"failed form sign-in":  postLogin(h, "203.0.113.2:1", typed, "/city?token="+typed),
		"failed URL sign-in":   get(t, h, "/login?token="+typed+"&next=/city", ""),
		"next carrying token":  get(t, h, "/login?next="+url.QueryEscape("/city?token="+typed), ""),
		"redirect after login": postLogin(h, "203.0.113.3:1", cityToken, "/city?token="+cityToken),
	}
	for name, r := range pages {
		for _, secret := range []string{typed, cityToken} {
			if strings.Contains(r.body, secret) || strings.Contains(r.header.Get("Location"), secret) {
				t.Errorf("%s: the token comes back (status %d)", name, r.status)
			}
		}
	}
}

// A token put in a page's URL must not travel on in the sign-in
// redirect's next (it would land in the login page's URL, history and
// logs).
func TestRedirectNeverCarriesAToken(t *testing.T) {
	h := newServer(t, testConfig()).Handler()
	for _, path := range []string{
		"/counties/411002?token=" + weiduToken,
		"/counties/411002?from=2026-01&Token=" + weiduToken,
		"/counties/411002?access_token=" + weiduToken + "&from=2026-01",
		"/counties/411002?password=" + weiduToken,
		// url.Values drops a pair holding a ; whole, the token with it.
		"/counties/411002?token=" + weiduToken + ";",
		"/counties/411002?t=x;token=" + weiduToken,
	} {
		r := get(t, h, path, "")
		loc := r.header.Get("Location")
		if r.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?next=") {
			t.Errorf("%s: %d to %q, want a redirect to sign in", path, r.status, loc)
		}
		if strings.Contains(loc, weiduToken) {
			t.Errorf("%s: the redirect carries the token: %s", path, loc)
		}
	}
	if r := get(t, h, "/counties/411002?from=2026-01&token=x", ""); !strings.Contains(r.header.Get("Location"), url.QueryEscape("from=2026-01")) {
		t.Errorf("the other parameters were lost: %s", r.header.Get("Location"))
	}
}
