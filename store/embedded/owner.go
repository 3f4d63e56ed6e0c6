package embedded

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/xuchang-hrss/creditsync/store"
)

// The engine locks its data directory itself, but only once it has
// opened it, and says nothing of who holds it. The owner file beside the
// directory is locked (flock) before the engine is opened and holds a
// note of who opens it: a process that loses the race for the directory
// — also while the winner is still opening the engine, a daemon's first
// second — reads who holds it instead of a bare chdb_connect failure.
// The kernel drops the lock when its process dies.

func ownerFile(path string) string { return strings.TrimRight(path, "/") + ".owner" }

func ownerNote() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("pid %d on %s, %q, since %s", os.Getpid(), host, strings.Join(os.Args, " "), time.Now().UTC().Format(time.RFC3339))
}

// owner is this process's hold on the owner file of a data directory.
type owner struct {
	f *os.File
	// previous is the note found in the file, left by a process that
	// wrote it without the lock (an older creditsync), or by one that
	// died: it names a holder when the engine still refuses.
	previous string
}

// lockOwner takes the owner file of path and writes this process's note
// in it. Held by another process, it fails naming the holder. A file
// that cannot be made or locked (a file system without flock) is no
// error: the engine's own lock still keeps the directory.
func lockOwner(path string) (*owner, error) {
	f, err := os.OpenFile(ownerFile(path), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return &owner{}, nil
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return &owner{}, nil
		}
		holder := readOwner(path)
		if holder == "" {
			holder = "another process (it has not said who it is yet)"
		}
		return nil, &store.Error{
			Op:   "open embedded engine at " + path,
			Err:  fmt.Errorf("the data directory is in use by %s", holder),
			Hint: "wait for that process to finish (a starting `creditsync server` daemon takes a few seconds, then commands run through it), or use --data to choose another directory",
		}
	}
	b, _ := io.ReadAll(f)
	o := &owner{f: f, previous: strings.TrimSpace(string(b))}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(ownerNote()), 0)
	}
	return o, nil
}

// release lets the owner file go: emptied, or given back the note found
// in it when this process never held the engine (restore).
func (o *owner) release(restore bool) {
	if o == nil || o.f == nil {
		return
	}
	_ = o.f.Truncate(0)
	if restore && o.previous != "" {
		_, _ = o.f.WriteAt([]byte(o.previous), 0)
	}
	_ = syscall.Flock(int(o.f.Fd()), syscall.LOCK_UN)
	o.f.Close()
	o.f = nil
}

func readOwner(path string) string {
	b, err := os.ReadFile(ownerFile(path))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// quietStderr points descriptor 2 at /dev/null until restore is called.
// When the data directory is locked, the engine prints its own exception
// (Code: 76 … Cannot lock file …) to standard error before failing; the
// failure is explained to the user with who holds the directory instead.
func quietStderr() (restore func()) {
	saved, err := syscall.Dup(2)
	if err != nil {
		return func() {}
	}
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		syscall.Close(saved)
		return func() {}
	}
	_ = syscall.Dup2(int(null.Fd()), 2)
	null.Close()
	return func() {
		_ = syscall.Dup2(saved, 2)
		syscall.Close(saved)
	}
}
