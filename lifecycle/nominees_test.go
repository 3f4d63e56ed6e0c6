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

// Nominations the quota rules do not see are refused first, each
// problem named: a year never evaluated (the nomination was stored, and
// no report showed it), a USCC given twice in one call (it said "is
// already nominated" though nothing was recorded), a code the register
// does not hold and a grade under objection (both said "has no grade in
// effect").
func TestNomineesOfAnEvaluatedYearOnce(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	r := grade.DefaultRules()
	generous := *r
	generous.Exemplary.SharePercent = 100 // the quota is not what this test is about
	u := gradetest.Put(t, s, gradetest.Fixture{})
	objected := gradetest.Put(t, s, gradetest.Fixture{})
	unknown := gradetest.NewUSCC(t)
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2025, day("2025-07-31"), day("2025-08-01")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.FileObjection(ctx, s, objected, "x", day("2025-08-03")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.Confirm(ctx, s, r, day("2025-08-08")); err != nil {
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
		{"a code not in the register", 2025, []string{unknown}, unknown + ": no such institution in the register"},
		{"a grade under objection", 2025, []string{objected}, "is under objection (异议复核中) since 2025-08-03"},
	} {
		_, err := lifecycle.Nominate(ctx, s, &generous, c.year, c.usccs, "服务规范", day("2025-08-10"))
		if !errors.Is(err, lifecycle.ErrNomination) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v, want refused saying %q", c.name, err, c.says)
		}
		if got, err := lifecycle.Nominations(ctx, s, c.year); err != nil || len(got) != 0 {
			t.Errorf("%s: %d nominations recorded after a refusal (%v)", c.name, len(got), err)
		}
	}
	if _, err := lifecycle.Nominate(ctx, s, &generous, 2025, []string{u}, "服务规范", day("2025-08-10")); err != nil {
		t.Errorf("one USCC of an evaluated year: %v", err)
	}
}

// The lifecycle's commands on a code the register does not hold say so
// (grade.ErrUnknown, as eligibility does), not that it has no grade
// publicized or confirmed; an upgrade application for a grade under
// objection says it is under objection, not that there is no grade.
func TestCommandsOnAnUnknownCodeOrAGradeUnderObjection(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	r := grade.DefaultRules()
	objected := gradetest.Put(t, s, gradetest.Fixture{})
	unknown := gradetest.NewUSCC(t)
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2025, day("2025-07-31"), day("2025-08-01")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.FileObjection(ctx, s, objected, "x", day("2025-08-03")); err != nil {
		t.Fatal(err)
	}
	on := day("2025-08-10")
	for _, c := range []struct {
		name string
		err  error
		want error
		says string
	}{
		{"objection file", second(lifecycle.FileObjection(ctx, s, unknown, "x", day("2025-08-02"))), grade.ErrUnknown, unknown},
		{"objection resolve", second(lifecycle.ResolveObjection(ctx, s, r, unknown, "", "x", on)), grade.ErrUnknown, unknown},
		{"upgrade apply", second(lifecycle.ApplyUpgrade(ctx, s, r, unknown, on)), grade.ErrUnknown, unknown},
		{"upgrade apply under objection", second(lifecycle.ApplyUpgrade(ctx, s, r, objected, on)), lifecycle.ErrNoGrade, "under objection (异议复核中) since 2025-08-03"},
	} {
		if !errors.Is(c.err, c.want) || !strings.Contains(c.err.Error(), c.says) {
			t.Errorf("%s: %v, want %v saying %q", c.name, c.err, c.want, c.says)
		}
	}
}

// second is the error of a call returning a value and an error.
func second[T any](_ T, err error) error { return err }
