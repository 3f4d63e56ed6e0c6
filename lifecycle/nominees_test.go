package lifecycle_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/grade/gradetest"
	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/storetest"
)

// Nominations Nominate's quota rules do not see are refused first, each
// problem named: a year never evaluated (the nomination was stored, and
// no report showed it) and a USCC given twice in one call (it said "is
// already nominated" though nothing was recorded).
func TestNomineesOfAnEvaluatedYearOnce(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	r := grade.DefaultRules()
	u := gradetest.Put(t, s, gradetest.Fixture{})
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2025, day("2025-07-31"), day("2025-08-01")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		year  int
		usccs []string
		says  string
	}{
		{"a year never evaluated", 2024, []string{u}, "no evaluation of 2024 is recorded"},
		{"a USCC given twice", 2025, []string{u, u}, u + " is given twice"},
	} {
		err := lifecycle.CheckNominees(ctx, s, c.year, c.usccs)
		if !errors.Is(err, lifecycle.ErrNomination) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v, want refused saying %q", c.name, err, c.says)
		}
	}
	if err := lifecycle.CheckNominees(ctx, s, 2025, []string{u}); err != nil {
		t.Errorf("one USCC of an evaluated year: %v", err)
	}
}
