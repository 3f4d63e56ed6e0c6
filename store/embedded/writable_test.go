package embedded

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A data directory the engine cannot write is named for what it is — a
// read-only file system, or a directory this user may not write — not
// taken for one held by another process. Root may write anywhere but on
// a read-only mount, so as root the directory is one (tmpfs, ro); as
// anyone else it is a directory without write permission.
func TestOpenSaysWhyTheDirectoryIsNotWritable(t *testing.T) {
	dir := t.TempDir()
	want := "permission denied: user "
	if os.Getuid() == 0 {
		if err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_RDONLY, ""); err != nil {
			t.Fatalf("mount a read-only tmpfs: %v", err)
		}
		t.Cleanup(func() { _ = syscall.Unmount(dir, 0) })
		want = dir + " is on a read-only file system"
	} else {
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = os.Chmod(dir, 0o755) })
	}
	_, err := Open(context.Background(), Config{Path: filepath.Join(dir, "clickhouse"), Database: "creditsync"})
	if err == nil {
		t.Fatal("Open on an unwritable directory succeeded")
	}
	msg := err.Error()
	if !strings.Contains(msg, want) || strings.Contains(msg, "chdb_connect") || strings.Contains(msg, "in use") || strings.Contains(msg, "wait for that process") {
		t.Errorf("Open = %q, want it to say %q", msg, want)
	}
}
