package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/transform"
)

func (a *app) historyCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "history USCC",
		Short: "Every grade an institution ever had, with its run, lifecycle dates and notes",
		Long: `history lists an institution's recorded grades, oldest first: the run
that produced each (evaluate, regrade, upgrade, review), the date it was
computed at, its status, publicity and validity dates, the day a later
grade replaced it, and the notes of objections and reviews. --json adds
every clause's evidence.`,
		Args: exactArgs(1, "one USCC"),
		RunE: func(cmd *cobra.Command, args []string) error {
			uscc := transform.NormalizeUSCC(args[0])
			ctx := cmd.Context()
			s, err := a.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			es, err := grade.History(ctx, s, uscc)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetEscapeHTML(false)
				for _, e := range es {
					if err := enc.Encode(entryJSON(e)); err != nil {
						return err
					}
				}
				return nil
			}
			if len(es) == 0 {
				fmt.Fprintf(a.stdout, "%s has no recorded grade\n", uscc)
				return nil
			}
			fmt.Fprintf(a.stdout, "%s %s\n", es[0].USCC, es[0].Name)
			table := [][]string{{"run", "year", "as_of", "grade", "clauses", "status", "publicity_ends", "valid_from", "valid_until", "superseded_on"}}
			for _, e := range es {
				year := ""
				if e.Year > 0 {
					year = fmt.Sprint(e.Year)
				}
				table = append(table, []string{e.RunKind, year, grade.FormatDate(e.AsOf), e.Grade, strings.Join(e.ClauseIDs(), " "), e.Status,
					grade.FormatDate(e.PublicityEndsOn), grade.FormatDate(e.ValidFrom), grade.FormatDate(e.ValidUntil), grade.FormatDate(e.SupersededOn)})
			}
			printTable(a.stdout, table)
			for _, e := range es {
				if e.Note != "" {
					fmt.Fprintf(a.stdout, "\n%s %s:\n  %s\n", e.RunKind, e.RunID, strings.ReplaceAll(e.Note, "\n", "\n  "))
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per grade, evidence included")
	return cmd
}

// entryView is an Entry as history --json and grades --format json write it.
type entryView struct {
	USCC            string         `json:"uscc"`
	Name            string         `json:"name"`
	CountyCode      string         `json:"county_code"`
	Grade           string         `json:"grade"`
	Status          string         `json:"status"`
	RunID           string         `json:"run_id"`
	RunKind         string         `json:"run_kind"`
	Year            int            `json:"year,omitempty"`
	AsOf            string         `json:"as_of"`
	PublicityEndsOn string         `json:"publicity_ends_on,omitempty"`
	ValidFrom       string         `json:"valid_from,omitempty"`
	ValidUntil      string         `json:"valid_until,omitempty"`
	SupersededOn    string         `json:"superseded_on,omitempty"`
	Note            string         `json:"note,omitempty"`
	Clauses         []grade.Clause `json:"clauses"`
}

func entryJSON(e grade.Entry) entryView {
	return entryView{USCC: e.USCC, Name: e.Name, CountyCode: e.CountyCode, Grade: e.Grade, Status: e.Status,
		RunID: e.RunID, RunKind: e.RunKind, Year: e.Year, AsOf: grade.FormatDate(e.AsOf),
		PublicityEndsOn: grade.FormatDate(e.PublicityEndsOn), ValidFrom: grade.FormatDate(e.ValidFrom),
		ValidUntil: grade.FormatDate(e.ValidUntil), SupersededOn: grade.FormatDate(e.SupersededOn), Note: e.Note, Clauses: e.Clauses}
}
