package lease_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/store/lease"
	"github.com/xuchang-hrss/creditsync/store/storetest"
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
	if !strings.Contains(err.Error(), "host-a pid 1") || !strings.Contains(err.Error(), " since ") {
		t.Errorf("message %q does not say who and since when", err)
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
