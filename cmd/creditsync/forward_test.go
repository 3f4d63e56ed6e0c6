package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// File names on a forwarded command line become absolute: the daemon
// runs in another directory.
func TestAbsolutePaths(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("list.csv", nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir("sql", 0o700); err != nil { // a directory named like a command
		t.Fatal(err)
	}
	abs := func(p string) string { return filepath.Join(dir, p) }
	tests := []struct {
		args, positional, want []string
	}{
		{[]string{"import", "institutions", "list.csv"}, []string{"institutions", "list.csv"}, []string{"import", "institutions", abs("list.csv")}},
		{[]string{"report", "city", "-o", "out.xlsx"}, []string{"city"}, []string{"report", "city", "-o", abs("out.xlsx")}},
		{[]string{"report", "city", "--output=out.xlsx"}, []string{"city"}, []string{"report", "city", "--output=" + abs("out.xlsx")}},
		{[]string{"report", "city", "-o", "-"}, []string{"city"}, []string{"report", "city", "-o", "-"}},
		{[]string{"sql", "--queries-file", "q.sql"}, nil, []string{"sql", "--queries-file", abs("q.sql")}},
		{[]string{"sql", "SELECT 1"}, []string{"SELECT 1"}, []string{"sql", "SELECT 1"}},
		{[]string{"sql", "SELECT 1/2"}, []string{"SELECT 1/2"}, []string{"sql", "SELECT 1/2"}},
		// Files named as the user sees them, whether or not they are here:
		// the daemon must not read another of that name in its directory.
		{[]string{"import", "institutions=list.csv"}, []string{"institutions=list.csv"}, []string{"import", "institutions=" + abs("list.csv")}},
		{[]string{"import", "institutions=t/missing.csv"}, []string{"institutions=t/missing.csv"}, []string{"import", "institutions=" + abs("t/missing.csv")}},
		{[]string{"import", "penalties", "t/missing.csv"}, []string{"penalties", "t/missing.csv"}, []string{"import", "penalties", abs("t/missing.csv")}},
		{[]string{"import", "penalties", "missing.xlsx"}, []string{"penalties", "missing.xlsx"}, []string{"import", "penalties", abs("missing.xlsx")}},
		{[]string{"explain", "91411002MA47X4XJ6A"}, []string{"91411002MA47X4XJ6A"}, []string{"explain", "91411002MA47X4XJ6A"}},
		{[]string{"sql", "SELECT count() FROM v_grades_on(day='2026-01-01')"}, []string{"SELECT count() FROM v_grades_on(day='2026-01-01')"}, []string{"sql", "SELECT count() FROM v_grades_on(day='2026-01-01')"}},
		{[]string{"--data", "d", "run", "nightly", "--config", "/etc/c.toml"}, []string{"nightly"}, []string{"--data", abs("d"), "run", "nightly", "--config", "/etc/c.toml"}},
	}
	for _, tt := range tests {
		if got := absolutePaths(tt.args, tt.positional); !slices.Equal(got, tt.want) {
			t.Errorf("absolutePaths(%q) = %q, want %q", tt.args, got, tt.want)
		}
	}
}

func TestTakeParams(t *testing.T) {
	t.Parallel()
	rest, params, err := takeParams([]string{"sql", "--param_a=1", "--param_b", "x y", "SELECT {a:UInt8}", "--format", "csv"})
	if err != nil || !slices.Equal(rest, []string{"sql", "SELECT {a:UInt8}", "--format", "csv"}) || params["a"] != "1" || params["b"] != "x y" {
		t.Errorf("takeParams: %q %v %v", rest, params, err)
	}
	if _, _, err := takeParams([]string{"sql", "--param_a"}); err == nil {
		t.Error("--param_a without a value accepted")
	}
}
