// Package embedded runs ClickHouse in-process through chDB (libchdb.so).
//
// The library is loaded lazily with purego when the first store opens, so
// the binary starts, prints help and talks to a ClickHouse server on
// machines that do not have libchdb at all.
package embedded

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/ebitengine/purego"

	"github.com/xuchang-hrss/creditsync/store"
)

// LibVersion is the chDB library release creditsync is built and tested
// against; the install script fetches exactly this one.
const LibVersion = "26.5.3"

// ErrLibraryMissing is returned when libchdb.so cannot be found.
var ErrLibraryMissing = errors.New("libchdb.so not found")

// LibPath returns where libchdb.so is expected: $CREDITSYNC_LIBCHDB if set,
// else the per-user cache that `make setup` installs into.
func LibPath() string {
	if p := os.Getenv("CREDITSYNC_LIBCHDB"); p != "" {
		return p
	}
	return filepath.Join(CacheDir(), "libchdb-"+LibVersion, "libchdb.so")
}

// CacheDir is creditsync's per-user cache directory.
func CacheDir() string {
	if d := os.Getenv("CREDITSYNC_CACHE"); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "creditsync")
	}
	return filepath.Join(os.TempDir(), "creditsync-cache")
}

// lib holds the C entry points of libchdb that creditsync uses.
type lib struct {
	connect         func(argc int32, argv **byte) *uintptr
	closeConn       func(conn *uintptr)
	queryN          func(conn uintptr, query *byte, queryLen uintptr, format *byte, formatLen uintptr) uintptr
	queryWithParams func(conn uintptr, query *byte, format *byte, names **byte, values **byte, count uintptr) uintptr
	resultBuffer    func(res uintptr) *byte
	resultLength    func(res uintptr) uintptr
	resultError     func(res uintptr) *byte
	resultRowsRead  func(res uintptr) uint64
	// resultStorageRowsRead is the rows the engine read from tables and
	// table functions (its progress); of a streamed chunk, those read
	// since the chunk before.
	resultStorageRowsRead func(res uintptr) uint64
	destroyResult         func(res uintptr)
	// Streaming: the result arrives in chunks, so a large result is never
	// held whole, and a query can be cancelled between chunks.
	streamQueryWithParams func(conn uintptr, query *byte, format *byte, names **byte, values **byte, count uintptr) uintptr
	streamFetch           func(conn uintptr, res uintptr) uintptr
	streamCancel          func(conn uintptr, res uintptr)
	// setSignalHandlers switches the engine's own crash handlers on or
	// off (see load).
	setSignalHandlers func(enabled bool)
}

var (
	loadOnce sync.Once
	loaded   *lib
	loadErr  error
)

// load opens libchdb once per process.
func load() (*lib, error) {
	loadOnce.Do(func() {
		path := LibPath()
		if _, err := os.Stat(path); err != nil {
			loadErr = &store.Error{
				Op:   "open embedded ClickHouse engine",
				Err:  fmt.Errorf("%w at %s", ErrLibraryMissing, path),
				Hint: "run `make setup` in the creditsync source tree (it downloads npm package @chdb/lib-linux-x64-gnu@" + LibVersion + " into " + filepath.Dir(path) + "), or set CREDITSYNC_LIBCHDB to an existing libchdb.so, or use a ClickHouse server with --clickhouse / CREDITSYNC_CLICKHOUSE",
			}
			return
		}
		saveGoHandlers() // before the library's initialisers run
		h, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_GLOBAL)
		if err != nil {
			loadErr = &store.Error{Op: "load " + path, Err: err, Hint: "the file may be truncated or for another platform; delete it and run `make setup` again"}
			return
		}
		l := &lib{}
		for name, fn := range map[string]any{
			"chdb_connect":                     &l.connect,
			"chdb_close_conn":                  &l.closeConn,
			"chdb_query_n":                     &l.queryN,
			"chdb_query_with_params":           &l.queryWithParams,
			"chdb_result_buffer":               &l.resultBuffer,
			"chdb_result_length":               &l.resultLength,
			"chdb_result_error":                &l.resultError,
			"chdb_result_rows_read":            &l.resultRowsRead,
			"chdb_result_storage_rows_read":    &l.resultStorageRowsRead,
			"chdb_destroy_query_result":        &l.destroyResult,
			"chdb_stream_query_with_params":    &l.streamQueryWithParams,
			"chdb_stream_fetch_result":         &l.streamFetch,
			"chdb_stream_cancel_query":         &l.streamCancel,
			"chdb_set_signal_handlers_enabled": &l.setSignalHandlers,
		} {
			if _, err := purego.Dlsym(h, name); err != nil {
				loadErr = &store.Error{Op: "load " + path, Err: fmt.Errorf("symbol %s: %w", name, err), Hint: "creditsync needs libchdb " + LibVersion + "; run `make setup`"}
				return
			}
			purego.RegisterLibFunc(fn, h, name)
		}
		// The engine installs handlers for SIGSEGV, SIGBUS and the like
		// when it starts, replacing Go's: a nil-pointer dereference in Go
		// code then lands in the engine's handler, which logs and waits
		// for its own crash thread instead of letting Go panic, and the
		// process hangs for minutes. Switched off, the engine leaves
		// those signals at their defaults (a silent core dump), so Go's
		// own handlers are put back after every connection (connect):
		// a fault is a Go panic with its stack.
		l.setSignalHandlers(false)
		restoreGoHandlers()
		loaded = l
	})
	return loaded, loadErr
}
