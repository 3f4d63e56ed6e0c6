package jobs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/xuchang-hrss/creditsync/zone"
)

// ErrLocked means another process holds the run lock.
var ErrLocked = errors.New("another creditsync run holds the lock")

// Lock is an exclusive lock on a file in the data directory, held by the
// scheduler daemon's jobs and by runs started from the system cron alike,
// so they never overlap. The kernel releases it when the process dies, so
// a crash leaves no stale lock; the holder note only explains who holds it.
type Lock struct {
	f    *os.File
	path string
}

// LockFile is the lock's name inside the data directory.
const LockFile = "creditsync.lock"

// Acquire takes the lock in dir without waiting. what names the work
// ("run nightly") for the message another process sees.
func Acquire(dir, what string) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			h := strings.TrimSpace(string(holder))
			if h == "" {
				h = "an unknown process"
			}
			return nil, fmt.Errorf("%w: held by %s (lock file %s)", ErrLocked, h, path)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	host, _ := os.Hostname()
	note := fmt.Sprintf("pid %d on %s running %q since %s", os.Getpid(), host, what, zone.Stamp(time.Now()))
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(note+"\n"), 0)
	}
	return &Lock{f: f, path: path}, nil
}

// Release gives the lock up.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	_ = l.f.Truncate(0)
	err := syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	cerr := l.f.Close()
	l.f = nil
	return errors.Join(err, cerr)
}
