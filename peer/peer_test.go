package peer

import (
	"net/http"
	"testing"
)

func TestAddr(t *testing.T) {
	proxies, err := ParseProxies([]string{"127.0.0.1", "10.0.0.0/8"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, remote string
		xff          []string
		want         string
	}{
		{"direct client", "192.0.2.7:5000", nil, "192.0.2.7"},
		{"direct client lies in X-Forwarded-For", "192.0.2.7:5000", []string{"198.51.100.1"}, "192.0.2.7"},
		{"trusted proxy", "127.0.0.1:40000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"client prepends a fake hop", "127.0.0.1:40000", []string{"203.0.113.9, 198.51.100.1"}, "198.51.100.1"},
		{"two trusted proxies", "127.0.0.1:40000", []string{"198.51.100.1, 10.1.2.3"}, "198.51.100.1"},
		{"headers split", "127.0.0.1:40000", []string{"198.51.100.1", "10.1.2.3"}, "198.51.100.1"},
		{"trusted proxy, no header", "127.0.0.1:40000", nil, "127.0.0.1"},
		{"garbage hop", "127.0.0.1:40000", []string{"nonsense"}, "127.0.0.1"},
		{"IPv6 peer", "[2001:db8::1]:443", []string{"198.51.100.1"}, "2001:db8::1"},
	} {
		r, _ := http.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.remote
		for _, h := range c.xff {
			r.Header.Add("X-Forwarded-For", h)
		}
		if got := proxies.Addr(r); got != c.want {
			t.Errorf("%s: Addr = %q, want %q", c.name, got, c.want)
		}
	}
	if _, err := ParseProxies([]string{"not-an-address"}); err == nil {
		t.Error("ParseProxies accepted a bad address")
	}
}
