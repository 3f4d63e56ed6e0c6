package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/transform"
)

func (a *app) upgradeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "upgrade",
		Short: "Upgrade applications (可申请上调信用等级)",
		Long: `Grades are never raised automatically. An institution whose situation
improved applies for an upgrade; the application is re-evaluated at its
date and recorded either way.`,
	}
	cmd.AddCommand(a.upgradeApplyCmd())
	return cmd
}

func (a *app) upgradeApplyCmd() *cobra.Command {
	var flags gradeFlags
	var on string
	cmd := &cobra.Command{
		Use:   "apply USCC",
		Short: "Record an upgrade application, re-evaluated at its date",
		Long: `apply grades the institution at --on (the application date, default
today). When the rules give a better grade than the one in effect, the
better grade takes effect that day for one year; otherwise the grade stays
and the refusal is recorded with the reason. An upgrade rests on a failing
corrected: when everything the decision in force weighed still holds — a
reviewer set a stricter grade than the rules gave — the rules' better
grade is the one the reviewer overrode, and the application is refused.`,
		Example: `  creditsync upgrade apply 91411002MA9XXXXXXX --on 2026-10-08`,
		Args:    exactArgs(1, "one USCC"),
		RunE: func(cmd *cobra.Command, args []string) error {
			day, err := recordDay("on", on)
			if err != nil {
				return err
			}
			rules, err := flags.load()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			s, err := a.openWriting(ctx, "upgrade apply")
			if err != nil {
				return err
			}
			defer s.Close()
			res, err := lifecycle.ApplyUpgrade(ctx, s, rules, transform.NormalizeUSCC(args[0]), day)
			if err != nil {
				return err
			}
			c := res.Change
			if res.Granted {
				fmt.Fprintf(a.stdout, "%s %s: raised from %s to %s, in effect %s to %s (run %s)\n",
					c.USCC, c.Name, c.From, c.To, transform.FormatDate(res.Entry.ValidFrom), transform.FormatDate(res.Entry.ValidUntil), res.Run.ID)
				return nil
			}
			fmt.Fprintf(a.stdout, "%s %s: application refused and recorded (run %s): %s\n", c.USCC, c.Name, res.Run.ID, res.Refusal)
			fmt.Fprintf(a.stdout, "see why: creditsync explain %s --as-of %s\n", c.USCC, transform.FormatDate(day))
			return nil
		},
	}
	flags.registerRules(cmd, a)
	cmd.Flags().StringVar(&on, "on", "", "application date, YYYY-MM-DD (default: today)")
	return cmd
}
