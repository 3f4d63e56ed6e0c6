package main

import (
	"context"
	"fmt"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/jobs"
	"github.com/xuchang-hrss/creditsync/store"
)

// nightlySteps is the nightly pipeline. Steps commit their own writes at
// their end, so an interrupted run leaves whole steps behind, never half
// of one.
func nightlySteps(a *app, s store.Store) []jobs.Step {
	today := grade.Today(time.Now())
	return []jobs.Step{
		{Name: "grade", Required: true, Run: func(ctx context.Context) (jobs.Outcome, error) {
			res, err := grade.Compute(ctx, s, grade.DefaultRules(), today)
			if err != nil {
				return jobs.Outcome{}, err
			}
			counts := map[string]int64{"graded": int64(len(res))}
			for _, r := range res {
				counts["grade_"+r.Grade]++
			}
			return jobs.Outcome{Counts: counts, Summary: fmt.Sprintf("%d institutions graded at %s", len(res), grade.FormatDate(today))}, nil
		}},
	}
}
