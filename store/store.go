// Package store is creditsync's window on ClickHouse. Two engines implement
// Store: store/embedded runs chDB in-process (the default) and store/server
// talks to a ClickHouse server or cluster with clickhouse-go. Both run the
// same SQL from the sql package; the engine-specific code only moves
// queries, parameters and rows.
package store

import (
	"context"
	"errors"
	"fmt"
	"iter"
)

// Store runs SQL on one ClickHouse database.
//
// Queries take named parameters written in ClickHouse's own {name:Type}
// syntax, bound by the engine rather than spliced into the text, so no value
// from outside ever becomes SQL.
type Store interface {
	// Exec runs one statement that returns no rows.
	Exec(ctx context.Context, query string, params Params) error
	// Query runs one statement and returns its rows. The caller closes them.
	Query(ctx context.Context, query string, params Params) (Rows, error)
	// Insert appends rows to table. Each row holds one value per column, in
	// the order of columns; values are Go values as documented on Rows.Scan
	// (string, integers, float64, bool, time.Time, nil for NULL, []string).
	// It returns the number of rows sent.
	Insert(ctx context.Context, table string, columns []string, rows iter.Seq2[[]any, error]) (int64, error)
	// Database is the name of the ClickHouse database this store works in.
	Database() string
	// Cluster is the cluster DDL is distributed to, or "" for one node.
	Cluster() string
	// Engine names the engine for messages: "embedded" or "server".
	Engine() string
	// Close releases the connection.
	Close() error
}

// Rows iterates over a result set. Both engines decode values into the
// same Go types, so code above the store never depends on the engine:
// strings and enums → string, signed integers → int64, unsigned → uint64,
// floats → float64, Bool → bool, Date/DateTime → time.Time (UTC),
// NULL → nil, Array → []any.
type Rows interface {
	Columns() []Column
	Next() bool
	// Scan copies the current row into dest; see Assign for the accepted
	// destination types.
	Scan(dest ...any) error
	// Values returns the current row as decoded values.
	Values() []any
	Err() error
	Close() error
}

// Column describes a result column.
type Column struct {
	Name string
	Type string // ClickHouse type, e.g. "Nullable(Date)"
}

// Params are named query parameters; see FormatParam for how values are
// written.
type Params map[string]any

// Error is a store failure with a hint telling the user how to recover.
type Error struct {
	Op   string // what was being done, e.g. "open embedded engine"
	Err  error
	Hint string
}

func (e *Error) Error() string {
	msg := e.Op + ": " + e.Err.Error()
	if e.Hint != "" {
		msg += "\nhint: " + e.Hint
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// ErrNoRows is returned by QueryRow when the query returned nothing.
var ErrNoRows = errors.New("query returned no rows")

// QueryRow runs a query expected to return one row and scans it into dest.
func QueryRow(ctx context.Context, s Store, query string, params Params, dest ...any) error {
	rows, err := s.Query(ctx, query, params)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return ErrNoRows
	}
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	return rows.Close()
}

// Count runs a query returning a single number.
func Count(ctx context.Context, s Store, query string, params Params) (int64, error) {
	var n int64
	if err := QueryRow(ctx, s, query, params, &n); err != nil {
		return 0, fmt.Errorf("count: %w", err)
	}
	return n, nil
}
