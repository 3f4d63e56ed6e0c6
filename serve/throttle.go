package serve

import (
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"
)

// Throttle slows down token guessing without letting one client's
// mistakes lock out another. Failures are counted twice:
//
//   - per address and presented token: after freeTries failures of the
//     same wrong token (a misconfigured client retrying), that token must
//     wait, the wait doubling with each failure up to maxWait;
//   - per address: after freeTriesAddress wrong tokens of any kind (a
//     guesser trying many), the address must wait before trying a token
//     it has not used successfully before.
//
// A token that succeeded from an address stays usable from it: a mistyped
// token next door cannot lock out a county that is already working. The
// address is the client's own (peer.Proxies resolves X-Forwarded-For from
// trusted proxies), so a proxy's clients are not counted as one. The web
// pages and the SQL endpoint share one Throttle, so guesses cannot be
// spread between them. Tokens are kept only as hashes.
type Throttle struct {
	mu    sync.Mutex
	pairs map[string]*attempts // address + token hash
	addrs map[string]*attempts
	good  map[string]time.Time // address + token hash → last success
	now   func() time.Time
}

type attempts struct {
	fails int
	until time.Time // no attempt before this
	last  time.Time
}

const (
	freeTries        = 5
	freeTriesAddress = 20
	firstWait        = time.Second
	maxWait          = 5 * time.Minute
	forgetAfter      = time.Hour
	goodFor          = 24 * time.Hour
	maxEntries       = 10000
)

// NewThrottle returns an empty throttle.
func NewThrottle() *Throttle {
	return &Throttle{pairs: map[string]*attempts{}, addrs: map[string]*attempts{}, good: map[string]time.Time{}, now: time.Now}
}

func pairKey(addr, token string) string {
	h := sha256.Sum256([]byte(token))
	return addr + " " + hex.EncodeToString(h[:12])
}

// Allow reports whether token may be tried from addr now, else how long to
// wait.
func (t *Throttle) Allow(addr, token string) (bool, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	key := pairKey(addr, token)
	if last, ok := t.good[key]; ok && now.Sub(last) < goodFor {
		return true, 0
	}
	var wait time.Duration
	if a, ok := t.pairs[key]; ok {
		wait = max(wait, a.until.Sub(now))
	}
	if a, ok := t.addrs[addr]; ok {
		wait = max(wait, a.until.Sub(now))
	}
	if wait > 0 {
		return false, wait
	}
	return true, 0
}

// Failed records a wrong token from addr.
func (t *Throttle) Failed(addr, token string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.count(t.pairs, pairKey(addr, token), freeTries, now)
	t.count(t.addrs, addr, freeTriesAddress, now)
}

func (t *Throttle) count(m map[string]*attempts, key string, free int, now time.Time) {
	if len(m) >= maxEntries {
		for k, a := range m {
			if now.Sub(a.last) > forgetAfter {
				delete(m, k)
			}
		}
	}
	a, ok := m[key]
	if !ok || now.Sub(a.last) > forgetAfter {
		a = &attempts{}
		m[key] = a
	}
	a.fails++
	a.last = now
	if a.fails >= free {
		wait := firstWait << min(a.fails-free, 20)
		a.until = now.Add(min(wait, maxWait))
	}
}

// Succeeded records a right token from addr: it clears that token's
// failures and keeps it usable from addr.
func (t *Throttle) Succeeded(addr, token string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	key := pairKey(addr, token)
	delete(t.pairs, key)
	if len(t.good) >= maxEntries {
		for k, last := range t.good {
			if now.Sub(last) > goodFor {
				delete(t.good, k)
			}
		}
	}
	t.good[key] = now
}
