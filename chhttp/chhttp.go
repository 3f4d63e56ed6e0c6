// Package chhttp answers the ClickHouse HTTP interface (as on a server's
// port 8123) over creditsync's store, so analysts' own tools — curl,
// clickhouse-go's HTTP protocol, JDBC in DBeaver, Grafana, Python's
// clickhouse-connect — can query the embedded engine while the daemon
// holds it.
//
// Every query runs read-only, enforced by the engine (readonly=1 on the
// query's own session, which no statement or setting can lift), with the
// daemon's limits on result size and time. Access needs one of the web
// pages' tokens. A county token's session works in a database of views that
// hold its county's rows only; its queries may read nothing else.
package chhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/xuchang-hrss/creditsync/store"
)

// Auth resolves a token: the name of the credential (for the log) and
// the county it is limited to, "" for the whole city.
type Auth func(token string) (name, county string, ok bool)

// Options configure a Handler.
type Options struct {
	Store store.Store // must format results itself (the embedded engine)
	Auth  Auth
	// Counties are the county codes for which scoped databases are made.
	Counties []string
	TimeZone string
	// Limits of one query; zero means none.
	MaxResultBytes   uint64
	MaxResultRows    uint64
	MaxExecutionTime time.Duration
	// Throttle, when set, slows down repeated wrong tokens.
	Throttle Throttle
	Log      *slog.Logger
	// Writable lets queries change data. It exists for tests that use the
	// endpoint as a ClickHouse server; the daemon never sets it.
	Writable bool
}

// Throttle is consulted before checking a token and told of failures.
type Throttle interface {
	Allow(key string) (ok bool, retryAfter time.Duration)
	Failed(key string)
	Succeeded(key string)
}

// Handler serves the interface at "/" (and "/ping").
type Handler struct {
	opt     Options
	scoped  map[string]string // county → its database of views
	queryID atomic.Uint64
}

// New checks opt and creates (or refreshes) each county's database of
// views: for every table and view of the store's database that has a
// county_code column, a view of the same name holding that county's rows.
func New(ctx context.Context, opt Options) (*Handler, error) {
	if _, ok := opt.Store.(store.Formatter); !ok {
		return nil, fmt.Errorf("SQL endpoint: %w", store.ErrFormatUnsupported)
	}
	if opt.Auth == nil {
		return nil, errors.New("SQL endpoint: no token check")
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{opt: opt, scoped: map[string]string{}}
	if err := h.makeScopedViews(ctx); err != nil {
		return nil, err
	}
	return h, nil
}

// ScopedDatabase is the database of views a county token works in.
func (h *Handler) ScopedDatabase(county string) string { return h.scoped[county] }

func (h *Handler) makeScopedViews(ctx context.Context) error {
	s := h.opt.Store
	rows, err := s.Query(ctx, "SELECT DISTINCT table FROM system.columns WHERE database = currentDatabase() AND name = 'county_code' AND table NOT LIKE '.%' ORDER BY table", nil)
	if err != nil {
		return fmt.Errorf("SQL endpoint: list tables with a county: %w", err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	main := s.Database()
	for _, county := range h.opt.Counties {
		if !digits.MatchString(county) {
			return fmt.Errorf("SQL endpoint: county code %q is not digits", county)
		}
		db := main + "_county_" + county
		if err := s.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+db, nil); err != nil {
			return fmt.Errorf("SQL endpoint: create %s: %w", db, err)
		}
		for _, t := range tables {
			q := fmt.Sprintf("CREATE OR REPLACE VIEW %s.`%s` AS SELECT * FROM %s.`%s` WHERE county_code = '%s'", db, t, main, t, county)
			if err := s.Exec(ctx, q, nil); err != nil {
				return fmt.Errorf("SQL endpoint: scoped view %s.%s: %w", db, t, err)
			}
		}
		h.scoped[county] = db
	}
	return nil
}

var digits = regexp.MustCompile(`^[0-9]+$`)

// Exception is an error answered the way ClickHouse answers it.
type Exception struct {
	Code   int
	Name   string
	Status int
	Msg    string
}

func (e *Exception) Error() string {
	return fmt.Sprintf("Code: %d. DB::Exception: %s. (%s)", e.Code, e.Msg, e.Name)
}

// ClickHouse's error codes used here.
var (
	errAuth = func(msg string) *Exception {
		return &Exception{Code: 516, Name: "AUTHENTICATION_FAILED", Status: http.StatusUnauthorized, Msg: msg}
	}
	errDenied = func(msg string) *Exception {
		return &Exception{Code: 497, Name: "ACCESS_DENIED", Status: http.StatusForbidden, Msg: msg}
	}
	errUnknownDatabase = func(msg string) *Exception {
		return &Exception{Code: 81, Name: "UNKNOWN_DATABASE", Status: http.StatusNotFound, Msg: msg}
	}
	errSyntax = func(msg string) *Exception {
		return &Exception{Code: 62, Name: "SYNTAX_ERROR", Status: http.StatusBadRequest, Msg: msg}
	}
)

// maxQueryBytes bounds a query sent in a body.
const maxQueryBytes = 1 << 20

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/ping":
		io.WriteString(w, "Ok.\n")
		return
	case "/":
	default:
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "use GET or POST", http.StatusMethodNotAllowed)
		return
	}
	id := strconv.FormatUint(h.queryID.Add(1), 10)
	w.Header().Set("X-ClickHouse-Query-Id", id)
	if err := h.serve(w, r); err != nil {
		h.fail(w, err)
	}
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) error {
	name, county, err := h.authenticate(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	query := q.Get("query")
	if r.Method == http.MethodPost {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxQueryBytes+1))
		if err != nil {
			return errSyntax("cannot read the request body: " + err.Error())
		}
		if len(body) > maxQueryBytes {
			return errSyntax("query longer than 1 MiB")
		}
		if len(bytes.TrimSpace(body)) > 0 {
			query = strings.TrimSpace(query + "\n" + string(body))
		}
	}
	if strings.TrimSpace(query) == "" {
		return errSyntax("empty query: give it as ?query= or in the body of a POST")
	}
	format := firstOf(q.Get("default_format"), r.Header.Get("X-ClickHouse-Format"), "TabSeparated")
	database := firstOf(q.Get("database"), r.Header.Get("X-ClickHouse-Database"))
	params := store.Params{}
	for k, v := range q {
		if p, ok := strings.CutPrefix(k, "param_"); ok && len(v) > 0 {
			params[p] = store.RawParam(v[0])
		}
	}
	db, err := h.database(county, database)
	if err != nil {
		return err
	}
	clientRev, _ := strconv.ParseUint(q.Get("client_protocol_version"), 10, 64)
	query = handshake(query, clientRev)
	if county != "" {
		if err := h.checkScoped(r.Context(), db, query, params); err != nil {
			return err
		}
	}
	h.opt.Log.Info("sql query", "token", name, "scope", firstOf(county, "city"), "bytes", len(query))
	opt := store.FormatOptions{
		Format: format, Params: params, Database: db, TimeZone: h.opt.TimeZone, Writable: h.opt.Writable,
		MaxResultBytes: h.opt.MaxResultBytes, MaxResultRows: h.opt.MaxResultRows, MaxExecutionTime: h.opt.MaxExecutionTime,
	}
	out := &lazyWriter{w: w, format: effectiveFormat(query, format), tz: h.opt.TimeZone}
	opt.Progress = out.progress
	var dst io.Writer = out
	if out.format == "Native" && clientRev > 0 {
		dst = &nativeRevision{out: out, revision: clientRev, tz: h.zone()}
	}
	err = store.QueryFormatted(r.Context(), h.opt.Store, dst, query, opt)
	if err != nil {
		if out.started {
			// Headers are gone; ClickHouse appends the error to the body.
			fmt.Fprintf(w, "\n%s\n", asException(err).Error())
			return nil
		}
		return err
	}
	return out.finish()
}

// authenticate reads the token as ClickHouse clients send a password:
// X-ClickHouse-Key, basic auth, a bearer token, or ?password=.
func (h *Handler) authenticate(r *http.Request) (name, county string, err error) {
	token := r.Header.Get("X-ClickHouse-Key")
	if token == "" {
		if _, pw, ok := r.BasicAuth(); ok {
			token = pw
		}
	}
	if token == "" {
		if b, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			token = strings.TrimSpace(b)
		}
	}
	if token == "" {
		token = r.URL.Query().Get("password")
	}
	key := remoteIP(r)
	if h.opt.Throttle != nil {
		if ok, wait := h.opt.Throttle.Allow(key); !ok {
			return "", "", &Exception{Code: 202, Name: "TOO_MANY_SIMULTANEOUS_QUERIES", Status: http.StatusTooManyRequests,
				Msg: fmt.Sprintf("too many wrong tokens from %s; try again in %s", key, wait.Round(time.Second))}
		}
	}
	if token == "" {
		return "", "", errAuth("a token is required: send it as the password (X-ClickHouse-Key, basic auth) or as Authorization: Bearer")
	}
	name, county, ok := h.opt.Auth(token)
	if !ok {
		if h.opt.Throttle != nil {
			h.opt.Throttle.Failed(key)
		}
		h.opt.Log.Warn("sql endpoint: wrong token", "remote", key)
		return "", "", errAuth("wrong token")
	}
	if h.opt.Throttle != nil {
		h.opt.Throttle.Succeeded(key)
	}
	return name, county, nil
}

func remoteIP(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i > 0 {
		host = host[:i]
	}
	return host
}

// database decides the session's database: a county token always works
// in its scoped one (asking for the main database is taken to mean it).
func (h *Handler) database(county, asked string) (string, error) {
	main := h.opt.Store.Database()
	if county == "" {
		return asked, nil
	}
	db, ok := h.scoped[county]
	if !ok {
		return "", errDenied("no scoped database for county " + county)
	}
	if asked != "" && asked != main && asked != db {
		return "", errUnknownDatabase(fmt.Sprintf("database %s is not visible to a county token; it sees %s", asked, db))
	}
	return db, nil
}

// handshake answers clickhouse-go's hello with the client's own protocol
// revision, the one its Native blocks are written for (nativeRevision),
// so that it reads them with the layout they have.
func handshake(q string, clientRev uint64) string {
	if clientRev > 0 && strings.TrimSpace(q) == "SELECT displayName(), version(), revision(), timezone()" {
		return fmt.Sprintf("SELECT displayName(), version(), toUInt32(%d), timezone()", clientRev)
	}
	return q
}

// zone is the session zone, for Native columns typed without one.
func (h *Handler) zone() *time.Location {
	if loc, err := time.LoadLocation(h.opt.TimeZone); err == nil && h.opt.TimeZone != "" {
		return loc
	}
	return time.UTC
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

var engineCode = regexp.MustCompile(`Code: (\d+)\.`)
var engineName = regexp.MustCompile(`\(([A-Z_]+)\)\s*$`)

// asException turns any failure into ClickHouse's form.
func asException(err error) *Exception {
	var ex *Exception
	if errors.As(err, &ex) {
		return ex
	}
	msg := err.Error()
	if errors.Is(err, context.Canceled) {
		return &Exception{Code: 394, Name: "QUERY_WAS_CANCELLED", Status: 499, Msg: "query was cancelled"}
	}
	m := engineCode.FindStringSubmatch(msg)
	if m == nil {
		return &Exception{Code: 1001, Name: "STD_EXCEPTION", Status: http.StatusInternalServerError, Msg: msg}
	}
	code, _ := strconv.Atoi(m[1])
	name := ""
	if n := engineName.FindStringSubmatch(msg); n != nil {
		name = n[1]
	}
	status := http.StatusInternalServerError
	switch code {
	case 164, 497: // READONLY, ACCESS_DENIED
		status = http.StatusForbidden
	case 60, 81: // UNKNOWN_TABLE, UNKNOWN_DATABASE
		status = http.StatusNotFound
	case 62, 46, 47, 36, 27, 6, 43, 53: // syntax, unknown function/identifier, bad arguments, parse errors, types
		status = http.StatusBadRequest
	}
	return &Exception{Code: code, Name: name, Status: status, Msg: msg}
}

// fail writes an error as ClickHouse does: the status, the code header,
// and "Code: N. DB::Exception: …" in the body.
func (h *Handler) fail(w http.ResponseWriter, err error) {
	ex := asException(err)
	w.Header().Set("X-ClickHouse-Exception-Code", strconv.Itoa(ex.Code))
	if ex.Name != "" {
		w.Header().Set("X-ClickHouse-Exception-Name", ex.Name)
	}
	w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	if ex.Code == 516 {
		w.Header().Set("WWW-Authenticate", `Basic realm="creditsync"`)
	}
	w.WriteHeader(ex.Status)
	body := ex.Msg
	if !strings.HasPrefix(body, "Code: ") {
		body = ex.Error()
	}
	io.WriteString(w, strings.TrimSpace(body)+"\n")
}

// lazyWriter holds the first bytes of a result so that an error found
// early is still answered with an error status; past the threshold it
// commits to 200 and streams.
type lazyWriter struct {
	w              http.ResponseWriter
	format, tz     string
	buf            bytes.Buffer
	started        bool
	rows, bytesOut uint64
}

const holdBytes = 64 << 10

func (l *lazyWriter) progress(rows, b uint64) { l.rows, l.bytesOut = rows, b }

func (l *lazyWriter) Write(p []byte) (int, error) {
	if l.started {
		return l.w.Write(p)
	}
	l.buf.Write(p)
	if l.buf.Len() >= holdBytes {
		if err := l.start(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

func (l *lazyWriter) start() error {
	l.started = true
	hd := l.w.Header()
	hd.Set("Content-Type", contentType(l.format))
	hd.Set("X-ClickHouse-Format", l.format)
	if l.tz != "" {
		hd.Set("X-ClickHouse-Timezone", l.tz)
	}
	summary, _ := json.Marshal(map[string]string{"read_rows": strconv.FormatUint(l.rows, 10), "result_rows": strconv.FormatUint(l.rows, 10), "result_bytes": strconv.FormatUint(l.bytesOut, 10)})
	hd.Set("X-ClickHouse-Summary", string(summary))
	l.w.WriteHeader(http.StatusOK)
	_, err := l.w.Write(l.buf.Bytes())
	l.buf.Reset()
	return err
}

func (l *lazyWriter) finish() error {
	if !l.started {
		return l.start()
	}
	return nil
}

// formatClause finds a trailing FORMAT clause.
var formatClause = regexp.MustCompile(`(?is)\bFORMAT\s+([A-Za-z0-9]+)(\s+SETTINGS\b[^'"]*)?\s*;?\s*$`)

func effectiveFormat(query, format string) string {
	if m := formatClause.FindStringSubmatch(query); m != nil {
		return m[1]
	}
	return format
}

func contentType(format string) string {
	switch {
	case strings.HasPrefix(format, "JSON"):
		return "application/json; charset=UTF-8"
	case strings.HasPrefix(format, "CSV"):
		return "text/csv; charset=UTF-8; header=present"
	case strings.HasPrefix(format, "TabSeparated"), strings.HasPrefix(format, "TSV"):
		return "text/tab-separated-values; charset=UTF-8"
	case strings.HasPrefix(format, "Pretty"), format == "Vertical", format == "Markdown":
		return "text/plain; charset=UTF-8"
	}
	return "application/octet-stream"
}
