package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/transform"
)

func (a *app) confirmCmd() *cobra.Command {
	var on string
	var flags gradeFlags
	cmd := &cobra.Command{
		Use:   "confirm",
		Short: "Confirm publicized grades whose publicity ended without an objection",
		Long: `confirm makes every publicized grade whose publicity ended before --on
confirmed: in effect from the day after publicity ended, valid for one
year (valid_until = that day + 1 year - 1 day); the grade it replaces is
kept in the history as superseded. Grades under review wait for their
re-evaluation. Confirmation takes the worse of the publicized grade and
the grade the rules give on the confirmation day (docs/rules.md §4.3), so a
violation recorded during publicity is caught at once. Running it again
changes nothing; the nightly job runs it.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			day, err := recordDay("on", on)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			s, err := a.openWriting(ctx, "confirm")
			if err != nil {
				return err
			}
			defer s.Close()
			rules, err := flags.load()
			if err != nil {
				return err
			}
			done, err := lifecycle.Confirm(ctx, s, rules, day)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%d grade%s confirmed\n", len(done), plural(len(done)))
			if len(done) > 0 {
				fmt.Fprintf(a.stdout, "valid %s to %s\n", transform.FormatDate(done[0].ValidFrom), transform.FormatDate(done[0].ValidUntil))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&on, "on", "", "confirm as of this date, YYYY-MM-DD (default: today)")
	flags.registerRules(cmd, a)
	return cmd
}

func (a *app) expireCmd() *cobra.Command {
	var on string
	cmd := &cobra.Command{
		Use:   "expire",
		Short: "Mark confirmed grades past their validity as expired",
		Long: `expire stores the status expired on confirmed grades whose valid_until is
before --on and that no newer grade replaced. Views and the grades
command show expiry by date anyway; this keeps the stored status in step.
The nightly job runs it.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			day, err := recordDay("on", on)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			s, err := a.openWriting(ctx, "expire")
			if err != nil {
				return err
			}
			defer s.Close()
			done, err := lifecycle.Expire(ctx, s, day)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%d grade%s expired\n", len(done), plural(len(done)))
			return nil
		},
	}
	cmd.Flags().StringVar(&on, "on", "", "expire as of this date, YYYY-MM-DD (default: today)")
	return cmd
}
