package store

import (
	"context"
	"errors"
	"io"
	"time"
)

// FormatOptions control a query whose result the engine formats itself.
type FormatOptions struct {
	// Format is a ClickHouse output format name (CSVWithNames,
	// JSONEachRow, PrettyCompact, Parquet, …). A FORMAT clause in the
	// query wins over it, as in clickhouse-client.
	Format string
	Params Params
	// Writable lifts the read-only guard. Without it the session runs with
	// readonly=1, which the engine enforces and no statement can change.
	Writable bool
	// Database, when set, is the session's current database instead of
	// the store's (unqualified table names resolve there).
	Database string
	// TimeZone is the session time zone (IANA name): it decides today()
	// and how DateTime values without their own zone print. Empty keeps
	// the engine's zone.
	TimeZone string
	// Limits; zero means none.
	MaxResultRows    uint64
	MaxResultBytes   uint64
	MaxExecutionTime time.Duration
	// MaxMemoryUsage bounds the memory the query may take in the engine
	// (max_memory_usage); zero leaves the engine's limit for the whole
	// process, which one query could then take to itself.
	MaxMemoryUsage uint64
	// MaxThreads bounds the threads the engine gives the query
	// (max_threads); zero leaves the engine's default, every core.
	MaxThreads uint64
	// Yield runs the query behind the process's own work: while any
	// other query of the engine runs, it waits (ClickHouse's priority;
	// see store/embedded's sessionSettings). Analysts' queries yield, so
	// that the nightly run and the dashboards are never starved by them.
	Yield bool
	// Progress, when set, is called after each chunk of output with how
	// far the query has got.
	Progress func(Progress)
	// FormatFixed says Format is the format the statement will be written
	// in, its FORMAT clause included, as read from the engine's parse of it
	// (sqlaccess); the text is then not searched for a FORMAT clause.
	FormatFixed bool
	// Settings are changed for the session before it turns read-only
	// (the caller has checked them: sqlaccess.CheckSetting).
	Settings []Setting
	// StatementSettings lets the statement's own SETTINGS clause apply
	// (readonly=2 instead of 1: settings may change, readonly may not);
	// the caller has checked the clause (sqlaccess).
	StatementSettings bool
	// EngineDefaults keeps ClickHouse's default output settings (64-bit
	// integers quoted in JSON, no quoting of NaN), as a server's clients
	// expect, instead of creditsync's own.
	EngineDefaults bool
	// Materialize runs the statement in one piece instead of streaming its
	// result: INTO OUTFILE needs it, or the file would stop at the first
	// chunk.
	Materialize bool
}

// Progress is how far a query has got.
type Progress struct {
	// ReadRows are the rows the engine read from tables and table
	// functions, those below a view's filter included.
	ReadRows uint64
	// ResultRows and ResultBytes are the rows of the result and the bytes
	// of it written so far.
	ResultRows, ResultBytes uint64
}

// Setting is one setting changed for a session.
type Setting struct{ Name, Value string }

// Formatter is implemented by stores whose engine can write a result in
// one of ClickHouse's formats, streamed without decoding in Go.
type Formatter interface {
	QueryFormatted(ctx context.Context, w io.Writer, query string, opt FormatOptions) error
}

// ErrFormatUnsupported says the store cannot stream engine-formatted
// output.
var ErrFormatUnsupported = errors.New("engine-formatted output is not supported on this engine")

// QueryFormatted runs query on s with the engine formatting the result,
// or fails with ErrFormatUnsupported when s cannot.
func QueryFormatted(ctx context.Context, s Store, w io.Writer, query string, opt FormatOptions) error {
	f, ok := s.(Formatter)
	if !ok {
		return &Error{Op: "run query with format " + opt.Format, Err: ErrFormatUnsupported,
			Hint: "the " + s.Engine() + " engine only prints table, csv and json; use the embedded engine or clickhouse-client for other formats"}
	}
	return f.QueryFormatted(ctx, w, query, opt)
}
