package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/ingest/file"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
)

func (a *app) reconcileCmd() *cobra.Command {
	var county, date string
	cmd := &cobra.Command{
		Use:   "reconcile [--county CODE] [--date D]",
		Short: "Compare the grades the counties submitted in their 附件2 with creditsync's",
		Long: `reconcile is the city's review of the counties' results: for every 附件2
recorded with ` + "`import summary`" + ` it grades the county's institutions with the
rules at the date of the submitted grades and lists, per county, each
institution whose submitted grade differs from creditsync's, with the
clauses (and their records) behind creditsync's grade; then the
institutions creditsync does not grade at that date and those it grades
but the county left out.

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
				d, err := grade.ParseDate(date)
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
			return reconcile(ctx, a.stdout, s, rules, county, day)
		},
	}
	cmd.Flags().StringVar(&county, "county", "", "only this county (a division code, or 411000)")
	cmd.Flags().StringVar(&date, "date", "", "the submissions with the grades of this date, YYYY-MM-DD (default: each county's latest)")
	return cmd
}

// submittedGrade is one row of a county's 附件2.
type submittedGrade struct {
	unit             string
	asOf             time.Time
	uscc, name, grad string
	ref              string
}

// reconcile writes, per submission (unit and date), where the submitted
// grades differ from those the rules give at that date.
func reconcile(ctx context.Context, w io.Writer, s store.Store, rules *grade.Rules, unit string, day time.Time) error {
	rows, err := s.Query(ctx, sql.MustQuery(sql.Target{Cluster: s.Cluster()}, "imports/submitted_grades"),
		store.Params{"unit": unit, "latest": day.IsZero(), "day": day})
	if err != nil {
		return fmt.Errorf("read submitted grades: %w", err)
	}
	var subs []submittedGrade
	for rows.Next() {
		var g submittedGrade
		if err := rows.Scan(&g.unit, &g.asOf, &g.uscc, &g.name, &g.grad, &g.ref); err != nil {
			rows.Close()
			return fmt.Errorf("read submitted grades: %w", err)
		}
		g.asOf = grade.Date(g.asOf)
		subs = append(subs, g)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return fmt.Errorf("read submitted grades: %w", err)
	}
	rows.Close()
	if len(subs) == 0 {
		fmt.Fprintln(w, "no 附件2 recorded for this selection; record one with: creditsync import summary FILE")
		return nil
	}
	computed := map[time.Time]map[string]grade.Result{}
	for start := 0; start < len(subs); {
		end := start
		for end < len(subs) && subs[end].unit == subs[start].unit && subs[end].asOf.Equal(subs[start].asOf) {
			end++
		}
		group := subs[start:end]
		start = end
		d := group[0].asOf
		if computed[d] == nil {
			res, err := grade.Compute(ctx, s, rules, d)
			if err != nil {
				return fmt.Errorf("grade at %s: %w", grade.FormatDate(d), err)
			}
			computed[d] = map[string]grade.Result{}
			for _, r := range res {
				computed[d][r.USCC] = r
			}
		}
		printReconciliation(w, group, computed[d])
	}
	return nil
}

func printReconciliation(w io.Writer, group []submittedGrade, graded map[string]grade.Result) {
	unit, d := group[0].unit, grade.FormatDate(group[0].asOf)
	var differ, unknown []submittedGrade
	seen := map[string]bool{}
	for _, g := range group {
		seen[g.uscc] = true
		r, ok := graded[g.uscc]
		switch {
		case !ok:
			unknown = append(unknown, g)
		case r.Grade != g.grad:
			differ = append(differ, g)
		}
	}
	var missing []grade.Result
	for _, r := range graded {
		if r.CountyCode == unit && !seen[r.USCC] {
			missing = append(missing, r)
		}
	}
	agree := len(group) - len(differ) - len(unknown)
	fmt.Fprintf(w, "%s %s — 附件2 with the grades of %s (%s): %d institutions, %d agree, %d differ",
		transform.CountyName(unit), unit, d, group[0].ref, len(group), agree, len(differ))
	if len(unknown) > 0 {
		fmt.Fprintf(w, ", %d not graded by creditsync", len(unknown))
	}
	if len(missing) > 0 {
		fmt.Fprintf(w, ", %d missing from the 附件2", len(missing))
	}
	fmt.Fprintln(w)
	for _, g := range differ {
		r := graded[g.uscc]
		fmt.Fprintf(w, "  %s %s: submitted %s, creditsync %s\n", g.uscc, g.name, g.grad, r.Grade)
		if len(r.Clauses) == 0 {
			fmt.Fprintf(w, "    A: %s\n", grade.AText)
		}
		for _, c := range r.Clauses {
			fmt.Fprintf(w, "    %s (%s) %s\n", c.ID, c.Grade, c.Text)
			for _, e := range c.Evidence {
				date := grade.FormatDate(e.Date)
				if date == "" {
					date = "—"
				}
				fmt.Fprintf(w, "      - %s %s %s: %s\n", date, e.Kind, e.ID, e.Detail)
			}
		}
	}
	if len(unknown) > 0 {
		fmt.Fprintf(w, "  not graded by creditsync on %s (not in its register, or not licensed that day):\n", d)
		for _, g := range unknown {
			fmt.Fprintf(w, "    %s %s (submitted %s)\n", g.uscc, g.name, g.grad)
		}
	}
	if len(missing) > 0 {
		sort.Slice(missing, func(i, j int) bool { return missing[i].USCC < missing[j].USCC })
		fmt.Fprintf(w, "  graded by creditsync but missing from the 附件2:\n")
		for _, r := range missing {
			fmt.Fprintf(w, "    %s %s (creditsync %s)\n", r.USCC, r.Name, r.Grade)
		}
	}
}

// demoReconcile plays a county sending its 附件2 to the city: the table
// report summary writes for 禹州市 with the grades of day, one grade made
// more lenient, recorded and reconciled.
func (a *app) demoReconcile(ctx context.Context, s store.Store, rules *grade.Rules, dir string, day time.Time) error {
	u, err := report.LookupUnit("411081")
	if err != nil {
		return err
	}
	// The county's table holds the grades the rules give at the date of
	// the evaluation, as the county computed them.
	src := &report.ComputeSource{Store: s, Rules: rules}
	sum, err := report.BuildSummary(ctx, src, u, day, day)
	if err != nil {
		return err
	}
	changed := ""
	for _, want := range []string{grade.D, grade.C, grade.B} {
		for i, r := range sum.Rows {
			// The table may print a grade as the notice does: "C 级".
			if strings.HasPrefix(r.Grade, want) && changed == "" {
				sum.Rows[i].Grade = strings.Replace(r.Grade, want, grade.Grades[grade.Rank(want)-1], 1)
				changed = fmt.Sprintf("%s %s: graded %s, written %s", r.USCC, r.Name, r.Grade, sum.Rows[i].Grade)
			}
		}
	}
	path := filepath.Join(dir, "附件2-"+u.Code+"-submitted.xlsx")
	if err := writeReportFile(path, sum.WriteXLSX); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%s's 附件2 as the county sent it, with one grade made more lenient (%s):\n", u.Name, changed)
	start := time.Now()
	res, err := file.ImportSummary(ctx, s, path, file.SummaryOptions{})
	if err != nil {
		return err
	}
	printImportResult(a, res, time.Since(start))
	fmt.Fprintln(a.stdout)
	return reconcile(ctx, a.stdout, s, rules, u.Code, day)
}
