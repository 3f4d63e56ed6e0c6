// Package storetest opens real ClickHouse stores for tests — the embedded
// chDB engine by default, the server named by $CREDITSYNC_TEST_CLICKHOUSE
// when set — each test on a database of its own, and holds the contract
// suite every engine must pass.
package storetest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/xuchang-hrss/creditsync/schema"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/store/embedded"
	"github.com/xuchang-hrss/creditsync/store/server"
)

// ServerEnv names the variable holding a test server's DSN.
const ServerEnv = "CREDITSYNC_TEST_CLICKHOUSE"

var (
	dirOnce sync.Once
	dataDir string
	dirErr  error
	seq     atomic.Int64

	keepMu sync.Mutex
	keeper store.Store // holds the engine up between tests; see keepEngine
)

// Main wraps testing.M so the embedded engine's data directory of this
// test process is removed afterwards. Use it from TestMain.
func Main(m *testing.M) int {
	code := m.Run()
	ReleaseEngine()
	if dataDir != "" {
		os.RemoveAll(dataDir)
	}
	return code
}

// keepEngine keeps a store of its own open on the test data directory
// until Main ends (or ReleaseEngine). libchdb shuts its engine down when
// the last store of the process closes, and each test closes its own:
// starting the engine again for the next test reloaded every database
// the process had made, dropped ones too until the engine purges them,
// so opening a store cost more with every test (a third of a second by
// the fifteenth). Tests are as isolated as before: each still has a
// database of its own, dropped when it ends.
func keepEngine(path string) error {
	keepMu.Lock()
	defer keepMu.Unlock()
	if keeper != nil {
		return nil
	}
	s, err := embedded.Open(context.Background(), embedded.Config{Path: path, Database: "storetest_keeper"})
	if err != nil {
		return fmt.Errorf("open embedded store: %w", err)
	}
	keeper = s
	return nil
}

// ReleaseEngine closes the store that keeps this process's engine up,
// for a test that opens the engine on a data directory of its own (a
// process holds one at a time). The next OpenEmbedded keeps it up again.
func ReleaseEngine() {
	keepMu.Lock()
	defer keepMu.Unlock()
	if keeper != nil {
		keeper.Close()
		keeper = nil
	}
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9_]+`)

// DatabaseName returns a fresh database name derived from the test name.
func DatabaseName(t testing.TB) string {
	name := strings.ToLower(unsafeChars.ReplaceAllString(t.Name(), "_"))
	if len(name) > 40 {
		name = name[:40]
	}
	return fmt.Sprintf("t%d_%d_%s", os.Getpid(), seq.Add(1), name)
}

// OpenEmbedded opens the embedded engine on a new database; the engine's
// data directory is shared by the whole test process (libchdb allows one).
func OpenEmbedded(t testing.TB) store.Store {
	t.Helper()
	dirOnce.Do(func() {
		dataDir, dirErr = os.MkdirTemp("", "creditsync-test-")
	})
	if dirErr != nil {
		t.Fatal(dirErr)
	}
	path := filepath.Join(dataDir, "clickhouse")
	if err := keepEngine(path); err != nil {
		t.Fatal(err)
	}
	s, err := embedded.Open(context.Background(), embedded.Config{Path: path, Database: DatabaseName(t)})
	if err != nil {
		t.Fatalf("open embedded store: %v", err)
	}
	t.Cleanup(func() {
		_ = s.Exec(context.Background(), "DROP DATABASE IF EXISTS "+s.Database(), nil)
		s.Close()
	})
	return s
}

// OpenServer opens store/server on a new database: on the server named
// by $CREDITSYNC_TEST_CLICKHOUSE when set, else through the HTTP interface
// served over the embedded engine (ServeEmbedded).
func OpenServer(t testing.TB) store.Store {
	t.Helper()
	dsn := os.Getenv(ServerEnv)
	if dsn == "" {
		dsn = ServeEmbedded(t) + "?" + HTTPOptions
	}
	s, err := server.Open(context.Background(), server.Config{DSN: dsn, Database: DatabaseName(t), Cluster: os.Getenv("CREDITSYNC_TEST_CLUSTER"), Create: true})
	if err != nil {
		t.Fatalf("open server store: %v", err)
	}
	t.Cleanup(func() {
		_ = s.Exec(context.Background(), "DROP DATABASE IF EXISTS "+s.Database(), nil)
		s.Close()
	})
	return s
}

// Open returns a store for tests above the store layer: the server when
// $CREDITSYNC_TEST_CLICKHOUSE is set, else the embedded engine.
func Open(t testing.TB) store.Store {
	t.Helper()
	if os.Getenv(ServerEnv) != "" {
		return OpenServer(t)
	}
	return OpenEmbedded(t)
}

// OpenMigrated is Open followed by the schema migrations.
func OpenMigrated(t testing.TB) store.Store {
	t.Helper()
	s := Open(t)
	if _, err := schema.Migrate(context.Background(), s, schema.Options{}); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return s
}
