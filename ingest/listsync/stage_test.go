package listsync_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/ingest/listsync"
	"github.com/xuchang-hrss/creditsync/store"
)

// failingAttach is a store whose list tables refuse the attach that ends
// a load.
type failingAttach struct{ store.Store }

var errAttach = errors.New("attach refused (test)")

func (f failingAttach) Exec(ctx context.Context, q string, p store.Params) error {
	if strings.Contains(q, "ATTACH PARTITION") && !strings.Contains(q, "ALTER TABLE external_records") {
		return errAttach
	}
	return f.Store.Exec(ctx, q, p)
}

// TestFailedLoadWritesNoSightings: a snapshot's rows of external_records
// are written while its batch loads, to a stage; when the load fails,
// external_records stays as it was (no first/last seen moved, no pending
// removal) and the stage is gone. The next sync applies the snapshot.
func TestFailedLoadWritesNoSightings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.mustSync(penalties)
	before := e.dump(penalties)
	// One record gone (a pending removal), one modified.
	rows := e.fx.Rows("penalties")
	rows[0]["name"] += "（变更）"
	e.fx.SetRows("penalties", rows[:len(rows)-1])

	ok := e.s
	e.s = failingAttach{ok}
	_, err := e.sync(listsync.Options{}, penalties)
	e.s = ok
	if !errors.Is(err, errAttach) {
		t.Fatalf("error %v, want the refused attach", err)
	}
	if after := e.dump(penalties); after != before {
		t.Errorf("the failed load changed stored data:\nbefore\n%s\nafter\n%s", before, after)
	}
	if n := e.count("SELECT count() FROM system.tables WHERE database = currentDatabase() AND startsWith(name, '_stage_')", nil); n != 0 {
		t.Errorf("%d stage tables left behind", n)
	}
	r := result(t, e.mustSync(penalties), penalties)
	if r.Modified != 1 || r.PendingRemovals != 1 {
		t.Errorf("the next sync: %d modified, %d pending removals; want 1 and 1", r.Modified, r.PendingRemovals)
	}
}
