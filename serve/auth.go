package serve

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// sessionCookie holds a signed session, never the token: a stolen cookie
// expires, and dies at logout (the session is revoked on the server).
const (
	sessionCookie = "creditsync_session"
	sessionFor    = 12 * time.Hour
)

type scopeKey struct{}

// scopeOf returns the scope the request was authenticated with.
func scopeOf(ctx context.Context) Scope {
	sc, _ := ctx.Value(scopeKey{}).(Scope)
	return sc
}

// authenticate finds the credential of a request: a bearer token, else a
// session cookie. wait is set when the token may not be tried yet.
func (s *Server) authenticate(r *http.Request) (c credential, wait time.Duration, ok bool) {
	// A bearer token, its scheme in any case (RFC 7235); any other
	// scheme (a proxy's Basic credentials, forwarded) is not ours, and
	// the session cookie decides.
	if scheme, tok, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " "); strings.EqualFold(scheme, "Bearer") {
		tok = strings.TrimSpace(tok)
		addr := s.proxies.Addr(r)
		if ok, wait := s.throttle.Allow(addr, tok); !ok {
			return credential{}, wait, false
		}
		c, ok := s.lookupToken(tok)
		if ok {
			s.throttle.Succeeded(addr, tok)
		} else {
			s.throttle.Failed(addr, tok)
		}
		return c, 0, ok
	}
	if ck, err := r.Cookie(sessionCookie); err == nil {
		c, ok := s.lookupSession(ck.Value, s.now())
		return c, 0, ok
	}
	return credential{}, 0, false
}

// lookupToken compares the token's hash with every credential in
// constant time, so timing tells nothing about how close a guess was.
func (s *Server) lookupToken(tok string) (credential, bool) {
	if tok == "" {
		return credential{}, false
	}
	h := sha256.Sum256([]byte(tok))
	found, match := credential{}, 0
	for _, c := range s.creds {
		if subtle.ConstantTimeCompare(h[:], c.hash[:]) == 1 {
			found, match = c, 1
		}
	}
	return found, match == 1
}

// session signs one sign-in of a credential:
// "<unix expiry>.<session id>.<hex mac>".
func (s *Server) session(c credential, exp time.Time) string {
	e := strconv.FormatInt(exp.Unix(), 10)
	id := newSessionID()
	return e + "." + id + "." + hex.EncodeToString(s.mac(c, e, id))
}

func (s *Server) mac(c credential, exp, id string) []byte {
	m := hmac.New(sha256.New, s.key[:])
	m.Write(c.hash[:])
	m.Write([]byte{0})
	m.Write([]byte(exp))
	m.Write([]byte{0})
	m.Write([]byte(id))
	return m.Sum(nil)
}

// lookupSession checks a cookie's signature, expiry and revocation; it
// returns the credential and the session's id and expiry.
func (s *Server) lookupSession(v string, now time.Time) (credential, bool) {
	c, _, _, ok := s.parseSession(v, now)
	return c, ok
}

func (s *Server) parseSession(v string, now time.Time) (c credential, id string, exp int64, ok bool) {
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return credential{}, "", 0, false
	}
	e, id, sig := parts[0], parts[1], parts[2]
	exp, err := strconv.ParseInt(e, 10, 64)
	if err != nil || now.Unix() >= exp {
		return credential{}, "", 0, false
	}
	got, err := hex.DecodeString(sig)
	if err != nil {
		return credential{}, "", 0, false
	}
	for _, cr := range s.creds {
		if hmac.Equal(got, s.mac(cr, e, id)) {
			if s.sessions.isRevoked(id) {
				return credential{}, "", 0, false
			}
			return cr, id, exp, true
		}
	}
	return credential{}, "", 0, false
}

// setSession signs the browser in with a cookie it cannot read from
// script, sent back only with requests to this site.
func (s *Server) setSession(w http.ResponseWriter, r *http.Request, c credential) {
	exp := s.now().Add(sessionFor)
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: s.session(c, exp), Path: "/", Expires: exp, MaxAge: int(sessionFor.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secure(r),
	})
}

func clearSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secure(r)})
}

// secure reports whether the browser reached us over HTTPS, directly or
// through a proxy that says so; the cookie is then kept off plain HTTP.
func secure(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// localPath returns next when it is a plain path on this site, else "/":
// a login link must not send the browser elsewhere (open redirect), and
// browsers drop tabs and newlines and read a backslash as a slash, so
// "/\t/evil.example" would become "//evil.example". Nor may it carry a
// token back into a page: a next holding a token parameter is refused.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return "/"
	}
	for _, c := range []byte(next) {
		if c < 0x21 || c == 0x7f || c == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	if u.Query().Has("token") || strings.Contains(strings.ToLower(u.RawQuery), "token") {
		return "/"
	}
	return next
}

// secretParams are query parameters that may carry a credential; they are
// dropped from a URL before it is echoed anywhere (a sign-in redirect's
// next, a log line).
var secretParams = []string{"token", "password", "key", "access_token"}

// withoutSecrets returns u's path and query with every parameter that
// may carry a credential removed.
//
// The query is split by hand on & and on ; alike: url.Values drops a pair
// holding a ; whole (token=x;), and with it the one pair that mattered.
func withoutSecrets(u *url.URL) string {
	var kept []string
	changed := false
	for _, pair := range strings.FieldsFunc(u.RawQuery, func(r rune) bool { return r == '&' || r == ';' }) {
		key, _, _ := strings.Cut(pair, "=")
		if k, err := url.QueryUnescape(key); err == nil {
			key = k
		}
		if slices.ContainsFunc(secretParams, func(s string) bool { return strings.Contains(strings.ToLower(key), s) }) {
			changed = true
			continue
		}
		kept = append(kept, pair)
	}
	if !changed {
		return u.RequestURI()
	}
	c := *u
	c.RawQuery = strings.Join(kept, "&")
	return c.RequestURI()
}

// handleLoginForm shows the login form, or, when URL login is on and the
// URL carries a token, signs in with it.
func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.URL.Query().Get("next"))
	if tok := r.URL.Query().Get("token"); tok != "" && s.urlLogin {
		if crossSiteNavigation(r) {
			// A link on another site must not sign the visitor in with
			// that site's token, as its form may not (handleLogin): the
			// sign-in form is shown instead, the token not used.
			s.renderPage(w, r, http.StatusForbidden, "login", "登录 Sign in", loginPage{Next: next, Failed: true})
			return
		}
		s.login(w, r, tok, next)
		return
	}
	s.renderPage(w, r, http.StatusOK, "login", "登录 Sign in", loginPage{Next: next})
}

// sameOrigin is the standard library's cross-origin protection: a
// browser's Sec-Fetch-Site header, or, from a browser that sends none,
// its Origin against the request's Host.
var sameOrigin = http.NewCrossOriginProtection()

// crossSite reports a form a browser posted from another origin: one
// there must not sign a visitor in with the other site's token, nor out.
func crossSite(r *http.Request) bool { return sameOrigin.Check(r) != nil }

// crossSiteNavigation reports a request a browser made from a page of
// another site (Sec-Fetch-Site cross-site or same-site): a link or a
// redirect there. CrossOriginProtection lets every GET through, as safe;
// a GET that signs in is not. A link typed, bookmarked or opened from a
// mail program comes with "none"; a client that sends no such header is
// no browser another site drives.
func crossSiteNavigation(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "cross-site", "same-site":
		return true
	}
	return false
}

// handleLogin signs in with the token typed into the form.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	if crossSite(r) {
		s.renderPage(w, r, http.StatusForbidden, "login", "登录 Sign in", loginPage{Next: "/", Failed: true})
		return
	}
	if err := r.ParseForm(); err != nil {
		s.renderPage(w, r, http.StatusBadRequest, "login", "登录 Sign in", loginPage{Next: "/", Failed: true})
		return
	}
	s.login(w, r, r.PostForm.Get("token"), localPath(r.PostForm.Get("next")))
}

func (s *Server) login(w http.ResponseWriter, r *http.Request, tok, next string) {
	tok = strings.TrimSpace(tok)
	addr := s.proxies.Addr(r)
	if ok, wait := s.throttle.Allow(addr, tok); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		s.renderPage(w, r, http.StatusTooManyRequests, "login", "登录 Sign in", loginPage{Next: next, Wait: wait.Round(time.Second).String()})
		return
	}
	c, ok := s.lookupToken(tok)
	if !ok {
		s.throttle.Failed(addr, tok)
		s.log.Warn("failed sign-in", "remote", addr)
		s.renderPage(w, r, http.StatusUnauthorized, "login", "登录 Sign in", loginPage{Next: next, Failed: true})
		return
	}
	s.throttle.Succeeded(addr, tok)
	s.log.Info("signed in", "token", c.name, "scope", c.scope.Code(), "remote", addr)
	s.setSession(w, r, c)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if crossSite(r) {
		http.Error(w, "403 cross-site request", http.StatusForbidden)
		return
	}
	if ck, err := r.Cookie(sessionCookie); err == nil {
		if c, id, exp, ok := s.parseSession(ck.Value, s.now()); ok {
			if err := s.sessions.revoke(id, exp); err != nil {
				s.log.Error("could not record the logout", "err", err)
			}
			s.log.Info("signed out", "token", c.name)
		}
	}
	clearSession(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// loginPage is the data of the login template.
type loginPage struct {
	Next   string
	Failed bool
	Wait   string // too many wrong tokens: how long to wait
}
