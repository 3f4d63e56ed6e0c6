package main

import (
	"bytes"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/transform"
)

func (a *app) reconcileCmd() *cobra.Command {
	var county, date string
	cmd := &cobra.Command{
		Use:   "reconcile [--county CODE] [--date D]",
		Short: "Compare the grades the counties submitted in their 附件2 with creditsync's",
		Long: `reconcile is the city's review of the counties' results: for every 附件2
recorded with ` + "`import summary`" + ` it compares the submitted grades with
creditsync's own 附件2 of that unit and date (what report summary writes:
the grade in force, or the newer one publicized or under objection,
labelled) and lists, per county, each institution whose submitted grade
differs, with the clauses (and their records) behind creditsync's grade
and, where the rules at that date would now give another grade (grades
are not raised by themselves), that grade, labelled; then the
institutions creditsync does not grade at that date and those it grades
but the county left out. A 附件2 filed empty is a filing of none: every
institution creditsync grades in the unit is left out.

It also checks the table itself: institutions of another unit (counted
apart, never as agreeing), rows its import rejected (only in a filing an
earlier version stored without them, which now refuses such a table
whole; listed with line and reason, not as left out: a row is told by
its USCC, else by a code the spreadsheet stored as a number that fits one
of the unit's institutions, else by its name; a row that cannot be told
is said so, beside the institutions left out it may be),
是否选树为诚信机构典型 marked 是 for an institution that is not A in the
table or in creditsync, or for more institutions than the rules' share
of the A allows (floor(5% × A), in the unit or the city as the rules'
scope says), and — as the import read the table and recorded it, never
from the file again — a 合计 line whose count differs from the rows
listed (a line the import skips as one: 合计, 总计, 小计 or 共计 first and
no USCC; its count is 共N家 where it says so, else its one N家), and a
USCC listed twice with different grades, with both lines, on one sheet
or on two files or sheets of one filing. When the file at the path it
was filed from has changed since, or is gone, the review says so (注意：…
在导入后已被修改): what it reviews is the table filed, not the file as it
is now; import a corrected file to have it reviewed. The output is in Chinese; -o FILE writes it to a file instead
(text), or fails.

By default each county's latest 附件2 is reviewed; --date picks the
submissions with the grades of that date, --county one county (or 411000).`,
		Example: `  creditsync import summary 附件2-禹州市.xlsx
  creditsync report reconcile --county 411081`,
		Args: exactArgs(0, "no arguments (the county is --county CODE)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if county != "" && transform.CountyName(county) == "" {
				return usageError{fmt.Errorf("--county %q: want 411000 (市本级) or a county code of Xuchang", county)}
			}
			var day time.Time
			if date != "" {
				d, err := transform.ParseISODate(date)
				if err != nil {
					return usageError{fmt.Errorf("--date: %w", err)}
				}
				day = d
			}
			rulesFile, _ := cmd.Flags().GetString("rules")
			rules, err := grade.Load(rulesFile)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			s, err := a.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			// -o writes the same text to a file, or fails: a review that
			// silently went nowhere would read as "nothing to review".
			out, _ := cmd.Flags().GetString("output")
			if out == "" || out == "-" {
				return report.Reconcile(ctx, a.stdout, s, rules, county, day)
			}
			var b bytes.Buffer
			if err := report.Reconcile(ctx, &b, s, rules, county, day); err != nil {
				return err
			}
			if err := report.WriteFile(out, func(w io.Writer) error { _, err := w.Write(b.Bytes()); return err }); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "wrote %s\n", out)
			return nil
		},
	}
	cmd.Flags().StringVar(&county, "county", "", "only this county (a division code, or 411000)")
	cmd.Flags().StringVar(&date, "date", "", "the submissions with the grades of this date, YYYY-MM-DD (default: each county's latest)")
	return cmd
}
