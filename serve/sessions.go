package serve

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// sessionState is what makes sessions outlive a restart and die at
// logout: the key that signs them, kept in a file, and the sessions
// revoked before they expired, appended to another.
type sessionState struct {
	mu      sync.Mutex
	revoked map[string]int64 // session id → expiry (unix)
	file    string           // where revocations are appended; "" keeps them in memory
}

// Files in the state directory.
const (
	keyFileName     = "session.key"
	revokedFileName = "sessions-revoked"
)

// loadKey reads the signing key from dir, creating it (0600) the first
// time; with no dir the key is new with every process.
func loadKey(dir string, key *[32]byte) error {
	if dir == "" {
		_, err := rand.Read(key[:])
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("session key: %w", err)
	}
	path := filepath.Join(dir, keyFileName)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		raw, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(raw) != len(key) {
			return fmt.Errorf("session key %s is damaged: delete it (everyone signs in again)", path)
		}
		copy(key[:], raw)
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("session key: %w", err)
	}
	if _, err := rand.Read(key[:]); err != nil {
		return err
	}
	// O_EXCL: two processes starting at once must not each write a key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return loadKey(dir, key)
	}
	if err != nil {
		return fmt.Errorf("session key: %w", err)
	}
	_, err = f.WriteString(hex.EncodeToString(key[:]) + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// loadRevoked reads the revocations still in force.
func loadRevoked(dir string, now time.Time) (*sessionState, error) {
	st := &sessionState{revoked: map[string]int64{}}
	if dir == "" {
		return st, nil
	}
	st.file = filepath.Join(dir, revokedFileName)
	f, err := os.Open(st.file)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, fmt.Errorf("revoked sessions: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		id, e, ok := strings.Cut(sc.Text(), " ")
		exp, err := strconv.ParseInt(e, 10, 64)
		if ok && err == nil && exp > now.Unix() {
			st.revoked[id] = exp
		}
	}
	return st, sc.Err()
}

func (st *sessionState) isRevoked(id string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	_, ok := st.revoked[id]
	return ok
}

// revoke ends a session before its expiry, for good.
func (st *sessionState) revoke(id string, exp int64) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.revoked[id] = exp
	if st.file == "" {
		return nil
	}
	f, err := os.OpenFile(st.file, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(f, "%s %d\n", id, exp)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// newSessionID is a random name for one sign-in.
func newSessionID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
