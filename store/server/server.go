// Package server connects creditsync to a ClickHouse server or cluster over
// the native protocol with clickhouse-go. It is deliberately thin: the SQL
// is the same as for the embedded engine; only transport differs.
package server

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
)

// Config says which server to use.
type Config struct {
	// DSN is clickhouse://user:password@host:9000/database?dial_timeout=5s.
	DSN string
	// Database overrides the DSN's database (tests use one each).
	Database string
	// Cluster, when set, makes migrations use ON CLUSTER and Replicated engines.
	Cluster string
	// Create creates the database when it does not exist; only
	// `creditsync init` sets it.
	Create bool
}

// Default limits of one insert block: the ClickHouse docs recommend
// 10,000–100,000 rows per insert; the byte limit (estimated from the
// values) keeps rows with long texts, like grade evidence, from making
// one huge block. The DSN's batch_rows and batch_bytes change them, e.g.
// for an HTTP endpoint that limits the size of a request.
const (
	defaultBatchRows  = 50_000
	defaultBatchBytes = 64 << 20
)

// Store is a Store on a ClickHouse server.
type Store struct {
	conn       driver.Conn
	database   string
	cluster    string
	host       string
	batchRows  int64
	batchBytes int64
	jsonInsert bool // insert_format=JSONEachRow: see insertJSON
}

// Redact returns dsn with its password replaced, for messages and logs.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable ClickHouse DSN)"
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	q := u.Query()
	for k := range q {
		if strings.Contains(strings.ToLower(k), "password") {
			q.Set(k, "xxxxx")
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// Open connects to the configured database directly, so a user limited to
// that database can use creditsync. The database must exist, except with
// Create (only `creditsync init`), which creates it.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	opts, limits, err := parseDSN(cfg.DSN)
	if err != nil {
		return nil, err
	}
	db := cfg.Database
	if db == "" {
		db = opts.Auth.Database
	}
	if db == "" {
		db = "creditsync"
	}
	if err := store.ValidDatabase(db); err != nil {
		return nil, err
	}
	host := strings.Join(opts.Addr, ",")
	if cfg.Cluster != "" {
		for k, v := range replicaSettings {
			opts.Settings[k] = v
		}
	}
	opts.Auth.Database = db
	conn, err := connect(ctx, opts, host)
	if err != nil && cfg.Create && isUnknownDatabase(err) {
		if err = create(ctx, *opts, db, cfg.Cluster, host); err == nil {
			conn, err = connect(ctx, opts, host)
		}
	}
	if err != nil {
		if isUnknownDatabase(err) {
			return nil, &store.Error{Op: "open database " + db + " on " + host, Err: errors.New("it does not exist"),
				Hint: "run `creditsync init` once (as a user allowed to create it), or ask the administrator to create it"}
		}
		return nil, err
	}
	st := &Store{conn: conn, database: db, cluster: cfg.Cluster, host: host, batchRows: limits.rows, batchBytes: limits.bytes, jsonInsert: limits.json}
	if cfg.Cluster != "" {
		if err := CheckOneShard(ctx, st, cfg.Cluster, Clusters); err != nil {
			conn.Close()
			return nil, err
		}
	}
	return st, nil
}

// batchLimits bound one insert block.
type batchLimits struct {
	rows, bytes int64
	json        bool // insert_format=JSONEachRow
}

// parseDSN reads the DSN with clickhouse-go, plus creditsync's own
// options — ca_file (a PEM file of the CAs to trust for secure=true),
// batch_rows and batch_bytes (limits of one insert block) — and its
// defaults: LZ4 compression on the native protocol unless compress= says
// otherwise. Errors never quote the DSN: it may hold a password.
func parseDSN(dsn string) (*clickhouse.Options, batchLimits, error) {
	limits := batchLimits{rows: defaultBatchRows, bytes: defaultBatchBytes}
	invalid := func(why string) error {
		return &store.Error{Op: "parse ClickHouse DSN " + Redact(dsn), Err: errors.New(why),
			Hint: "use clickhouse://user:password@host:9000/database?secure=true&ca_file=/path/ca.pem (docs/storage.md: Beyond one machine)"}
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, limits, invalid("invalid DSN")
	}
	q := u.Query()
	caFile := q.Get("ca_file")
	for name, dst := range map[string]*int64{"batch_rows": &limits.rows, "batch_bytes": &limits.bytes} {
		if v := q.Get(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1 {
				return nil, limits, invalid(name + " must be a positive whole number")
			}
			*dst = n
		}
		q.Del(name)
	}
	switch f := q.Get("insert_format"); f {
	case "", "Native":
	case "JSONEachRow":
		limits.json = true
	default:
		return nil, limits, invalid("insert_format must be Native or JSONEachRow, not " + f)
	}
	q.Del("insert_format")
	q.Del("ca_file")
	u.RawQuery = q.Encode()
	opts, err := clickhouse.ParseDSN(u.String())
	if err != nil {
		return nil, limits, invalid("invalid DSN")
	}
	if caFile != "" {
		if opts.TLS == nil {
			return nil, limits, invalid("ca_file needs secure=true")
		}
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, limits, invalid("ca_file: " + err.Error())
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, limits, invalid("ca_file " + caFile + " holds no PEM certificate")
		}
		opts.TLS.RootCAs = pool
	}
	if !q.Has("compress") && opts.Protocol == clickhouse.Native {
		opts.Compression = &clickhouse.Compression{Method: clickhouse.CompressionLZ4}
	}
	if opts.Settings == nil {
		opts.Settings = clickhouse.Settings{}
	}
	// Read ReplacingMergeTree tables as merged (see the embedded engine).
	opts.Settings["final"] = 1
	opts.Settings["optimize_trivial_count_query"] = 0
	// The daemon's own queries first: analysts' users run at priority 2
	// (chhttp.ServerAccess) and wait while one of these runs.
	opts.Settings["priority"] = 1
	return opts, limits, nil
}

// replicaSettings make a write acknowledged only once a majority of the
// replicas hold it, in one order (insert_quorum_parallel = 0), and make
// every read see every write acknowledged before it
// (select_sequential_consistency): a grade or lease written on one
// replica is what the next command reads on another. A delete waits for
// the connected replica only (lightweight_deletes_sync = 1): the others
// apply it from the replication log, so a replica that is down delays
// nothing.
var replicaSettings = clickhouse.Settings{
	"insert_quorum":                 "auto",
	"insert_quorum_parallel":        0,
	"select_sequential_consistency": 1,
	"lightweight_deletes_sync":      1,
}

func connect(ctx context.Context, opts *clickhouse.Options, host string) (driver.Conn, error) {
	conn, err := clickhouse.Open(opts)
	if err != nil {
		return nil, wrapConnErr(host, err)
	}
	if err := conn.Ping(ctx); err != nil {
		conn.Close()
		if isUnknownDatabase(err) {
			return nil, err
		}
		return nil, wrapConnErr(host, err)
	}
	return conn, nil
}

// create makes the database, connected to the user's default database
// (the configured one does not exist yet).
func create(ctx context.Context, opts clickhouse.Options, db, cluster, host string) error {
	opts.Auth.Database = ""
	conn, err := connect(ctx, &opts, host)
	if err != nil {
		return err
	}
	defer conn.Close()
	ddl, err := sql.QueryWith(sql.Target{Cluster: cluster}, "schema/create_database", map[string]any{"Database": db})
	if err != nil {
		return err
	}
	if err := conn.Exec(ctx, ddl); err != nil {
		return &store.Error{Op: "create database " + db + " on " + host, Err: err, Hint: "the user needs CREATE DATABASE; or ask the administrator to create it"}
	}
	return nil
}

// isUnknownDatabase reports ClickHouse's UNKNOWN_DATABASE (code 81).
func isUnknownDatabase(err error) bool {
	var ex *clickhouse.Exception
	return errors.As(err, &ex) && ex.Code == 81
}

func wrapConnErr(host string, err error) error {
	return &store.Error{Op: "connect to ClickHouse at " + host, Err: err, Hint: "check CREDITSYNC_CLICKHOUSE (host, port 9000 for the native protocol, user and password) and that the server is running"}
}

// Database implements store.Store.
func (s *Store) Database() string { return s.database }

// Cluster implements store.Store.
func (s *Store) Cluster() string { return s.cluster }

// Engine implements store.Store.
func (s *Store) Engine() string { return "server" }

// Close implements store.Store.
func (s *Store) Close() error { return s.conn.Close() }

func withParams(ctx context.Context, p store.Params) (context.Context, error) {
	if len(p) == 0 {
		return ctx, nil
	}
	values, err := store.FormatParams(p)
	if err != nil {
		return nil, err
	}
	return clickhouse.Context(ctx, clickhouse.WithParameters(clickhouse.Parameters(values))), nil
}

// Exec implements store.Store.
func (s *Store) Exec(ctx context.Context, query string, params store.Params) error {
	ctx, err := withParams(ctx, params)
	if err != nil {
		return err
	}
	return s.conn.Exec(ctx, query)
}

// Query implements store.Store.
func (s *Store) Query(ctx context.Context, query string, params store.Params) (store.Rows, error) {
	ctx, err := withParams(ctx, params)
	if err != nil {
		return nil, err
	}
	r, err := s.conn.Query(ctx, query)
	if err != nil {
		return nil, err
	}
	cts := r.ColumnTypes()
	out := &rows{r: r}
	for _, ct := range cts {
		out.columns = append(out.columns, store.Column{Name: ct.Name(), Type: ct.DatabaseTypeName()})
		out.scanTypes = append(out.scanTypes, ct.ScanType())
	}
	return out, nil
}

// Insert implements store.Store with PrepareBatch/Append/Send.
func (s *Store) Insert(ctx context.Context, table string, columns []string, seq iter.Seq2[[]any, error]) (int64, error) {
	if s.jsonInsert {
		return s.insertJSON(ctx, table, columns, seq)
	}
	query := fmt.Sprintf("INSERT INTO `%s` (`%s`)", table, strings.Join(columns, "`, `"))
	var sent int64
	var batch driver.Batch
	var pending, size int64
	send := func() error {
		if batch == nil {
			return nil
		}
		err := batch.Send()
		batch = nil
		if err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
		sent += pending
		pending, size = 0, 0
		return nil
	}
	defer func() {
		if batch != nil {
			batch.Abort()
		}
	}()
	for row, err := range seq {
		if err != nil {
			return sent, err
		}
		if batch == nil {
			if batch, err = s.conn.PrepareBatch(ctx, query); err != nil {
				return sent, fmt.Errorf("insert into %s: %w", table, err)
			}
		}
		if err := batch.Append(row...); err != nil {
			return sent, fmt.Errorf("insert into %s: %w", table, err)
		}
		pending++
		size += estimate(row)
		if pending >= s.batchRows || size >= s.batchBytes {
			if err := send(); err != nil {
				return sent, err
			}
		}
	}
	return sent, send()
}

// estimate is roughly how many bytes a row takes in a block.
func estimate(row []any) int64 {
	var n int64
	for _, v := range row {
		switch x := v.(type) {
		case string:
			n += int64(len(x)) + 1
		case []string:
			for _, e := range x {
				n += int64(len(e)) + 1
			}
			n += 8
		default:
			n += 8
		}
	}
	return n
}

type rows struct {
	r         driver.Rows
	columns   []store.Column
	scanTypes []reflect.Type
	values    []any
	err       error
}

func (r *rows) Columns() []store.Column { return r.columns }

func (r *rows) Next() bool {
	if r.err != nil || !r.r.Next() {
		return false
	}
	dest := make([]any, len(r.scanTypes))
	for i, t := range r.scanTypes {
		dest[i] = reflect.New(t).Interface()
	}
	if err := r.r.Scan(dest...); err != nil {
		r.err = err
		return false
	}
	r.values = make([]any, len(dest))
	for i, d := range dest {
		r.values[i] = canonical(reflect.ValueOf(d).Elem())
	}
	return true
}

func (r *rows) Scan(dest ...any) error { return store.ScanRow(r.values, dest...) }
func (r *rows) Values() []any          { return r.values }

func (r *rows) Err() error {
	if r.err != nil {
		return r.err
	}
	return r.r.Err()
}

func (r *rows) Close() error { return r.r.Close() }

// canonical converts what clickhouse-go scanned into the value types both
// engines agree on (see store.Rows).
func canonical(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return canonical(v.Elem())
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return v.Uint()
	case reflect.Float32, reflect.Float64:
		return v.Float()
	case reflect.Slice, reflect.Array:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = canonical(v.Index(i))
		}
		return out
	}
	if t, ok := v.Interface().(time.Time); ok {
		return t.UTC()
	}
	return v.Interface()
}
