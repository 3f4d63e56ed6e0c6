package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/transform"
)

func (a *app) evaluateCmd() *cobra.Command {
	var flags gradeFlags
	var year int
	var publicizeFrom string
	cmd := &cobra.Command{
		Use:   "evaluate",
		Short: "Record the annual evaluation of a year: grades at a date, publicized",
		Long: `evaluate records the annual evaluation (docs/rules.md §4): every institution
graded at the as-of date gets its grade, clauses and evidence, publicized
(公示) from --publicize-from for the rules' publicity days. During
publicity an institution may object (creditsync objection file); without
an objection the grade becomes confirmed when publicity ends (creditsync
confirm, run by the nightly job), valid for one year.

A year is evaluated once; later changes go through objections, the
nightly regrade (downgrades) and upgrade applications. The as-of date is
a day of the year evaluated, publicity starts on or after it, and
evaluations are recorded in the order of their dates: after the last
one's as-of date and publicity, once its grades are confirmed and its
objections reviewed. Anything else is refused (exit status 2), as it
would change what was shown on past days.`,
		Example: `  creditsync evaluate --year 2026 --as-of 2026-07-31 --publicize-from 2026-08-03`,
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("year") {
				return usageError{fmt.Errorf("evaluate needs --year, the year being evaluated")}
			}
			asOf, err := recordDay("as-of", flags.asOf)
			if err != nil {
				return err
			}
			from, err := dayOrToday("publicize-from", publicizeFrom)
			if err != nil {
				return err
			}
			rules, err := flags.load()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			s, err := a.openWriting(ctx, "evaluate")
			if err != nil {
				return err
			}
			defer s.Close()
			run, entries, err := lifecycle.Evaluate(ctx, s, rules, year, asOf, from)
			if errors.Is(err, lifecycle.ErrEvaluation) {
				return usageError{err}
			}
			if err != nil {
				return err
			}
			count := map[grade.Grade]int{}
			for _, e := range entries {
				count[e.Grade]++
			}
			parts := make([]string, len(grade.Grades))
			for i, g := range grade.Grades {
				parts[i] = fmt.Sprintf("%s %d", g, count[g])
			}
			fmt.Fprintf(a.stdout, "evaluation %d recorded as run %s: %d institutions graded at %s (%s)\n",
				year, run.ID, len(entries), transform.FormatDate(run.AsOf), strings.Join(parts, ", "))
			if len(entries) > 0 {
				fmt.Fprintf(a.stdout, "publicized %s until %s; objections: creditsync objection file USCC --note TEXT\n",
					transform.FormatDate(from), transform.FormatDate(entries[0].PublicityEndsOn))
			}
			return nil
		},
	}
	flags.register(cmd, a)
	cmd.Flags().IntVar(&year, "year", 0, "the year evaluated (required)")
	cmd.Flags().StringVar(&publicizeFrom, "publicize-from", "", "first day of publicity, YYYY-MM-DD (default: today in Asia/Shanghai)")
	return cmd
}
