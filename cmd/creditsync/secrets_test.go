package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPasswordNeverPrinted: with a password in CREDITSYNC_CLICKHOUSE,
// neither help (which prints flag defaults) nor a failing connection's
// error and debug log shows it.
func TestPasswordNeverPrinted(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-Pa55"
	// Port 1 on loopback refuses the connection at once.
	env := []string{"CREDITSYNC_CLICKHOUSE=clickhouse://analyst:" + secret + "@127.0.0.1:1/creditsync?dial_timeout=1s", "CREDITSYNC_DATA=" + t.TempDir()}
	tests := []struct {
		args     []string
		wantCode int
		want     string // must appear in stdout+stderr
	}{
		{[]string{"--help"}, 0, "(env CREDITSYNC_CLICKHOUSE)"},
		{[]string{"init", "--help"}, 0, "(env CREDITSYNC_CLICKHOUSE)"},
		{[]string{"status", "--help"}, 0, "(env CREDITSYNC_CLICKHOUSE)"},
		{[]string{"-v", "status"}, exitFailure, "127.0.0.1:1"},
		{[]string{"-v", "--log-format", "json", "sql", "SELECT 1"}, exitFailure, "127.0.0.1:1"},
		{[]string{"init"}, exitFailure, "127.0.0.1:1"},
	}
	for _, tt := range tests {
		r := runCLI(t, env, tt.args...)
		all := r.stdout + r.stderr
		if strings.Contains(all, secret) {
			t.Errorf("creditsync %v printed the password:\n%s", tt.args, all)
		}
		if r.code != tt.wantCode || !strings.Contains(all, tt.want) {
			t.Errorf("creditsync %v: exit %d, want %d with %q in:\n%s", tt.args, r.code, tt.wantCode, tt.want, all)
		}
	}
}

// A source URL that does not parse was printed whole, password and all,
// by the error saying so (`url "http://user:PASS@[::1:19201/api" is not
// an absolute URL`): every URL of the configuration is shown through the
// one redaction (package redact), which keeps only the scheme, user and
// host of text it cannot read.
func TestConfigURLNeverPrinted(t *testing.T) {
	t.Parallel()
	const secret = "URLPASS777"
	tests := []struct{ name, source string }{
		{"api", "name = \"x\"\npreset = \"gsxt_penalties\"\nurl = \"http://user:" + secret + "@[::1:19201/api\"\ntoken_env = \"T\"\n"},
		{"html", "name = \"x\"\nlist = \"abnormal\"\nkind = \"html\"\nurl = \"http://user:" + secret + "@[::1:19201/list\"\nrow_selector = \"tr\"\nheader_selector = \"th\"\n"},
	}
	for _, tt := range tests {
		cfg := filepath.Join(t.TempDir(), "creditsync.toml")
		if err := os.WriteFile(cfg, []byte("[[source]]\n"+tt.source), 0o600); err != nil {
			t.Fatal(err)
		}
		r := runCLI(t, []string{"CREDITSYNC_DATA=" + t.TempDir()}, "sources", "--config", cfg)
		all := r.stdout + r.stderr
		if r.code != exitFailure || strings.Contains(all, secret) || !strings.Contains(all, `url "http://user@[::1:19201/REDACTED" is not an absolute URL`) {
			t.Errorf("%s source with a URL that does not parse: exit %d\n%s", tt.name, r.code, all)
		}
	}
}
