package embedded

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/xuchang-hrss/creditsync/store"
)

// Config says where the embedded engine keeps its data.
type Config struct {
	// Path is the ClickHouse data directory. One process can hold only one
	// path at a time (a libchdb limit): opening a second path while a store
	// on another is open fails.
	Path string
	// Database is the ClickHouse database the store works in; created when
	// missing. Tests isolate themselves with one database each.
	Database string
}

// engine is the process-wide chDB instance: libchdb keeps one storage path
// per process, shared by all connections to it. conns counts open
// connections of every store.
var engine struct {
	sync.Mutex
	path  string
	conns int
	owner *owner // the owner file of path, held while conns > 0
}

// Store is a Store backed by a small pool of in-process chDB connections
// to one database. A chDB connection binds query parameters per
// connection, so one statement runs on a connection at a time and
// concurrent callers take different connections.
type Store struct {
	lib      *lib
	path     string // absolute data directory, for dedicated connections
	database string
	pool     chan *conn
	size     int

	mu     sync.Mutex
	closed bool
	types  map[string]map[string]string // table → column → type, for Insert
}

// conn is one chdb_connection.
type conn struct {
	ptr    *uintptr // chdb_connection* as returned by chdb_connect
	handle uintptr  // *ptr
}

// poolSize bounds concurrent statements per store; the machine has few
// cores and ClickHouse parallelises each query itself.
const poolSize = 4

// sessionSettings apply to every connection. libchdb 26.5 ignores
// settings passed to chdb_connect, so they are SET after connecting.
var sessionSettings = []string{
	// Integers as JSON numbers, so decoding needs no per-type quoting rules.
	"SET output_format_json_quote_64bit_integers = 0",
	// Read ReplacingMergeTree tables as merged, like the server engine's
	// session settings, so analysts' plain SELECTs see each key once.
	"SET final = 1",
	// count() from part metadata would ignore final and count replaced rows.
	"SET optimize_trivial_count_query = 0",
	// The process's own work runs at the engine's first priority: a query
	// of a lower one (FormatOptions.Yield: analysts' queries) pauses
	// whenever one of these runs. Queries of priority 0, the engine's
	// default, would neither wait nor make others wait.
	"SET priority = " + strconv.Itoa(ownPriority),
}

// Query priorities (ClickHouse's setting priority: 1 is the highest).
const (
	ownPriority      = 1
	yieldingPriority = 2
)

var databaseName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Open connects to the embedded engine at cfg.Path and selects (creating
// it if needed) cfg.Database.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if !databaseName.MatchString(cfg.Database) {
		return nil, fmt.Errorf("open embedded engine: database name %q must be letters, digits and underscores", cfg.Database)
	}
	shieldStdin() // before the library's initialisers see fd 0
	l, err := load()
	if err != nil {
		return nil, err
	}
	path, err := filepath.Abs(cfg.Path)
	if err != nil {
		return nil, fmt.Errorf("open embedded engine: %w", err)
	}
	if err := writable(path); err != nil {
		return nil, err
	}
	engine.Lock()
	defer engine.Unlock()
	if engine.conns > 0 && engine.path != path {
		return nil, &store.Error{
			Op:   "open embedded engine at " + path,
			Err:  fmt.Errorf("this process already has the engine open at %s", engine.path),
			Hint: "libchdb holds one data directory per process; close the other store first",
		}
	}
	s := &Store{lib: l, path: path, database: cfg.Database, pool: make(chan *conn, poolSize), types: map[string]map[string]string{}}
	if engine.conns == 0 {
		// Only the first connection can find the directory locked. The
		// owner file is taken first: a process that loses reads who holds
		// the directory even while this one opens the engine.
		o, err := lockOwner(path)
		if err != nil {
			return nil, err
		}
		restore := quietStderr()
		c, err := s.connect(path, o.previous)
		restore()
		if err != nil {
			o.release(true)
			return nil, err
		}
		engine.path, engine.owner = path, o
		s.size++
		s.pool <- c
	}
	for s.size < poolSize {
		c, err := s.connect(path, "")
		if err != nil {
			s.closeLocked()
			return nil, err
		}
		engine.path = path
		s.size++
		s.pool <- c
	}
	return s, nil
}

// connect opens one connection, applies the session settings and selects
// the database. The caller holds engine. holder is the note of whoever
// held the directory before (lockOwner), named if the engine refuses it.
func (s *Store) connect(path, holder string) (*conn, error) {
	args := []string{"clickhouse", "--path=" + path}
	argv, keep := cStrings(args)
	ptr := s.lib.connect(int32(len(args)), &argv[0])
	keepAlive(keep, argv)
	restoreGoHandlers() // see load
	if ptr == nil {
		if holder != "" {
			return nil, &store.Error{
				Op:   "open embedded engine at " + path,
				Err:  fmt.Errorf("the data directory is in use by %s", holder),
				Hint: "wait for that process to finish (a starting `creditsync server` daemon takes a few seconds, then commands run through it), or use --data to choose another directory",
			}
		}
		// No creditsync process says it holds it, and the directory is
		// writable (Open checked): libchdb gives no reason.
		return nil, &store.Error{
			Op:   "open embedded engine at " + path,
			Err:  errors.New("chdb_connect failed"),
			Hint: "another program may hold the directory (fuser -v " + path + "), or its files may not be readable by this user; or use --data to choose another directory",
		}
	}
	engine.conns++
	c := &conn{ptr: ptr, handle: *ptr}
	setup := append(append([]string{}, sessionSettings...), "CREATE DATABASE IF NOT EXISTS "+s.database, "USE "+s.database)
	for _, q := range setup {
		r, err := s.runOn(c, q, "", nil)
		if err != nil {
			s.lib.closeConn(c.ptr)
			engine.conns--
			return nil, fmt.Errorf("open embedded engine: %s: %w", q, err)
		}
		r.release()
	}
	return c, nil
}

// Database implements store.Store.
func (s *Store) Database() string { return s.database }

// Cluster implements store.Store; the embedded engine is one node.
func (s *Store) Cluster() string { return "" }

// Engine implements store.Store.
func (s *Store) Engine() string { return "embedded" }

// Close implements store.Store. It waits for statements in flight.
func (s *Store) Close() error {
	engine.Lock()
	defer engine.Unlock()
	s.closeLocked()
	return nil
}

func (s *Store) closeLocked() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.mu.Unlock()
	for range s.size {
		c := <-s.pool
		s.lib.closeConn(c.ptr)
		engine.conns--
	}
	if engine.conns == 0 && engine.owner != nil {
		engine.owner.release(false)
		engine.owner = nil
	}
}

// result owns a chdb_result until release is called.
type result struct {
	lib *lib
	ptr uintptr
}

func (r result) bytes() []byte {
	n := r.lib.resultLength(r.ptr)
	if n == 0 {
		return nil
	}
	return unsafe.Slice(r.lib.resultBuffer(r.ptr), n)
}

func (r result) err() error {
	p := r.lib.resultError(r.ptr)
	if p == nil {
		return nil
	}
	return &QueryError{Message: goString(p)}
}

func (r result) release() { r.lib.destroyResult(r.ptr) }

// QueryError is an error reported by the ClickHouse engine.
type QueryError struct{ Message string }

func (e *QueryError) Error() string { return e.Message }

func (s *Store) run(query string, format string, params store.Params) (result, error) {
	c, err := s.take()
	if err != nil {
		return result{}, err
	}
	defer func() { s.pool <- c }()
	return s.runOn(c, query, format, params)
}

// take borrows a connection from the pool; the caller puts it back.
func (s *Store) take() (*conn, error) {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return nil, errors.New("embedded store is closed")
	}
	return <-s.pool, nil
}

func (s *Store) runOn(c *conn, query string, format string, params store.Params) (result, error) {
	if len(params) == 0 {
		return s.runBytes(c, []byte(query), format)
	}
	values, err := store.FormatParams(params)
	if err != nil {
		return result{}, err
	}
	ptr, err := withParams(c, query, format, values, s.lib.queryWithParams)
	if err != nil {
		return result{}, err
	}
	return s.resultOf(ptr)
}

// withParams calls a libchdb entry point that takes a query, a format and
// named parameters, passing them as C strings kept alive for the call.
// A string holding a NUL byte is refused, not passed: the engine reads a
// C string up to its first NUL, so it would run another statement, or
// take a parameter under another name (two names that differ after a NUL
// would be one, its value whichever came first), than the one every
// check before it saw.
func withParams(c *conn, query, format string, values map[string]string, call func(conn uintptr, query, format *byte, names, values **byte, count uintptr) uintptr) (uintptr, error) {
	names := make([]string, 0, len(values))
	vals := make([]string, 0, len(values))
	for k, v := range values {
		if strings.IndexByte(k, 0) >= 0 {
			return 0, fmt.Errorf("query parameter %q: a NUL byte in a parameter's name", k)
		}
		if strings.IndexByte(v, 0) >= 0 {
			return 0, fmt.Errorf("query parameter %s: a NUL byte in its value (write it as \\0)", k)
		}
		names = append(names, k)
		vals = append(vals, v)
	}
	if strings.IndexByte(query, 0) >= 0 {
		return 0, errors.New("a NUL byte in the query")
	}
	if strings.IndexByte(format, 0) >= 0 {
		return 0, fmt.Errorf("format %q: a NUL byte in its name", format)
	}
	q, kq := cString(query)
	f, kf := cString(format)
	cn, kn := cStrings(names)
	cv, kv := cStrings(vals)
	ptr := call(c.handle, q, f, &cn[0], &cv[0], uintptr(len(names)))
	keepAlive(kq, kf, kn, kv, cn, cv)
	return ptr, nil
}

// runBytes runs a query given as bytes, without parameters: an insert's
// chunk of rows goes to the engine without being copied into a string.
func (s *Store) runBytes(c *conn, q []byte, format string) (result, error) {
	if len(q) == 0 {
		return result{}, errors.New("empty query")
	}
	f := []byte(format)
	var fp *byte
	if len(f) > 0 {
		fp = &f[0]
	}
	ptr := s.lib.queryN(c.handle, &q[0], uintptr(len(q)), fp, uintptr(len(f)))
	keepAlive(q, f)
	return s.resultOf(ptr)
}

// resultOf wraps what a query call returned, or the error it carries.
func (s *Store) resultOf(ptr uintptr) (result, error) {
	if ptr == 0 {
		return result{}, errors.New("chdb returned no result")
	}
	r := result{lib: s.lib, ptr: ptr}
	if err := r.err(); err != nil {
		r.release()
		return result{}, err
	}
	return r, nil
}

// Exec implements store.Store.
func (s *Store) Exec(ctx context.Context, query string, params store.Params) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r, err := s.run(query, "", params)
	if err != nil {
		return err
	}
	r.release()
	return nil
}

// Query implements store.Store. The result is decoded from
// JSONCompactEachRowWithNamesAndTypes, row by row as the caller iterates.
func (s *Store) Query(ctx context.Context, query string, params store.Params) (store.Rows, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r, err := s.run(query, "JSONCompactEachRowWithNamesAndTypes", params)
	if err != nil {
		return nil, err
	}
	rows, err := newRows(r)
	if err != nil {
		r.release()
		return nil, err
	}
	return rows, nil
}

func (s *Store) columnTypes(ctx context.Context, table string) (map[string]string, error) {
	s.mu.Lock()
	t, ok := s.types[table]
	s.mu.Unlock()
	if ok {
		return t, nil
	}
	rows, err := s.Query(ctx, "SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = {table:String}", store.Params{"table": table})
	if err != nil {
		return nil, fmt.Errorf("describe %s: %w", table, err)
	}
	defer rows.Close()
	t = map[string]string{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, err
		}
		t[name] = typ
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(t) == 0 {
		return nil, fmt.Errorf("insert: table %s does not exist in database %s", table, s.database)
	}
	s.mu.Lock()
	s.types[table] = t
	s.mu.Unlock()
	return t, nil
}

func joinIdents(cols []string) string {
	var b bytes.Buffer
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteIdent(c))
	}
	return b.String()
}
