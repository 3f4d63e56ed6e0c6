package report

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// One day loads once however many ask at once, and a day being loaded
// holds up no other day: a reader asking for many days must not stall
// another's page behind them.
func TestDayCacheLoadsDaysSideBySide(t *testing.T) {
	var c dayCache
	ctx := context.Background()
	slow, fast := time.Date(2026, 7, 31, 0, 0, 0, 0, time.UTC), time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	release := make(chan struct{})
	var loads atomic.Int32
	slowLoad := func() ([]InstitutionGrade, error) {
		loads.Add(1)
		<-release
		return []InstitutionGrade{{USCC: "slow"}}, nil
	}
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if g, err := c.get(ctx, slow, "g1", slowLoad); err != nil || len(g) != 1 || g[0].USCC != "slow" {
				t.Errorf("slow day: %v %v", g, err)
			}
		}()
	}
	// Until the slow day is loading, then another day while it loads.
	for loads.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		g, err := c.get(ctx, fast, "g1", func() ([]InstitutionGrade, error) { return []InstitutionGrade{{USCC: "fast"}}, nil })
		if err != nil || len(g) != 1 || g[0].USCC != "fast" {
			t.Errorf("fast day: %v %v", g, err)
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a day waited for another day's load")
	}
	// A request waiting for the slow day stops when its own context ends.
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	if _, err := c.get(short, slow, "g1", slowLoad); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a waiter past its deadline: %v", err)
	}
	close(release)
	wg.Wait()
	if n := loads.Load(); n != 1 {
		t.Errorf("the slow day was loaded %d times, want once", n)
	}
	// A failed load is not kept.
	boom := errors.New("boom")
	day := time.Date(2026, 8, 2, 0, 0, 0, 0, time.UTC)
	if _, err := c.get(ctx, day, "g1", func() ([]InstitutionGrade, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("failed load: %v", err)
	}
	if g, err := c.get(ctx, day, "g1", func() ([]InstitutionGrade, error) { return []InstitutionGrade{{}}, nil }); err != nil || len(g) != 1 {
		t.Errorf("after a failed load: %v %v", g, err)
	}
}

// A day's grades are read again once the data changed (another data
// generation: a regrade recorded, a batch loaded), however recently they
// were read: pages showed the grades before a nightly regrade for a
// minute after it.
func TestDayCacheReadsAgainAfterAChange(t *testing.T) {
	var c dayCache
	ctx := context.Background()
	day := time.Date(2026, 7, 31, 0, 0, 0, 0, time.UTC)
	now := "A"
	load := func() ([]InstitutionGrade, error) { return []InstitutionGrade{{USCC: now}}, nil }
	for _, step := range []struct{ gen, now, want string }{
		{"g1", "A", "A"},
		{"g1", "D", "A"}, // the same generation: kept
		{"g2", "D", "D"}, // a regrade recorded: read again
	} {
		now = step.now
		g, err := c.get(ctx, day, step.gen, load)
		if err != nil || len(g) != 1 || g[0].USCC != step.want {
			t.Errorf("generation %s: %v %v, want %s", step.gen, g, err, step.want)
		}
	}
}
