package netlimit

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"
)

// patience bounds every wait of these tests: far beyond what the loopback
// needs, so that a slow machine does not fail them; a wait that ends
// there is a hang, not a measure.
const patience = 30 * time.Second

// serveLimited wraps a loopback listener and hands every accepted
// connection to the returned channel; the channel closes when Accept
// fails, with its error in *acceptErr.
func serveLimited(t *testing.T, lim Limits) (*Limiter, net.Listener, <-chan net.Conn, *error) {
	t.Helper()
	l, err := New(lim)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := l.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan net.Conn, 16)
	var acceptErr error
	go func() {
		defer close(accepted)
		for {
			c, err := ln.Accept()
			if err != nil {
				acceptErr = err
				return
			}
			accepted <- c
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		for c := range accepted {
			c.Close()
		}
	})
	return l, ln, accepted, &acceptErr
}

// dialFrom connects to ln from the loopback address from (every
// 127.0.0.0/8 address is the machine's own), so that the test has
// several clients.
func dialFrom(t *testing.T, from string, ln net.Listener) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: patience}
	c, err := d.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// next is the next accepted connection, which must come from from.
func next(t *testing.T, accepted <-chan net.Conn, from string) net.Conn {
	t.Helper()
	select {
	case c, ok := <-accepted:
		if !ok {
			t.Fatalf("Accept ended; wanted a connection from %s", from)
		}
		if host, _, _ := net.SplitHostPort(c.RemoteAddr().String()); host != from {
			t.Fatalf("accepted a connection from %s, want %s", host, from)
		}
		return c
	case <-time.After(patience):
		t.Fatalf("no connection from %s accepted in %v", from, patience)
		return nil
	}
}

// closedByServer reports whether the server closed c without a word.
func closedByServer(t *testing.T, c net.Conn) bool {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(patience))
	_, err := c.Read(make([]byte, 1))
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return false
	}
	return err != nil
}

// until polls cond; false when it stayed false for patience.
func until(cond func() bool) bool {
	for deadline := time.Now().Add(patience); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return false
}

func TestPerClientCapClosesTheExcessAtOnce(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var refused []netip.Addr
	_, ln, accepted, _ := serveLimited(t, Limits{Total: 10, PerClient: 2, Refused: func(a netip.Addr) {
		mu.Lock()
		refused = append(refused, a)
		mu.Unlock()
	}})

	dialFrom(t, "127.0.0.2", ln)
	first := next(t, accepted, "127.0.0.2")
	dialFrom(t, "127.0.0.2", ln)
	next(t, accepted, "127.0.0.2")
	// The third from the same address is closed before anything is read.
	if over := dialFrom(t, "127.0.0.2", ln); !closedByServer(t, over) {
		t.Fatal("a third connection from 127.0.0.2 with a cap of 2 was left open")
	}
	mu.Lock()
	if len(refused) != 1 || refused[0] != netip.MustParseAddr("127.0.0.2") {
		t.Errorf("Refused told of %v, want [127.0.0.2]", refused)
	}
	mu.Unlock()
	// Another address is not affected, and the first gets its slot back
	// when one of its connections closes.
	dialFrom(t, "127.0.0.3", ln)
	next(t, accepted, "127.0.0.3")
	first.Close()
	dialFrom(t, "127.0.0.2", ln)
	next(t, accepted, "127.0.0.2")
}

func TestTotalCapMakesAcceptWaitUntilOneCloses(t *testing.T) {
	t.Parallel()
	l, ln, accepted, _ := serveLimited(t, Limits{Total: 2, PerClient: 10})
	dialFrom(t, "127.0.0.2", ln)
	a := next(t, accepted, "127.0.0.2")
	dialFrom(t, "127.0.0.3", ln)
	next(t, accepted, "127.0.0.3")

	third := dialFrom(t, "127.0.0.4", ln)
	if !until(func() bool { return l.Stats().Waiting == 1 }) {
		t.Fatalf("the third connection never waited for a slot: %+v", l.Stats())
	}
	// Both slots are held and neither has closed: Accept cannot have
	// returned the third.
	select {
	case c := <-accepted:
		t.Fatalf("accepted %s past a total of 2", c.RemoteAddr())
	default:
	}
	if s := l.Stats(); s.Open != 2 {
		t.Errorf("open %d, want 2", s.Open)
	}
	// Closing twice gives back one slot, not two.
	a.Close()
	a.Close()
	c := next(t, accepted, "127.0.0.4")
	if s := l.Stats(); s.Open != 2 || s.Waiting != 0 {
		t.Errorf("after one closed: %+v, want 2 open, none waiting", s)
	}
	// The waiting one is the client's own connection, served as any.
	if _, err := third.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(patience))
	if _, err := io.ReadFull(c, make([]byte, 1)); err != nil {
		t.Fatalf("reading the connection that waited: %v", err)
	}
}

func TestClosingTheListenerEndsAWaitingAccept(t *testing.T) {
	t.Parallel()
	l, ln, accepted, acceptErr := serveLimited(t, Limits{Total: 1})
	dialFrom(t, "127.0.0.2", ln)
	next(t, accepted, "127.0.0.2")
	waiting := dialFrom(t, "127.0.0.3", ln)
	if !until(func() bool { return l.Stats().Waiting == 1 }) {
		t.Fatalf("the second connection never waited for a slot: %+v", l.Stats())
	}
	ln.Close()
	select {
	case c, ok := <-accepted:
		if ok {
			t.Fatalf("accepted %s after the listener closed", c.RemoteAddr())
		}
	case <-time.After(patience):
		t.Fatal("Accept still waits after the listener closed")
	}
	if !errors.Is(*acceptErr, net.ErrClosed) {
		t.Errorf("Accept's error %v, want net.ErrClosed (http.Server reads it as closed)", *acceptErr)
	}
	if !closedByServer(t, waiting) {
		t.Error("the connection that waited was left open")
	}
	if s := l.Stats(); s.Waiting != 0 {
		t.Errorf("still waiting: %+v", s)
	}
}

// The report's case over HTTP: one address holds its maximum of
// keep-alive connections after /ping (no token needed); one more from it
// is closed unanswered, and a client elsewhere with a token is served.
func TestTokenHolderServedWhileAnotherClientHoldsItsMaximum(t *testing.T) {
	t.Parallel()
	l, err := New(Limits{Total: 16, PerClient: 4})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := l.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/ping", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "Ok.\n") })
	mux.HandleFunc("/query", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-ClickHouse-Key") != "the-token" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		io.WriteString(w, "1\n")
	})
	srv := &http.Server{Handler: mux, IdleTimeout: time.Hour} // the holds must not idle out here
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	ping := func(c net.Conn) error {
		c.SetDeadline(time.Now().Add(patience))
		if _, err := io.WriteString(c, "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			return err
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil || string(b) != "Ok.\n" {
			return fmt.Errorf("ping: %q %v", b, err)
		}
		return nil
	}
	for i := range 4 {
		if err := ping(dialFrom(t, "127.0.0.2", ln)); err != nil {
			t.Fatalf("hold %d: %v", i, err)
		}
	}
	err = ping(dialFrom(t, "127.0.0.2", ln))
	var ne net.Error
	switch {
	case err == nil:
		t.Fatal("a fifth connection from 127.0.0.2 was answered with a cap of 4")
	case errors.As(err, &ne) && ne.Timeout():
		t.Fatalf("the fifth connection was left waiting instead of closed: %v", err)
	}

	req, _ := http.NewRequest(http.MethodGet, "http://"+ln.Addr().String()+"/query", nil)
	req.Header.Set("X-ClickHouse-Key", "the-token")
	client := &http.Client{Timeout: patience, Transport: &http.Transport{}}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("the token's query from 127.0.0.1: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(b) != "1\n" {
		t.Errorf("the token's query: %s %q", resp.Status, b)
	}
	if s := l.Stats(); s.Open != 5 {
		t.Errorf("open %d, want the 4 holds and the token's connection", s.Open)
	}
}

func TestClientKeys(t *testing.T) {
	t.Parallel()
	proxy := netip.MustParseAddr("10.0.0.5")
	l, err := New(Limits{Total: 8, Exempt: func(a netip.Addr) bool { return a == proxy }})
	if err != nil {
		t.Fatal(err)
	}
	tcp := func(s string) net.Addr { return &net.TCPAddr{IP: net.ParseIP(s), Port: 4000} }
	for _, c := range []struct {
		addr    net.Addr
		key     string // "" = not counted per address
		comment string
	}{
		{tcp("192.0.2.7"), "192.0.2.7", "an IPv4 address is its own client"},
		{tcp("::ffff:192.0.2.7"), "192.0.2.7", "an IPv4 address on a dual-stack socket is the same client"},
		{tcp("2001:db8:1:2::1"), "2001:db8:1:2::", "an IPv6 client counts per /64: one machine holds a whole /64"},
		{tcp("2001:db8:1:2:ffff::9"), "2001:db8:1:2::", "the same /64"},
		{tcp("2001:db8:1:3::1"), "2001:db8:1:3::", "another /64"},
		{tcp("10.0.0.5"), "", "a trusted proxy carries every client behind it"},
		{&net.UnixAddr{Name: "/run/x.sock", Net: "unix"}, "", "no address to count by"},
	} {
		key, counted := l.client(c.addr)
		got := ""
		if counted {
			got = key.String()
		}
		if got != c.key {
			t.Errorf("%s: key %q, want %q (%s)", c.addr, got, c.key, c.comment)
		}
	}
}

func TestLimitsChecked(t *testing.T) {
	t.Parallel()
	cases := []struct {
		lim  Limits
		want string // "" = accepted
	}{
		{Limits{}, ""},
		{Limits{Total: 10, PerClient: 3}, ""},
		{Limits{Total: -1}, "negative"},
		{Limits{PerClient: -1}, "negative"},
	}
	if soft := descriptorLimit(); soft > 0 {
		cases = append(cases, struct {
			lim  Limits
			want string
		}{Limits{Total: soft/2 + 1}, "file descriptors"})
	}
	for _, c := range cases {
		l, err := New(c.lim)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%+v: %v", c.lim, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%+v: error %v, want one saying %q", c.lim, err, c.want)
		case c.want == "" && (l.Total() < 1 || l.Total() > 1024 || l.PerClient() < 1):
			t.Errorf("%+v: total %d, per client %d", c.lim, l.Total(), l.PerClient())
		}
	}
	if soft := descriptorLimit(); soft > 0 && DefaultTotal() > soft/4 {
		t.Errorf("default total %d leaves the engine less than 3/4 of %d descriptors", DefaultTotal(), soft)
	}
}
