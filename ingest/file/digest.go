package file

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"

	"github.com/xuchang-hrss/creditsync/transform"
)

// digestBeside starts computing inputDigest in a goroutine and returns
// a function that waits for it: "" if it failed or ctx ended first (the
// batch then has no digest, so the next import of the file reads it, and
// nothing else changes). Hashing a 2 GB file takes over a second, which
// a first import into an empty list need not wait for.
func digestBeside(ctx context.Context, list string, allow transform.USCCAllowList, path string) func() string {
	done := make(chan struct{})
	var digest string
	go func() {
		defer close(done)
		digest, _ = inputDigest(ctx, list, allow, path)
	}()
	return func() string {
		<-done
		return digest
	}
}

// inputDigest identifies everything that importing path into list
// follows from: the program (the bytes of its executable, so any other
// build reads the file afresh), the list, the USCC allow-list and the
// file's bytes. Two imports with the same digest write the same rows.
func inputDigest(ctx context.Context, list string, allow transform.USCCAllowList, path string) (string, error) {
	program, err := programDigest()
	if err != nil {
		return "", nil // no shortcut, but nothing wrong with the import
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", program, list)
	codes := make([]string, 0, len(allow))
	for code := range allow {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	for _, code := range codes {
		fmt.Fprintf(h, "%s\x00", code)
	}
	h.Write([]byte{0})
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := io.Copy(h, ctxReader{ctx, f}); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// ctxReader stops reading when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

var programDigest = sync.OnceValues(func() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	f, err := os.Open(exe)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
})
