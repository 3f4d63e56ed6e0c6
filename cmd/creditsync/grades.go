package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/grade"
)

func (a *app) gradesCmd() *cobra.Command {
	var on, format string
	cmd := &cobra.Command{
		Use:   "grades",
		Short: "The recorded grade of every institution on a date",
		Long: `grades prints the grade in effect on --on (default today) for every
institution that had one: recorded grades, as evaluated, confirmed,
lowered, raised or reviewed — not what the rules would compute now (that
is creditsync grade). Past dates give the grades as they were then;
a grade past its validity shows as expired.`,
		Example: `  creditsync grades --on 2026-12-31 --format csv > grades-2026.csv`,
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "table" && format != "csv" && format != "json" {
				return usageError{fmt.Errorf("--format must be table, csv or json, not %q", format)}
			}
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
			es, err := grade.GradesOn(ctx, s, day)
			if err != nil {
				return err
			}
			header := []string{"uscc", "name", "county_code", "grade", "clauses", "status", "valid_from", "valid_until", "run_kind"}
			row := func(e grade.Entry, sep string) []string {
				return []string{e.USCC, e.Name, e.CountyCode, e.Grade, strings.Join(e.ClauseIDs(), sep), e.StatusOn(day),
					grade.FormatDate(e.ValidFrom), grade.FormatDate(e.ValidUntil), e.RunKind}
			}
			switch format {
			case "json":
				enc := json.NewEncoder(a.stdout)
				enc.SetEscapeHTML(false)
				for _, e := range es {
					v := entryJSON(e)
					v.Status = e.StatusOn(day)
					if err := enc.Encode(v); err != nil {
						return err
					}
				}
				return nil
			case "csv":
				cw := csv.NewWriter(a.stdout)
				_ = cw.Write(header)
				for _, e := range es {
					_ = cw.Write(row(e, ";"))
				}
				cw.Flush()
				return cw.Error()
			}
			table := [][]string{header}
			for _, e := range es {
				table = append(table, row(e, " "))
			}
			printTable(a.stdout, table)
			fmt.Fprintf(a.stdout, "(%d institution%s with a grade in effect on %s)\n", len(es), plural(len(es)), grade.FormatDate(day))
			return nil
		},
	}
	cmd.Flags().StringVar(&on, "on", "", "date, YYYY-MM-DD (default: today in Asia/Shanghai)")
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, csv or json")
	return cmd
}
