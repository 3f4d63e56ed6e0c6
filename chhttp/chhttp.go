// Package chhttp answers the ClickHouse HTTP interface (as on a server's
// port 8123) over creditsync's store, so analysts' own tools — curl,
// clickhouse-go's HTTP protocol, JDBC in DBeaver, Grafana, Python's
// clickhouse-connect — can query the embedded engine while the daemon
// holds it.
//
// Every query runs read-only, enforced by the engine (readonly=1 on the
// query's own session, which no statement or setting can lift), with the
// daemon's limits on result size and time. Access needs one of the web
// pages' tokens. Before a statement runs, package sqlaccess has the engine
// parse and analyse it and refuses anything the token's policy does not
// allow: a county token's session works in a database of views that hold
// its county's rows only, and may read nothing else; no token writes
// files, changes server state or cancels another token's queries. Every
// request is recorded in the audit trail (AuditRecord).
package chhttp

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/xuchang-hrss/creditsync/peer"
	"github.com/xuchang-hrss/creditsync/sqlaccess"
	"github.com/xuchang-hrss/creditsync/store"
)

// Auth resolves a token: the name of the credential (for the log and the
// audit trail) and the county it is limited to, "" for the whole city.
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
	// MaxMemoryUsage bounds the engine memory of one query (the engine
	// shares the daemon's process: without a bound one query could take
	// what the nightly run needs); zero means none.
	MaxMemoryUsage uint64
	// MaxThreads bounds the threads the engine gives one query, and what a
	// token may ask for (max_threads): the daemon's nightly run shares the
	// machine's cores, and the engine's priority pauses a yielding query
	// only between its blocks. Zero means the engine's default.
	MaxThreads uint64
	// MaxHeldBytes bounds the answers held to the end of their queries
	// (wait_end_of_query) on disk, together: their slots free when the
	// engine is done, so a client reading slowly holds none, only disk.
	// Zero means no bound.
	MaxHeldBytes int64
	// WriteTimeout bounds each write of an answer to the client: a client
	// that stops reading would otherwise hold its query, and its slots,
	// for as long as it likes. Zero means none.
	WriteTimeout time.Duration
	// MaxQueriesPerToken bounds the queries one token runs at once, and
	// MaxQueries those of every token together (with MaxMemoryUsage, the
	// memory all analysts' queries may take); more wait for a slot up to
	// QueueWait, then are refused with TOO_MANY_SIMULTANEOUS_QUERIES
	// (202), as a ClickHouse server refuses past
	// max_concurrent_queries_for_user. Zero means no bound.
	MaxQueriesPerToken int
	MaxQueries         int
	QueueWait          time.Duration
	// MaxReadingPerToken bounds the requests of one token whose text is
	// being read, decoded and checked, or that wait for a query slot
	// with it, and MaxReading those of every token together: each holds
	// a few times its text in memory before it has a query slot, and
	// without a bound 300 requests of one token took 2 GB. More wait
	// with their headers only, up to QueueWait, then are refused (429
	// for the token's own bound, 503 for the shared one). Zero means no
	// bound.
	MaxReadingPerToken int
	MaxReading         int
	// ReadTimeout bounds the reading of a request's body, from when it
	// may be read (a reading slot is free): a client that stalls holds
	// its slot and connection no longer. It is a deadline on reading the
	// body alone, not http.Server.ReadTimeout, which stays on the
	// connection while the answer is written and cancels a long query
	// when it passes. Zero means none.
	ReadTimeout time.Duration
	// Throttle, when set, slows down repeated wrong tokens.
	Throttle Throttle
	// Proxies are the reverse proxies whose X-Forwarded-For is believed.
	Proxies peer.Proxies
	// Audit, when set, receives a record of every request that named a
	// query (the log gets one too).
	Audit func(context.Context, AuditRecord)
	Log   *slog.Logger
	// Writable lets queries change data and skips the access checks. It
	// exists for tests that use the endpoint as a ClickHouse server; the
	// daemon never sets it.
	Writable bool
}

// Throttle is consulted before checking a token and told of the outcome;
// it counts per client address and presented token (serve.Throttle).
type Throttle interface {
	Allow(addr, token string) (ok bool, retryAfter time.Duration)
	Failed(addr, token string)
	Succeeded(addr, token string)
}

// Handler serves the interface at "/" (and "/ping").
type Handler struct {
	opt     Options
	scoped  map[string]string // county → its database of views
	mu      sync.Mutex
	running map[queryKey]*runningQuery // the queries in progress, by whose and which
	slots   map[string]chan struct{}   // token name → its slots (MaxQueriesPerToken)
	shared  chan struct{}              // the slots of every token (MaxQueries); nil: no bound
	reading map[string]chan struct{}   // token name → its reading slots (MaxReadingPerToken)
	readAll chan struct{}              // the reading slots of every token (MaxReading); nil: no bound
	// heldOnDisk counts the bytes of the answers spooled to disk now.
	heldOnDisk atomic.Int64
	// formats are the engine's output formats by their names in lower
	// case (formatName).
	formats map[string]string
	// errorNames are the engine's names of its error codes.
	errorNames map[int]string
}

// queryKey names a query in progress: each token has its own space of
// query ids, so that a token can neither collide with another's id nor
// learn from a refusal that the id is in use.
type queryKey struct{ owner, id string }

// runningQuery is a query in progress: what cancels it, and what closes
// once it has ended — its engine call returned and its slots given back.
type runningQuery struct {
	cancel context.CancelFunc
	ended  chan struct{}
}

// New checks opt and creates (or refreshes) each county's database of
// views (makeScopedViews).
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
	h := &Handler{opt: opt, scoped: map[string]string{}, running: map[queryKey]*runningQuery{}, slots: map[string]chan struct{}{}}
	if opt.MaxQueries > 0 {
		h.shared = make(chan struct{}, opt.MaxQueries)
	}
	h.reading = map[string]chan struct{}{}
	if opt.MaxReading > 0 {
		h.readAll = make(chan struct{}, opt.MaxReading)
	}
	if err := h.makeScopedViews(ctx); err != nil {
		return nil, err
	}
	if err := h.loadFormats(ctx); err != nil {
		return nil, err
	}
	if err := h.loadErrorNames(ctx); err != nil {
		return nil, err
	}
	return h, nil
}

// loadFormats reads the engine's output formats. The engine takes a
// format's name in any case (FORMAT json), and the answer is then
// written as that format: streamed, and labelled, by its own name.
func (h *Handler) loadFormats(ctx context.Context) error {
	rows, err := h.opt.Store.Query(ctx, "SELECT name FROM system.formats WHERE is_output", nil)
	if err != nil {
		return fmt.Errorf("SQL endpoint: list the engine's formats: %w", err)
	}
	h.formats = map[string]string{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		h.formats[strings.ToLower(name)] = name
	}
	return rows.Close()
}

// formatName is the engine's own spelling of an output format named in
// any case (json is JSON), else name as given.
func (h *Handler) formatName(name string) string {
	if f, ok := h.formats[strings.ToLower(name)]; ok {
		return f
	}
	return name
}

// ScopedDatabase is the database of views a county token works in.
func (h *Handler) ScopedDatabase(county string) string { return h.scoped[county] }

// sharedTables hold no county's records — county names, the clauses'
// wording, labels, when grading and the nightly jobs ran — and every
// county's database shows them, so the analysts' cookbook runs with a
// county token too. What tells of other counties is left out: a job
// step's summary, error and counts (the regrade's summary lists every
// institution it lowered, its counts the city's totals), the host, a
// grading run's note ("3 lowered"), and the upgrade and review runs, each
// of one institution of some county.
var sharedTables = map[string]countyView{
	"counties": {}, "clauses": {}, "labels": {},
	"grade_runs": {replace: map[string]string{"note": "''"}, where: "kind NOT IN ('upgrade', 'review')"},
	"job_runs": {replace: map[string]string{"summary": "''", "error": "''", "host": "''",
		"counts": "CAST(map(), 'Map(String, Int64)')"}},
}

// countyView is what a county's view of a table keeps of it: the rows
// where holds for (every row when ""), every column, those in replace
// shown as their expression.
type countyView struct {
	replace map[string]string
	where   string
}

// parameterizedViews are the store's views that take parameters, with
// the parameters to pass on (a parameterized view has no columns in
// system.columns, so it is named here).
var parameterizedViews = map[string]string{"v_grades_on": "day = {day:Date}"}

// makeScopedViews makes, for each county, its database of views
// (ScopeStatements).
func (h *Handler) makeScopedViews(ctx context.Context) error {
	for _, county := range h.opt.Counties {
		db, stmts, err := ScopeStatements(ctx, h.opt.Store, county, "", "")
		if err != nil {
			return fmt.Errorf("SQL endpoint: %w", err)
		}
		for _, q := range stmts {
			if err := h.opt.Store.Exec(ctx, q, nil); err != nil {
				return fmt.Errorf("SQL endpoint: scoped view in %s: %w", db, err)
			}
		}
		h.scoped[county] = db
	}
	return nil
}

// ScopeStatements are the statements that make county's database of views
// on s, and its name: for every table and view of the store's database
// that has a county_code column, a view of the same name holding that
// county's rows; the same for the parameterized views; the shared tables
// whole. onCluster ("ON CLUSTER `c`" or "") and security ("DEFINER = u
// SQL SECURITY DEFINER" or "") are for a ClickHouse server, where the
// county's user reads the views but not the tables under them.
func ScopeStatements(ctx context.Context, s store.Store, county, onCluster, security string) (string, []string, error) {
	if !digits.MatchString(county) {
		return "", nil, fmt.Errorf("county code %q is not digits", county)
	}
	list := func(q string) ([]string, error) {
		rows, err := s.Query(ctx, q, nil)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var t string
			if err := rows.Scan(&t); err != nil {
				return nil, err
			}
			out = append(out, t)
		}
		return out, rows.Err()
	}
	tables, err := list("SELECT DISTINCT table FROM system.columns WHERE database = currentDatabase() AND name = 'county_code' AND table NOT LIKE '.%' ORDER BY table")
	if err != nil {
		return "", nil, fmt.Errorf("list tables with a county: %w", err)
	}
	existing, err := list("SELECT name FROM system.tables WHERE database = currentDatabase()")
	if err != nil {
		return "", nil, fmt.Errorf("list tables: %w", err)
	}
	plain, err := list("SELECT table || '\t' || name || '\t' || type FROM system.columns WHERE database = currentDatabase() AND type LIKE '%LowCardinality(%' ORDER BY table, position")
	if err != nil {
		return "", nil, fmt.Errorf("list LowCardinality columns: %w", err)
	}
	merging, err := list("SELECT name FROM system.tables WHERE database = currentDatabase() AND engine LIKE '%MergeTree' AND engine NOT IN ('MergeTree', 'ReplicatedMergeTree', 'SharedMergeTree')")
	if err != nil {
		return "", nil, fmt.Errorf("list tables whose rows are merged: %w", err)
	}
	columns, err := columnLists(ctx, s)
	if err != nil {
		return "", nil, err
	}
	main := s.Database()
	db := main + "_county_" + county
	create := func(name, query string) string {
		q := fmt.Sprintf("CREATE OR REPLACE VIEW %s.`%s`", db, name)
		for _, part := range []string{onCluster, columns[name], security} {
			if part != "" {
				q += " " + part
			}
		}
		return q + " AS " + query
	}
	// view is the one definition of a county's view of a table. It
	// selects a LowCardinality column as its plain type: such a column
	// keeps its whole dictionary when rows are filtered out, and the
	// engine runs an analyst's function on the dictionary — values of the
	// rows left out — so throwIf(token = 'x'), or a cast's error quoting
	// a value, told of values only rows the view leaves out hold. It reads
	// a table whose rows are replaced (or otherwise merged) with FINAL,
	// each key once whatever the session's final: a server's analyst
	// profile, or a session setting final = 0, read it unmerged, and a
	// view cannot be read with FINAL. It ends with filterBarrier.
	view := func(table string, v countyView) string {
		var repl []string
		for _, p := range plain {
			f := strings.Split(p, "\t")
			if len(f) != 3 || f[0] != table {
				continue
			}
			if _, replaced := v.replace[f[1]]; !replaced {
				repl = append(repl, fmt.Sprintf("CAST(`%s` AS %s) AS `%s`", f[1], withoutLowCardinality(f[2]), f[1]))
			}
		}
		for _, col := range slices.Sorted(maps.Keys(v.replace)) {
			repl = append(repl, fmt.Sprintf("%s AS `%s`", v.replace[col], col))
		}
		q := "SELECT *"
		if len(repl) > 0 {
			q += " REPLACE (" + strings.Join(repl, ", ") + ")"
		}
		q += fmt.Sprintf(" FROM %s.`%s`", main, table)
		if slices.Contains(merging, table) {
			q += " FINAL"
		}
		if v.where != "" {
			q += " WHERE " + v.where
		}
		return create(table, q+" "+filterBarrier)
	}
	stmts := []string{strings.TrimSpace("CREATE DATABASE IF NOT EXISTS " + db + " " + onCluster)}
	for _, t := range tables {
		stmts = append(stmts, view(t, countyView{where: fmt.Sprintf("county_code = '%s'", county)}))
	}
	for _, t := range slices.Sorted(maps.Keys(sharedTables)) {
		if slices.Contains(existing, t) && !slices.Contains(tables, t) {
			stmts = append(stmts, view(t, sharedTables[t]))
		}
	}
	for _, v := range slices.Sorted(maps.Keys(parameterizedViews)) {
		if slices.Contains(existing, v) {
			stmts = append(stmts, create(v, fmt.Sprintf("SELECT * FROM %s.`%s`(%s) WHERE county_code = '%s' %s", main, v, parameterizedViews[v], county, filterBarrier)))
		}
	}
	return db, stmts, nil
}

// columnLists are the column lists of the county views, by the name of
// the table or view each stands for: its columns as SELECT * gives them,
// each with its type (LowCardinality taken off, as the view casts it)
// and the comment the store's own definition gives it — the one
// definition, read from the engine's catalog — so that DESCRIBE and
// system.columns of a county's view show them as the city's do. A view
// made without a list has no comments.
func columnLists(ctx context.Context, s store.Store) (map[string]string, error) {
	rows, err := s.Query(ctx, "SELECT table, name, type, comment FROM system.columns WHERE database = currentDatabase() AND default_kind NOT IN ('MATERIALIZED', 'ALIAS', 'EPHEMERAL') ORDER BY table, position", nil)
	if err != nil {
		return nil, fmt.Errorf("list the columns and their comments: %w", err)
	}
	defer rows.Close()
	cols := map[string][]string{}
	for rows.Next() {
		var table, name, typ, comment string
		if err := rows.Scan(&table, &name, &typ, &comment); err != nil {
			return nil, err
		}
		col := quoteIdent(name) + " " + withoutLowCardinality(typ)
		if comment != "" {
			col += " COMMENT " + quoteString(comment)
		}
		cols[table] = append(cols[table], col)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(cols))
	for t, c := range cols {
		out[t] = "(" + strings.Join(c, ", ") + ")"
	}
	return out, nil
}

// withoutLowCardinality is a column type with its LowCardinality(…)
// wrappings taken off: Array(LowCardinality(String)) is Array(String).
func withoutLowCardinality(typ string) string {
	const lc = "LowCardinality("
	for {
		i := strings.Index(typ, lc)
		if i < 0 {
			return typ
		}
		depth, end := 1, -1
		for k := i + len(lc); k < len(typ); k++ {
			switch typ[k] {
			case '(':
				depth++
			case ')':
				depth--
			}
			if depth == 0 {
				end = k
				break
			}
		}
		if end < 0 {
			return typ // not a type the engine writes; the cast will say so
		}
		typ = typ[:i] + typ[i+len(lc):end] + typ[end+1:]
	}
}

// filterBarrier ends every county view: a LIMIT no count reaches, over
// which the engine moves no filter. Without it the analyst's WHERE went
// down into the view, below the county's filter where that filter needs a
// join (the county is the register's): an expression failing on a row —
// a cast, throwIf — ran on other counties' rows and its error quoted
// them. A filter may not cross a LIMIT (it would change which rows the
// limit keeps), whatever the optimizer's settings.
const filterBarrier = "LIMIT 18446744073709551615"

// ParameterizedViews names the store's views that take parameters.
func ParameterizedViews() []string { return slices.Sorted(maps.Keys(parameterizedViews)) }

var digits = regexp.MustCompile(`^[0-9]+$`)

// analysisOptions are the options the analysis of a statement runs with:
// the checks', and a max_execution_time the URL sets below the cap. The
// analyzer evaluates scalar subqueries, so the statement runs there, and
// a client's time limit in the URL (Grafana's, clickhouse-connect's) let
// one run to the daemon's cap; the same limit in a SETTINGS clause was
// applied. Other settings of the URL apply to the run only (an overflow
// mode or a row limit would cut the checks' EXPLAINs short).
func analysisOptions(opt store.FormatOptions, url []store.Setting) store.FormatOptions {
	for _, st := range url {
		if st.Name != "max_execution_time" {
			continue
		}
		secs, err := strconv.ParseFloat(st.Value, 64)
		if d := time.Duration(secs * float64(time.Second)); err == nil && d > 0 && (opt.MaxExecutionTime == 0 || d < opt.MaxExecutionTime) {
			opt.MaxExecutionTime = d
		}
	}
	return opt
}

// Exception is an error answered the way ClickHouse answers it.
type Exception struct {
	Code int
	Name string
	// Status is the HTTP status when it is not the server's for Name
	// (serverStatus): 0 means the server's.
	Status int
	Msg    string
	// retryAfter is sent as Retry-After with a 429.
	retryAfter time.Duration
	// denied marks a refusal of the token's policy (a statement, a
	// setting): audited as denied, not as an error.
	denied bool
}

func (e *Exception) Error() string {
	return fmt.Sprintf("Code: %d. DB::Exception: %s. (%s)", e.Code, e.Msg, e.Name)
}

// ClickHouse's error codes used here.
var (
	errAuth = func(msg string) *Exception {
		// 401, not the server's 403: a browser or curl then asks for the
		// password (WWW-Authenticate).
		return &Exception{Code: 516, Name: "AUTHENTICATION_FAILED", Status: http.StatusUnauthorized, Msg: msg}
	}
	errDenied = func(msg string) *Exception {
		return &Exception{Code: 497, Name: "ACCESS_DENIED", Msg: msg, denied: true}
	}
	errUnknownDatabase = func(msg string) *Exception {
		return &Exception{Code: 81, Name: "UNKNOWN_DATABASE", Msg: msg}
	}
	errSyntax = func(msg string) *Exception {
		return &Exception{Code: 62, Name: "SYNTAX_ERROR", Msg: msg}
	}
	errTooMany = func(whose string, max int, waited time.Duration) *Exception {
		return &Exception{Code: 202, Name: "TOO_MANY_SIMULTANEOUS_QUERIES",
			Msg: fmt.Sprintf("Too many simultaneous queries for %s: %d run already, the maximum, and none ended within %s", whose, max, waited)}
	}
	errResultTooLong = func(max uint64) *Exception {
		return &Exception{Code: 396, Name: "TOO_MANY_ROWS_OR_BYTES",
			Msg: fmt.Sprintf("Limit for result exceeded: the answer as formatted is longer than %d bytes, the server's max_result_bytes", max)}
	}
	errTooLong = func(limit int) *Exception {
		return errSyntax(fmt.Sprintf("Max query size exceeded: the query (?query= and the body together) is longer than %d bytes, the engine's max_query_size, which a token may not raise", limit))
	}
	errTooManyReading = func(whose string, max int, waited time.Duration, status int) *Exception {
		return &Exception{Code: 202, Name: "TOO_MANY_SIMULTANEOUS_QUERIES", Status: status, retryAfter: time.Second,
			Msg: fmt.Sprintf("Too many requests being read and checked for %s: %d already, the maximum, and none was done within %s; try again later", whose, max, waited)}
	}
	errSameID = func(id string) *Exception {
		return &Exception{Code: 216, Name: "QUERY_WITH_SAME_ID_IS_ALREADY_RUNNING",
			Msg: fmt.Sprintf("Query with id = %s is already running", id)}
	}
)

// maxQueryBytes bounds the text of a query (its ?query= and body
// together): the engine's own max_query_size, which a token may not raise,
// so no text the engine would refuse is read and checked. A Writable
// handler (the test harness standing in for a ClickHouse server, whose
// INSERTs carry their rows in the body) takes maxWritableBytes.
// maxQueryID bounds a query_id.
const (
	maxQueryBytes    = sqlaccess.MaxQuerySize
	maxWritableBytes = 16 << 20
	maxQueryID       = 256
)

// queryBytes is the longest query text (with an INSERT's rows) h reads.
func (h *Handler) queryBytes() int {
	if h.opt.Writable {
		return maxWritableBytes
	}
	return maxQueryBytes
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	deadline := h.writeDeadline(w)
	deadline()       // a deadline left by the connection's previous request is not this one's
	defer deadline() // the server's last flush of the answer, after the handler
	switch r.URL.Path {
	case "/ping":
		io.WriteString(w, "Ok.\n")
		return
	case "/replicas_status":
		// A server's answer when it holds no replicated tables, as the
		// store holds none: load balancers and chproxy check it.
		w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
		io.WriteString(w, "Ok.\n")
		return
	case "/play", "/dashboard", "/binary", "/merges":
		// A server's own web pages: no copy of them is shipped here.
		w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, r.URL.Path+" is a ClickHouse server's own web page, which this endpoint does not serve: "+
			"query / with curl or your own tool, or read the daemon's web pages (docs/analysts.md, \"Your own tools: the SQL endpoint\").\n")
		return
	case "/":
		if r.URL.RawQuery == "" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			// A server's root without a query answers as /ping: the
			// health check of load balancers and clients, which tells
			// nothing and needs no token.
			io.WriteString(w, "Ok.\n")
			return
		}
	default:
		http.NotFound(w, r)
		return
	}
	if r.Method == http.MethodOptions {
		preflight(w)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST, OPTIONS")
		http.Error(w, "use GET or POST", http.StatusMethodNotAllowed)
		return
	}
	if v := strings.ToLower(r.URL.Query().Get("add_http_cors_header")); v == "1" || v == "true" {
		// As a server does: a page of another origin (the play UI,
		// Grafana's "Add CORS flag") may read the answer, errors
		// included. Only without the browser's own credentials: a
		// request that carries them needs its origin named, which
		// never is, so a remembered password reads nothing.
		w.Header().Set("Access-Control-Allow-Origin", "*")
	}
	rec := &AuditRecord{At: time.Now(), Remote: h.opt.Proxies.Addr(r)}
	err := h.serve(w, r, rec)
	rec.Duration = time.Since(rec.At)
	switch {
	case err == nil:
		rec.Outcome = "ok"
	default:
		ex := h.asException(err, h.scoped[rec.County])
		if cause := context.Cause(r.Context()); ex.Code == 394 && cause != nil && cause != context.Canceled {
			// Cancelled by the server (the daemon stopping), not the
			// client: said why.
			ex = &Exception{Code: ex.Code, Name: ex.Name, Msg: "query was cancelled: " + cause.Error()}
		}
		rec.Outcome, rec.Error = "error", ex.Msg
		if ex.denied {
			rec.Outcome = "denied"
		} else if ex.Code == 394 {
			rec.Outcome = "cancelled"
		}
		if !rec.streamed {
			deadline()
			h.fail(w, ex)
		}
	}
	h.audit(r.Context(), rec)
}

// preflight answers a browser's CORS preflight (OPTIONS) as a ClickHouse
// server with its default configuration does (http_options_response):
// 204 with the headers below, the connection closed, no token needed —
// it runs nothing. The request that follows is checked as any.
func preflight(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Headers", "origin, x-requested-with, x-clickhouse-format, x-clickhouse-user, x-clickhouse-key, Authorization")
	h.Set("Access-Control-Allow-Methods", "POST, GET, OPTIONS")
	h.Set("Access-Control-Max-Age", "86400")
	h.Set("Connection", "close")
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request, rec *AuditRecord) error {
	// URL.Query() leaves out a pair it cannot read: "?max_result_rows=5;"
	// ran without the limit, "?query=SELECT+1;" as an empty query.
	if _, err := url.ParseQuery(r.URL.RawQuery); err != nil {
		rec.Token = "(none)"
		return &Exception{Code: 36, Name: "BAD_ARGUMENTS",
			Msg: fmt.Sprintf("the URL's parameters cannot be read (%v): separate them with & only, and write ; as %%3B and %% as %%25 in a value", err)}
	}
	name, county, err := h.authenticate(r, rec.Remote)
	if err != nil {
		rec.Token = "(none)"
		return err
	}
	rec.Token, rec.County = name, county
	mt, mtParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	form := r.Method == http.MethodPost && mt == "multipart/form-data"
	// The reading slot is held while the text is read, decoded and
	// checked, and while the request waits for its query slot; it is
	// given back once the request has one (admit), or when it ends.
	freeReading, err := h.acquireReading(r.Context(), name)
	if err != nil {
		return err
	}
	doneReading := sync.OnceFunc(freeReading)
	defer doneReading()
	q := r.URL.Query()
	query := q.Get("query")
	withBody := false
	if r.Method == http.MethodPost {
		body, err := h.readBody(w, r)
		if err != nil {
			return err
		}
		if form {
			fields, err := formFields(body, mtParams["boundary"])
			if err != nil {
				return err
			}
			// As a server reads them: the URL's parameters and the
			// form's together, the query every "query" of both in turn.
			for k, v := range fields {
				q[k] = append(q[k], v...)
			}
			query = strings.Join(q["query"], "")
		} else if withBody = len(bytes.TrimSpace(body)) > 0; withBody {
			if query != "" {
				query += "\n"
			}
			query += string(body)
		}
	}
	if len(query) > h.queryBytes() {
		return errTooLong(h.queryBytes())
	}
	rec.Query = query
	rec.QueryID = q.Get("query_id")
	if rec.QueryID == "" {
		rec.QueryID = NewQueryID()
	}
	if len(rec.QueryID) > maxQueryID {
		// Kept in the audit trail and the log whole: not a place for a
		// text of its own.
		rec.QueryID = truncate(rec.QueryID, maxQueryID)
		return errSyntax(fmt.Sprintf("query_id longer than %d bytes", maxQueryID))
	}
	w.Header().Set("X-ClickHouse-Query-Id", rec.QueryID)
	if strings.TrimSpace(query) == "" {
		return errSyntax("empty query: give it as ?query= or in the body of a POST")
	}
	database := firstOf(q.Get("database"), r.Header.Get("X-ClickHouse-Database"))
	params := store.Params{}
	var nulName string
	for k, v := range q {
		if p, ok := strings.CutPrefix(k, "param_"); ok && len(v) > 0 {
			params[p] = store.RawParam(escapeNUL(v[0]))
			if rec.Params == nil {
				rec.Params = map[string]string{}
			}
			rec.Params[p] = v[0]
			if strings.IndexByte(p, 0) >= 0 {
				nulName = p
			}
		} else if isSetting(k) && len(v) > 0 {
			// As sent, before any check: a refused one is kept too.
			if rec.Settings == nil {
				rec.Settings = map[string]string{}
			}
			rec.Settings[k] = v[0]
		}
	}
	if nulName != "" {
		// The engine takes a parameter's name as a C string: d and d\0x
		// would be one name to it, two to every check, each call taking
		// whichever value came first.
		return errSyntax(fmt.Sprintf("query parameter name %q holds a NUL byte", nulName))
	}
	db, policy, err := h.session(county, database)
	if err != nil {
		return err
	}
	clientRev, _ := strconv.ParseUint(q.Get("client_protocol_version"), 10, 64)
	query = handshake(query, clientRev)
	opt := store.FormatOptions{
		Format: firstOf(q.Get("default_format"), r.Header.Get("X-ClickHouse-Format"), "TabSeparated"),
		Params: params, Database: db, TimeZone: h.opt.TimeZone, Writable: h.opt.Writable, EngineDefaults: true,
		MaxResultBytes: h.opt.MaxResultBytes, MaxResultRows: h.opt.MaxResultRows, MaxExecutionTime: h.opt.MaxExecutionTime,
		MaxMemoryUsage: h.opt.MaxMemoryUsage, MaxThreads: h.opt.MaxThreads, Yield: !h.opt.Writable,
	}
	// Settings in the URL apply to the run, not to the checks (a limit or
	// an overflow mode would cut their EXPLAINs short).
	urlSettings, err := h.urlSettings(r.Context(), q, policy, opt)
	if err != nil {
		return err
	}
	if stmt := q.Get("query"); withBody && !h.opt.Writable && strings.TrimSpace(stmt) != "" && strings.IndexByte(stmt, 0) < 0 {
		// A statement in ?query= with rows in the body (clickhouse-go's
		// batch INSERT sends a Native block) is refused as that statement
		// alone, by the same checks: a write is ACCESS_DENIED, as it is
		// without rows. Read with the rows, it was a SYNTAX_ERROR. A
		// ?query= that is not a statement alone (the body goes on with
		// it) is checked whole below.
		if _, err := sqlaccess.Parse(r.Context(), h.opt.Store, policy, stmt, opt); err != nil {
			if d := (*sqlaccess.Denied)(nil); errors.As(err, &d) {
				var se *sqlaccess.StatementError
				if errors.As(err, &se) {
					rec.Statement = se.Statement
				}
				return denied(err)
			}
		}
	}
	if strings.IndexByte(query, 0) >= 0 {
		// The checks read the whole text; the engine would run only what
		// comes before the NUL, a statement no check saw as such.
		return errSyntax("the query holds a NUL byte")
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	// release gives the statement's slots back; once the engine is done,
	// before what it wrote is sent: a client reading a held answer
	// slowly keeps no slot from other queries.
	release := func() {}
	defer func() { release() }()
	admit := func() error {
		free, err := h.admit(ctx, name, rec.QueryID, cancel)
		if err != nil {
			return err
		}
		release = sync.OnceFunc(free)
		doneReading()
		return nil
	}
	var stmtSettings []store.Setting
	if !h.opt.Writable {
		parsed, err := sqlaccess.Parse(ctx, h.opt.Store, policy, query, opt)
		if err != nil {
			var se *sqlaccess.StatementError
			if errors.As(err, &se) {
				rec.Statement = se.Statement
			}
			return denied(err)
		}
		rec.Statement = parsed.Statement()
		rec.Kind = string(parsed.Kind())
		if parsed.Kind() != sqlaccess.KillQuery {
			// The slot before the analysis: the analyzer evaluates scalar
			// subqueries, so the statement starts running there, and it
			// must count, and be cancellable, from then on. KILL QUERY
			// frees a slot and never waits for one.
			if err := admit(); err != nil {
				return err
			}
		}
		st, err := parsed.Analyze(ctx, h.opt.Store, analysisOptions(opt, urlSettings))
		if err != nil {
			return denied(err)
		}
		rec.Reads = st.Reads
		// What runs is what was checked: the text as sent, proved to
		// read as the statement the checks read (sqlaccess.Statement.Text).
		query = st.Text
		switch st.Kind {
		case sqlaccess.KillQuery:
			// A SYNC one waits within its own time limit, as a server's
			// KILL QUERY is cancelled past it, and keeps its reading slot
			// meanwhile: a token's waiting KILLs are bounded as its
			// requests being read are.
			return h.kill(ctx, w, name, st.KillQueryID, st.KillMode, analysisOptions(opt, urlSettings).MaxExecutionTime, h.writeDeadline(w))
		case sqlaccess.ShowDatabases:
			query, opt.Params = showDatabases(policy, st.Like)
		case sqlaccess.Exists:
			if st.ExistsDatabase {
				query, opt.Params = existsDatabase(policy, st.Database)
			}
		}
		if st.Format != "" {
			opt.Format = st.Format
		}
		opt.StatementSettings = len(st.Settings) > 0
		stmtSettings = st.Settings
		// The format is the one the engine parsed, not a guess from the
		// text: a FORMAT in a comment cannot change how output is cut.
		opt.FormatFixed = true
	} else if err := admit(); err != nil {
		return err
	}
	// The statement's own settings are set on its session too: the
	// embedded engine formats output with the session's settings only.
	opt.Settings = append(urlSettings, stmtSettings...)
	if !h.opt.Writable {
		// The statement runs as it was checked.
		opt.Settings = append(opt.Settings, sqlaccess.SessionSettings()...)
	}
	if f := policy.CatalogFilter(); f != "" && !h.opt.Writable {
		// Last, so it is the one in force.
		opt.Settings = append(opt.Settings, store.Setting{Name: "additional_table_filters", Value: f})
	}

	opt.Format = h.formatName(opt.Format)
	if !h.opt.Writable && strings.HasSuffix(strings.ToLower(opt.Format), "withprogress") {
		// Their progress rows count what the engine read below a view's
		// filter: another county's rows too.
		return errDenied("format " + opt.Format + " writes the engine's progress, which counts rows outside the token's reach; use the format without WithProgress")
	}
	enc, err := responseEncoder(r, w)
	if err != nil {
		return err
	}
	tz, err := h.sessionZone(ctx, opt)
	if err != nil {
		return err
	}
	out := &lazyWriter{w: w, enc: enc, format: effectiveFormat(query, opt.Format, opt.FormatFixed), tz: tz,
		holdAll:  q.Get("wait_end_of_query") == "1" || q.Get("http_wait_end_of_query") == "1",
		maxBytes: h.opt.MaxResultBytes, deadline: h.writeDeadline(w), heldOnDisk: &h.heldOnDisk, maxHeld: h.opt.MaxHeldBytes}
	defer out.discard()
	opt.Progress = func(p store.Progress) {
		if county != "" {
			// The rows the engine read include those below the county's
			// filter: how many the city has is not the county's to learn.
			// Its result's rows are its own.
			p.ReadRows = 0
		}
		out.setProgress(p)
		rec.ReadRows, rec.ResultRows, rec.ResultBytes = p.ReadRows, p.ResultRows, p.ResultBytes
	}
	var dst io.Writer = out
	if out.format == "Native" && clientRev > 0 {
		dst = &nativeRevision{out: out, revision: clientRev, tz: location(tz)}
	}
	err = store.QueryFormatted(ctx, h.opt.Store, dst, query, opt)
	release()
	if err != nil {
		if out.started {
			// Headers are gone: mark the error in the stream the way a
			// ClickHouse server does, so that its clients raise it.
			rec.streamed = true
			out.exception(h.asException(err, h.scoped[county]))
		}
		return err
	}
	if err := out.finish(); err != nil {
		// Sending what was held failed once the 200 was out (the client
		// stopped reading): no second status, only the audit's record.
		rec.streamed = out.started
		return err
	}
	return nil
}

// errExternalData refuses a multipart/form-data body that sends tables
// with the query.
var errExternalData = &Exception{Code: 48, Name: "NOT_IMPLEMENTED",
	Msg: "external data (a multipart/form-data body: tables sent with the query) is not supported by this endpoint; send the statement alone as the body or as ?query=, its values as param_<name>, and read tables of the store"}

// formFields reads a multipart/form-data body whose parts are plain form
// fields — query, param_<name>, settings — as a server reads them, as
// parameters beside the URL's: clickhouse-connect sends its query and
// its parameters so once they are longer than a URL should be. A part
// with a file name is a table sent with the query (external data), and
// so is a field <name>_structure or <name>_types, which describes one (a
// server needs one of them for each table): refused, as the endpoint
// reads only the store's tables. The body is bounded as any body is
// (readBody), so the fields are too.
func formFields(body []byte, boundary string) (url.Values, error) {
	if boundary == "" {
		return nil, errSyntax("a multipart/form-data body without a boundary")
	}
	fields := url.Values{}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		part, err := mr.NextRawPart()
		if err == io.EOF {
			return fields, nil
		}
		if err != nil {
			return nil, errSyntax("cannot read the multipart/form-data body: " + err.Error())
		}
		name := part.FormName()
		if part.FileName() != "" || strings.HasSuffix(name, "_structure") || strings.HasSuffix(name, "_types") {
			return nil, errExternalData
		}
		value, err := io.ReadAll(part)
		if err != nil {
			return nil, errSyntax("cannot read the multipart/form-data body: " + err.Error())
		}
		if name != "" {
			fields[name] = append(fields[name], string(value))
		}
	}
}

// session decides the session's database and policy. A county token
// always works in its scoped database (asking for the main one, or for
// "default", is taken to mean it); a city token in the main database
// unless it asks for another one it may read.
func (h *Handler) session(county, asked string) (string, sqlaccess.Policy, error) {
	main := h.opt.Store.Database()
	if asked == "default" {
		asked = ""
	}
	if county == "" {
		dbs := []string{main}
		for _, c := range h.opt.Counties {
			dbs = append(dbs, h.scoped[c])
		}
		p := sqlaccess.City(dbs...)
		p.ParameterizedViews = slices.Collect(maps.Keys(parameterizedViews))
		db := firstOf(asked, main)
		if !h.opt.Writable && !slices.Contains(p.Databases, db) {
			return "", p, errUnknownDatabase(fmt.Sprintf("database %s does not exist or is not visible to this token", asked))
		}
		return db, p, nil
	}
	db, ok := h.scoped[county]
	if !ok {
		return "", sqlaccess.Policy{}, errDenied("no scoped database for county " + county)
	}
	if asked != "" && asked != main && asked != db {
		return "", sqlaccess.Policy{}, errUnknownDatabase(fmt.Sprintf("database %s does not exist or is not visible to this token; it sees %s", asked, db))
	}
	p := sqlaccess.County(county, db)
	p.ParameterizedViews = slices.Collect(maps.Keys(parameterizedViews))
	return db, p, nil
}

// denied turns a refusal into ClickHouse's ACCESS_DENIED, a refused
// setting into its own code, and what the engine cannot answer here into
// NOT_IMPLEMENTED. A function the engine does not list is refused as a
// server refuses it, UNKNOWN_FUNCTION (a client shows a typo as one).
func denied(err error) error {
	var d *sqlaccess.Denied
	if errors.As(err, &d) && d.UnknownFunction {
		return &Exception{Code: 46, Name: "UNKNOWN_FUNCTION", Msg: d.Error(), denied: true}
	}
	if errors.As(err, &d) {
		return errDenied(d.Error())
	}
	var u *sqlaccess.Unsupported
	if errors.As(err, &u) {
		return &Exception{Code: 48, Name: "NOT_IMPLEMENTED", Msg: u.Error()}
	}
	var se *sqlaccess.SettingError
	if errors.As(err, &se) {
		ex := &Exception{Code: se.Code, Name: "READONLY", Msg: se.Msg, denied: true}
		switch se.Code {
		case 452:
			ex.Name = "SETTING_CONSTRAINT_VIOLATION"
		case 36:
			ex.Name = "BAD_ARGUMENTS"
		}
		return ex
	}
	return err
}

// httpParams are the URL parameters of the HTTP interface itself; every
// other parameter is a setting.
var httpParams = map[string]bool{
	"query": true, "database": true, "default_format": true, "query_id": true, "user": true, "password": true,
	"quota_key": true, "session_id": true, "session_timeout": true, "session_check": true, "compress": true,
	"decompress": true, "enable_http_compression": true, "http_zlib_compression_level": true, "wait_end_of_query": true,
	"buffer_size": true, "client_protocol_version": true, "add_http_cors_header": true, "role": true,
	"http_native_compression_disable_checksumming_on_decompress": true, "network_compression_method": true,
	"network_zstd_compression_level": true, "cancel_http_readonly_queries_on_client_close": true,
	"send_progress_in_http_headers": true, "http_headers_progress_interval_ms": true, "http_wait_end_of_query": true,
}

// escapeNUL writes the NUL bytes of a parameter's value (in ClickHouse's
// escaped text form, as sent) as their escape, \0: the engine takes the
// value through a C string, which ends at a NUL, and answered with the
// value cut there ("ab" for "ab\x00cd", 12 for a UInt32 "12\x0034").
// Written \0 it is the same value to the engine, as a server reads it
// sent raw: a NUL after a backslash (an escaped NUL) is one too.
func escapeNUL(v string) string {
	if strings.IndexByte(v, 0) < 0 {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == 0:
			b.WriteString(`\0`)
		case c == '\\' && i+1 < len(v):
			// An escape: the backslash and the byte it escapes.
			i++
			if v[i] == 0 {
				b.WriteString(`\0`)
			} else {
				b.WriteByte(c)
				b.WriteByte(v[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// isSetting tells a URL parameter that is a setting (limit,
// max_result_rows, …).
func isSetting(param string) bool {
	return !httpParams[param] && !strings.HasPrefix(param, "param_")
}

// serverLogs are the settings that ask the server to send its log along
// with the result. The HTTP interface never sends it (only the native
// protocol does), so a server takes them over HTTP to no effect, and so
// does the endpoint, whose engine would write that log to the daemon's.
var serverLogs = map[string]bool{"send_logs_level": true, "send_logs_source_regexp": true}

// urlSettings reads the settings given as URL parameters, each checked as
// a read-only user's change under the server's caps. One given with the
// value already in force in the session (sqlaccess.CheckSettings) is
// accepted, as a server accepts it, and left out: it changes nothing.
func (h *Handler) urlSettings(ctx context.Context, q url.Values, policy sqlaccess.Policy, opt store.FormatOptions) ([]store.Setting, error) {
	var names []string
	for k := range q {
		if isSetting(k) && !serverLogs[k] {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	var out []store.Setting
	for _, k := range names {
		out = append(out, store.Setting{Name: k, Value: q.Get(k)})
	}
	// The test-only server stand-in (Writable) takes any setting.
	if h.opt.Writable || len(out) == 0 {
		return out, nil
	}
	out, err := sqlaccess.CheckSettings(ctx, h.opt.Store, policy, out, opt)
	if err != nil {
		return nil, denied(err)
	}
	return out, nil
}

// showDatabases answers SHOW DATABASES with the databases the token can
// use, not every database of the engine.
func showDatabases(p sqlaccess.Policy, like *sqlaccess.Like) (string, store.Params) {
	q := "SELECT name FROM system.databases WHERE has({visible:Array(String)}, name)"
	params := store.Params{"visible": p.Databases}
	if like != nil {
		q += " AND name " + like.Op + " {pattern:String}" // Op is one of four keywords (sqlaccess)
		params["pattern"] = like.Pattern
	}
	return q + " ORDER BY name", params
}

// existsDatabase answers EXISTS DATABASE as a server does (a column
// result, 1 or 0) for the databases the token can use, and 0 for any
// other as for one that does not exist: a county learns nothing of
// other counties' databases.
func existsDatabase(p sqlaccess.Policy, name string) (string, store.Params) {
	return "SELECT toUInt8(count() > 0) AS result FROM system.databases WHERE name = {name:String} AND has({visible:Array(String)}, name)",
		store.Params{"name": name, "visible": p.Databases}
}

// register records a running query under its owner and id, as ClickHouse
// refuses a second query with the id of one still running (of the same
// token: another token's ids are not in its space).
func (h *Handler) register(id, owner string, cancel context.CancelFunc) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	k := queryKey{owner, id}
	if _, ok := h.running[k]; ok {
		return errSameID(id)
	}
	h.running[k] = &runningQuery{cancel: cancel, ended: make(chan struct{})}
	return nil
}

// admit lets a statement of owner start: one of its slots (acquire), and
// its query id registered so that KILL QUERY reaches it (cancel). release
// undoes both, the slots first: a KILL QUERY … SYNC waiting for the query
// answers once its slots are free.
func (h *Handler) admit(ctx context.Context, owner, id string, cancel context.CancelFunc) (release func(), err error) {
	free, err := h.acquire(ctx, owner)
	if err != nil {
		return nil, err
	}
	if err := h.register(id, owner, cancel); err != nil {
		free()
		return nil, err
	}
	return func() { free(); h.unregister(owner, id) }, nil
}

// acquire takes one of owner's MaxQueriesPerToken slots and one of the
// MaxQueries shared by every token, waiting up to QueueWait in all for
// them to free; release gives them back.
func (h *Handler) acquire(ctx context.Context, owner string) (release func(), err error) {
	deadline := time.NewTimer(h.opt.QueueWait)
	defer deadline.Stop()
	h.mu.Lock()
	own, ok := h.slots[owner]
	if !ok && h.opt.MaxQueriesPerToken > 0 {
		own = make(chan struct{}, h.opt.MaxQueriesPerToken)
		h.slots[owner] = own
	}
	h.mu.Unlock()
	releaseOwn, err := take(ctx, own, deadline.C, func() error { return errTooMany("token "+owner, h.opt.MaxQueriesPerToken, h.opt.QueueWait) })
	if err != nil {
		return nil, err
	}
	releaseShared, err := take(ctx, h.shared, deadline.C, func() error { return errTooMany("every token together", h.opt.MaxQueries, h.opt.QueueWait) })
	if err != nil {
		releaseOwn()
		return nil, err
	}
	return func() { releaseShared(); releaseOwn() }, nil
}

// acquireReading takes one of owner's MaxReadingPerToken reading slots
// and one of the MaxReading shared by every token, waiting up to
// QueueWait in all; release gives them back.
func (h *Handler) acquireReading(ctx context.Context, owner string) (release func(), err error) {
	h.mu.Lock()
	own, ok := h.reading[owner]
	if !ok && h.opt.MaxReadingPerToken > 0 {
		own = make(chan struct{}, h.opt.MaxReadingPerToken)
		h.reading[owner] = own
	}
	h.mu.Unlock()
	deadline := time.NewTimer(h.opt.QueueWait)
	defer deadline.Stop()
	releaseOwn, err := take(ctx, own, deadline.C, func() error {
		return errTooManyReading("token "+owner, h.opt.MaxReadingPerToken, h.opt.QueueWait, http.StatusTooManyRequests)
	})
	if err != nil {
		return nil, err
	}
	releaseAll, err := take(ctx, h.readAll, deadline.C, func() error {
		return errTooManyReading("every token together", h.opt.MaxReading, h.opt.QueueWait, http.StatusServiceUnavailable)
	})
	if err != nil {
		releaseOwn()
		return nil, err
	}
	return func() { releaseAll(); releaseOwn() }, nil
}

// take takes one of slots (none to take when nil), waiting until
// deadline fires, then refused; release gives it back.
func take(ctx context.Context, slots chan struct{}, deadline <-chan time.Time, refusal func() error) (release func(), err error) {
	if slots == nil {
		return func() {}, nil
	}
	select {
	case slots <- struct{}{}:
		return func() { <-slots }, nil
	default:
	}
	select {
	case slots <- struct{}{}:
		return func() { <-slots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-deadline:
		return nil, refusal()
	}
}

// readBody reads r's body (requestBody) within ReadTimeout. Once the
// body is read whole the deadline is lifted: the connection's background
// read, which tells a client gone, would otherwise hit it while the
// query runs and cancel it. A body that fails keeps it, and its
// connection is closed after the answer: the server would otherwise wait
// for the rest of the body, without a deadline, before answering.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if h.opt.ReadTimeout <= 0 {
		return requestBody(r, h.queryBytes())
	}
	rc := http.NewResponseController(w)
	if err := rc.SetReadDeadline(time.Now().Add(h.opt.ReadTimeout)); err != nil {
		return nil, fmt.Errorf("bound the reading of the request body: %w", err)
	}
	body, err := requestBody(r, h.queryBytes())
	if err == nil {
		return body, rc.SetReadDeadline(time.Time{})
	}
	w.Header().Set("Connection", "close")
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		// 408, not the server's 503: the client was too slow, and may
		// send again at once.
		return nil, &Exception{Code: 209, Name: "SOCKET_TIMEOUT", Status: http.StatusRequestTimeout,
			Msg: fmt.Sprintf("the request body was not received within %s", h.opt.ReadTimeout)}
	}
	return nil, err
}

// unregister forgets a query that has ended, and tells whoever waits for
// its end (KILL QUERY … SYNC).
func (h *Handler) unregister(owner, id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	k := queryKey{owner, id}
	if q, ok := h.running[k]; ok {
		close(q.ended)
		delete(h.running, k)
	}
}

// kill cancels a query of the same token, named by its query_id, and
// answers as ClickHouse's KILL QUERY does, a row of kill_status, query_id
// and user: ASYNC (the default) cancels and answers waiting at once, the
// query still ending; SYNC answers finished once it has ended — its call
// to the engine returned and its slots free — or fails when the KILL's
// own request ends first (ctx) or its time limit passes (limit, when
// not 0: TIMEOUT_EXCEEDED); TEST cancels nothing and answers
// ClickHouse's unknown_status. Every query here can be cancelled, so
// there is no cant_cancel. Another token's query, or one that does not
// run, gets the same refusal, so that a token learns nothing of others'
// queries. deadline gives the answer's write its deadline.
func (h *Handler) kill(ctx context.Context, w http.ResponseWriter, owner, id string, mode sqlaccess.KillMode, limit time.Duration, deadline func()) error {
	h.mu.Lock()
	q, ok := h.running[queryKey{owner, id}]
	h.mu.Unlock()
	if !ok {
		return errDenied(fmt.Sprintf("no query of this token runs with query_id %q; a token cancels only its own queries", id))
	}
	status := "waiting"
	switch mode {
	case sqlaccess.KillTest:
		status = "unknown_status"
	case sqlaccess.KillSync:
		q.cancel()
		var timeout <-chan time.Time
		if limit > 0 {
			t := time.NewTimer(limit)
			defer t.Stop()
			timeout = t.C
		}
		select {
		case <-q.ended:
			status = "finished"
		case <-ctx.Done():
			return ctx.Err()
		case <-timeout:
			return &Exception{Code: 159, Name: "TIMEOUT_EXCEEDED",
				Msg: fmt.Sprintf("Timeout exceeded: query %s was cancelled and has not ended within %s (KILL QUERY … ASYNC answers without waiting)", id, limit)}
		}
	default:
		q.cancel()
	}
	deadline()
	w.Header().Set("Content-Type", "text/tab-separated-values; charset=UTF-8")
	fmt.Fprintf(w, "%s\t%s\t%s\n", status, id, owner)
	return nil
}

// writeDeadline returns what gives the next write to w its deadline,
// WriteTimeout from now (nothing when there is no WriteTimeout or w
// cannot take a deadline).
func (h *Handler) writeDeadline(w http.ResponseWriter) func() {
	if h.opt.WriteTimeout <= 0 {
		return func() {}
	}
	rc := http.NewResponseController(w)
	return func() { _ = rc.SetWriteDeadline(time.Now().Add(h.opt.WriteTimeout)) }
}

// NewQueryID makes a query id as ClickHouse does: a random UUID.
func NewQueryID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	x := hex.EncodeToString(b[:])
	return x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
}

// authenticate reads the token as ClickHouse clients send a password:
// X-ClickHouse-Key, basic auth, a bearer token, or ?password=. A request
// that carries two of these ways is refused (credentialsMixed).
func (h *Handler) authenticate(r *http.Request, addr string) (name, county string, err error) {
	if err := credentialsMixed(r); err != nil {
		return "", "", err
	}
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
	// As the web pages read it: no token begins or ends with white space
	// (serve's configuration refuses one), and a header loses it anyway.
	token = strings.TrimSpace(token)
	if token == "" {
		return "", "", errAuth("a token is required: send it as the password (X-ClickHouse-Key, basic auth) or as Authorization: Bearer")
	}
	if h.opt.Throttle != nil {
		if ok, wait := h.opt.Throttle.Allow(addr, token); !ok {
			return "", "", &Exception{Code: 202, Name: "TOO_MANY_SIMULTANEOUS_QUERIES", Status: http.StatusTooManyRequests,
				Msg: fmt.Sprintf("too many wrong tokens from %s; retry after %s", addr, wait.Round(time.Second)), retryAfter: wait}
		}
	}
	name, county, ok := h.opt.Auth(token)
	if !ok {
		if h.opt.Throttle != nil {
			h.opt.Throttle.Failed(addr, token)
		}
		h.opt.Log.Warn("sql endpoint: wrong token", "remote", addr)
		return "", "", errAuth("wrong token")
	}
	if h.opt.Throttle != nil {
		h.opt.Throttle.Succeeded(addr, token)
	}
	return name, county, nil
}

// credentialsMixed refuses a request that authenticates in two ways at
// once, as a ClickHouse server does (authenticateUserByHTTP): the
// X-ClickHouse-User/-Key headers with an Authorization header or with
// ?user=/?password=, or an Authorization header with ?user=/?password=.
// Taking one of them silently answered a misconfigured client with
// another token's scope (the city's basic auth and a county's key gave
// the county's answers) without telling it.
func credentialsMixed(r *http.Request) error {
	headers := r.Header.Get("X-ClickHouse-User") != "" || r.Header.Get("X-ClickHouse-Key") != ""
	_, authorization := r.Header["Authorization"]
	q := r.URL.Query()
	params := q.Has("user") || q.Has("password")
	var first, second string
	switch {
	case headers && authorization:
		first, second = "X-ClickHouse HTTP headers", "Authorization HTTP header"
	case headers && params:
		first, second = "X-ClickHouse HTTP headers", "authentication via parameters"
	case authorization && params:
		first, second = "Authorization HTTP header", "authentication via parameters"
	default:
		return nil
	}
	// 403, the server's status: a browser asked for a password again
	// (401) would send a third.
	return &Exception{Code: 516, Name: "AUTHENTICATION_FAILED", Status: http.StatusForbidden,
		Msg: fmt.Sprintf("Invalid authentication: it is not allowed to use %s and %s simultaneously", first, second)}
}

// handshake answers clickhouse-go's hello with the client's own protocol
// revision, the one its Native blocks are written for (nativeRevision),
// so that it reads them with the layout they have.
func handshake(q string, clientRev uint64) string {
	if strings.TrimSpace(q) != "SELECT displayName(), version(), revision(), timezone()" {
		return q
	}
	// displayName() is the host's name: the endpoint's own stands in.
	rev := "revision()"
	if clientRev > 0 {
		rev = fmt.Sprintf("toUInt32(%d)", clientRev)
	}
	return fmt.Sprintf("SELECT 'creditsync', version(), %s, timezone()", rev)
}

// sessionZone is the zone the engine runs a statement in, sent as
// X-ClickHouse-Timezone: the daemon's, unless the session sets
// session_timezone (in the URL or a SETTINGS clause of the statement),
// and then the engine's own reading of it, timezone() in a session with
// the same settings — an empty setting is the engine's zone, and a zone
// the engine does not know fails here as the statement would.
func (h *Handler) sessionZone(ctx context.Context, opt store.FormatOptions) (string, error) {
	if !slices.ContainsFunc(opt.Settings, func(s store.Setting) bool { return s.Name == "session_timezone" }) {
		return h.opt.TimeZone, nil
	}
	opt.Format, opt.FormatFixed, opt.Progress, opt.Params = "TSVRaw", true, nil, nil
	var out bytes.Buffer
	if err := store.QueryFormatted(ctx, h.opt.Store, &out, "SELECT timezone()", opt); err != nil {
		return "", err
	}
	return strings.TrimSpace(out.String()), nil
}

// location is the zone named, for Native columns typed without one.
func location(name string) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil && name != "" {
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

// fail writes an error as ClickHouse does: the status, the code header,
// and "Code: N. DB::Exception: …" in the body.
func (h *Handler) fail(w http.ResponseWriter, ex *Exception) {
	w.Header().Set("X-ClickHouse-Exception-Code", strconv.Itoa(ex.Code))
	if ex.Name != "" {
		w.Header().Set("X-ClickHouse-Exception-Name", ex.Name)
	}
	w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	if ex.status() == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="creditsync"`)
	}
	if ex.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(ex.retryAfter.Seconds())+1))
	}
	w.WriteHeader(ex.status())
	io.WriteString(w, strings.TrimSpace(ex.text())+"\n")
}

// text is the exception as ClickHouse prints it.
func (e *Exception) text() string {
	if strings.HasPrefix(e.Msg, "Code: ") {
		return e.Msg
	}
	return e.Error()
}

// lazyWriter holds the first bytes of a result so that an error found
// early is still answered with an error status; past the threshold it
// commits to 200 and streams, through the response's encoding if any.
// With holdAll (wait_end_of_query=1) it holds the whole result, in a
// temporary file past spoolBytes, so that the status is final.
type lazyWriter struct {
	w          http.ResponseWriter
	enc        *encoder // nil: the answer is not encoded
	format, tz string
	holdAll    bool
	held       [][]byte // the engine's chunks, as written
	heldBytes  int
	spool      *os.File
	started    bool
	tag        string         // the exception tag announced in the headers
	progress   store.Progress // for X-ClickHouse-Summary
	// maxBytes bounds the answer as written, whatever the engine counted
	// of its blocks (formatting can pad a small result to gigabytes);
	// zero means no bound. written counts it.
	maxBytes, written uint64
	deadline          func() // before each write to the client
	// heldOnDisk counts the bytes of every answer spooled to disk, of
	// which this one has reserved some; maxHeld bounds them.
	heldOnDisk        *atomic.Int64
	maxHeld, reserved int64
}

const (
	holdBytes  = 64 << 10
	spoolBytes = 16 << 20
)

func (l *lazyWriter) setProgress(p store.Progress) { l.progress = p }

// send writes p to the client, encoded.
func (l *lazyWriter) send(p []byte) error {
	l.deadline()
	if l.enc == nil {
		_, err := l.w.Write(p)
		return err
	}
	if _, err := l.enc.w.Write(p); err != nil {
		return err
	}
	return l.enc.flush()
}

func (l *lazyWriter) Write(p []byte) (int, error) {
	l.written += uint64(len(p))
	if l.maxBytes > 0 && l.written > l.maxBytes {
		return 0, errResultTooLong(l.maxBytes)
	}
	if l.started {
		if err := l.send(p); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	if l.spool != nil {
		if err := l.reserve(len(p)); err != nil {
			return 0, err
		}
		return l.spool.Write(p)
	}
	l.held = append(l.held, bytes.Clone(p))
	l.heldBytes += len(p)
	switch {
	case !l.holdAll && l.heldBytes >= holdBytes:
		if err := l.start(); err != nil {
			return 0, err
		}
	case l.holdAll && l.heldBytes >= spoolBytes:
		f, err := os.CreateTemp("", "creditsync-result-*")
		if err != nil {
			return 0, fmt.Errorf("hold the result until the end of the query: %w", err)
		}
		os.Remove(f.Name()) // gone when closed, whatever happens
		l.spool = f
		if err := l.reserve(l.heldBytes); err != nil {
			return 0, err
		}
		for _, c := range l.held {
			if _, err := f.Write(c); err != nil {
				return 0, fmt.Errorf("hold the result until the end of the query: %w", err)
			}
		}
		l.held, l.heldBytes = nil, 0
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
	if l.enc != nil && l.enc.name != "" {
		hd.Set("Content-Encoding", l.enc.name)
		hd.Add("Vary", "Accept-Encoding")
	}
	l.tag = exceptionTag()
	hd.Set("X-ClickHouse-Exception-Tag", l.tag)
	p := l.progress
	summary, _ := json.Marshal(map[string]string{"read_rows": strconv.FormatUint(p.ReadRows, 10), "result_rows": strconv.FormatUint(p.ResultRows, 10), "result_bytes": strconv.FormatUint(p.ResultBytes, 10)})
	hd.Set("X-ClickHouse-Summary", string(summary))
	l.w.WriteHeader(http.StatusOK)
	if l.spool != nil {
		if _, err := l.spool.Seek(0, io.SeekStart); err != nil {
			return err
		}
		buf := make([]byte, 1<<20)
		for {
			n, err := l.spool.Read(buf)
			if n > 0 {
				if err := l.send(buf[:n]); err != nil {
					return err
				}
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
		}
	}
	for _, c := range l.held {
		if err := l.send(c); err != nil {
			return err
		}
	}
	l.held, l.heldBytes = nil, 0
	return nil
}

// finish sends what is held and ends the encoded stream.
func (l *lazyWriter) finish() error {
	if !l.started {
		if err := l.start(); err != nil {
			return err
		}
	}
	if l.enc != nil {
		return l.enc.w.Close()
	}
	return nil
}

// reserve counts n more bytes of this answer held on disk against what
// every held answer together may take (Options.MaxHeldBytes): a slow
// client holds no slot while its answer waits, and answers kept for many
// such clients would fill the disk.
func (l *lazyWriter) reserve(n int) error {
	if l.heldOnDisk == nil || l.maxHeld <= 0 {
		return nil
	}
	if l.heldOnDisk.Add(int64(n)) > l.maxHeld {
		l.heldOnDisk.Add(-int64(n))
		return &Exception{Code: 243, Name: "NOT_ENOUGH_SPACE",
			Msg: fmt.Sprintf("answers held to the end of their queries (wait_end_of_query) may take %d bytes of the server's disk together, and others take them now; try again later, or without wait_end_of_query", l.maxHeld)}
	}
	l.reserved += int64(n)
	return nil
}

func (l *lazyWriter) discard() {
	if l.heldOnDisk != nil {
		l.heldOnDisk.Add(-l.reserved)
		l.reserved = 0
	}
	if l.spool != nil {
		l.spool.Close()
	}
}

// exception ends a response whose 200 is already sent the way a
// ClickHouse 25.11+ server does, in a block its clients recognise by the
// tag announced in X-ClickHouse-Exception-Tag:
//
//	\r\n__exception__\r\n<tag>\r\n<message>\n<len(message)+1> <tag>\r\n__exception__\r\n
//
// written and flushed in one piece (inside the answer's encoding), so
// that it ends the chunk a client reads it in.
func (l *lazyWriter) exception(ex *Exception) {
	msg := strings.TrimSpace(ex.text())
	block := "\r\n__exception__\r\n" + l.tag + "\r\n" + msg + "\n" + strconv.Itoa(len(msg)+1) + " " + l.tag + "\r\n__exception__\r\n"
	if f, ok := l.w.(http.Flusher); ok {
		f.Flush()
	}
	_ = l.send([]byte(block))
	if l.enc != nil {
		_ = l.enc.w.Close()
	}
	if f, ok := l.w.(http.Flusher); ok {
		f.Flush()
	}
}

// exceptionTag is 16 random letters and digits, as a server's.
func exceptionTag() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	var b [16]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:])
}

// formatClause finds a trailing FORMAT clause; only for the test-only
// writable mode, whose statements are not parsed by the engine first.
var formatClause = regexp.MustCompile(`(?is)\bFORMAT\s+([A-Za-z0-9]+)(\s+SETTINGS\b[^'"]*)?\s*;?\s*$`)

// effectiveFormat is the format the answer is written in: the one the
// engine parsed (fixed), else a trailing FORMAT clause, else format.
func effectiveFormat(query, format string, fixed bool) string {
	if fixed {
		return format
	}
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
