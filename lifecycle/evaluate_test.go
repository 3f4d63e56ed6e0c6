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

// An evaluation that would change what was shown on past days is refused
// and records nothing: as of a date outside its year, publicized before
// the date it is computed at, as of a date not after the last evaluation
// or publicized before the last publicity ended (its grades would come in
// force in the past), or while grades of another are still publicized or
// under review (two publicized grades at once).
func TestEvaluationsInOrder(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	r := grade.DefaultRules()
	u := gradetest.Put(t, s, gradetest.Fixture{})
	gradetest.Put(t, s, gradetest.Fixture{})
	// Publicized 2025-12-30 to 2026-01-05.
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2025, day("2025-12-20"), day("2025-12-30")); err != nil {
		t.Fatal(err)
	}
	type call struct {
		year                  int
		asOf, publicize, want string
	}
	refused := func(stage string, calls []call) {
		t.Helper()
		for _, c := range calls {
			_, _, err := lifecycle.Evaluate(ctx, s, r, c.year, day(c.asOf), day(c.publicize))
			if !errors.Is(err, lifecycle.ErrEvaluation) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: evaluate %d as of %s publicized from %s: %v, want refused saying %q", stage, c.year, c.asOf, c.publicize, err, c.want)
			}
		}
		evs, err := lifecycle.Evaluations(ctx, s)
		if err != nil || len(evs) != 1 {
			t.Errorf("%s: evaluations recorded %+v (%v), want the 2025 one alone", stage, evs, err)
		}
	}
	refused("during the 2025 publicity", []call{
		{2027, "2026-12-01", "2026-12-02", "the as-of date 2026-12-01 is in 2026"},
		{2024, "2026-12-01", "2026-12-02", "the as-of date 2026-12-01 is in 2026"},
		{2026, "2026-07-31", "2026-06-01", "publicity from 2026-06-01 would start before the as-of date 2026-07-31"},
		{2024, "2024-07-31", "2024-08-01", "the evaluation of 2025, as of 2025-12-20, is recorded already"},
		{2026, "2026-01-01", "2026-01-02", "the publicity of the 2025 evaluation runs until 2026-01-05"},
		{2026, "2026-07-31", "2026-08-01", "2 grades of earlier evaluations are still publicized or awaiting confirmation"},
	})
	if _, err := lifecycle.FileObjection(ctx, s, u, "x", day("2026-01-02")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.Confirm(ctx, s, r, day("2026-01-07")); err != nil {
		t.Fatal(err)
	}
	refused("with an objection unreviewed", []call{
		{2026, "2026-07-31", "2026-08-01", "1 grade of an earlier evaluation is under review (异议复核中) (the first: " + u},
	})
	if _, err := lifecycle.ResolveObjection(ctx, s, r, u, "", "复评", day("2026-01-09")); err != nil {
		t.Fatal(err)
	}
	// As of the publicity's first day too: grades are publicized from the
	// date they are computed at on.
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2026, day("2026-07-31"), day("2026-07-31")); err != nil {
		t.Errorf("the next evaluation, in order: %v", err)
	}
}
