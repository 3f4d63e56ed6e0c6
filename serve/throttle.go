package serve

import (
	"net/http"
	"strings"
	"sync"
	"time"
)

// Throttle slows down token guessing: after freeTries wrong tokens from
// one address, each further attempt must wait, the wait doubling with each
// failure up to maxWait; a right token clears the address. The web pages
// and the SQL endpoint share one, so guesses cannot be spread between them.
type Throttle struct {
	mu  sync.Mutex
	m   map[string]*attempts
	now func() time.Time
}

type attempts struct {
	fails int
	until time.Time // no attempt before this
	last  time.Time
}

const (
	freeTries    = 5
	firstWait    = time.Second
	maxWait      = 5 * time.Minute
	forgetAfter  = time.Hour
	maxAddresses = 10000
)

// NewThrottle returns an empty throttle.
func NewThrottle() *Throttle { return &Throttle{m: map[string]*attempts{}, now: time.Now} }

// Allow reports whether key may try a token now, else how long to wait.
func (t *Throttle) Allow(key string) (bool, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	a, ok := t.m[key]
	if !ok {
		return true, 0
	}
	if wait := a.until.Sub(t.now()); wait > 0 {
		return false, wait
	}
	return true, 0
}

// Failed records a wrong token from key.
func (t *Throttle) Failed(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if len(t.m) >= maxAddresses {
		for k, a := range t.m {
			if now.Sub(a.last) > forgetAfter {
				delete(t.m, k)
			}
		}
	}
	a, ok := t.m[key]
	if !ok || now.Sub(a.last) > forgetAfter {
		a = &attempts{}
		t.m[key] = a
	}
	a.fails++
	a.last = now
	if a.fails >= freeTries {
		wait := firstWait << min(a.fails-freeTries, 20)
		a.until = now.Add(min(wait, maxWait))
	}
}

// Succeeded clears key.
func (t *Throttle) Succeeded(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.m, key)
}

// clientAddr is the throttle's key for a request: the peer's address
// (behind a proxy, that of the proxy: a guesser still slows everyone down
// rather than getting through).
func clientAddr(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i > 0 {
		host = host[:i]
	}
	return host
}
