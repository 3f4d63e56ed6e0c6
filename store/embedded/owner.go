package embedded

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"
)

// The engine locks its data directory itself; these owner notes only let
// the process that loses say who holds it.

func ownerFile(path string) string { return strings.TrimRight(path, "/") + ".owner" }

func writeOwner(path string) {
	host, _ := os.Hostname()
	note := fmt.Sprintf("pid %d on %s, %q, since %s", os.Getpid(), host, strings.Join(os.Args, " "), time.Now().UTC().Format(time.RFC3339))
	_ = os.WriteFile(ownerFile(path), []byte(note), 0o644)
}

func readOwner(path string) string {
	b, err := os.ReadFile(ownerFile(path))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

func removeOwner(path string) { _ = os.Remove(ownerFile(path)) }

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
