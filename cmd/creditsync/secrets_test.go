package main

import (
	"fmt"
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

// A source's token_file that every user of the host may read (0644) was
// used without a word: it is warned of, naming the source, the file and
// its mode; one of its owner (0600) or the service's group (0640) is not.
func TestWorldReadableTokenFileIsWarnedOf(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		mode os.FileMode
		warn bool
	}{{0o644, true}, {0o604, true}, {0o640, false}, {0o600, false}} {
		dir := t.TempDir()
		key := filepath.Join(dir, "key.txt")
		if err := os.WriteFile(key, []byte("KEY-0123456789\n"), tt.mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(key, tt.mode); err != nil { // whatever the umask
			t.Fatal(err)
		}
		cfg := filepath.Join(dir, "creditsync.toml")
		source := "[[source]]\nname = \"pen\"\npreset = \"gsxt_penalties\"\nurl = \"http://127.0.0.1:9/api\"\ntoken_file = \"" + key + "\"\n"
		if err := os.WriteFile(cfg, []byte(source), 0o600); err != nil {
			t.Fatal(err)
		}
		r := runCLI(t, []string{"CREDITSYNC_DATA=" + dir}, "sources", "--config", cfg)
		warned := strings.Contains(r.stderr, "token_file is readable by every user of this host") &&
			strings.Contains(r.stderr, "source=pen file="+key+" mode="+fmt.Sprintf("%04o", tt.mode))
		if warned != tt.warn || strings.Contains(r.stderr, "KEY-0123456789") {
			t.Errorf("token_file of mode %04o: warned %v, want %v:\n%s", tt.mode, warned, tt.warn, r.stderr)
		}
	}
}
