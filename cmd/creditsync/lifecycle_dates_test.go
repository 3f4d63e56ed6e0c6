package main

import (
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
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
