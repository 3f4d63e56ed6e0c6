package serve

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// routeKind says how a route authenticates and answers errors.
type routeKind int

const (
	api  routeKind = iota // token required; JSON errors, 401 without a token
	page                  // token required; HTML errors, sign-in redirect without a token
	open                  // no token: sign-in, health
)

type route struct {
	pattern string
	kind    routeKind
	// params are the query parameters the route takes (checkParams):
	// any other, or one given twice, is refused with 400.
	params []string
	// h serves the route; nil for paths that name no endpoint: 404
	// whatever the parameters.
	h func(w http.ResponseWriter, r *http.Request) error
}

// routes lists every endpoint. The scope test walks this list, so a new
// route cannot be added without a test of who may see it.
func (s *Server) routes() []route {
	return []route{
		{"GET /api/me", api, []string{paramFormat}, s.apiMe},
		{"GET /api/institutions", api, []string{paramQuery, paramOn, paramFormat}, s.apiSearch},
		{"GET /api/institutions/{uscc}", api, []string{paramOn, paramFormat}, s.apiInstitution},
		{"GET /api/institutions/{uscc}/explain", api, []string{paramOn, paramFormat}, s.apiExplain},
		{"GET /api/institutions/{uscc}/history", api, []string{paramFrom, paramTo, paramFormat}, s.apiHistory},
		{"GET /api/institutions/{uscc}/eligibility", api, []string{paramOn, paramFormat}, s.apiEligibility},
		{"GET /api/grades", api, []string{paramOn, paramCounty, paramFormat}, s.apiGrades},
		{"GET /api/counties/{code}/trend", api, []string{paramFrom, paramTo, paramFormat}, s.apiCountyTrend},
		{"GET /api/city/trend", api, []string{paramFrom, paramTo, paramFormat}, s.apiCityTrend},

		{"GET /{$}", page, nil, s.pageHome},
		{"GET /search", page, []string{paramQuery, paramOn}, s.pageSearch},
		{"GET /institutions/{uscc}", page, []string{paramOn}, s.pageInstitution},
		{"GET /counties/{code}", page, []string{paramFrom, paramTo}, s.pageCounty},
		{"GET /city", page, []string{paramFrom, paramTo}, s.pageCity},
		{"GET /reports", page, []string{paramFrom, paramTo, paramOn}, s.pageReports},
		// Each kind of download takes its own (reportKinds).
		{"GET /reports/{kind}/{file}", page, []string{paramFrom, paramTo, paramOn}, s.download},

		{"GET /login", open, nil, wrapOpen(s.handleLoginForm)},
		{"POST /login", open, nil, wrapOpen(s.handleLogin)},
		{"POST /logout", open, nil, wrapOpen(s.handleLogout)},
		{"GET /healthz", open, nil, func(w http.ResponseWriter, r *http.Request) error {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, err := w.Write([]byte("ok\n"))
			return err
		}},
	}
}

func wrapOpen(h http.HandlerFunc) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error { h(w, r); return nil }
}

// httpError is an answer other than 200 with a message safe to show.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

// errNotFound is the one answer for what does not exist and for what
// belongs to another county, so that a county token cannot tell them
// apart.
var errNotFound = &httpError{http.StatusNotFound, "未找到 Not found"}

func badRequest(err error) error {
	return &httpError{http.StatusBadRequest, err.Error()}
}

// tokenRequests is how many requests of one token are served at once;
// the next waits for one of them to end, up to its deadline. A page asks
// for a few things at once, and a reader asking for hundreds (a script
// walking every day of ten years) then queues behind itself, not in front
// of the other bureaus: the machine has two cores, and grades of a day
// nobody asked for before are computed.
const tokenRequests = 4

// tokenSlots are the requests in progress of each token.
type tokenSlots struct {
	mu    sync.Mutex
	slots map[string]chan struct{}
}

func (t *tokenSlots) acquire(ctx context.Context, name string) (release func(), err error) {
	t.mu.Lock()
	ch, ok := t.slots[name]
	if !ok {
		if t.slots == nil {
			t.slots = map[string]chan struct{}{}
		}
		ch = make(chan struct{}, tokenRequests)
		t.slots[name] = ch
	}
	t.mu.Unlock()
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// wrap authenticates a route's requests, serves at most tokenRequests of
// a token at once and turns its errors into answers.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.kind != open {
			c, wait, ok := s.authenticate(r)
			if wait > 0 {
				s.throttled(w, wait)
				return
			}
			if !ok {
				s.unauthorized(w, r, rt.kind)
				return
			}
			r = r.WithContext(context.WithValue(r.Context(), scopeKey{}, c.scope))
			if lw, ok := w.(*logWriter); ok {
				lw.who = c.name
			}
			release, err := s.busy.acquire(r.Context(), c.name)
			if err != nil {
				s.fail(w, r, rt.kind, err)
				return
			}
			defer release()
			if rt.h == nil {
				s.fail(w, r, rt.kind, errNotFound)
				return
			}
			if err := checkParams(r, rt.params...); err != nil {
				s.fail(w, r, rt.kind, err)
				return
			}
		}
		h := rt.h
		if rt.kind != open {
			h = func(w http.ResponseWriter, r *http.Request) error { return s.consistent(w, r, rt.h) }
		}
		if err := h(w, r); err != nil {
			s.fail(w, r, rt.kind, err)
		}
	})
}

func (s *Server) unauthorized(w http.ResponseWriter, r *http.Request, kind routeKind) {
	if kind == api {
		w.Header().Set("WWW-Authenticate", `Bearer realm="creditsync"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "需要令牌 A bearer token is required"})
		return
	}
	http.Redirect(w, r, "/login?next="+url.QueryEscape(withoutSecrets(r.URL)), http.StatusSeeOther)
}

// throttled answers a token that must wait: 429 with Retry-After, never
// the 401 of a wrong token.
func (s *Server) throttled(w http.ResponseWriter, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
	writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "尝试次数过多，请稍后再试 Too many wrong tokens; retry after " + wait.Round(time.Second).String()})
}

// fail answers an error: its own status and message for an httpError,
// else 500 with nothing of the cause, which goes to the log.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, kind routeKind, err error) {
	var he *httpError
	switch {
	case errors.As(err, &he):
	case errors.Is(err, context.DeadlineExceeded):
		s.log.Error("request timed out", "path", r.URL.Path, "err", err)
		he = &httpError{http.StatusServiceUnavailable, "请求超时，请缩小时间范围 Timed out; ask for fewer months"}
	case errors.Is(err, context.Canceled):
		return // the client left
	default:
		s.log.Error("request failed", "path", r.URL.Path, "err", err)
		he = &httpError{http.StatusInternalServerError, "内部错误 Internal error"}
	}
	if kind == api {
		writeJSON(w, he.status, map[string]string{"error": he.msg})
		return
	}
	s.renderPage(w, r, he.status, "error", "出错了 Error", he)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v) // the status is sent; a broken connection is all that is left
}

// guard applies what every request gets: size limits, a deadline,
// security headers and an access log line.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		lw := &logWriter{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			// The path only: a query may hold a token (URL login).
			s.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", lw.status,
				"ms", time.Since(start).Milliseconds(), "token", lw.who)
		}()
		h := lw.Header()
		// No script may run, nothing may be fetched from elsewhere.
		// Inline styles are allowed because reports are single files with
		// their CSS inside; without script an injected style could only
		// restyle the page, and html/template escapes every value anyway.
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		if len(r.URL.RawQuery) > maxURLBytes || len(r.URL.Path) > maxURLBytes {
			http.Error(lw, "URI too long", http.StatusRequestURITooLong)
			return
		}
		r.Body = http.MaxBytesReader(lw, r.Body, maxBodyBytes)
		ctx, cancel := context.WithTimeout(r.Context(), requestTimeout)
		defer cancel()
		next.ServeHTTP(lw, r.WithContext(ctx))
	})
}

// logWriter records the status and who asked, for the access log.
type logWriter struct {
	http.ResponseWriter
	status int
	who    string
}

func (w *logWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}
