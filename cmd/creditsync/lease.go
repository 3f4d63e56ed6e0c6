package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/load"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/store/lease"
)

// Every command that writes grades or lists (sync, run, evaluate, confirm,
// regrade, objection, upgrade, expire, import, review removals --accept)
// holds the jobs lease in the database while it works, so two processes —
// on one host or several sharing a ClickHouse server — never write at the
// same time. The flock in the data directory (jobs.Acquire) stays: on the
// embedded engine it is what a second process meets first.

// withJobsLease claims the jobs lease for what on s and returns s fenced
// by it (each write first checks the claim is still live) and the release.
// A held lease is a lockedError naming the holder and since when.
func (a *app) withJobsLease(ctx context.Context, s store.Store, what string) (store.Store, func() error, error) {
	l, err := a.acquireJobsLease(ctx, s, what)
	if err != nil {
		if errors.Is(err, lease.ErrHeld) {
			return nil, nil, &lockedError{&store.Error{Op: what, Err: err,
				Hint: "wait for it to finish; a holder on this host that died is taken over at once, one on another host lapses within " + lease.DefaultTTL.String() + " (or run `creditsync init --unlock` once you know it is dead)"}}
		}
		return nil, nil, err
	}
	release := func() error { return l.Release(context.WithoutCancel(ctx)) }
	for _, dead := range l.TookOver() {
		fmt.Fprintf(a.stderr, "took over the jobs lease of %s\n", dead)
	}
	// Holding the jobs lease, no other loader is at work: stage tables in
	// the database are a dead process's, and would otherwise stay.
	dropped, err := load.SweepLeftovers(ctx, l.Fenced(s))
	if err != nil {
		return nil, nil, errors.Join(err, release())
	}
	if len(dropped) > 0 {
		fmt.Fprintf(a.stderr, "dropped %d table(s) left by an unfinished load: %s\n", len(dropped), strings.Join(dropped, ", "))
	}
	return l.Fenced(s), release, nil
}

// daemonLeaseWait is how long a command the daemon runs waits for the
// jobs lease. The daemon serves its three kinds of users at once: an
// import sent while the nightly run writes waits its turn instead of
// failing. A command run on its own still fails at once, naming the
// holder, since nobody may be there to see it wait.
const daemonLeaseWait = 30 * time.Minute

// acquireJobsLease claims the jobs lease; inside the daemon it waits for
// a holder to finish, saying once on standard error whom it waits for.
func (a *app) acquireJobsLease(ctx context.Context, s store.Store, what string) (*lease.Lease, error) {
	deadline := time.Now().Add(daemonLeaseWait)
	told := false
	for pause := 200 * time.Millisecond; ; pause = min(2*pause, 2*time.Second) {
		l, err := lease.Acquire(ctx, s, lease.Jobs, lease.Owner(what), 0)
		var held *lease.HeldError
		if err == nil || !a.inDaemon || !errors.As(err, &held) || time.Now().After(deadline) {
			return l, err
		}
		if !told {
			fmt.Fprintf(a.stderr, "waiting for %s to finish (it holds the jobs lease since %s)\n", held.Owner, held.Since.Local().Format("15:04:05"))
			told = true
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(pause):
		}
	}
}

// openWriting opens the store for a command that writes grades or lists,
// under the jobs lease; Close releases the lease and closes the store.
func (a *app) openWriting(ctx context.Context, what string) (store.Store, error) {
	s, err := a.open(ctx)
	if err != nil {
		return nil, err
	}
	fenced, release, err := a.withJobsLease(ctx, s, what)
	if err != nil {
		s.Close()
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
