package serve

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
)

// Verifier checks tokens of the [serve] section for other endpoints that
// share them (the daemon's SQL endpoint), the same way the web pages do.
type Verifier struct{ creds []credential }

// NewVerifier resolves the configured tokens (token_env read via getenv).
func (c Config) NewVerifier(getenv func(string) string) (*Verifier, error) {
	creds, err := c.credentials(getenv)
	if err != nil {
		return nil, err
	}
	return &Verifier{creds: creds}, nil
}

// Lookup returns the name and scope of a token, comparing its hash with
// every credential in constant time.
func (v *Verifier) Lookup(token string) (name string, scope Scope, ok bool) {
	if token == "" {
		return "", Scope{}, false
	}
	h := sha256.Sum256([]byte(token))
	var found credential
	match := 0
	for _, c := range v.creds {
		if subtle.ConstantTimeCompare(h[:], c.hash[:]) == 1 {
			found, match = c, 1
		}
	}
	return found.name, found.scope, match == 1
}

// Token is a configured token as another system needs it to give the same
// access: its name, its scope and the SHA-256 of the token in hex (never
// the token itself).
type Token struct {
	Name   string
	Scope  Scope
	SHA256 string
}

// Tokens lists the configured tokens in the order of the configuration.
func (v *Verifier) Tokens() []Token {
	out := make([]Token, len(v.creds))
	for i, c := range v.creds {
		out[i] = Token{Name: c.name, Scope: c.scope, SHA256: hex.EncodeToString(c.hash[:])}
	}
	return out
}
