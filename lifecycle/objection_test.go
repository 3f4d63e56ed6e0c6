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
	"github.com/xuchang-hrss/creditsync/transform"
)

// An objection received during publicity but typed in after the routine
// confirmation ran is recorded as of its day: the confirmation is undone
// and the grade in force before it holds again until the review, exactly
// as if the objection had been recorded in time. It used to be refused as
// "no grade of this institution is being publicized", which was false. A
// grade replaced since is not reopened, and each refusal says what
// happened: an objection filed already, a publicity that ended.
func TestObjectionRecordedAfterTheConfirmation(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	r := grade.DefaultRules()
	u := gradetest.Put(t, s, gradetest.Fixture{})
	lowered := gradetest.Put(t, s, gradetest.Fixture{})
	for _, y := range []string{"2025", "2026"} {
		// Publicized 08-01 to 08-07, confirmed from 08-08.
		if _, _, err := lifecycle.Evaluate(ctx, s, r, day(y+"-01-01").Year(), day(y+"-07-31"), day(y+"-08-01")); err != nil {
			t.Fatal(err)
		}
		if _, err := lifecycle.Confirm(ctx, s, r, day(y+"-08-09")); err != nil {
			t.Fatal(err)
		}
	}
	gradetest.Insert(t, s, "inspections", []string{"record_id", "uscc", "kind", "severity", "handled_on", "measure"},
		[]any{"XCJC-2026-0820", lowered, "violation", "serious", day("2026-08-20"), "行政处罚"})
	if _, err := lifecycle.Regrade(ctx, s, r, day("2026-08-21")); err != nil {
		t.Fatal(err)
	}

	o, err := lifecycle.FileObjection(ctx, s, u, "承诺书已签订", day("2026-08-05"))
	if err != nil {
		t.Fatalf("an objection of the publicity's fifth day, recorded after the confirmation: %v", err)
	}
	if o.Status != lifecycle.StatusUnderReview || !o.ObjectedOn.Equal(day("2026-08-05")) || !o.ValidFrom.IsZero() || !o.UndoneFrom.Equal(day("2026-08-08")) ||
		o.Reinstated == nil || o.Reinstated.Year != 2025 {
		t.Fatalf("objection %+v, want under review from 2026-08-05, the confirmation from 2026-08-08 undone and the 2025 grade in force again", o)
	}
	if e := current(t, s, u, "2026-08-10"); e.Year != 2025 {
		t.Errorf("in force on 2026-08-10: the grade of %d, want 2025's again", e.Year)
	}
	st, ok := stateOf(t, s, u, "2026-08-06")
	if !ok || st.PendingStatus != lifecycle.StatusUnderReview || st.Pending.Year != 2026 {
		t.Errorf("state on 2026-08-06: %+v, want the 2026 grade under review", st)
	}
	res, err := lifecycle.ResolveObjection(ctx, s, r, u, "", "复评", day("2026-08-12"))
	if err != nil || res.Grade != grade.A {
		t.Fatalf("review: %+v %v", res, err)
	}
	if e := current(t, s, u, "2026-08-12"); e.RunKind != lifecycle.RunReview {
		t.Errorf("in force on the review day: a %s grade, want the review's", e.RunKind)
	}
	if e := current(t, s, u, "2026-08-11"); e.Year != 2025 {
		t.Errorf("in force the day before the review: the grade of %d, want 2025's", e.Year)
	}

	for _, c := range []struct {
		name, uscc, on string
		want           error
		says           string
	}{
		{"a second objection", u, "2026-08-06", lifecycle.ErrObjected, "was filed on 2026-08-05 already"},
		{"after publicity", lowered, "2026-08-10", lifecycle.ErrNoPublicity, "its publicity ended on 2026-08-07"},
		{"a grade lowered since", lowered, "2026-08-03", lifecycle.ErrConfirmedSince, "replaced on 2026-08-21"},
	} {
		_, err := lifecycle.FileObjection(ctx, s, c.uscc, "x", day(c.on))
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v, want %v saying %q", c.name, err, c.want, c.says)
		}
	}
	if e := current(t, s, lowered, "2026-08-21"); e.RunKind != lifecycle.RunRegrade {
		t.Errorf("the refused objection changed the grade in force: %s %s", e.RunKind, transform.FormatDate(e.ValidFrom))
	}
}
