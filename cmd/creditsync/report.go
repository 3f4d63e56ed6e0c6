package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
)

// reportOptions are the flags every report subcommand shares.
type reportOptions struct {
	output, format, rules string
	from, to, date        string
}

func (a *app) reportCmd() *cobra.Command {
	var o reportOptions
	cmd := &cobra.Command{
		Use:   "report county|city|summary|public|typical|adjustments|commitments …",
		Short: "Write the county trend, city overview, 附件2, public list, 典型名单, 动态调整情况 or 附件1",
		Long: `report writes one report to a file; the format comes from the file's
extension (.html, .csv, .xlsx) or --format.

  county CODE   trend of one county (or 411000, the city bureau's own
                institutions) over --from … --to months: grade distribution
                per month-end, transitions, downgrades with their clauses,
                the most frequent clauses, and the county against the city.
                HTML (self-contained, charts inline), CSV or XLSX.
  city          the same for every county side by side: the city overview.
  summary UNIT  the 附件2 table of an evaluating unit (a county code, 411000
                or city) with the grades on --date, on the notice's form:
                填报时间 is --date when given, else left blank (年 月 日). XLSX.
  public UNIT   the list for the bureau's website: every institution with
                a grade on --date (a revoked licence stays listed with its
                D, a cancelled one leaves), grade, state (公示中 during
                publicity) and validity, then the publicity period, how and
                by when to object and the contact of the unit's bureau
                (a county's [publicity.counties.CODE] in creditsync.toml,
                else [publicity], the city bureau's, named as the city's
                on a county's list). HTML or XLSX with those lines; CSV
                with the rows only.
  typical UNIT  诚信机构典型名单: the exemplary institutions of --year.
  adjustments UNIT
                动态调整情况: every grade change after --from (default: the
                latest evaluation) up to --to, with reason and date.
  commitments UNIT
                附件1 诚信承诺书 pre-filled for each institution without a
                signed commitment on --date, one a printed page (HTML).
  watch UNIT    institutions eligible to apply for an upgrade, licensed but
                not yet evaluated, and whose grade expires within 30 days.

Grades are those recorded in the grade history (evaluate, confirm,
regrade, objections, upgrades): the grade each institution had on each
month-end (or --date), expired ones shown as such, a grade publicized or
under objection then shown with that state (公示中, 异议复核中; one whose
publicity ended without a confirmation 公示期满，待确认), and none
once its licence was cancelled; a revoked licence is D (D3) and stays
listed (docs/rules.md §4.7). Each grade is listed under the unit that
made it, with the name it was graded with, also after the institution
moved or was renamed (docs/rules.md §4.9). A retired county code names
its successor's unit (411023 is 建安区, 411003). Until an
evaluation is recorded, grades are computed with the rules at each day
instead. The output says which. A report with nothing to show says why
and exits 1; months before the first evaluation are marked 无数据.`,
		Example: `  creditsync report county 411002 --from 2025-08 --to 2026-07 -o 魏都区趋势.html
  creditsync report city -o 全市总览.xlsx
  creditsync report summary 411002 --date 2026-07-31 -o 附件2-魏都区.xlsx
  creditsync report public city -o 公示名单.xlsx
  creditsync report typical 411002 --year 2026 -o 诚信机构典型名单.xlsx
  creditsync report adjustments 411002 -o 动态调整情况.xlsx
  creditsync report commitments 411002 -o 附件1-诚信承诺书.html`,
	}
	pf := cmd.PersistentFlags()
	pf.StringVarP(&o.output, "output", "o", "", "file to write; - writes to standard output (then --format is needed)")
	pf.StringVar(&o.rules, "rules", "", "grading rules file (default: the built-in 2023 Xuchang rules)")
	months := func(c *cobra.Command) {
		c.Flags().StringVar(&o.from, "from", "", "first month, YYYY-MM (default: 23 months before --to: two years, so every 同比 has a value)")
		c.Flags().StringVar(&o.to, "to", "", "last month, YYYY-MM (default: this month, up to today)")
	}
	day := func(c *cobra.Command) {
		c.Flags().StringVar(&o.date, "date", "", "date of the grades, YYYY-MM-DD (default: today)")
	}

	county := &cobra.Command{
		Use:   "county CODE",
		Short: "Trend report of one county",
		Args:  exactArgs(1, "a county code, e.g. 411002"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.writeReport(cmd.Context(), o, trendFormats, func(ctx context.Context, src report.Source, now time.Time) (any, error) {
				u, err := report.LookupUnit(args[0])
				if err != nil || u.Code == report.CityCode {
					return nil, usageError{fmt.Errorf("county %q: want one of %v (the whole city is `report city`)", args[0], reportUnitCodes())}
				}
				m, err := report.ParseMonths(o.from, o.to, grade.Today(now))
				if err != nil {
					return nil, usageError{err}
				}
				return report.CountyTrend(ctx, src, u, m, now)
			})
		},
	}
	months(county)
	formatFlag(county, &o.format, trendFormats)
	city := &cobra.Command{
		Use:   "city",
		Short: "City overview: every county side by side",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.writeReport(cmd.Context(), o, trendFormats, func(ctx context.Context, src report.Source, now time.Time) (any, error) {
				m, err := report.ParseMonths(o.from, o.to, grade.Today(now))
				if err != nil {
					return nil, usageError{err}
				}
				return report.CityOverview(ctx, src, m, now)
			})
		},
	}
	months(city)
	formatFlag(city, &o.format, trendFormats)
	summary := &cobra.Command{
		Use:   "summary UNIT",
		Short: "附件2 summary table of an evaluating unit (XLSX)",
		Args:  exactArgs(1, "an evaluating unit: a county code, 411000 or city"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.writeReport(cmd.Context(), o, summaryFormats, func(ctx context.Context, src report.Source, now time.Time) (any, error) {
				u, d, err := reportUnitAndDay(args[0], o.date, now)
				if err != nil {
					return nil, err
				}
				// 填报时间 is the date asked for, else the notice's blank:
				// the day a draft is printed is not the day it is filed.
				var filed time.Time
				if o.date != "" {
					filed = d
				}
				return report.BuildSummary(ctx, src, u, d, filed)
			})
		},
	}
	day(summary)
	formatFlag(summary, &o.format, summaryFormats)
	public := &cobra.Command{
		Use:   "public UNIT",
		Short: "Public list for the bureau's website: every graded institution (revoked ones at D), grade, state, validity, how to object",
		Args:  exactArgs(1, "an evaluating unit: a county code, 411000 or city"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.writeReport(cmd.Context(), o, publicFormats, func(ctx context.Context, src report.Source, now time.Time) (any, error) {
				u, d, err := reportUnitAndDay(args[0], o.date, now)
				if err != nil {
					return nil, err
				}
				return a.buildPublicList(ctx, src, u, d, now)
			})
		},
	}
	day(public)
	formatFlag(public, &o.format, publicFormats)
	cmd.AddCommand(county, city, summary, public, a.reconcileCmd())
	cmd.AddCommand(a.reportNoticeCmds(&o)...)
	return cmd
}

// The formats each report is written in: its --format flag names them,
// and writeStoreReport refuses the others.
var (
	trendFormats   = []string{"html", "csv", "xlsx"} // county and city
	summaryFormats = []string{"xlsx"}                // the notice's 附件2 form
	publicFormats  = []string{"html", "csv", "xlsx"}
	tableFormats   = []string{"xlsx", "csv"} // typical, adjustments, conflicts
	watchFormats   = []string{"html", "csv", "xlsx"}
	letterFormats  = []string{"html"} // 附件1, a printed page each
)

// formatFlag gives a report command its --format flag, naming only the
// formats it writes: the flag was the parent's, offering html, csv and
// xlsx to a report written only as xlsx.
func formatFlag(c *cobra.Command, format *string, formats []string) {
	usage := strings.Join(formats, ", ")
	if len(formats) > 1 {
		usage = strings.Join(formats[:len(formats)-1], ", ") + " or " + formats[len(formats)-1]
	}
	if len(formats) == 1 {
		usage += ", the only format of this report"
	}
	c.Flags().StringVar(format, "format", "", usage+" (default: from the extension of -o)")
}

func reportUnitCodes() []string {
	var codes []string
	for _, u := range report.Units() {
		codes = append(codes, u.Code)
	}
	return codes
}

func reportUnitAndDay(unit, date string, now time.Time) (report.Unit, time.Time, error) {
	u, err := report.LookupUnit(unit)
	if err != nil {
		return report.Unit{}, time.Time{}, usageError{err}
	}
	if date == "" {
		return u, grade.Today(now), nil
	}
	d, err := transform.ParseISODate(date)
	if err == nil {
		err = report.CheckDay(d, grade.Today(now))
	}
	if err != nil {
		return report.Unit{}, time.Time{}, usageError{err}
	}
	return u, d, nil
}

// reportBuildFunc builds a report document from a source.
type reportBuildFunc func(ctx context.Context, src report.Source, now time.Time) (any, error)

// writeReport checks the output before opening the store (a typo in -o
// should not cost a grading), builds the report and writes it in one of
// formats.
func (a *app) writeReport(ctx context.Context, o reportOptions, formats []string, build reportBuildFunc) error {
	return a.writeStoreReport(ctx, o, formats, func(ctx context.Context, _ store.Store, src report.Source, now time.Time) (any, error) {
		return build(ctx, src, now)
	})
}

// storeReportBuildFunc builds a report document from the store and a
// source of grades.
type storeReportBuildFunc func(ctx context.Context, s store.Store, src report.Source, now time.Time) (any, error)

// writeStoreReport is writeReport for reports that read the store beyond
// the grades.
func (a *app) writeStoreReport(ctx context.Context, o reportOptions, formats []string, build storeReportBuildFunc) error {
	if o.output == "" {
		return usageError{errors.New("name the file to write with -o FILE (or -o - --format " + strings.Join(formats, "|") + " for standard output)")}
	}
	format, err := report.FormatOf(o.output, o.format, formats)
	if err != nil {
		return usageError{err}
	}
	rules, err := grade.Load(o.rules)
	if err != nil {
		return err
	}
	s, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	src, kind, err := report.NewSource(ctx, s, rules)
	if err != nil {
		return err
	}
	doc, err := build(ctx, s, src, time.Now())
	if err != nil {
		return err
	}
	why, err := report.Nothing(ctx, src, doc)
	if err != nil {
		return err
	}
	if why != "" {
		_, day := report.Empty(doc)
		return fmt.Errorf("nothing to report on %s: %s", transform.FormatDate(day), why)
	}
	if sum, ok := doc.(*report.Summary); ok && len(sum.Rows) == 0 {
		a.log.Warn("附件2 lists no institution: none of this unit has a grade in force or publicized on the day", "unit", sum.Unit.Name, "day", transform.FormatDate(sum.Day))
	}
	if o.output == "-" {
		a.log.Info(report.SourceNote(kind))
		return report.Write(a.stdout, doc, format)
	}
	if err := report.WriteFile(o.output, func(w io.Writer) error { return report.Write(w, doc, format) }); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "wrote %s (%s)\n", o.output, report.SourceNote(kind))
	return nil
}
