// Package netlimit bounds the connections the daemon's listeners let in.
//
// The daemon shares one file-descriptor table with the embedded engine:
// every connection a client keeps open is a descriptor the engine cannot
// open a file, a pipe or an epoll with. Without a bound, anyone who can
// reach a port could hold thousands of idle keep-alive connections (a
// /ping answers without a token) until queries failed with "Too many open
// files", audit records were lost and accept4 itself failed (sqlattack10
// D1). A Limiter is one budget shared by every listener it wraps:
//
//   - in total: past the cap, Accept waits (holding at most the one
//     connection it has taken from the kernel) until a connection closes;
//     the rest wait in the kernel's backlog, which costs the process no
//     descriptor;
//   - per client address (an IPv6 client per /64, which one machine
//     usually holds whole): past the cap, a connection is closed as soon
//     as it is accepted, so that one client cannot take the whole budget
//     and everyone else's connections keep being accepted. Addresses
//     trusted as proxies are not capped per address (every client behind
//     them shares their address), only in total.
package netlimit

import (
	"fmt"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"
)

// IdleTimeout is how long the daemon's HTTP servers keep a keep-alive
// connection that waits for its next request. It is short because an
// idle connection holds a slot of the Limiter: with a minute, one /ping
// every 40 s kept a connection for free; ClickHouse's own servers close
// after 10 s too, and every client opens a new connection when it finds
// one closed.
const IdleTimeout = 10 * time.Second

// DefaultPerClient is the per-address cap when Limits.PerClient is 0.
// One office behind NAT is one address: a browser keeps up to six
// connections to a site, so twenty people reading the pages at once
// stay under it, while one client still cannot take more than an eighth
// of the default total.
const DefaultPerClient = 128

// Limits configure a Limiter. Zero values take the defaults.
type Limits struct {
	// Total is the most connections open at once on every listener
	// together; 0 = DefaultTotal().
	Total int
	// PerClient is the most one client address may hold; 0 =
	// DefaultPerClient.
	PerClient int
	// Exempt reports the addresses not capped per address (reverse
	// proxies); nil exempts none.
	Exempt func(netip.Addr) bool
	// Refused, when set, is told of each connection closed for being over
	// PerClient. It is called from Accept: it must not block.
	Refused func(netip.Addr)
}

// DefaultTotal is a quarter of the process's descriptor limit (Go raises
// the soft limit to the hard one at start), at most 1024: the engine, its
// parts and the nightly run keep the rest.
func DefaultTotal() int {
	soft := descriptorLimit()
	if soft <= 0 {
		return 1024
	}
	return max(1, min(1024, soft/4))
}

// descriptorLimit is RLIMIT_NOFILE's soft limit, 0 when unknown or
// unlimited.
func descriptorLimit() int {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil || rl.Cur > 1<<30 {
		return 0
	}
	return int(rl.Cur)
}

// Limiter is the connection budget of the listeners it wraps.
type Limiter struct {
	perClient int
	exempt    func(netip.Addr) bool
	refused   func(netip.Addr)
	slots     chan struct{} // one token per open connection

	mu       sync.Mutex
	byClient map[netip.Addr]int
	waiting  int
}

// New returns a Limiter, or an error when a limit is negative or the
// total would leave the engine no descriptors.
func New(l Limits) (*Limiter, error) {
	if l.Total < 0 || l.PerClient < 0 {
		return nil, fmt.Errorf("connection limits must not be negative (total %d, per client %d); 0 takes the default", l.Total, l.PerClient)
	}
	if l.Total == 0 {
		l.Total = DefaultTotal()
	} else if soft := descriptorLimit(); soft > 0 && l.Total > soft/2 {
		return nil, fmt.Errorf("at most %d connections at once: more than half the process's %d file descriptors (ulimit -n), which the engine needs; raise the limit or lower the count", l.Total, soft)
	}
	if l.PerClient == 0 {
		l.PerClient = DefaultPerClient
	}
	return &Limiter{
		perClient: l.PerClient, exempt: l.Exempt, refused: l.Refused,
		slots: make(chan struct{}, l.Total), byClient: map[netip.Addr]int{},
	}, nil
}

// Total is the most connections open at once.
func (l *Limiter) Total() int { return cap(l.slots) }

// PerClient is the most connections one client address may hold.
func (l *Limiter) PerClient() int { return l.perClient }

// Stats are a Limiter's counts at one moment.
type Stats struct {
	// Open are the connections handed out and not yet closed.
	Open int
	// Waiting are the connections accepted from the kernel that wait for
	// a slot (at most one a listener).
	Waiting int
}

// Stats returns the current counts.
func (l *Limiter) Stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return Stats{Open: len(l.slots), Waiting: l.waiting}
}

// Listen opens a listener on addr and wraps it.
func (l *Limiter) Listen(network, addr string) (net.Listener, error) {
	ln, err := net.Listen(network, addr)
	if err != nil {
		return nil, err
	}
	return l.Wrap(ln), nil
}

// Wrap returns ln with the Limiter's bounds. Closing the result closes
// ln and ends an Accept waiting for a slot.
func (l *Limiter) Wrap(ln net.Listener) net.Listener {
	return &listener{Listener: ln, l: l, done: make(chan struct{})}
}

// client is the key a connection from addr is counted under, and false
// when it is not counted per address (not IP, or exempt).
func (l *Limiter) client(addr net.Addr) (netip.Addr, bool) {
	var ip netip.Addr
	switch a := addr.(type) {
	case *net.TCPAddr:
		ip, _ = netip.AddrFromSlice(a.IP)
	default:
		ap, err := netip.ParseAddrPort(addr.String())
		if err != nil {
			return netip.Addr{}, false
		}
		ip = ap.Addr()
	}
	ip = ip.Unmap()
	if !ip.IsValid() || (l.exempt != nil && l.exempt(ip)) {
		return netip.Addr{}, false
	}
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		ip = p.Addr()
	}
	return ip, true
}

// take counts one more connection of c, false when c is at its cap.
func (l *Limiter) take(c netip.Addr) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byClient[c] >= l.perClient {
		return false
	}
	l.byClient[c]++
	return true
}

func (l *Limiter) release(c netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byClient[c] <= 1 {
		delete(l.byClient, c)
		return
	}
	l.byClient[c]--
}

func (l *Limiter) wait(delta int) {
	l.mu.Lock()
	l.waiting += delta
	l.mu.Unlock()
}

type listener struct {
	net.Listener
	l         *Limiter
	done      chan struct{}
	closeOnce sync.Once
}

// Accept returns the next connection within the bounds. A connection
// over its client's cap is closed and the next one taken; past the total,
// Accept waits for a connection to close, or for the listener to.
func (ln *listener) Accept() (net.Conn, error) {
	for {
		c, err := ln.Listener.Accept()
		if err != nil {
			return nil, err
		}
		client, counted := ln.l.client(c.RemoteAddr())
		if counted && !ln.l.take(client) {
			c.Close()
			if ln.l.refused != nil {
				ln.l.refused(client)
			}
			continue
		}
		ln.l.wait(1)
		select {
		case ln.l.slots <- struct{}{}:
			ln.l.wait(-1)
		case <-ln.done:
			ln.l.wait(-1)
			c.Close()
			if counted {
				ln.l.release(client)
			}
			return nil, fmt.Errorf("accept on %s: %w", ln.Addr(), net.ErrClosed)
		}
		return &conn{Conn: c, release: sync.OnceFunc(func() {
			<-ln.l.slots
			if counted {
				ln.l.release(client)
			}
		})}, nil
	}
}

func (ln *listener) Close() error {
	ln.closeOnce.Do(func() { close(ln.done) })
	return ln.Listener.Close()
}

// conn gives its slot back when closed, once however often.
type conn struct {
	net.Conn
	release func()
}

func (c *conn) Close() error {
	err := c.Conn.Close()
	c.release()
	return err
}
