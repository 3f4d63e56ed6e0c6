package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/schema"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
)

// gradeFlags are the options every grading command shares.
type gradeFlags struct {
	asOf  string
	rules string
	a     *app // for CREDITSYNC_RULES, the caller's (rulesEnv)
}

func (f *gradeFlags) register(cmd *cobra.Command, a *app) {
	cmd.Flags().StringVar(&f.asOf, "as-of", "", "grade as of this date, YYYY-MM-DD (default: today in Asia/Shanghai)")
	f.registerRules(cmd, a)
}

// registerRules declares --rules. Its default is not the variable's
// value: --help would print it, and inside the daemon the variable is
// the one of the person's shell (a.rulesEnv), not the daemon's.
func (f *gradeFlags) registerRules(cmd *cobra.Command, a *app) {
	f.a = a
	cmd.Flags().StringVar(&f.rules, "rules", "", "grading rules file (TOML) over the 2023 Xuchang defaults (default $CREDITSYNC_RULES, else none); see grade --print-rules")
}

// date returns --as-of, or today's date in Xuchang.
func (f *gradeFlags) date() (time.Time, error) { return dayOrToday("as-of", f.asOf) }

// dayOrToday parses the date given to flag name, or returns today's date in
// Xuchang when it is empty.
func dayOrToday(name, v string) (time.Time, error) {
	if v == "" {
		return grade.Today(time.Now()), nil
	}
	d, err := transform.ParseISODate(v)
	if err != nil {
		return time.Time{}, usageError{fmt.Errorf("--%s: %w", name, err)}
	}
	return d, nil
}

// recordDay is dayOrToday for the commands that record what happened on
// a day — a grade confirmed, expired, recorded, an objection filed or
// decided, an upgrade, a nomination, a nightly replayed: a day after
// today is refused, as what it will hold is not known yet. Recorded, such
// a day could not be undone (grades confirmed before their publicity
// ended took the right to object away; a regrade a year ahead lowered
// 254 grades for annual reports not yet due).
func recordDay(name, v string) (time.Time, error) {
	d, err := dayOrToday(name, v)
	if err != nil {
		return d, err
	}
	if today := grade.Today(time.Now()); d.After(today) {
		return d, usageError{fmt.Errorf("--%s %s is after today (%s): this command records what happened by a day, and a day to come is not known yet (grade --as-of %s shows what it would give, recording nothing)",
			name, d.Format(time.DateOnly), today.Format(time.DateOnly), d.Format(time.DateOnly))}
	}
	return d, nil
}

func (f *gradeFlags) load() (*grade.Rules, error) {
	path := f.rules
	if path == "" {
		path = f.a.rulesEnv
	}
	r, err := grade.Load(path)
	if err != nil {
		return nil, fmt.Errorf("%w\nhint: start from the defaults: creditsync grade --print-rules > rules.toml", err)
	}
	return r, nil
}

func (a *app) gradeCmd() *cobra.Command {
	var flags gradeFlags
	var format string
	var dryRun, printRules bool
	cmd := &cobra.Command{
		Use:   "grade",
		Short: "Compute the credit grade of every institution at a date",
		Long: `grade computes the A/B/C/D grade of every institution graded at the
as-of date (docs/rules.md §2: licensed by then and not cancelled) and prints
it with the clauses that hold, D first, then C, then B.

grade only reads: it never records a grade (evaluate does). With
--dry-run it does not even bring the database schema up to date, so
nothing at all is written.

Formats: table (default), csv (header uscc,name,county_code,grade,
clauses,evidence; clauses joined by ";", empty for A) and json (one
object per line, with every clause's notice text and evidence).`,
		Example: `  creditsync grade --as-of 2026-07-31
  creditsync grade --as-of 2026-07-31 --dry-run --format csv > grades.csv
  creditsync grade --rules county-rules.toml --format json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if printRules {
				_, err := a.stdout.Write(grade.DefaultRulesTOML())
				return err
			}
			if format != "table" && format != "csv" && format != "json" {
				return usageError{fmt.Errorf("--format must be table, csv or json, not %q", format)}
			}
			asOf, err := flags.date()
			if err != nil {
				return err
			}
			rules, err := flags.load()
			if err != nil {
				return err
			}
			if dryRun {
				a.autoSchema = false
			}
			ctx := cmd.Context()
			s, err := a.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			if dryRun {
				if err := requireSchema(cmd, s); err != nil {
					return err
				}
			}
			res, err := grade.Compute(ctx, s, rules, asOf)
			if err != nil {
				return err
			}
			return writeGrades(a.stdout, res, asOf, format)
		},
	}
	flags.register(cmd, a)
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, csv or json")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "write nothing at all, not even schema migrations")
	cmd.Flags().BoolVar(&printRules, "print-rules", false, "print the default rules file, documented, and exit")
	return cmd
}

// requireSchema fails with a hint when --dry-run meets a database that was
// never set up, instead of ClickHouse's "unknown table".
func requireSchema(cmd *cobra.Command, s store.Store) error {
	states, err := schema.States(cmd.Context(), s)
	if err != nil || states[1].Status != schema.StatusApplied {
		return fmt.Errorf("database %s has no creditsync tables yet\nhint: import data first, or run `creditsync init`; --dry-run never creates them", s.Database())
	}
	pending, err := schema.Pending(cmd.Context(), s)
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		return fmt.Errorf("database %s was made by an older creditsync: %s not applied yet\nhint: run `creditsync init` to bring it up to date; --dry-run never changes the schema", s.Database(), strings.Join(pending, ", "))
	}
	return nil
}

func writeGrades(w io.Writer, res []grade.Result, asOf time.Time, format string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, r := range res {
			if err := enc.Encode(struct {
				AsOf string `json:"as_of"`
				grade.Result
			}{transform.FormatDate(asOf), r}); err != nil {
				return err
			}
		}
		return nil
	case "csv":
		cw := csv.NewWriter(w)
		if err := cw.Write([]string{"uscc", "name", "county_code", "grade", "clauses", "evidence"}); err != nil {
			return err
		}
		for _, r := range res {
			if err := cw.Write([]string{r.USCC, r.Name, r.CountyCode, string(r.Grade), strings.Join(r.ClauseIDs(), ";"), evidenceSummary(r)}); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	}
	table := [][]string{{"uscc", "name", "county", "grade", "clauses"}}
	count := map[grade.Grade]int{}
	for _, r := range res {
		table = append(table, []string{r.USCC, r.Name, r.CountyCode, string(r.Grade), strings.Join(r.ClauseIDs(), " ")})
		count[r.Grade]++
	}
	printTable(w, table)
	parts := make([]string, len(grade.Grades))
	for i, g := range grade.Grades {
		parts[i] = fmt.Sprintf("%s %d", g, count[g])
	}
	fmt.Fprintf(w, "(%d institution%s graded at %s: %s)\n", len(res), plural(len(res)), transform.FormatDate(asOf), strings.Join(parts, ", "))
	return nil
}

// evidenceSummary is one CSV cell naming each clause's records, e.g.
// "C1: inspection XCJC-2026-0012 2026-03-02, inspection … | B6: penalty …".
func evidenceSummary(r grade.Result) string {
	clauses := make([]string, len(r.Clauses))
	for i, c := range r.Clauses {
		items := make([]string, len(c.Evidence))
		for j, e := range c.Evidence {
			items[j] = strings.TrimSpace(e.Kind + " " + e.ID + " " + transform.FormatDate(e.Date))
		}
		clauses[i] = c.ID + ": " + strings.Join(items, ", ")
	}
	return strings.Join(clauses, " | ")
}
