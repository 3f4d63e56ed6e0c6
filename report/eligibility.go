package report

import (
	"context"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
)

// eligibilitySource is what EligibilityOn reads: the grades shown on a
// day and the register's answer for an institution none of them is.
type eligibilitySource interface {
	GradesOn(ctx context.Context, day time.Time) ([]InstitutionGrade, error)
	NotGraded(ctx context.Context, uscc string, day time.Time) (Ungraded, error)
}

// EligibilityOn answers whether the institution uscc may receive
// subsidies, awards, project funding, honours and 告知承诺 on day
// (docs/rules.md §5): by the grade in force it shows that day
// (EligibilityOf), else as the register answers for it — not evaluated
// yet, or its licence cancelled (NotGraded). It returns grade.ErrUnknown
// for a USCC the register does not hold. The command line answers by it;
// the pages by the same two parts, after the caller's scope is checked,
// so the two never word or decide it apart.
func EligibilityOn(ctx context.Context, src eligibilitySource, uscc string, day time.Time) (Eligibility, error) {
	day = grade.Date(day)
	all, err := src.GradesOn(ctx, day)
	if err != nil {
		return Eligibility{}, err
	}
	for _, g := range all {
		if g.USCC == uscc {
			return EligibilityOf(g), nil
		}
	}
	u, err := src.NotGraded(ctx, uscc, day)
	if err != nil {
		return Eligibility{}, err
	}
	return u.Eligibility, nil
}
