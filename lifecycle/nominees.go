package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
)

// checkNominees refuses, before Nominate's rules of §5, nominations
// those rules do not see (docs/rules.md §5), with the same ErrNomination
// and every problem listed: a year of which no evaluation is recorded —
// the nomination was stored, and no report showed it, since the 典型名单
// is of an evaluated year's grades — and a USCC given twice in one call,
// which Nominate took for one nominated earlier ("is already nominated")
// though nothing was recorded. Of a USCC without a grade in force on day
// it says why where Nominate would say "has no grade in effect": no such
// institution in the register, or its grade is publicized or under
// objection (异议复核中).
func checkNominees(ctx context.Context, s store.Store, year int, usccs []string, day time.Time) error {
	var problems []string
	done, err := evaluatedRuns(ctx, s, year)
	if err != nil {
		return fmt.Errorf("nominate: %w", err)
	}
	if len(done) == 0 {
		problems = append(problems, fmt.Sprintf("no evaluation of %d is recorded: exemplary institutions are chosen among the A grades of an evaluated year (creditsync evaluate --year %d first, or nominate for the year evaluated)", year, year))
	}
	given := map[string]int{}
	for _, u := range usccs {
		if given[u]++; given[u] == 2 {
			problems = append(problems, u+" is given twice")
		}
		if given[u] > 1 {
			continue
		}
		if _, ok, err := CurrentOn(ctx, s, u, day); err != nil {
			return fmt.Errorf("nominate: %w", err)
		} else if ok {
			continue // Nominate judges the grade in force
		}
		if err := inRegister(ctx, s, u, day); errors.Is(err, grade.ErrUnknown) {
			problems = append(problems, u+": no such institution in the register")
			continue
		} else if err != nil {
			return fmt.Errorf("nominate: %w", err)
		}
		if e, p, pending, err := pendingOn(ctx, s, u, day); err != nil {
			return fmt.Errorf("nominate: %w", err)
		} else if pending {
			problems = append(problems, fmt.Sprintf("%s has no grade in force on %s: %s", u, transform.FormatDate(day), pendingText(e, p)))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrNomination, strings.Join(problems, "; "))
	}
	return nil
}
