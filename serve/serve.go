// Package serve is creditsync's read-only web server for analysts and the
// bureaus: a JSON API and HTML pages over a report.Source — institution
// search and detail with the evidence behind each grade, grades on a
// date, county trends with their charts, policy eligibility, and report
// downloads.
//
// Every request but sign-in carries a token (bearer header, or a session
// cookie from the login page). A city token sees everything; a county
// token sees its county only, and everything of another county answers
// 404, as if it did not exist. Pages are rendered with html/template and
// carry no script at all.
package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/netlimit"
	"github.com/xuchang-hrss/creditsync/peer"
	"github.com/xuchang-hrss/creditsync/report"
)

// Options configure a Server.
type Options struct {
	// Source is where the grades come from; or Sources, which chooses
	// again at each request (report.Sources: the recorded history from
	// the first evaluation on, the rules' grades before).
	Source  report.Source
	Sources SourceChooser
	Config  Config
	// Getenv reads the variables named by token_env; os.Getenv when nil.
	Getenv func(string) string
	// Now is the clock; time.Now when nil. "Today" is its date in
	// Asia/Shanghai.
	Now func() time.Time
	Log *slog.Logger
	// Contacts are the bureaus' contacts printed on the public lists,
	// from [publicity] in creditsync.toml.
	Contacts report.PublicContacts
	// StateDir keeps the session signing key and the sessions revoked at
	// logout, so a restart keeps people signed in and signed out; with
	// none, sessions die with the process.
	StateDir string
	// Throttle counts wrong tokens; one is made when nil. Share it with
	// other endpoints taking the same tokens.
	Throttle *Throttle
}

// SourceChooser chooses the source of grades for a request.
type SourceChooser interface {
	Choose(ctx context.Context) (report.Source, string, error)
}

// Server answers the API and the pages.
type Server struct {
	src      report.Source
	sources  SourceChooser
	creds    []credential
	key      [32]byte // signs session cookies; kept in StateDir
	sessions *sessionState
	throttle *Throttle
	proxies  peer.Proxies
	urlLogin bool
	contacts report.PublicContacts
	now      func() time.Time
	log      *slog.Logger
	handler  http.Handler
	busy     tokenSlots
}

// source returns the source of grades for a request.
func (s *Server) source(ctx context.Context) (report.Source, error) {
	if s.sources == nil {
		return s.src, nil
	}
	src, _, err := s.sources.Choose(ctx)
	return src, err
}

// New checks the configuration and builds a server.
func New(opt Options) (*Server, error) {
	if (opt.Source == nil) == (opt.Sources == nil) {
		return nil, errors.New("serve: give one grade source: Source or Sources")
	}
	getenv := opt.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	creds, err := opt.Config.credentials(getenv)
	if err != nil {
		return nil, err
	}
	s := &Server{src: opt.Source, sources: opt.Sources, creds: creds, urlLogin: opt.Config.URLLogin, contacts: opt.Contacts, now: opt.Now, log: opt.Log}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if err := loadKey(opt.StateDir, &s.key); err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	if s.sessions, err = loadRevoked(opt.StateDir, s.now()); err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	if s.proxies, err = peer.ParseProxies(opt.Config.TrustedProxies); err != nil {
		return nil, fmt.Errorf("serve: %w: %w", ErrConfig, err)
	}
	s.throttle = opt.Throttle
	if s.throttle == nil {
		s.throttle = NewThrottle()
	}
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.Handle(rt.pattern, s.wrap(rt))
	}
	// A path under /api/ that names no endpoint is answered as the API
	// answers (JSON, 401 without a token), not as a page: scripts read it.
	mux.Handle("/api/", s.wrap(route{kind: api}))
	mux.Handle("/", s.wrap(route{kind: page}))
	s.handler = s.guard(mux)
	return s, nil
}

// Handler returns the server's handler with its protections: limits,
// timeouts, security headers, authentication and the access log.
func (s *Server) Handler() http.Handler { return s.handler }

// Limits of a request. Every read is small (a query string, a login
// form); a report may take a while to build.
const (
	maxHeaderBytes = 16 << 10
	maxBodyBytes   = 4 << 10
	maxURLBytes    = 2 << 10
	requestTimeout = 90 * time.Second
)

// HTTPServer returns an http.Server for addr with timeouts set, so a slow
// or idle client cannot hold connections open.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      requestTimeout + 10*time.Second,
		IdleTimeout:       netlimit.IdleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// Serve serves on ln (from a netlimit.Limiter, which bounds its
// connections) until ctx ends, then lets requests in flight finish for a
// few seconds.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	addr := ln.Addr().String()
	srv := s.HTTPServer(addr)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("serve on %s: %w", addr, err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	return nil
}

// today is the bureau's current date.
func (s *Server) today() time.Time { return grade.Today(s.now()) }
