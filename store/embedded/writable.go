package embedded

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/xuchang-hrss/creditsync/store"
)

// writable says why the engine cannot write under path, before the
// engine tries: libchdb reports any failure to open its directory as
// "chdb_connect failed", which reads like a directory held by another
// process. It creates (and removes) a file in path, or in its nearest
// existing parent when path does not exist yet.
func writable(path string) error {
	dir := path
	for {
		if _, err := os.Stat(dir); err == nil || filepath.Dir(dir) == dir {
			break
		}
		dir = filepath.Dir(dir)
	}
	f, err := os.CreateTemp(dir, ".creditsync-write-check-*")
	if err == nil {
		name := f.Name()
		return errors.Join(f.Close(), os.Remove(name))
	}
	op := "open embedded engine at " + path
	switch {
	case errors.Is(err, syscall.EROFS):
		return &store.Error{Op: op, Err: fmt.Errorf("%s is on a read-only file system", dir),
			Hint: "the engine writes in its directory even to read; remount it read-write, or give --data a writable directory"}
	case errors.Is(err, fs.ErrPermission):
		return &store.Error{Op: op, Err: fmt.Errorf("permission denied: user %s cannot write in %s (%s)", whoAmI(), dir, ownerOf(dir)),
			Hint: "run creditsync as the directory's owner (the service's user: sudo -u USER creditsync …), or give it to this user (chown -R)"}
	}
	return &store.Error{Op: op, Err: fmt.Errorf("cannot write in %s: %w", dir, err)}
}

// whoAmI names this process's user: "name (uid N)".
func whoAmI() string {
	uid := os.Getuid()
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		return fmt.Sprintf("%s (uid %d)", u.Username, uid)
	}
	return fmt.Sprintf("uid %d", uid)
}

// ownerOf describes dir's owner and mode: "owned by NAME (uid N), drwxr-xr-x".
func ownerOf(dir string) string {
	fi, err := os.Stat(dir)
	if err != nil {
		return err.Error()
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fi.Mode().String()
	}
	name := "uid " + strconv.Itoa(int(st.Uid))
	if u, err := user.LookupId(strconv.Itoa(int(st.Uid))); err == nil {
		name = fmt.Sprintf("%s (uid %d)", u.Username, st.Uid)
	}
	return "owned by " + name + ", " + fi.Mode().String()
}
