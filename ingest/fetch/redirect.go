package fetch

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// ErrRedirect: the site sent a request that carries the source's
// credentials on to another host (a redirect, a JSON next link) or from
// https to http. It is not followed, so nothing reaches the other host.
var ErrRedirect = errors.New("redirect not followed")

// errRedirectLoop marks redirect chains that never end, which is how
// some challenge walls (Credit China's 307s) look from a script.
var errRedirectLoop = errors.New("too many redirects")

// offHost is a redirect the client refused to follow.
type offHost struct{ from, to *url.URL }

func (e offHost) Error() string { return "redirect from " + e.from.Host + " to " + e.to.Host }

// checkRedirect is the client's redirect policy. net/http drops
// Authorization and cookies on a redirect to another host, but copies
// every other header, so an X-Api-Token would go wherever the site
// points, and a query credential goes wherever the site's Location
// repeats it. A source with credentials is therefore followed only
// within its host (a moved path, http to https); a redirect elsewhere
// fails the page rather than following without them: a list served by
// another host is not the configured source's, and a challenge wall or
// a hijacked page is the likelier reason than a move nobody announced.
func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errRedirectLoop
	}
	if !c.auth.Sends() {
		return nil
	}
	if from := via[0].URL; !CredentialsMayFollow(from, req.URL) {
		return offHost{from, req.URL}
	}
	return nil
}

// CredentialsMayFollow reports whether a request's credentials may go
// on from one URL to another, by a redirect or a link to the next page:
// to the same host name (any port, since http to https changes it) and
// never from https down to http, where anyone on the way reads them.
func CredentialsMayFollow(from, to *url.URL) bool {
	if from.Scheme == "https" && to.Scheme != "https" {
		return false
	}
	return strings.EqualFold(from.Hostname(), to.Hostname())
}

// redirectFailure describes a refused redirect, naming both hosts.
func (c *Client) redirectFailure(e offHost) error {
	to := c.red.url(e.to.String())
	if strings.EqualFold(e.from.Hostname(), e.to.Hostname()) {
		return fmt.Errorf("%w: the site sent the request on from https to http (%s), and the source's credentials are not sent unencrypted", ErrRedirect, to)
	}
	return fmt.Errorf("%w: the site sent the request on from %s to %s (%s); the source's credentials are sent to %s only, and a list served by another host is not the configured source's",
		ErrRedirect, e.from.Host, e.to.Host, to, e.from.Hostname())
}
