package store

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/xuchang-hrss/creditsync/sql"
)

// Row versions of ReplacingMergeTree tables (the later write of a key
// wins) come from the engine's clock, not the client's: hosts with skewed
// clocks, or a client clock stepping back, must not let an older write win.
// Version reads the engine's clock once per operation; NextVersion goes on
// from that reading with this process's monotonic clock (immune to steps of
// the wall clock) and never repeats or goes back within the process.
var versions struct {
	sync.Mutex
	engine int64     // engine time in ns at the last reading
	local  time.Time // when it was read, with the monotonic reading
	last   uint64
}

func init() {
	// Until the first engine reading, go on from the wall clock, as
	// versions did before; every writing operation reads the engine first.
	versions.engine, versions.local = time.Now().UnixNano(), time.Now()
}

// Version reads the engine's clock and returns a row version from it; use
// it once per operation, then NextVersion for further versions.
func Version(ctx context.Context, s Store) (uint64, error) {
	if err := SyncVersions(ctx, s); err != nil {
		return 0, err
	}
	return NextVersion(), nil
}

// SyncVersions re-bases NextVersion on the engine's clock.
func SyncVersions(ctx context.Context, s Store) error {
	var now int64
	if err := QueryRow(ctx, s, sql.MustQuery(sql.Target{}, "store/engine_version"), nil, &now); err != nil {
		return fmt.Errorf("read the engine clock for row versions: %w", err)
	}
	versions.Lock()
	versions.engine, versions.local = now, time.Now()
	versions.Unlock()
	return nil
}

// NextVersion returns the engine time of the last SyncVersions plus the
// monotonic time since, raised above every version handed out before.
func NextVersion() uint64 {
	versions.Lock()
	defer versions.Unlock()
	v := uint64(versions.engine + time.Since(versions.local).Nanoseconds())
	if v <= versions.last {
		v = versions.last + 1
	}
	versions.last = v
	return v
}
