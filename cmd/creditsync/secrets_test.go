package main

import (
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
