package lifecycle

import (
	"context"
	"fmt"
	"strings"

	"github.com/xuchang-hrss/creditsync/store"
)

// CheckNominees refuses, before Nominate, nominations that Nominate's
// rules of §5 do not see (docs/rules.md §5), with the same ErrNomination
// and every problem listed: a year of which no evaluation is recorded —
// the nomination was stored, and no report showed it, since the 典型名单
// is of an evaluated year's grades — and a USCC given twice in one call,
// which Nominate took for one nominated earlier ("is already nominated")
// though nothing was recorded.
func CheckNominees(ctx context.Context, s store.Store, year int, usccs []string) error {
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
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrNomination, strings.Join(problems, "; "))
	}
	return nil
}
