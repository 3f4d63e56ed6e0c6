package serve

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// sessionCookie holds a signed session, never the token: a stolen cookie
// expires, and dies with the server process that signed it.
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
// session cookie.
func (s *Server) authenticate(r *http.Request) (credential, bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return credential{}, false
		}
		return s.lookupToken(strings.TrimSpace(tok))
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		return s.lookupSession(c.Value, s.now())
	}
	return credential{}, false
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

// session signs "expiry" for a credential: "<unix expiry>.<hex mac>".
func (s *Server) session(c credential, exp time.Time) string {
	e := strconv.FormatInt(exp.Unix(), 10)
	return e + "." + hex.EncodeToString(s.mac(c, e))
}

func (s *Server) mac(c credential, exp string) []byte {
	m := hmac.New(sha256.New, s.key[:])
	m.Write(c.hash[:])
	m.Write([]byte{0})
	m.Write([]byte(exp))
	return m.Sum(nil)
}

func (s *Server) lookupSession(v string, now time.Time) (credential, bool) {
	e, sig, ok := strings.Cut(v, ".")
	if !ok {
		return credential{}, false
	}
	exp, err := strconv.ParseInt(e, 10, 64)
	if err != nil || now.Unix() >= exp {
		return credential{}, false
	}
	got, err := hex.DecodeString(sig)
	if err != nil {
		return credential{}, false
	}
	for _, c := range s.creds {
		if hmac.Equal(got, s.mac(c, e)) {
			return c, true
		}
	}
	return credential{}, false
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

// localPath returns next when it is a path on this site, else "/": a
// login link must not send the browser elsewhere (open redirect).
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, `/\`) || strings.ContainsAny(next, "\r\n") {
		return "/"
	}
	return next
}

// handleLoginForm shows the login form, or, when URL login is on and the
// URL carries a token, signs in with it.
func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.URL.Query().Get("next"))
	if tok := r.URL.Query().Get("token"); tok != "" && s.urlLogin {
		s.login(w, r, tok, next)
		return
	}
	s.renderPage(w, r, http.StatusOK, "login", "登录 Sign in", loginPage{Next: next})
}

// handleLogin signs in with the token typed into the form.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderPage(w, r, http.StatusBadRequest, "login", "登录 Sign in", loginPage{Next: "/", Failed: true})
		return
	}
	s.login(w, r, r.PostForm.Get("token"), localPath(r.PostForm.Get("next")))
}

func (s *Server) login(w http.ResponseWriter, r *http.Request, tok, next string) {
	c, ok := s.lookupToken(strings.TrimSpace(tok))
	if !ok {
		s.log.Warn("failed sign-in", "remote", r.RemoteAddr)
		s.renderPage(w, r, http.StatusUnauthorized, "login", "登录 Sign in", loginPage{Next: next, Failed: true})
		return
	}
	s.log.Info("signed in", "token", c.name, "scope", c.scope.Code(), "remote", r.RemoteAddr)
	s.setSession(w, r, c)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	clearSession(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// loginPage is the data of the login template.
type loginPage struct {
	Next   string
	Failed bool
}
