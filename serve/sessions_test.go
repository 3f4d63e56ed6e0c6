package serve

import (
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
	for i := range freeTries {
		if r := postLogin(h, guesser, "wrong-token-00000000000", "/"); r.status != http.StatusUnauthorized {
			t.Fatalf("wrong token %d: %d", i+1, r.status)
		}
	}
	// Now even the right token must wait.
	r := postLogin(h, guesser, weiduToken, "/")
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" || r.header.Get("Set-Cookie") != "" {
		t.Errorf("throttled sign-in: %d, Retry-After %q", r.status, r.header.Get("Retry-After"))
	}
	req := httptest.NewRequest(http.MethodGet, "/api/me", nil)
	req.Header.Set("Authorization", "Bearer "+weiduToken)
	req.RemoteAddr = guesser
	if r := do(h, req); r.status != http.StatusUnauthorized {
		t.Errorf("throttled bearer: %d", r.status)
	}
	// Others are not slowed down.
	if r := postLogin(h, other, weiduToken, "/"); r.status != http.StatusSeeOther {
		t.Errorf("sign-in from another address: %d", r.status)
	}
}

func TestThrottleWaitGrowsAndEnds(t *testing.T) {
	clock := now
	th := &Throttle{m: map[string]*attempts{}, now: func() time.Time { return clock }}
	for range freeTries {
		th.Failed("a")
	}
	if ok, wait := th.Allow("a"); ok || wait != firstWait {
		t.Fatalf("after %d failures: allowed %v, wait %s", freeTries, ok, wait)
	}
	clock = clock.Add(firstWait)
	th.Failed("a")
	if _, wait := th.Allow("a"); wait != 2*firstWait {
		t.Errorf("next wait %s, want %s", wait, 2*firstWait)
	}
	th.Succeeded("a")
	if ok, _ := th.Allow("a"); !ok {
		t.Error("a right token did not clear the address")
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
