package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/transform"
)

func (a *app) historyCmd() *cobra.Command {
	var out outputFlags
	cmd := &cobra.Command{
		Use:   "history USCC",
		Short: "Every grade an institution ever had, with its run, lifecycle dates, clauses and evidence",
		Long: `history lists an institution's recorded grades, oldest first: the run
that produced each (evaluate, regrade, upgrade, review), the date it was
computed at, its status as it stands today (a grade whose publicity has
not started yet is not_yet_publicized, one past its publicity and not yet
confirmed awaiting_confirmation, one past its validity expired), publicity
and validity dates, the day a later
grade replaced it, the clauses that held with the notice's wording and the
records behind them, and the notes of objections and reviews.

A code that is no USCC is refused (exit status 2); a USCC the register
does not hold is an error; an institution of the register without a
grade is said to have none.

Formats: table (a table of the grades, then each grade's clauses and
evidence), csv (one row per grade; clauses joined by ";", reasons as
"ID wording" joined by ";") and json (one object per grade, keys in column
order, clauses with their evidence).`,
		Example: `  creditsync history 91411002MALD5T628U
  creditsync history 91411002MALD5T628U --format json`,
		Args: exactArgs(1, "one USCC"),
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := out.get()
			if err != nil {
				return err
			}
			uscc := transform.NormalizeUSCC(args[0])
			ctx := cmd.Context()
			s, err := a.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			es, err := lifecycle.History(ctx, s, uscc)
			if err != nil {
				return err
			}
			today := grade.Today(time.Now())
			if len(es) == 0 {
				// No grade: say whether the code names an institution at
				// all, as eligibility and explain do.
				_, err := grade.NotGradedReason(ctx, s, today, uscc)
				switch {
				case errors.Is(err, grade.ErrUnknown):
					if verr := transform.ValidateUSCC(uscc); verr != nil {
						return usageError{fmt.Errorf("%s is not a USCC: %w", args[0], verr)}
					}
					return fmt.Errorf("%w\nhint: check the code, or import the register first: creditsync import institutions FILE", err)
				case err != nil:
					return err
				}
			}
			if format != "table" {
				return writeHistory(a.stdout, es, today, format)
			}
			if len(es) == 0 {
				fmt.Fprintf(a.stdout, "%s has no recorded grade\n", uscc)
				return nil
			}
			return printHistory(a.stdout, es, today)
		},
	}
	out.register(cmd, true)
	return cmd
}

// historyColumns are the columns of history in csv and json.
var historyColumns = []string{"uscc", "name", "county_code", "run_kind", "run_id", "year", "as_of", "grade", "status",
	"publicity_ends_on", "valid_from", "valid_until", "superseded_on", "note", "clauses", "reasons"}

// writeHistory and printHistory show each grade's status as it stands on
// today, not as stored: the stored status of an evaluated grade is
// publicized from the day it is recorded, which may be weeks before its
// publicity starts.
func writeHistory(w io.Writer, es []lifecycle.Entry, today time.Time, format string) error {
	rw, err := newRecordWriter(w, format, historyColumns...)
	if err != nil {
		return err
	}
	for _, e := range es {
		if err := rw.Write(e.USCC, e.Name, e.CountyCode, e.RunKind, e.RunID, yearValue(e), dateValue(e.AsOf), e.Grade, e.StatusOn(today),
			dateValue(e.PublicityEndsOn), dateValue(e.ValidFrom), dateValue(e.ValidUntil), dateValue(e.SupersededOn), e.Note,
			clauseList(e.Told()), reasons(e.Told())); err != nil {
			return err
		}
	}
	return rw.Close()
}

func printHistory(w io.Writer, es []lifecycle.Entry, today time.Time) error {
	fmt.Fprintf(w, "%s %s\n", es[0].USCC, es[0].Name)
	rw, err := newRecordWriter(w, "table", "run", "year", "as_of", "grade", "clauses", "status", "publicity_ends", "valid_from", "valid_until", "superseded_on")
	if err != nil {
		return err
	}
	for _, e := range es {
		if err := rw.Write(e.RunKind, yearValue(e), dateValue(e.AsOf), e.Grade, clauseList(e.Told()), e.StatusOn(today),
			dateValue(e.PublicityEndsOn), dateValue(e.ValidFrom), dateValue(e.ValidUntil), dateValue(e.SupersededOn)); err != nil {
			return err
		}
	}
	if err := rw.Close(); err != nil {
		return err
	}
	for _, e := range es {
		fmt.Fprintf(w, "\n%s %s → %s (%s, %s)\n", transform.FormatDate(e.AsOf), e.RunKind, e.Grade, e.StatusOn(today), e.RunID)
		if len(e.Clauses) == 0 {
			fmt.Fprintf(w, "  A: %s\n", grade.AText)
		}
		for _, c := range e.Clauses {
			fmt.Fprintf(w, "  %s (%s) %s\n", c.ID, c.Grade, c.Text)
			for _, ev := range c.Evidence {
				date := transform.FormatDate(ev.Date)
				if date == "" {
					date = "—"
				}
				fmt.Fprintf(w, "    - %s %s %s: %s\n", date, ev.Kind, ev.ID, ev.Detail)
			}
		}
		if e.Note != "" {
			fmt.Fprintf(w, "  note: %s\n", strings.ReplaceAll(e.Note, "\n", "\n        "))
		}
	}
	return nil
}

// yearValue is the evaluated year, or nil for runs that evaluate no year.
func yearValue(e lifecycle.Entry) any {
	if e.RunKind != lifecycle.RunEvaluate || e.Year == 0 {
		return nil
	}
	return e.Year
}

// clauseList is a grade's clauses as a record value: their IDs in a table
// or CSV, the clauses with wording and evidence in JSON.
type clauseList []grade.Clause

func (c clauseList) cellText(sep string) string {
	ids := make([]string, len(c))
	for i, x := range c {
		ids[i] = x.ID
	}
	return strings.Join(ids, sep)
}

func (c clauseList) jsonValue() any {
	if c == nil {
		return []grade.Clause{}
	}
	return []grade.Clause(c)
}

// reasons are the clauses as "ID wording", the form notices print.
func reasons(cs []grade.Clause) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID + " " + c.Text
	}
	return out
}
