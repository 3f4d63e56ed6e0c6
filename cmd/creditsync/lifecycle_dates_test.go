package main

import (
	"encoding/csv"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/sample"
	"github.com/xuchang-hrss/creditsync/transform"
	"github.com/xuchang-hrss/creditsync/workflows"
)

// The commands that record what happened on a day refuse a day after
// today: recorded, it could not be undone (grades confirmed a week
// before their publicity ended took the right to object away, a regrade a
// year ahead lowered grades for reports not yet due). Nothing is
// recorded; grade --as-of still shows what a day to come would give.
func TestRecordingCommandsRefuseADayToCome(t *testing.T) {
	t.Parallel()
	env := []string{"CREDITSYNC_DATA=" + t.TempDir()}
	later := grade.Today(time.Now()).AddDate(0, 0, 3).Format(time.DateOnly)
	for _, args := range [][]string{
		{"confirm", "--on", later},
		{"expire", "--on", later},
		{"regrade", "--as-of", later},
		{"evaluate", "--year", "2026", "--as-of", later},
		{"run", "nightly", "--on", later},
		{"objection", "file", "91411002MA00000001", "--note", "x", "--on", later},
		{"objection", "resolve", "91411002MA00000001", "--note", "x", "--on", later},
		{"upgrade", "apply", "91411002MA00000001", "--on", later},
		{"nominate", "91411002MA00000001", "--year", "2026", "--reason", "x", "--on", later},
	} {
		r := runCLI(t, env, args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "is after today") {
			t.Errorf("%v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
	}
	if r := runCLI(t, env, "grade", "--as-of", later, "--format", "csv"); r.code != 0 {
		t.Errorf("grade --as-of %s (recording nothing): exit %d\n%s", later, r.code, r.stderr)
	}
}

// An evaluation whose publicity starts after today shows in history as
// not yet publicized (its stored status is publicized from the day it is
// recorded): nobody has seen it, nobody could have objected to it.
func TestHistoryBeforePublicityStarts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := []string{"CREDITSYNC_DATA=" + dir}
	opts := sample.Options{Seed: 5, Institutions: 69, AsOf: workflows.DemoAsOf}
	files, _, err := sample.Write(filepath.Join(dir, "sample"), opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, list := range contract.Names() {
		if r := runCLI(t, env, "import", list, files[list]); r.code != 0 {
			t.Fatalf("import %s: exit %d\n%s", list, r.code, r.stderr)
		}
	}
	exps, err := sample.ExpectAt(opts, workflows.DemoAsOf)
	if err != nil || len(exps) == 0 {
		t.Fatalf("expectations: %v, %v", exps, err)
	}
	later := grade.Today(time.Now()).AddDate(0, 0, 5).Format(time.DateOnly)
	if r := runCLI(t, env, "evaluate", "--year", "2026", "--as-of", "2026-07-31", "--publicize-from", later); r.code != 0 {
		t.Fatalf("evaluate publicized from %s: exit %d\n%s", later, r.code, r.stderr)
	}
	r := runCLI(t, env, "history", exps[0].USCC, "--format", "csv")
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if r.code != 0 || err != nil || len(rows) != 2 {
		t.Fatalf("history: exit %d, %v\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	status := rows[1][slices.Index(rows[0], "status")]
	if status != string(lifecycle.StatusNotYetPublicized) {
		t.Errorf("history before the publicity from %s: status %q, want %q", later, status, lifecycle.StatusNotYetPublicized)
	}
	if r := runCLI(t, env, "history", exps[0].USCC); !strings.Contains(r.stdout, "not_yet_publicized") || strings.Contains(r.stdout, " publicized") {
		t.Errorf("history as a table:\n%s", r.stdout)
	}
}

// history of a code that is no USCC is a usage error, and of a USCC the
// register does not hold an error saying so: both exited 0 with "… has no
// recorded grade", as if the institution existed without a grade.
func TestHistoryOfACodeNotInTheRegister(t *testing.T) {
	t.Parallel()
	env := []string{"CREDITSYNC_DATA=" + t.TempDir()}
	if r := runCLI(t, env, "init"); r.code != 0 {
		t.Fatalf("init: exit %d\n%s", r.code, r.stderr)
	}
	check, err := transform.USCCCheckChar("91411002MA0000000")
	if err != nil {
		t.Fatal(err)
	}
	valid := "91411002MA0000000" + string(check)
	for _, c := range []struct {
		code string
		exit int
		says string
	}{
		{"not-a-uscc", exitUsage, "not-a-uscc is not a USCC"},
		{valid, exitFailure, valid + ": no institution with this USCC in the register"},
	} {
		for _, format := range []string{"table", "csv"} {
			if r := runCLI(t, env, "history", c.code, "--format", format); r.code != c.exit || !strings.Contains(r.stderr, c.says) {
				t.Errorf("history %s --format %s: exit %d\n%s%s, want exit %d saying %q", c.code, format, r.code, r.stdout, r.stderr, c.exit, c.says)
			}
		}
	}
}
