// Package schema brings a ClickHouse database up to the schema in
// sql/migrations: each migration runs once, under a lock, with its status
// and error recorded step by step so a half-applied one is noticed.
package schema

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/store/lease"
)

// Status values of a migration in schema_migrations.
const (
	StatusStarted = "started"
	StatusApplied = "applied"
	StatusFailed  = "failed"
)

// ErrLocked means another process is migrating the same database.
var ErrLocked = errors.New("schema migration lock is held")

// ErrDirty means a migration started earlier did not finish.
var ErrDirty = errors.New("a migration is half-applied")

// ErrModified means an applied migration's file has changed since.
var ErrModified = errors.New("an applied migration was modified")

// Options tune Migrate.
type Options struct {
	// Retry runs a half-applied migration again. Migrations are written to
	// be idempotent (IF NOT EXISTS), so this is safe once the cause of the
	// failure is fixed.
	Retry bool
	// Owner names this process in the lock, for the message the loser sees.
	Owner string
}

// State is one migration's recorded state.
type State struct {
	Version        int
	Name           string
	Checksum       string
	Status         string // "" when never started
	Statements     int
	StatementsDone int
	Error          string
}

// Result says what Migrate did.
type Result struct {
	Applied []string // names of migrations applied now
	Current int      // highest applied version
}

// Migrate applies every pending migration.
func Migrate(ctx context.Context, s store.Store, opt Options) (Result, error) {
	t := sql.Target{Cluster: s.Cluster()}
	migrations, err := sql.Migrations(t)
	if err != nil {
		return Result{}, err
	}
	if err := s.Exec(ctx, sql.MustQuery(t, "schema/create_migrations_table"), nil); err != nil {
		return Result{}, fmt.Errorf("create schema_migrations: %w", err)
	}
	if err := lease.CreateTable(ctx, s); err != nil {
		return Result{}, err
	}
	if opt.Owner == "" {
		opt.Owner = DefaultOwner()
	}
	unlock, err := lock(ctx, s, opt.Owner)
	if err != nil {
		return Result{}, err
	}
	defer unlock()

	states, err := States(ctx, s)
	if err != nil {
		return Result{}, err
	}
	var res Result
	for _, m := range migrations {
		st := states[m.Version]
		label := fmt.Sprintf("%04d_%s", m.Version, m.Name)
		switch st.Status {
		case StatusApplied:
			if !m.Matches(st.Checksum) {
				return res, &store.Error{
					Op:   "migrate " + label,
					Err:  ErrModified,
					Hint: "migrations are never edited once released; restore the file and add a new migration for the change",
				}
			}
			res.Current = m.Version
			continue
		case StatusStarted, StatusFailed:
			if !opt.Retry {
				return res, &store.Error{
					Op:   "migrate " + label,
					Err:  fmt.Errorf("%w: status %s after %d of %d statements: %s", ErrDirty, st.Status, st.StatementsDone, st.Statements, orNone(st.Error)),
					Hint: "fix the cause, then run `creditsync init --retry` to run it again (its statements are idempotent)",
				}
			}
		}
		if err := apply(ctx, s, t, m, opt.Owner); err != nil {
			return res, fmt.Errorf("migrate %s: %w", label, err)
		}
		res.Applied = append(res.Applied, label)
		res.Current = m.Version
	}
	return res, nil
}

func orNone(s string) string {
	if s == "" {
		return "no error recorded (the process may have been killed)"
	}
	return s
}

func apply(ctx context.Context, s store.Store, t sql.Target, m sql.Migration, owner string) error {
	started := time.Now().UTC()
	record := func(status string, done int, errText string) error {
		return s.Exec(ctx, sql.MustQuery(t, "schema/record_migration"), store.Params{
			"version": m.Version, "name": m.Name, "checksum": m.Checksum, "status": status,
			"statements": len(m.Statements), "done": done, "error": errText,
			"started_at": started, "by": owner,
		})
	}
	if err := record(StatusStarted, 0, ""); err != nil {
		return fmt.Errorf("record start: %w", err)
	}
	for i, stmt := range m.Statements {
		if err := s.Exec(ctx, stmt, nil); err != nil {
			msg := fmt.Sprintf("statement %d: %v", i+1, err)
			if rerr := record(StatusFailed, i, msg); rerr != nil {
				return errors.Join(errors.New(msg), fmt.Errorf("record failure: %w", rerr))
			}
			return errors.New(msg)
		}
	}
	if err := record(StatusApplied, len(m.Statements), ""); err != nil {
		return fmt.Errorf("record success: %w", err)
	}
	return nil
}

// States returns the recorded state of every migration by version.
func States(ctx context.Context, s store.Store) (map[int]State, error) {
	t := sql.Target{Cluster: s.Cluster()}
	rows, err := s.Query(ctx, sql.MustQuery(t, "schema/migration_states"), nil)
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	defer rows.Close()
	out := map[int]State{}
	for rows.Next() {
		var st State
		if err := rows.Scan(&st.Version, &st.Name, &st.Checksum, &st.Status, &st.Statements, &st.StatementsDone, &st.Error); err != nil {
			return nil, err
		}
		out[st.Version] = st
	}
	return out, rows.Err()
}

// lockTTL is how long the schema lease outlives a holder that stopped
// renewing it (killed, or cut off from the engine).
const lockTTL = 5 * time.Minute

// lock takes the schema lease. Unlike the lock table it replaces, a lease
// held by a process that died lapses by itself after lockTTL.
func lock(ctx context.Context, s store.Store, owner string) (func(), error) {
	l, err := lease.Acquire(ctx, s, lease.Schema, owner, lockTTL)
	if err != nil {
		if errors.Is(err, lease.ErrHeld) {
			return nil, &store.Error{
				Op:   "migrate database " + s.Database(),
				Err:  fmt.Errorf("%w: %w", ErrLocked, err),
				Hint: "wait for that process to finish; if it died, its lease lapses by itself, or run `creditsync init --unlock`",
			}
		}
		return nil, fmt.Errorf("take the schema lease: %w", err)
	}
	return func() { _ = l.Release(context.WithoutCancel(ctx)) }, nil
}

// Unlock ends a schema lease left by a process that died (it would lapse
// by itself after a few minutes).
func Unlock(ctx context.Context, s store.Store) error {
	if ok, err := tableExists(ctx, s, "leases"); err != nil || !ok {
		return err
	}
	return lease.Break(ctx, s, lease.Schema)
}

// Pending lists the migrations not applied yet, with a cheap read and no
// lock: commands other than init call Migrate only when it is not empty,
// so a current schema costs one query and no DDL.
func Pending(ctx context.Context, s store.Store) ([]string, error) {
	migrations, err := sql.Migrations(sql.Target{Cluster: s.Cluster()})
	if err != nil {
		return nil, err
	}
	states := map[int]State{}
	for _, table := range []string{"schema_migrations", "leases"} {
		ok, err := tableExists(ctx, s, table)
		if err != nil {
			return nil, err
		}
		if !ok {
			return names(migrations), nil
		}
	}
	if states, err = States(ctx, s); err != nil {
		return nil, err
	}
	var out []string
	for _, m := range migrations {
		if st := states[m.Version]; st.Status != StatusApplied || !m.Matches(st.Checksum) {
			out = append(out, fmt.Sprintf("%04d_%s", m.Version, m.Name))
		}
	}
	return out, nil
}

func names(ms []sql.Migration) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = fmt.Sprintf("%04d_%s", m.Version, m.Name)
	}
	return out
}

func tableExists(ctx context.Context, s store.Store, name string) (bool, error) {
	n, err := store.Count(ctx, s, sql.MustQuery(sql.Target{}, "schema/table_exists"), store.Params{"table": name})
	if err != nil {
		return false, fmt.Errorf("look for table %s: %w", name, err)
	}
	return n > 0, nil
}

// DefaultOwner identifies this process: host, pid and program.
func DefaultOwner() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s pid %d (%s)", host, os.Getpid(), strings.Join(os.Args[:1], ""))
}
