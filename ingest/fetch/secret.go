package fetch

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
)

// Secret is a credential. It prints, logs and marshals as "[redacted]",
// so a Secret that ends up in a log line, an error or a config dump by
// mistake does not leak; only this package reads its value.
type Secret struct{ value string }

const redacted = "[redacted]"

// NewSecret wraps a credential value.
func NewSecret(v string) Secret { return Secret{value: strings.TrimSpace(v)} }

// IsZero reports whether no credential is set.
func (s Secret) IsZero() bool { return s.value == "" }

func (s Secret) String() string {
	if s.value == "" {
		return ""
	}
	return redacted
}

// GoString keeps %#v from printing the value.
func (s Secret) GoString() string { return "fetch.Secret(" + s.String() + ")" }

// LogValue keeps slog from printing the value.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText keeps encoders from writing the value.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// ErrSecret means a credential could not be read.
var ErrSecret = errors.New("credential not available")

// SecretFrom reads a credential from the environment variable env or,
// when env is empty, from file (its first line). Errors name the variable
// or the file, never what they hold. Both empty yields a zero Secret.
func SecretFrom(env, file string) (Secret, error) {
	switch {
	case env != "":
		v, ok := os.LookupEnv(env)
		if !ok || strings.TrimSpace(v) == "" {
			return Secret{}, fmt.Errorf("%w: environment variable %s is not set", ErrSecret, env)
		}
		return NewSecret(v), nil
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			// The path is fine to show; os errors never include content.
			return Secret{}, fmt.Errorf("%w: %v", ErrSecret, err)
		}
		line, _, _ := strings.Cut(string(b), "\n")
		if strings.TrimSpace(line) == "" {
			return Secret{}, fmt.Errorf("%w: %s is empty", ErrSecret, file)
		}
		return NewSecret(line), nil
	}
	return Secret{}, nil
}

// credentialParams are query parameters redacted from every URL shown,
// whatever the source's own auth parameter is called: next links and
// redirects may carry session tokens of their own.
var credentialParams = []string{"token", "access_token", "apikey", "api_key", "key", "appkey", "app_key", "secret", "sign", "signature", "password", "ticket", "session"}

// redactor removes one source's credentials from text.
type redactor struct {
	secret Secret
	param  string // the source's auth query parameter, if any
}

// text replaces the secret wherever it occurs. Very short secrets are
// left alone: replacing "1" everywhere would garble messages and such a
// value is no real secret anyway.
func (r redactor) text(s string) string {
	if len(r.secret.value) >= 4 {
		s = strings.ReplaceAll(s, r.secret.value, redacted)
	}
	return s
}

func (r redactor) bytes(b []byte) []byte {
	if len(r.secret.value) >= 4 && bytes.Contains(b, []byte(r.secret.value)) {
		return []byte(strings.ReplaceAll(string(b), r.secret.value, redacted))
	}
	return b
}

// url redacts credential query parameters and the secret itself.
func (r redactor) url(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return r.text(raw)
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	q := u.Query()
	changed := false
	for k := range q {
		if r.isCredential(k) {
			q.Set(k, "REDACTED")
			changed = true
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
	return r.text(u.String())
}

// RedactURL is raw with its credentials redacted as a client of auth
// redacts every URL it shows: for a URL kept beside the data (a batch's
// source), where no client is at hand.
func RedactURL(raw string, auth Auth) string {
	return redactor{secret: auth.Secret, param: auth.Query}.url(raw)
}

func (r redactor) isCredential(param string) bool {
	if r.param != "" && strings.EqualFold(param, r.param) {
		return true
	}
	for _, c := range credentialParams {
		if strings.EqualFold(param, c) {
			return true
		}
	}
	return false
}
