package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/transform"
)

func (a *app) gradesCmd() *cobra.Command {
	var on, compare string
	var out outputFlags
	var excel bool
	cmd := &cobra.Command{
		Use:   "grades",
		Short: "The recorded grade of every institution on a date, or on two dates compared",
		Long: `grades prints the grade in force on --on (default today) for every
institution that had one: recorded grades, as confirmed, lowered, raised
or reviewed — not what the rules would compute now (that is creditsync
grade). Beside it, on its own row, a grade publicized on that day (status
publicized, 公示中), past its publicity and not confirmed yet
(awaiting_confirmation, 公示期满，待确认: the confirmation did not run) or
under objection (under_review, 异议复核中). Past dates
give the grades as they were then; a grade past its validity shows as
expired; a cancelled licence ends the grade in force on its date, while a
revoked one is D (D3) and stays listed (docs/rules.md §4.7).

With --compare D2 it prints every institution with a grade on either day:
its grade on --on, its grade on D2 (compare_grade) and the change from D2
to --on: same, downgrade, upgrade, new (no grade on D2) or gone (none on
--on).

Formats: table, csv (clauses joined by ";") and json (one object per line,
keys in column order, clauses with their wording and evidence).`,
		Example: `  creditsync grades --on 2026-12-31 --format csv > grades-2026.csv
  creditsync grades --on 2026-12-31 --format csv --excel > 等级-2026.csv   # for Excel: BOM, USCC kept as text, no formulas
  creditsync grades --on 2026-12-31 --format xlsx > 等级-2026.xlsx
  creditsync grades --compare 2025-12-31
  creditsync grades --on 2026-09-01 --compare 2026-12-01 --format json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			// xlsx is for people who open the list in Excel; the other
			// formats are the ones every record command shares.
			xlsx := out.format == "xlsx"
			if xlsx {
				out.format = "table"
			}
			format, err := out.get()
			if err != nil {
				return err
			}
			if excel && (format != "csv" || xlsx) {
				return usageError{fmt.Errorf("--excel shapes CSV for Excel; use it with --format csv")}
			}
			if xlsx && compare != "" {
				return usageError{fmt.Errorf("--format xlsx writes the grades of one day; leave out --compare")}
			}
			day, err := dayOrToday("on", on)
			if err != nil {
				return err
			}
			var other time.Time
			if compare != "" {
				if other, err = dayOrToday("compare", compare); err != nil {
					return err
				}
			}
			ctx := cmd.Context()
			s, err := a.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			if compare == "" {
				states, err := lifecycle.StatesOn(ctx, s, day)
				if err != nil {
					return err
				}
				if xlsx {
					return writeGradesXLSX(a.stdout, states, day)
				}
				w := a.stdout
				if excel {
					// Excel reads UTF-8 without a BOM as GBK.
					if _, err := io.WriteString(w, "\ufeff"); err != nil {
						return err
					}
				}
				return writeGradesOn(w, states, day, format, excel)
			}
			es, err := lifecycle.GradesOn(ctx, s, day)
			if err != nil {
				return err
			}
			then, err := lifecycle.GradesOn(ctx, s, other)
			if err != nil {
				return err
			}
			return writeGradesCompared(a.stdout, es, then, day, other, format)
		},
	}
	cmd.Flags().StringVar(&on, "on", "", "date, YYYY-MM-DD (default: today in Asia/Shanghai)")
	cmd.Flags().StringVar(&compare, "compare", "", "also show the grades of this date, YYYY-MM-DD, and the change from it to --on")
	out.register(cmd, false)
	cmd.Flags().Lookup("format").Usage = formatHelp + ", or xlsx (a workbook, USCC cells as text)"
	cmd.Flags().BoolVar(&excel, "excel", false, "with --format csv: start with a UTF-8 BOM and write each USCC as =\"…\" so Excel keeps all 18 characters, and a name starting = + - @ after an apostrophe so Excel never runs it (for people; programs read the plain CSV)")
	return cmd
}

// writeGradesOn writes one row per grade: the one in force, then one
// publicized or under objection beside it (docs/rules.md §4.7), whose
// status says which and which has no validity yet.
func writeGradesOn(w io.Writer, states []lifecycle.State, day time.Time, format string, excel bool) error {
	rw, err := newRecordWriter(w, format, "uscc", "name", "county_code", "grade", "clauses", "status", "valid_from", "valid_until", "run_kind")
	if err != nil {
		return err
	}
	inForce, pending := 0, 0
	write := func(e lifecycle.Entry) error {
		from, until := dateValue(e.ValidFrom), dateValue(e.ValidUntil)
		if e.PendingOn(day) != "" {
			from, until = nil, nil // not in force on the day
		}
		code, name := e.USCC, e.Name
		if excel {
			// For a person opening it in Excel, as the reports' CSVs: the
			// USCC kept whole (a bare all-digit one becomes 1.24E+17),
			// and a name from outside never read as a formula.
			code, name = report.ExcelCode(code), report.ExcelText(name)
		}
		return rw.Write(code, name, e.CountyCode, e.Grade, clauseList(e.Told()), e.StatusOn(day), from, until, e.RunKind)
	}
	for _, st := range states {
		if st.InForce != nil {
			inForce++
			if err := write(*st.InForce); err != nil {
				return err
			}
		}
		if st.Pending != nil {
			pending++
			if err := write(*st.Pending); err != nil {
				return err
			}
		}
	}
	if err := rw.Close(); err != nil {
		return err
	}
	if format == "table" {
		fmt.Fprintf(w, "(%d institution%s with a grade in force on %s, %d with a grade publicized or under objection)\n", inForce, plural(inForce), transform.FormatDate(day), pending)
	}
	return nil
}

// writeGradesXLSX writes the rows of writeGradesOn as a workbook whose
// USCC cells are text.
func writeGradesXLSX(w io.Writer, states []lifecycle.State, day time.Time) error {
	header := []string{"uscc", "name", "county_code", "grade", "clauses", "status", "valid_from", "valid_until", "run_kind"}
	var rows [][]string
	add := func(e lifecycle.Entry) {
		from, until := transform.FormatDate(e.ValidFrom), transform.FormatDate(e.ValidUntil)
		if e.PendingOn(day) != "" {
			from, until = "", ""
		}
		rows = append(rows, []string{e.USCC, e.Name, e.CountyCode, string(e.Grade), strings.Join(e.ClauseIDs(), " "), string(e.StatusOn(day)), from, until, string(e.RunKind)})
	}
	for _, st := range states {
		if st.InForce != nil {
			add(*st.InForce)
		}
		if st.Pending != nil {
			add(*st.Pending)
		}
	}
	return report.WriteRowsXLSX(w, "等级 "+transform.FormatDate(day), header, rows, 0)
}

// Changes between two days, as grades --compare names them.
const (
	changeSame      = "same"
	changeDowngrade = "downgrade"
	changeUpgrade   = "upgrade"
	changeNew       = "new"
	changeGone      = "gone"
)

// gradeChange says how grade now differs from grade then ("" when the
// institution had none that day).
func gradeChange(then, now grade.Grade) string {
	switch {
	case then == "":
		return changeNew
	case now == "":
		return changeGone
	case grade.Worse(now, then):
		return changeDowngrade
	case grade.Worse(then, now):
		return changeUpgrade
	}
	return changeSame
}

func writeGradesCompared(w io.Writer, now, then []lifecycle.Entry, day, other time.Time, format string) error {
	type pair struct{ now, then *lifecycle.Entry }
	byUSCC := map[string]*pair{}
	for i := range now {
		byUSCC[now[i].USCC] = &pair{now: &now[i]}
	}
	for i := range then {
		p := byUSCC[then[i].USCC]
		if p == nil {
			p = &pair{}
			byUSCC[then[i].USCC] = p
		}
		p.then = &then[i]
	}
	usccs := make([]string, 0, len(byUSCC))
	for u := range byUSCC {
		usccs = append(usccs, u)
	}
	sort.Strings(usccs)

	rw, err := newRecordWriter(w, format, "uscc", "name", "county_code", "grade", "compare_grade", "change", "clauses", "compare_clauses", "status", "compare_status")
	if err != nil {
		return err
	}
	counts := map[string]int{}
	for _, u := range usccs {
		p := byUSCC[u]
		// The register's name and county are the same in both entries; take
		// them from whichever exists.
		e := p.now
		if e == nil {
			e = p.then
		}
		var g, cg, status, cstatus, cl, ccl any
		var gs, cgs grade.Grade
		if p.now != nil {
			gs, g, cl, status = p.now.Grade, p.now.Grade, clauseList(p.now.Told()), p.now.StatusOn(day)
		}
		if p.then != nil {
			cgs, cg, ccl, cstatus = p.then.Grade, p.then.Grade, clauseList(p.then.Told()), p.then.StatusOn(other)
		}
		change := gradeChange(cgs, gs)
		counts[change]++
		if err := rw.Write(u, e.Name, e.CountyCode, g, cg, change, cl, ccl, status, cstatus); err != nil {
			return err
		}
	}
	if err := rw.Close(); err != nil {
		return err
	}
	if format == "table" {
		fmt.Fprintf(w, "(%d institution%s with a grade on %s or %s; from %s to %s: %d same, %d downgrade%s, %d upgrade%s, %d new, %d gone)\n",
			len(usccs), plural(len(usccs)), transform.FormatDate(day), transform.FormatDate(other), transform.FormatDate(other), transform.FormatDate(day),
			counts[changeSame], counts[changeDowngrade], plural(counts[changeDowngrade]), counts[changeUpgrade], plural(counts[changeUpgrade]),
			counts[changeNew], counts[changeGone])
	}
	return nil
}
