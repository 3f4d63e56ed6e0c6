package main

import (
	"encoding/csv"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/sample"
	"github.com/xuchang-hrss/creditsync/workflows"
)

// TestLifecycleCommands walks one evaluation through the commands a
// county officer uses: evaluate, object, confirm, review, regrade,
// upgrade, and the consequences of the grades.
func TestLifecycleCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := []string{"CREDITSYNC_DATA=" + dir}
	run := func(args ...string) string {
		t.Helper()
		r := runCLI(t, env, args...)
		if r.code != 0 {
			t.Fatalf("creditsync %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
		return r.stdout
	}
	// The sample's files, imported: a store with data and no grades yet
	// (the demo would evaluate it itself).
	files, _, err := sample.Write(filepath.Join(dir, "sample"), sample.Options{Seed: 5, Institutions: 100, AsOf: workflows.DemoAsOf})
	if err != nil {
		t.Fatal(err)
	}
	for _, list := range contract.Names() {
		run("import", list, files[list])
	}
	exps, err := sample.ExpectAt(sample.Options{Seed: 5, Institutions: 100, AsOf: workflows.DemoAsOf}, workflows.DemoAsOf)
	if err != nil {
		t.Fatal(err)
	}
	var b1, d, revoked string
	for _, e := range exps {
		switch c := strings.Join(e.Clauses, ";"); {
		case c == "B1" && b1 == "":
			b1 = e.USCC
		case strings.Contains(c, "D3") && revoked == "": // revoked: D, listed like any grade
			revoked = e.USCC
		case (strings.HasPrefix(c, "D1") || strings.HasPrefix(c, "D2")) && d == "": // handled within the year: D for a year
			d = e.USCC
		}
	}
	if b1 == "" || d == "" || revoked == "" {
		t.Fatalf("the sample lacks a B1, D1/D2 or D3 institution: %q %q %q", b1, d, revoked)
	}

	out := run("evaluate", "--year", "2026", "--as-of", "2026-07-31", "--publicize-from", "2026-08-03")
	if !strings.Contains(out, "publicized 2026-08-03 until 2026-08-09") {
		t.Errorf("evaluate:\n%s", out)
	}
	if r := runCLI(t, env, "evaluate", "--year", "2026", "--as-of", "2026-07-31"); r.code != exitFailure || !strings.Contains(r.stderr, "year already evaluated") {
		t.Errorf("second evaluation: exit %d\n%s", r.code, r.stderr)
	}
	// An earlier year, recorded now, would change the grades shown since.
	if r := runCLI(t, env, "evaluate", "--year", "2025", "--as-of", "2025-07-31", "--publicize-from", "2025-08-01"); r.code != exitUsage || !strings.Contains(r.stderr, "as of 2026-07-31, is recorded already") {
		t.Errorf("an evaluation before the last: exit %d\n%s", r.code, r.stderr)
	}
	run("objection", "file", b1, "--note", "承诺书已签订", "--on", "2026-08-05")
	if r := runCLI(t, env, "objection", "file", d, "--note", "x", "--on", "2026-08-10"); r.code != exitFailure || !strings.Contains(r.stderr, "being publicized on 2026-08-10: its publicity ended on 2026-08-09") {
		t.Errorf("objection after publicity: exit %d\n%s", r.code, r.stderr)
	}
	if r := runCLI(t, env, "objection", "file", b1, "--note", "x", "--on", "2026-08-06"); r.code != exitFailure || !strings.Contains(r.stderr, "was filed on 2026-08-05 already") {
		t.Errorf("a second objection: exit %d\n%s", r.code, r.stderr)
	}
	run("confirm", "--on", "2026-08-10")

	grades := func(on string) map[string][]string {
		recs, err := csv.NewReader(strings.NewReader(run("grades", "--on", on, "--format", "csv"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		// An institution has a row per grade: in force, then publicized
		// or under objection; the last one is kept.
		m := map[string][]string{}
		for _, r := range recs[1:] {
			m[r[0]] = r
		}
		return m
	}
	if g := grades("2026-08-05"); g[b1][5] != "under_review" || g[d][5] != "publicized" || g[d][6] != "" {
		t.Errorf("during publicity: %q and %q, want under_review and publicized", g[b1], g[d])
	}
	g := grades("2026-08-10")
	if g[b1][5] != "under_review" {
		t.Errorf("the grade under review: %q", g[b1])
	}
	if r, ok := g[revoked]; !ok || r[3] != "D" || r[5] != "confirmed" {
		t.Errorf("the revoked licence: %q, want D (D3) in force and listed", r)
	}
	if out := run("eligibility", revoked, "--on", "2026-08-13"); !strings.HasPrefix(out, "not eligible") || !strings.Contains(out, "D3") {
		t.Errorf("eligibility of a revoked institution: %s", out)
	}
	if g[d][3] != "D" || g[d][5] != "confirmed" || g[d][6] != "2026-08-10" || g[d][7] != "2027-08-09" {
		t.Errorf("confirmed D: %q", g[d])
	}
	run("objection", "resolve", b1, "--grade", "A", "--note", "复评更正", "--on", "2026-08-12")
	if h := run("history", b1); !strings.Contains(h, "superseded") || !strings.Contains(h, "复评更正") || !strings.Contains(h, "the rules give B") {
		t.Errorf("history after review:\n%s", h)
	}
	if g := grades("2026-08-12"); g[b1][3] != "A" || g[b1][8] != "review" {
		t.Errorf("after review: %q", g[b1])
	}

	// The rules still give B on the records the reviewer weighed: the
	// next regrade upholds the reviewer's A (docs/rules.md §4.4).
	out = run("regrade", "--as-of", "2026-08-13")
	if !strings.Contains(out, "Upheld") || !strings.Contains(out, b1) || !strings.Contains(out, "Eligible to apply for an upgrade") {
		t.Errorf("regrade:\n%s", out)
	}
	if g := grades("2026-08-13"); g[b1][3] != "A" || g[b1][8] != "review" {
		t.Errorf("after regrade: %q", g[b1])
	}
	if out := run("eligibility", d, "--on", "2026-08-13"); !strings.HasPrefix(out, "not eligible") {
		t.Errorf("eligibility of a D institution: %s", out)
	}
	plan := run("sample-plan", "--seed", "11", "--on", "2026-08-13", "--format", "csv")
	if again := run("sample-plan", "--seed", "11", "--on", "2026-08-13", "--format", "csv"); plan != again || !strings.HasPrefix(plan, "grade,uscc,name,county_code\n") {
		t.Errorf("sample plan not reproducible:\n%s\n%s", plan, again)
	}
	if r := runCLI(t, env, "sample-plan"); r.code != exitUsage {
		t.Errorf("sample-plan without a seed: exit %d", r.code)
	}
	if r := runCLI(t, env, "nominate", d, "--year", "2026", "--reason", "x", "--on", "2026-08-13"); r.code != exitFailure || !strings.Contains(r.stderr, "only confirmed A") {
		t.Errorf("nominating a D institution: exit %d\n%s", r.code, r.stderr)
	}
	if out := run("upgrade", "apply", d, "--on", "2026-08-14"); !strings.Contains(out, "application refused") {
		t.Errorf("upgrade of a D institution whose records still hold: %s", out)
	}
	if out := run("sql", "SELECT count() AS n FROM v_current_grades WHERE valid_from >= '2026-08-10'", "--format", "csv"); !strings.HasPrefix(out, "\"n\"\n") {
		t.Errorf("views: %s", out)
	}
}
