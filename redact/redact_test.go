package redact_test

import (
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/redact"
)

// Every URL shown is redacted, whether or not it parses: an error saying
// that a URL is not valid printed it whole, its password and its secret
// path with it.
func TestURL(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"https://oapi.dingtalk.com/robot/send?access_token=DING-SECRET-77", "https://oapi.dingtalk.com/robot/send?access_token=REDACTED"},
		{"https://hooks.example.org/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX", "https://hooks.example.org/services/T0000/B0000/REDACTED"},
		{"http://user:URLPASS777@127.0.0.1:19201/api", "http://user@127.0.0.1:19201/api"},
		{"http://user:URLPASS777@[::1:19201/api", "http://user@[::1:19201/REDACTED"},
		{"127.0.0.1/URLPASS777", "127.0.0.1/REDACTED"},
		{"http://u:p@ss:URLPASS777@host/x?k=URLPASS777", "http://u@host/x?k=REDACTED"},
		{"ftp://u:URLPASS777@host/file", "ftp://u@host/file"},
		{"user:URLPASS777@host", "user@host"},
		{"http://host:bad%zzport/URLPASS777", "http://host:bad%zzport/REDACTED"},
		{"http://user:URL/PASS777@host:bad/x", "http://user@host:bad/REDACTED"},
		{"http://user:URLPASS/777@[::1/x", "http://user@[::1/REDACTED"},
	}
	for _, tt := range tests {
		got := redact.URL(tt.raw)
		if got != tt.want {
			t.Errorf("URL(%q) = %q, want %q", tt.raw, got, tt.want)
		}
		if strings.Contains(got, "URLPASS777") || strings.Contains(got, "SECRET") {
			t.Errorf("URL(%q) = %q shows a secret", tt.raw, got)
		}
	}
}
