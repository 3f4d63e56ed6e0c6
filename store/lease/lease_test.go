package lease_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/store/lease"
	"github.com/xuchang-hrss/creditsync/storetest"
	"github.com/xuchang-hrss/creditsync/zone"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func TestLoserNamesHolderUntilRelease(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	first, err := lease.Acquire(ctx, s, lease.Jobs, "host-a pid 1 running run nightly", 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = lease.Acquire(ctx, s, lease.Jobs, "host-b pid 2 running run nightly", 0)
	var held *lease.HeldError
	if !errors.As(err, &held) || !errors.Is(err, lease.ErrHeld) || held.Owner != "host-a pid 1 running run nightly" || held.Since.IsZero() {
		t.Fatalf("second Acquire = %v, want ErrHeld naming host-a and since when", err)
	}
	// Since when, in Xuchang's clock and labelled so (it said "since
	// 10:50:47 UTC" beside logs in another zone).
	if !strings.Contains(err.Error(), "host-a pid 1") || !strings.Contains(err.Error(), " since "+zone.Stamp(held.Since)) || !strings.HasSuffix(zone.Stamp(held.Since), " CST") {
		t.Errorf("message %q does not say who and since when (%s)", err, zone.Stamp(held.Since))
	}
	// Another lease name is independent.
	other, err := lease.Acquire(ctx, s, lease.Schema, "host-b pid 2", 0)
	if err != nil {
		t.Fatalf("a different lease: %v", err)
	}
	if err := other.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := first.Release(ctx); err != nil {
		t.Fatal(err)
	}
	again, err := lease.Acquire(ctx, s, lease.Jobs, "host-b pid 2", 0)
	if err != nil {
		t.Fatalf("Acquire after release: %v", err)
	}
	if err := again.Release(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentClaimsNeverBothWin races several claimants on one store:
// at most one may hold the lease, and every loser names a claimant.
func TestConcurrentClaimsNeverBothWin(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	for round := range 5 {
		var wg sync.WaitGroup
		results := make([]error, 4)
		leases := make([]*lease.Lease, 4)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				leases[i], results[i] = lease.Acquire(ctx, s, lease.Jobs, fmt.Sprintf("claimant %d", i), 0)
			}()
		}
		wg.Wait()
		won := 0
		for i, err := range results {
			switch {
			case err == nil:
				won++
			case errors.Is(err, lease.ErrHeld) && strings.Contains(err.Error(), "claimant "):
			default:
				t.Errorf("round %d claimant %d: %v", round, i, err)
			}
		}
		if won > 1 {
			t.Fatalf("round %d: %d claimants hold the lease at once", round, won)
		}
		for _, l := range leases {
			if l != nil {
				if err := l.Release(ctx); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// TestFenceStopsWritesAfterLoss: once the claim is gone (here broken as
// `init --unlock` does), writes through the fenced store fail and write
// nothing; reads still work.
func TestFenceStopsWritesAfterLoss(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	if err := s.Exec(ctx, "CREATE TABLE fenced_t (x UInt8) ENGINE = MergeTree ORDER BY x", nil); err != nil {
		t.Fatal(err)
	}
	l, err := lease.Acquire(ctx, s, lease.Jobs, "me", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release(ctx)
	f := l.Fenced(s)
	if err := f.Exec(ctx, "INSERT INTO fenced_t VALUES (1)", nil); err != nil {
		t.Fatalf("write while holding: %v", err)
	}
	if err := lease.Break(ctx, s, lease.Jobs); err != nil {
		t.Fatal(err)
	}
	if err := f.Exec(ctx, "INSERT INTO fenced_t VALUES (2)", nil); !errors.Is(err, lease.ErrLost) {
		t.Errorf("Exec after losing the lease = %v, want ErrLost", err)
	}
	one := func(yield func([]any, error) bool) { yield([]any{uint8(3)}, nil) }
	if _, err := f.Insert(ctx, "fenced_t", []string{"x"}, one); !errors.Is(err, lease.ErrLost) {
		t.Errorf("Insert after losing the lease = %v, want ErrLost", err)
	}
	n, err := store.Count(ctx, f, "SELECT count() FROM fenced_t", nil)
	if err != nil || n != 1 {
		t.Errorf("rows = %d, %v; want only the one written while holding", n, err)
	}
}

// TestDeadHolderOnThisHostIsTakenOver: a claim whose process on this
// host is gone (no process, or its pid reused by a process started after
// the claim) is taken over at once; a live holder, or any holder on
// another host, still holds the lease.
func TestDeadHolderOnThisHostIsTakenOver(t *testing.T) {
	ctx := context.Background()
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	exited := exec.Command("true")
	if err := exited.Run(); err != nil {
		t.Fatal(err)
	}
	// A process started now, long after the claim below: its pid, in the
	// claim, stands for a pid the kernel gave again.
	later := exec.Command("sleep", "60")
	if err := later.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = later.Process.Kill(); _ = later.Wait() })

	for _, tc := range []struct {
		name     string
		host     string
		pid      int
		age      int // seconds since the claim
		takeOver bool
	}{
		{"process gone", host, exited.Process.Pid, 5, true},
		{"pid reused by a later process", host, later.Process.Pid, 3600, true},
		{"holder alive", host, os.Getpid(), 0, false},
		{"another host", "elsewhere.example", exited.Process.Pid, 5, false},
		{"claim without a process", host, 0, 5, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := storetest.OpenMigrated(t)
			claim := `INSERT INTO leases (name, token, owner, host, pid, claimed_at, expires_at, version)
				SELECT 'jobs', 'dead', {owner:String}, {host:String}, {pid:UInt32}, now64(3) - toIntervalSecond({age:UInt32}), now64(3) + INTERVAL 2 MINUTE, 1`
			owner := fmt.Sprintf("%s pid %d (creditsync) running import", tc.host, tc.pid)
			if err := s.Exec(ctx, claim, store.Params{"owner": owner, "host": tc.host, "pid": uint32(tc.pid), "age": uint32(tc.age)}); err != nil {
				t.Fatal(err)
			}
			l, err := lease.Acquire(ctx, s, lease.Jobs, "me", 0)
			if !tc.takeOver {
				var held *lease.HeldError
				if !errors.As(err, &held) || held.Owner != owner {
					t.Fatalf("Acquire = %v, want ErrHeld naming %q", err, owner)
				}
				return
			}
			if err != nil {
				t.Fatalf("Acquire over a dead holder's claim: %v", err)
			}
			defer l.Release(ctx)
			if took := l.TookOver(); len(took) != 1 || !strings.Contains(took[0], owner) {
				t.Errorf("TookOver = %q, want the dead holder %q", took, owner)
			}
			if err := l.Check(ctx); err != nil {
				t.Errorf("Check after the takeover: %v", err)
			}
			n, err := store.Count(ctx, s, "SELECT count() FROM leases FINAL WHERE token = 'dead' AND expires_at > now64(3)", nil)
			if err != nil || n != 0 {
				t.Errorf("the dead claim is still live (%d, %v)", n, err)
			}
		})
	}
}
