package workflows

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/load"
	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/store/lease"
	"github.com/xuchang-hrss/creditsync/zone"
)

// Every command that writes grades or lists (sync, run, evaluate, confirm,
// regrade, objection, upgrade, expire, import, review removals --accept)
// holds the jobs lease in the database while it works, so two processes —
// on one host or several sharing a ClickHouse server — never write at the
// same time. The flock in the data directory (jobs.Acquire) stays: on the
// embedded engine it is what a second process meets first.

// WithJobsLease claims the jobs lease for what on s and returns s fenced
// by it (each write first checks the claim is still live) and the release.
// A held lease is an error naming the holder and since when, with a hint.
func (d Deps) WithJobsLease(ctx context.Context, s store.Store, what string) (store.Store, func() error, error) {
	l, err := d.acquireJobsLease(ctx, s, what)
	if err != nil {
		if errors.Is(err, lease.ErrHeld) {
			return nil, nil, &lockedError{&store.Error{Op: what, Err: err,
				Hint: "wait for it to finish; a holder on this host that died is taken over at once, one on another host lapses within " + lease.DefaultTTL.String() + " (or run `creditsync init --unlock` once you know it is dead)"}}
		}
		return nil, nil, err
	}
	release := func() error { return l.Release(context.WithoutCancel(ctx)) }
	for _, dead := range l.TookOver() {
		fmt.Fprintf(d.notices(), "took over the jobs lease of %s\n", dead)
	}
	// Holding the jobs lease, no other loader is at work: stage tables in
	// the database are a dead process's, and would otherwise stay.
	left, err := load.FinishLeftovers(ctx, l.Fenced(s))
	if err != nil {
		return nil, nil, errors.Join(err, release())
	}
	if len(left.Finished) > 0 {
		fmt.Fprintf(d.notices(), "completed %d batch(es) an unfinished load had written to its list: %s (import the file again to record its counts and rejects)\n", len(left.Finished), strings.Join(left.Finished, ", "))
	}
	if runs, err := interruptDeadRuns(ctx, l.Fenced(s)); err != nil {
		return nil, nil, errors.Join(err, release())
	} else {
		for _, r := range runs {
			fmt.Fprintf(d.notices(), "recorded as interrupted the %s\n", r)
		}
	}
	if len(left.Dropped) > 0 {
		fmt.Fprintf(d.notices(), "dropped %d table(s) left by an unfinished load: %s\n", len(left.Dropped), strings.Join(left.Dropped, ", "))
	}
	return l.Fenced(s), release, nil
}

// Recover takes the jobs lease once and lets it go, as the daemon starts:
// what a process that died left — its claim, its runs and syncs shown
// running, an unfinished load's tables — is put right and said
// (Notices) now, not by the next job hours later. A lease a live
// process holds (a run on another host) is left to it.
func (d Deps) Recover(ctx context.Context, s store.Store) error {
	_, release, err := d.WithJobsLease(ctx, s, "the daemon's start")
	var le *lockedError
	if errors.As(err, &le) {
		fmt.Fprintf(d.notices(), "left the jobs lease to its holder: %v\n", err)
		return nil
	}
	if err != nil {
		return err
	}
	return release()
}

// leaseWait is how long WaitForLease waits for the jobs lease. The daemon
// serves its three kinds of users at once: an import sent while the
// nightly run writes waits its turn instead of failing. A command run on
// its own still fails at once, naming the holder, since nobody may be
// there to see it wait.
const leaseWait = 30 * time.Minute

// acquireJobsLease claims the jobs lease; with WaitForLease it waits for
// a holder to finish, saying once whom it waits for.
func (d Deps) acquireJobsLease(ctx context.Context, s store.Store, what string) (*lease.Lease, error) {
	deadline := time.Now().Add(leaseWait)
	told := false
	for pause := 200 * time.Millisecond; ; pause = min(2*pause, 2*time.Second) {
		l, err := lease.Acquire(ctx, s, lease.Jobs, lease.Owner(what), 0)
		var held *lease.HeldError
		if err == nil || !d.WaitForLease || !errors.As(err, &held) || time.Now().After(deadline) {
			return l, err
		}
		if !told {
			fmt.Fprintf(d.notices(), "waiting for %s to finish (it holds the jobs lease since %s)\n", held.Owner, zone.Stamp(held.Since))
			told = true
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(pause):
		}
	}
}

// Leased returns s under the jobs lease for what: closing it releases the
// lease and closes s. On error s is left open.
func (d Deps) Leased(ctx context.Context, s store.Store, what string) (store.Store, error) {
	fenced, release, err := d.WithJobsLease(ctx, s, what)
	if err != nil {
		return nil, err
	}
	return &leasedStore{Store: fenced, inner: s, release: release}, nil
}

type leasedStore struct {
	store.Store
	inner   store.Store
	release func() error
}

func (s *leasedStore) Close() error { return errors.Join(s.release(), s.inner.Close()) }

func (d Deps) notices() io.Writer {
	if d.Notices == nil {
		return io.Discard
	}
	return d.Notices
}

// interruptDeadRuns records as interrupted the job runs and syncs a dead
// process left running (sql/queries/jobs/interrupt_dead.sql): they
// showed as running for good, across restarts and later good runs.
// Holding the jobs lease, no run of another process is going on. It
// returns the runs, named with when they started.
func interruptDeadRuns(ctx context.Context, s store.Store) ([]string, error) {
	t := sql.Target{Cluster: s.Cluster()}
	n, err := store.Count(ctx, s, sql.MustQuery(t, "jobs/running_runs"), nil)
	if err != nil {
		return nil, fmt.Errorf("look for runs a dead process left running: %w", err)
	}
	if n == 0 {
		return nil, nil
	}
	rows, err := s.Query(ctx, sql.MustQuery(t, "jobs/running_jobs"), nil)
	if err != nil {
		return nil, fmt.Errorf("look for runs a dead process left running: %w", err)
	}
	var runs []string
	for rows.Next() {
		var job, id string
		var started time.Time
		if err := rows.Scan(&job, &id, &started); err != nil {
			rows.Close()
			return nil, fmt.Errorf("look for runs a dead process left running: %w", err)
		}
		runs = append(runs, fmt.Sprintf("%s run %s started %s, whose process died before its end", job, id, zone.Stamp(started)))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("look for runs a dead process left running: %w", err)
	}
	if len(runs) == 0 {
		runs = []string{fmt.Sprintf("%d sync(s) a process that died left running", n)}
	}
	v, err := store.Version(ctx, s)
	if err != nil {
		return nil, err
	}
	for q, p := range map[string]store.Params{"jobs/interrupt_dead": nil, "sync/interrupt_dead": {"version": v}} {
		if err := s.Exec(ctx, sql.MustQuery(t, q), p); err != nil {
			return nil, fmt.Errorf("record runs a dead process left running: %w", err)
		}
	}
	return runs, nil
}
