package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/transform"
)

func (a *app) eligibilityCmd() *cobra.Command {
	var on string
	cmd := &cobra.Command{
		Use:   "eligibility USCC",
		Short: "Whether an institution may receive subsidies, awards, funding, honours or 告知承诺",
		Long: `eligibility answers from the grade in effect on --on (default today):
C and D institutions are not eligible for subsidies, awards, project
applications, funding, honours or 告知承诺 (docs/rules.md §5); A and B are.
Without a recorded grade eligibility cannot be shown and the answer is
"not eligible" with that reason. The first word printed is "eligible" or
"not", for scripts; the reason is worded as the web pages word it, in
Chinese (the same code answers both).`,
		Args: exactArgs(1, "one USCC"),
		RunE: func(cmd *cobra.Command, args []string) error {
			day, err := dayOrToday("on", on)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			s, err := a.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			uscc := transform.NormalizeUSCC(args[0])
			e, err := report.EligibilityOn(ctx, &report.HistorySource{Store: s}, uscc, day)
			if err != nil {
				return fmt.Errorf("eligibility of %s on %s: %w", uscc, transform.FormatDate(day), err)
			}
			verdict := "eligible"
			if !e.Eligible {
				verdict = "not eligible"
			}
			fmt.Fprintf(a.stdout, "%s on %s — %s\n", verdict, transform.FormatDate(day), e.Reason)
			return nil
		},
	}
	cmd.Flags().StringVar(&on, "on", "", "date, YYYY-MM-DD (default: today)")
	return cmd
}
