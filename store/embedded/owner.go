package embedded

import (
	"fmt"
	"os"
	"strings"
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
