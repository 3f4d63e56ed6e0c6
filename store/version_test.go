package store_test

import (
	"context"
	"os"
	"testing"

	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// TestVersionFollowsTheEngineClock: a version lies between two readings of
// the engine's clock taken around it, and versions never repeat.
func TestVersionFollowsTheEngineClock(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	engineNow := func() uint64 {
		var n uint64
		if err := store.QueryRow(ctx, s, "SELECT toUnixTimestamp64Nano(now64(9))", nil, &n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for range 3 {
		before := engineNow()
		v, err := store.Version(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		after := engineNow()
		if v < before || v > after {
			t.Errorf("Version = %d, outside the engine clock readings [%d, %d] around it", v, before, after)
		}
	}
	prev := store.NextVersion()
	for range 10_000 {
		v := store.NextVersion()
		if v <= prev {
			t.Fatalf("NextVersion went from %d to %d", prev, v)
		}
		prev = v
	}
}
