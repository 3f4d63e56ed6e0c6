// Package redact says how a URL from the configuration is shown to
// people — in errors, logs, status — defined once: a webhook's or a
// source's URL may carry a secret in its user info, its query or a long
// path segment (a chat robot's access_token or hook id, an appkey).
// ingest/fetch adds what it knows of a source's credential on top.
package redact

import (
	"net/url"
	"strings"
)

// Redacted stands where a secret was.
const Redacted = "REDACTED"

// URL is raw as it may be shown: the password of its user info, every
// query value and every path segment of 16 characters or more become
// REDACTED, and its fragment goes. Text that is not an absolute URL with
// a host (a mistyped one: "http://u:p@[::1/x", "127.0.0.1/hook") cannot
// be read part by part, so all of it after the host goes too, and the
// user info's password still does: an error about a URL that does not
// parse must not print the URL whole.
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return unparsed(raw)
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	q := u.Query()
	for k := range q {
		q.Set(k, Redacted)
	}
	u.RawQuery = q.Encode()
	segs := strings.Split(u.Path, "/")
	for i, seg := range segs {
		if len(seg) >= 16 {
			segs[i] = Redacted
		}
	}
	u.Path, u.RawPath = strings.Join(segs, "/"), ""
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}

// unparsed is text that is not an absolute URL, read as
// [scheme://][user[:password]@]host[/…]: its scheme, user and host are
// kept, so that a person can find the mistake, the rest is REDACTED.
func unparsed(raw string) string {
	scheme, rest, hasScheme := strings.Cut(raw, "://")
	if !hasScheme {
		scheme, rest = "", raw
	}
	// The user info ends at the last @ (as url.Parse reads it), looked
	// for in all the text: a password holding a / (not escaped, in a
	// mistyped URL) would otherwise end the authority inside the
	// password and print its start. An @ of a path or query is taken
	// for it too, which can only hide more. The user name, before the
	// first colon (or /), says who signs in.
	if i := strings.LastIndex(rest, "@"); i >= 0 {
		user, _, _ := strings.Cut(rest[:i], ":")
		if j := strings.IndexAny(user, "/?#"); j >= 0 {
			user = user[:j]
		}
		rest = user + "@" + rest[i+1:]
	}
	authority, tail := rest, ""
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority, tail = rest[:i], rest[i:]
	}
	out := authority
	if hasScheme {
		out = scheme + "://" + out
	}
	if tail != "" {
		out += tail[:1] + Redacted
	}
	return out
}
