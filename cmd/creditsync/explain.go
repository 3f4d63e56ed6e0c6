package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/transform"
)

func (a *app) explainCmd() *cobra.Command {
	var flags gradeFlags
	var out outputFlags
	cmd := &cobra.Command{
		Use:   "explain USCC",
		Short: "Explain one institution's grade: every clause that holds, with its evidence",
		Long: `explain grades one institution at the as-of date and prints each clause
that holds — D first, then C, then B — with the notice's wording and the
records that make it hold (record ids, list keys and dates), so the grade
can be checked against the files and told to the institution.

Formats: table (the explanation as text), csv (one row per piece of
evidence: clause, grade, wording, record kind, id, date, detail) and json
(the grade with its clauses and evidence, as one object).

An institution that is not graded at the date (licensed later, or its
licence cancelled) is reported with the reason: in json as
{"uscc", "as_of", "graded": false, "reason"}, in csv as the header alone
with the reason on stderr.`,
		Example: `  creditsync explain 91411002MA9XXXXXXX
  creditsync explain 91411002MA9XXXXXXX --as-of 2026-07-31 --format json`,
		Args: exactArgs(1, "one USCC"),
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := out.get()
			if err != nil {
				return err
			}
			uscc := transform.NormalizeUSCC(args[0])
			asOf, err := flags.date()
			if err != nil {
				return err
			}
			rules, err := flags.load()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			s, err := a.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			res, err := grade.Explain(ctx, s, rules, asOf, uscc)
			var ng *grade.NotGradedError
			switch {
			case errors.As(err, &ng):
				// In the format asked for: a script reading JSON or CSV
				// gets the answer in it, not a line of text.
				switch format {
				case "json":
					enc := json.NewEncoder(a.stdout)
					enc.SetEscapeHTML(false)
					enc.SetIndent("", "  ")
					return enc.Encode(struct {
						USCC   string `json:"uscc"`
						AsOf   string `json:"as_of"`
						Graded bool   `json:"graded"`
						Reason string `json:"reason"`
					}{ng.USCC, transform.FormatDate(ng.AsOf), false, ng.Reason})
				case "csv":
					// No evidence: the header alone, the reason aside.
					fmt.Fprintln(a.stderr, ng.Error())
					return writeEvidence(a.stdout, grade.Result{})
				}
				fmt.Fprintln(a.stdout, ng.Error())
				return nil
			case errors.Is(err, grade.ErrUnknown):
				return fmt.Errorf("%w\nhint: check the code, or import the register first: creditsync import institutions FILE", err)
			case err != nil:
				return err
			}
			switch format {
			case "json":
				enc := json.NewEncoder(a.stdout)
				enc.SetEscapeHTML(false)
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			case "csv":
				return writeEvidence(a.stdout, res)
			}
			printExplanation(a.stdout, res, asOf)
			return nil
		},
	}
	flags.register(cmd, a)
	out.register(cmd, true)
	return cmd
}

func printExplanation(w io.Writer, r grade.Result, asOf time.Time) {
	fmt.Fprintf(w, "%s %s (county %s)\n", r.USCC, r.Name, r.CountyCode)
	fmt.Fprintf(w, "grade %s at %s\n", r.Grade, transform.FormatDate(asOf))
	if len(r.Clauses) == 0 {
		fmt.Fprintf(w, "\nA: %s\n", grade.AText)
		return
	}
	for _, c := range r.Clauses {
		def, _ := grade.LookupClause(c.ID)
		fmt.Fprintf(w, "\n%s (%s) %s\n    holds when: %s\n", c.ID, c.Grade, c.Text, def.Rule)
		for _, e := range c.Evidence {
			date := transform.FormatDate(e.Date)
			if date == "" {
				date = "—"
			}
			fmt.Fprintf(w, "    - %s %s %s: %s\n", date, e.Kind, e.ID, e.Detail)
		}
	}
}

// writeEvidence prints a grade's evidence as CSV records, one per item.
func writeEvidence(w io.Writer, r grade.Result) error {
	rw, err := newRecordWriter(w, "csv", "uscc", "grade", "clause", "clause_grade", "clause_text", "kind", "record_id", "date", "detail")
	if err != nil {
		return err
	}
	for _, c := range r.Clauses {
		for _, e := range c.Evidence {
			if err := rw.Write(r.USCC, r.Grade, c.ID, c.Grade, c.Text, e.Kind, e.ID, dateValue(e.Date), e.Detail); err != nil {
				return err
			}
		}
	}
	return rw.Close()
}
