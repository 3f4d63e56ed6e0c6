// Package lease gives one process at a time the right to do something
// (migrate the schema, run a job that writes grades or lists) across every
// process and host that shares a ClickHouse database.
//
// A lease is a claim row in the leases table whose expiry is in the
// engine's clock, renewed while the holder works. A process that dies
// simply stops renewing, and its claim lapses: nothing has to be removed by
// hand. To claim, a process inserts its row and then reads the live claims:
// it holds the lease only when its own claim is the only live one;
// otherwise it withdraws its claim and reports the oldest other claimant.
// Because each process inserts before it reads, of two processes racing at
// least one sees the other's claim, so two never both hold the lease (at
// worst both withdraw and the next attempt decides). This needs no
// compare-and-set, only that a read sees every insert that completed
// before it: true on one node, and on replicas when writes use
// insert_quorum and reads select_sequential_consistency (store/server).
//
// A claim also records its host and process id. A claim of a process on
// this host that no longer exists (killed with -9, crashed: its pid has
// no process, or a process that started after the claim) is taken over
// at once and the takeover logged, so a re-run after a crash, or a daemon
// restarted by systemd, does not wait for the expiry. Claims of other
// hosts cannot be checked and still lapse.
//
// Before each write, the holder checks that its claim is still live (the
// fence), so a process that lost its lease — paused longer than the expiry,
// say — stops instead of writing beside the new holder.
package lease

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"iter"
	"os"
	"sync"
	"time"

	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/zone"
)

// Names of the leases creditsync takes.
const (
	Schema = "schema" // schema migrations
	Jobs   = "jobs"   // every job that writes grades or lists
)

// DefaultTTL is how long a claim lives without renewal; the holder renews
// it every third of that.
const DefaultTTL = 2 * time.Minute

// ErrHeld means another process holds the lease.
var ErrHeld = errors.New("held by another process")

// ErrLost means this process's claim lapsed or was released under it.
var ErrLost = errors.New("lease lost")

// HeldError names who holds a lease and since when.
type HeldError struct {
	Name  string
	Owner string
	Since time.Time // engine time of the claim, UTC
	Until time.Time // engine time it lapses unless renewed
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("the %s lease is %v: %s since %s (lapses %s unless renewed)", e.Name, ErrHeld, e.Owner,
		zone.Stamp(e.Since), zone.Stamp(e.Until))
}

func (e *HeldError) Unwrap() error { return ErrHeld }

// Lease is a claim held by this process.
type Lease struct {
	s     store.Store
	t     sql.Target
	name  string
	token string
	owner string
	ttl   time.Duration

	stop chan struct{}
	done chan struct{}
	once sync.Once

	tookOver []string
}

// TookOver names the claims of dead processes on this host that Acquire
// ended to take the lease; the caller logs them.
func (l *Lease) TookOver() []string { return l.tookOver }

// CreateTable creates the leases table if it does not exist (run by the
// schema migration step, before it takes the schema lease).
func CreateTable(ctx context.Context, s store.Store) error {
	for _, q := range []string{"lease/create_table", "lease/add_process"} {
		if err := s.Exec(ctx, sql.MustQuery(target(s), q), nil); err != nil {
			return fmt.Errorf("create leases table: %w", err)
		}
	}
	return nil
}

func target(s store.Store) sql.Target { return sql.Target{Cluster: s.Cluster()} }

// Owner describes this process for the message a loser sees: host, pid,
// program and what it does.
func Owner(what string) string {
	host, _ := os.Hostname()
	prog := "creditsync"
	if len(os.Args) > 0 {
		prog = os.Args[0]
	}
	o := fmt.Sprintf("%s pid %d (%s)", host, os.Getpid(), prog)
	if what != "" {
		o += " running " + what
	}
	return o
}

// Acquire claims the lease name for owner without waiting. A *HeldError
// (errors.Is ErrHeld) says who holds it. ttl <= 0 means DefaultTTL. The
// claim is renewed in the background until Release.
func Acquire(ctx context.Context, s store.Store, name, owner string, ttl time.Duration) (*Lease, error) {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b) // never fails (crypto/rand documents it)
	l := &Lease{s: s, t: target(s), name: name, token: hex.EncodeToString(b), owner: owner, ttl: ttl,
		stop: make(chan struct{}), done: make(chan struct{})}
	if err := s.Exec(ctx, sql.MustQuery(l.t, "lease/claim"), l.params()); err != nil {
		return nil, fmt.Errorf("claim the %s lease: %w", name, err)
	}
	claims, err := live(ctx, s, name)
	if err != nil {
		return nil, errors.Join(err, l.release(context.WithoutCancel(ctx)))
	}
	var other *claim
	mine := false
	host := hostName()
	for i := range claims {
		c := &claims[i]
		switch {
		case c.token == l.token:
			mine = true
		case c.host == host && processGone(int(c.pid), c.claimed):
			// Its holder died without releasing it: end the claim now
			// rather than make this process wait for the expiry.
			if err := l.end(ctx, c.token); err != nil {
				return nil, errors.Join(err, l.release(context.WithoutCancel(ctx)))
			}
			took := fmt.Sprintf("%s (claimed %s; process %d no longer exists)", c.owner, zone.Stamp(c.claimed), c.pid)
			l.tookOver = append(l.tookOver, took)
		case other == nil:
			other = c
		}
	}
	if other != nil || !mine {
		rerr := l.release(context.WithoutCancel(ctx))
		if other == nil {
			// Our claim is not visible to our own read: the engine does
			// not give the consistency the lease needs.
			return nil, errors.Join(fmt.Errorf("claim the %s lease: the claim just written is not visible; on replicas use insert_quorum and select_sequential_consistency", name), rerr)
		}
		return nil, errors.Join(&HeldError{Name: name, Owner: other.owner, Since: other.claimed, Until: other.expires}, rerr)
	}
	go l.renew()
	return l, nil
}

func (l *Lease) params() store.Params {
	return store.Params{"name": l.name, "token": l.token, "owner": l.owner, "host": hostName(), "pid": uint32(os.Getpid()),
		"ttl_ms": uint64(l.ttl.Milliseconds())}
}

// renew pushes the expiry forward every third of the TTL until Release.
// A failed renewal is not fatal by itself: Check, before each write, is
// what stops a holder whose claim lapsed.
func (l *Lease) renew() {
	defer close(l.done)
	tick := time.NewTicker(l.ttl / 3)
	defer tick.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-tick.C:
			ctx, cancel := context.WithTimeout(context.Background(), l.ttl/3)
			_ = l.s.Exec(ctx, sql.MustQuery(l.t, "lease/renew"), l.params())
			cancel()
		}
	}
}

// Check is the fence: it fails with ErrLost unless this claim is still
// live in the engine. Call it before each write.
func (l *Lease) Check(ctx context.Context) error {
	claims, err := live(ctx, l.s, l.name)
	if err != nil {
		return err
	}
	for _, c := range claims {
		if c.token == l.token {
			return nil
		}
	}
	return &store.Error{Op: "write under the " + l.name + " lease", Err: fmt.Errorf("%w: the claim of %s lapsed or was released", ErrLost, l.owner),
		Hint: "another process may hold it now; nothing more was written by this one. Run the command again"}
}

// Release stops renewing and ends the claim. Safe to call twice.
func (l *Lease) Release(ctx context.Context) error {
	var err error
	l.once.Do(func() {
		close(l.stop)
		<-l.done
		err = l.release(ctx)
	})
	return err
}

func (l *Lease) release(ctx context.Context) error { return l.end(ctx, l.token) }

// end ends the claim token of this lease's name.
func (l *Lease) end(ctx context.Context, token string) error {
	if err := l.s.Exec(ctx, sql.MustQuery(l.t, "lease/release"), store.Params{"name": l.name, "token": token}); err != nil {
		return fmt.Errorf("release the %s lease: %w", l.name, err)
	}
	return nil
}

// Break ends every live claim of name, for a holder known to be dead
// (`creditsync init --unlock`); claims also lapse by themselves.
func Break(ctx context.Context, s store.Store, name string) error {
	if err := s.Exec(ctx, sql.MustQuery(target(s), "lease/release"), store.Params{"name": name, "token": ""}); err != nil {
		return fmt.Errorf("release the %s lease: %w", name, err)
	}
	return nil
}

// Holder says who holds the lease name now: the owner of its oldest live
// claim whose process, on this host, still exists; "" when nobody does.
// A reader (status) learns from it whether work recorded as running
// still has a process behind it.
func Holder(ctx context.Context, s store.Store, name string) (string, error) {
	claims, err := live(ctx, s, name)
	if err != nil {
		return "", err
	}
	host := hostName()
	for _, c := range claims {
		if c.host != host || !processGone(int(c.pid), c.claimed) {
			return c.owner, nil
		}
	}
	return "", nil
}

type claim struct {
	token, owner, host string
	pid                uint32
	claimed, expires   time.Time
}

func live(ctx context.Context, s store.Store, name string) ([]claim, error) {
	rows, err := s.Query(ctx, sql.MustQuery(target(s), "lease/live"), store.Params{"name": name})
	if err != nil {
		return nil, fmt.Errorf("read the %s lease: %w", name, err)
	}
	defer rows.Close()
	var out []claim
	for rows.Next() {
		var c claim
		if err := rows.Scan(&c.token, &c.owner, &c.host, &c.pid, &c.claimed, &c.expires); err != nil {
			return nil, fmt.Errorf("read the %s lease: %w", name, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the %s lease: %w", name, err)
	}
	return out, nil
}

// Fenced returns a store that runs Check before every write (Exec and
// Insert) it passes to s; reads go straight through.
func (l *Lease) Fenced(s store.Store) store.Store { return &fenced{Store: s, l: l} }

type fenced struct {
	store.Store
	l *Lease
}

func (f *fenced) Exec(ctx context.Context, query string, params store.Params) error {
	if err := f.l.Check(ctx); err != nil {
		return err
	}
	return f.Store.Exec(ctx, query, params)
}

func (f *fenced) Insert(ctx context.Context, table string, columns []string, rows iter.Seq2[[]any, error]) (int64, error) {
	if err := f.l.Check(ctx); err != nil {
		return 0, err
	}
	return f.Store.Insert(ctx, table, columns, rows)
}
