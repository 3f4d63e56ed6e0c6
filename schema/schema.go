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
	if opt.Owner == "" {
		opt.Owner = DefaultOwner()
	}
	unlock, err := lock(ctx, s, t, opt.Owner)
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
			if st.Checksum != m.Checksum {
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

func lock(ctx context.Context, s store.Store, t sql.Target, owner string) (func(), error) {
	if err := s.Exec(ctx, sql.MustQuery(t, "schema/create_lock"), nil); err != nil {
		if !strings.Contains(err.Error(), "already exists") {
			return nil, fmt.Errorf("take migration lock: %w", err)
		}
		holder, since := "unknown (still being acquired)", ""
		var h, at string
		if store.QueryRow(ctx, s, sql.MustQuery(t, "schema/lock_owner"), nil, &h, &at) == nil {
			holder, since = h, " since "+at+" UTC"
		}
		return nil, &store.Error{
			Op:   "migrate database " + s.Database(),
			Err:  fmt.Errorf("%w by %s%s", ErrLocked, holder, since),
			Hint: "wait for that process to finish; if it died, run `creditsync init --unlock`",
		}
	}
	unlock := func() { _ = s.Exec(context.WithoutCancel(ctx), sql.MustQuery(t, "schema/drop_lock"), nil) }
	if err := s.Exec(ctx, sql.MustQuery(t, "schema/record_lock_owner"), store.Params{"owner": owner}); err != nil {
		unlock()
		return nil, fmt.Errorf("record migration lock owner: %w", err)
	}
	return unlock, nil
}

// Unlock removes a migration lock left by a process that died.
func Unlock(ctx context.Context, s store.Store) error {
	return s.Exec(ctx, sql.MustQuery(sql.Target{Cluster: s.Cluster()}, "schema/drop_lock"), nil)
}

// DefaultOwner identifies this process: host, pid and program.
func DefaultOwner() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s pid %d (%s)", host, os.Getpid(), strings.Join(os.Args[:1], ""))
}
