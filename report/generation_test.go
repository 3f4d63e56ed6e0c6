package report_test

import (
	"context"
	"testing"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/report/reporttest"
	"github.com/xuchang-hrss/creditsync/store"
)

// The grades a source keeps for a day follow every command that changes
// them at once, not a minute later: an objection, a nomination and a
// confirmation run by hand each show in the next read of the same day
// (sql/queries/report/data_generation.sql).
func TestSourceFollowsEveryLifecycleCommandAtOnce(t *testing.T) {
	ctx := context.Background()
	day := reporttest.Day
	s := publicityStore(t)
	r := grade.DefaultRules()
	generous := *r
	generous.Exemplary.SharePercent = 100
	src := &report.HistorySource{Store: s, Rules: r}
	cases := []struct {
		name, day string
		uscc      string
		do        func(s store.Store) error
		state     string // the state shown after do
		exemplary bool
	}{
		{"objection", "2026-08-03", lowered, func(s store.Store) error {
			_, err := lifecycle.FileObjection(ctx, s, lowered, "对B级有异议", day("2026-08-03"))
			return err
		}, "异议复核中", false},
		{"nomination", "2026-08-03", lowered, func(s store.Store) error {
			_, err := lifecycle.Nominate(ctx, s, &generous, 2025, []string{lowered}, "服务规范", day("2026-08-03"))
			return err
		}, "异议复核中", true},
		{"confirmation", "2026-08-07", exemplaryA, func(s store.Store) error {
			_, err := lifecycle.Confirm(ctx, s, r, day("2026-08-07"))
			return err
		}, "", false}, // the 2026 A, confirmed: chosen under the 2025 A, no longer exemplary
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before, err := src.GradesOn(ctx, day(c.day)) // kept for the day
			if err != nil {
				t.Fatal(err)
			}
			if err := c.do(s); err != nil {
				t.Fatal(err)
			}
			after, err := src.GradesOn(ctx, day(c.day))
			if err != nil {
				t.Fatal(err)
			}
			b, g := byUSCC(before)[c.uscc], byUSCC(after)[c.uscc]
			if report.StateName(g) != c.state || g.Exemplary != c.exemplary {
				t.Errorf("after the %s: state %q exemplary %v (before: %q %v); want %q %v",
					c.name, report.StateName(g), g.Exemplary, report.StateName(b), b.Exemplary, c.state, c.exemplary)
			}
		})
	}
}
