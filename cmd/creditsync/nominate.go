package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/transform"
)

func (a *app) nominateCmd() *cobra.Command {
	var flags gradeFlags
	var on, reason string
	var year int
	cmd := &cobra.Command{
		Use:   "nominate USCC... --year Y --reason TEXT",
		Short: "Nominate exemplary institutions (诚信机构典型) among A institutions",
		Long: `nominate records exemplary institutions for a year. Each must have a
confirmed grade A in effect on --on, and per county (or city-wide, as the
rules file says) at most floor(share × A institutions) may be nominated
for the year, earlier nominations included. The year must have been
evaluated, and each USCC is given once. Nothing is recorded unless every
nomination is valid; the refusal lists each problem.`,
		Example: `  creditsync nominate 91411002MA9XXXXXXX 91411081MA8XXXXXXX --year 2026 --reason "连续三年无违法违规，服务质量优"`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{errors.New("nominate needs at least one USCC")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("year") || reason == "" {
				return usageError{errors.New("nominate needs --year and --reason (the 选树原因 of the summary table)")}
			}
			day, err := recordDay("on", on)
			if err != nil {
				return err
			}
			rules, err := flags.load()
			if err != nil {
				return err
			}
			usccs := make([]string, len(args))
			for i, u := range args {
				usccs[i] = transform.NormalizeUSCC(u)
			}
			ctx := cmd.Context()
			s, err := a.openWriting(ctx, "nominate")
			if err != nil {
				return err
			}
			defer s.Close()
			done, err := lifecycle.Nominate(ctx, s, rules, year, usccs, reason, day)
			if err != nil {
				return err
			}
			for _, n := range done {
				fmt.Fprintf(a.stdout, "%s (county %s) nominated as exemplary for %d\n", n.USCC, n.CountyCode, n.Year)
			}
			return nil
		},
	}
	flags.registerRules(cmd, a)
	cmd.Flags().IntVar(&year, "year", 0, "evaluation year of the nomination (required)")
	cmd.Flags().StringVar(&reason, "reason", "", "why these institutions are exemplary (required)")
	cmd.Flags().StringVar(&on, "on", "", "date of the nomination; grades in effect that day count (default: today)")
	return cmd
}
