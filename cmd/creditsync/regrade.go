package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/transform"
)

func (a *app) regradeCmd() *cobra.Command {
	var flags gradeFlags
	cmd := &cobra.Command{
		Use:   "regrade",
		Short: "Lower grades the rules now make worse; list institutions eligible to apply for an upgrade",
		Long: `regrade grades every institution at the as-of date (default today) and
compares with its confirmed grade in effect:

  worse   the grade is lowered at once (需要降级的，应当重新评价，及时调整),
          in effect from the as-of date for a year, with the clauses and
          evidence that caused it;
  better  nothing changes: the institution may apply for an upgrade
          (creditsync upgrade apply USCC), which is re-evaluated then.

The run is recorded even when nothing changed. The nightly job runs it.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			asOf, err := recordDay("as-of", flags.asOf)
			if err != nil {
				return err
			}
			rules, err := flags.load()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			s, err := a.openWriting(ctx, "regrade")
			if err != nil {
				return err
			}
			defer s.Close()
			res, err := lifecycle.Regrade(ctx, s, rules, asOf)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "regrade at %s (run %s): %d lowered, %d eligible to apply for an upgrade, %d unchanged\n",
				transform.FormatDate(res.Run.AsOf), res.Run.ID, len(res.Downgrades), len(res.Eligible), res.Unchanged)
			printChanges(a.stdout, "\nLowered:", res.Downgrades)
			printChanges(a.stdout, "\nEligible to apply for an upgrade:", res.Eligible)
			printChanges(a.stdout, "\nUpheld (the rules give worse only on records the decision in force already weighed):", res.Upheld)
			return nil
		},
	}
	flags.register(cmd, a)
	return cmd
}

func printChanges(w io.Writer, title string, changes []lifecycle.Change) {
	if len(changes) == 0 {
		return
	}
	fmt.Fprintln(w, title)
	table := [][]string{{"uscc", "name", "county", "from", "since", "to", "clauses"}}
	for _, c := range changes {
		table = append(table, []string{c.USCC, c.Name, c.CountyCode, string(c.From), transform.FormatDate(c.Since), string(c.To), strings.Join(grade.Result{Clauses: c.Clauses}.ClauseIDs(), " ")})
	}
	printTable(w, table)
}
