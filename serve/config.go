package serve

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/xuchang-hrss/creditsync/netlimit"
	"github.com/xuchang-hrss/creditsync/peer"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/transform"
)

// Config is the [serve] section of creditsync.toml:
//
//	[serve]
//	url_login = false          # allow GET /login?token=… (tests, kiosks)
//
//	[[serve.tokens]]
//	name = "city bureau"       # shown in logs instead of the token
//	token_env = "CREDITSYNC_TOKEN_CITY"
//	scope = "city"
//
//	[[serve.tokens]]
//	name = "魏都区"
//	token_sha256 = "<64 hex digits>"
//	scope = "411002"
//
// A token is given either by the environment variable holding it
// (token_env) or by the SHA-256 of it in hex (token_sha256, made with
// `printf %s TOKEN | sha256sum`); the file never holds a token itself.
type Config struct {
	Tokens []TokenConfig `toml:"tokens"`
	// URLLogin lets GET /login?token=…&next=… sign in, for a browser that
	// cannot fill in a form (headless tests). A token in a URL ends up in
	// browser history, so it is off unless asked for.
	URLLogin bool `toml:"url_login"`
	// TrustedProxies are the addresses (or CIDR ranges) of reverse proxies
	// whose X-Forwarded-For names the client; from anyone else the header
	// is ignored. Wrong tokens are counted per client address, so behind a
	// proxy that is not listed every client counts as the proxy.
	TrustedProxies []string `toml:"trusted_proxies"`
	// MaxConnections bounds the connections open at once on the daemon's
	// listeners together (web pages, SQL endpoint, metrics); past it new
	// ones wait in the kernel until one closes. 0 = a quarter of the
	// process's file descriptors, at most 1024: the engine shares them.
	MaxConnections int `toml:"max_connections"`
	// MaxConnectionsPerClient bounds those of one client address (an IPv6
	// client's /64); past it a new one is closed at once. Trusted proxies
	// are not bounded per address. 0 = 64.
	MaxConnectionsPerClient int `toml:"max_connections_per_client"`
}

// ConnLimits are the bounds of the listeners' connections: the two keys,
// with the trusted proxies exempt from the per-client one (every client
// behind a proxy comes from its address).
func (c Config) ConnLimits() (netlimit.Limits, error) {
	proxies, err := peer.ParseProxies(c.TrustedProxies)
	if err != nil {
		return netlimit.Limits{}, fmt.Errorf("%w: trusted_proxies: %w", ErrConfig, err)
	}
	lim := netlimit.Limits{Total: c.MaxConnections, PerClient: c.MaxConnectionsPerClient, Exempt: proxies.Trusts}
	if _, err := netlimit.New(lim); err != nil {
		return netlimit.Limits{}, fmt.Errorf("%w: max_connections, max_connections_per_client: %w", ErrConfig, err)
	}
	return lim, nil
}

// TokenConfig is one access token.
type TokenConfig struct {
	Name        string `toml:"name"`
	TokenEnv    string `toml:"token_env"`
	TokenSHA256 string `toml:"token_sha256"`
	Scope       string `toml:"scope"`
}

// minTokenLen is the shortest token accepted from the environment: a
// token is a password the whole city's data hangs on.
const minTokenLen = 16

// ErrConfig marks a [serve] section that cannot be used.
var ErrConfig = errors.New("invalid [serve] configuration")

// credential is a token as the server keeps it: only its hash.
type credential struct {
	name  string
	hash  [sha256.Size]byte
	scope Scope
}

// credentials resolves the configured tokens, reading token_env variables
// through getenv and keeping only their hashes.
func (c Config) credentials(getenv func(string) string) ([]credential, error) {
	if len(c.Tokens) == 0 {
		return nil, fmt.Errorf("%w: no [[serve.tokens]]; add one, e.g.\n  [[serve.tokens]]\n  token_env = \"CREDITSYNC_TOKEN_CITY\"\n  scope = \"city\"", ErrConfig)
	}
	var out []credential
	for i, t := range c.Tokens {
		name := t.Name
		if name == "" {
			name = fmt.Sprintf("serve.tokens[%d]", i)
		}
		sc, err := ParseScope(t.Scope)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrConfig, name, err)
		}
		cr := credential{name: name, scope: sc}
		switch {
		case t.TokenEnv != "" && t.TokenSHA256 != "":
			return nil, fmt.Errorf("%w: %s: give token_env or token_sha256, not both", ErrConfig, name)
		case t.TokenEnv != "":
			raw := getenv(t.TokenEnv)
			if strings.TrimSpace(raw) != raw {
				// Every endpoint trims the token it is sent (a header's
				// value loses its blanks on the way): a hash of the
				// blanks would open none of them, or only some.
				return nil, fmt.Errorf("%w: %s: environment variable %s holds white space before or after the token (blanks or a line end an environment file kept): remove it", ErrConfig, name, t.TokenEnv)
			}
			if len(raw) < minTokenLen {
				return nil, fmt.Errorf("%w: %s: environment variable %s holds %d characters, want a token of at least %d (e.g. openssl rand -hex 24)", ErrConfig, name, t.TokenEnv, len(raw), minTokenLen)
			}
			cr.hash = sha256.Sum256([]byte(raw))
		case t.TokenSHA256 != "":
			b, err := hex.DecodeString(strings.TrimSpace(t.TokenSHA256))
			if err != nil || len(b) != sha256.Size {
				return nil, fmt.Errorf("%w: %s: token_sha256 must be 64 hex digits (printf %%s TOKEN | sha256sum)", ErrConfig, name)
			}
			copy(cr.hash[:], b)
		default:
			return nil, fmt.Errorf("%w: %s: give token_env or token_sha256", ErrConfig, name)
		}
		for _, o := range out {
			if o.hash == cr.hash {
				return nil, fmt.Errorf("%w: %s and %s are the same token", ErrConfig, o.name, name)
			}
			// A token's name is its identity wherever the daemon keeps
			// something per token: its query ids and KILL QUERY, its
			// slots and queue, its audit rows. Two tokens of one name
			// were one identity: a county's token saw and cancelled the
			// city's queries.
			if o.name == name {
				return nil, fmt.Errorf("%w: two tokens are named %q; give each its own name (it is how queries, slots and the audit tell tokens apart)", ErrConfig, name)
			}
		}
		out = append(out, cr)
	}
	return out, nil
}

// Scope is what a token may see: the whole city, or one county-level
// division and nothing of the others.
type Scope struct {
	unit report.Unit
}

// ParseScope reads "city" or the code of one of Xuchang's six county-level
// divisions.
func ParseScope(s string) (Scope, error) {
	s = strings.TrimSpace(s)
	if s == report.CityCode {
		return Scope{report.City()}, nil
	}
	if s == transform.CityCode {
		return Scope{}, fmt.Errorf("scope %q: the city bureau's scope is %q (it sees every county)", s, report.CityCode)
	}
	for _, c := range transform.XuchangCounties() {
		if c.Code == s {
			return Scope{report.Unit{Code: c.Code, Name: c.Name}}, nil
		}
	}
	return Scope{}, fmt.Errorf("scope %q: want %q or a county code (411002 魏都区, 411003 建安区, 411024 鄢陵县, 411025 襄城县, 411081 禹州市, 411082 长葛市)", s, report.CityCode)
}

// City reports whether the scope is the whole city.
func (s Scope) City() bool { return s.unit.Code == report.CityCode }

// Code is "city" or the county code.
func (s Scope) Code() string { return s.unit.Code }

// Name is the scope's name in Chinese.
func (s Scope) Name() string { return s.unit.Name }

// Allows reports whether an institution of the given division is visible.
func (s Scope) Allows(countyCode string) bool { return s.unit.Contains(countyCode) }

// AllowsUnit reports whether the reports of a unit ("city", 411000 or a
// county) are visible: a county sees its own only.
func (s Scope) AllowsUnit(code string) bool { return s.City() || code == s.unit.Code }

// Units lists the units whose pages and reports the scope sees, the
// whole city first.
func (s Scope) Units() []report.Unit {
	if !s.City() {
		return []report.Unit{s.unit}
	}
	return append([]report.Unit{report.City()}, report.Units()...)
}
