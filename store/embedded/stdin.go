package embedded

import (
	"os"
	"sync"
	"syscall"
)

var (
	stdinOnce sync.Once
	nullStdin *os.File // holds descriptor 0 when the process started without one
)

// shieldStdin keeps libchdb away from the process's standard input.
// Like clickhouse-local, the engine takes a non-terminal stdin as the data
// of an INSERT, so `… | creditsync import …` would fail. File descriptor 0
// is pointed at /dev/null before the library loads; creditsync reads
// nothing from stdin once it has opened the embedded engine.
//
// os.Stdin keeps its *os.File for descriptor 0: replacing it would let the
// old File's finalizer close descriptor 0 and hand the number to whatever
// the engine opens next.
func shieldStdin() {
	stdinOnce.Do(func() {
		null, err := os.Open(os.DevNull)
		if err != nil {
			return
		}
		if null.Fd() == 0 {
			// Descriptor 0 was closed and /dev/null took it: keep it open,
			// so nothing else can take the number. (Never closed on purpose.)
			nullStdin = null
			return
		}
		defer null.Close()
		_ = syscall.Dup2(int(null.Fd()), 0)
	})
}
