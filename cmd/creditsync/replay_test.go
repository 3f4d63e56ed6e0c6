package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run nightly --on replays a missed night at its date: the grades whose
// publicity ended are confirmed from the right day, the day's reports go
// under that date, and replaying again changes nothing.
func TestNightlyReplay(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "creditsync.toml") // no sources: only the imported register is graded
	if err := os.WriteFile(cfg, []byte("[sync]\nno_sources = true\n\n[publicity]\nphone = \"0374-1234567\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"CREDITSYNC_DATA=" + dir, "CREDITSYNC_CONFIG=" + cfg}
	register := filepath.Join(dir, "机构名录.csv")
	text := "uscc,name,county_code,licensed_on,commitment_signed_on\n" +
		"914403001922038216,许昌德信人力资源服务有限公司,411002,2020-01-01,2020-02-01\n" +
		"91440300708461136T,许昌未承诺人力资源有限公司,411002,2020-01-01,\n"
	if err := os.WriteFile(register, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"import", "institutions", register},
		{"evaluate", "--year", "2026", "--as-of", "2026-07-31", "--publicize-from", "2026-07-31"},
	} {
		if r := runCLI(t, env, args...); r.code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
	}
	r := runCLI(t, env, "run", "nightly", "--on", "2026-08-08")
	if r.code != 0 || !strings.Contains(r.stdout, "2 grades confirmed") {
		t.Fatalf("replay of 2026-08-08: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	g := runCLI(t, env, "grades", "--on", "2026-08-07", "--format", "csv")
	if !strings.Contains(g.stdout, ",confirmed,2026-08-07,2027-08-06,") {
		t.Errorf("confirmed from the day after publicity, not the replay's day:\n%s", g.stdout)
	}
	public, err := os.ReadFile(filepath.Join(dir, "reports", "2026-08-08", "public-list.html"))
	if err != nil || !strings.Contains(string(public), "0374-1234567") {
		t.Errorf("the replayed night's public list (%v) lacks the contact from [publicity]", err)
	}
	if again := runCLI(t, env, "run", "nightly", "--on", "2026-08-08"); again.code != 0 || !strings.Contains(again.stdout, "0 grades confirmed") {
		t.Errorf("replaying twice: exit %d\n%s", again.code, again.stdout)
	}
	if bad := runCLI(t, env, "run", "sync", "--on", "2026-08-08"); bad.code != exitUsage {
		t.Errorf("--on with another job: exit %d", bad.code)
	}
}
