// Package peer finds the address of the client behind an HTTP request:
// the connection's peer, or, when that peer is a proxy the configuration
// trusts, the last address in X-Forwarded-For that no trusted proxy added.
// An X-Forwarded-For from anyone else is ignored, so a client cannot pick
// the address it is counted under.
package peer

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Proxies are the addresses whose X-Forwarded-For is believed.
type Proxies []netip.Prefix

// ParseProxies reads addresses and CIDR ranges ("127.0.0.1", "10.0.0.0/8").
func ParseProxies(list []string) (Proxies, error) {
	var out Proxies
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q is neither an address nor a CIDR range", s)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// Trusts reports whether a is one of the proxies.
func (p Proxies) Trusts(a netip.Addr) bool {
	a = a.Unmap()
	for _, pr := range p {
		if pr.Contains(a) {
			return true
		}
	}
	return false
}

// Addr returns the client's address for r.
func (p Proxies) Addr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil || !p.Trusts(a) {
		return host
	}
	// Walk X-Forwarded-For from the right: each trusted proxy appended the
	// address it received from; the first untrusted one is the client.
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		for _, part := range strings.Split(h, ",") {
			hops = append(hops, strings.TrimSpace(part))
		}
	}
	client := a.Unmap().String()
	for i := len(hops) - 1; i >= 0; i-- {
		h, err := netip.ParseAddr(hops[i])
		if err != nil {
			break // a malformed entry: stop at the last address we could read
		}
		client = h.Unmap().String()
		if !p.Trusts(h) {
			break
		}
	}
	return client
}
