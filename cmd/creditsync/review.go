package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/contract"
	srcsync "github.com/xuchang-hrss/creditsync/ingest/sync"
)

func (a *app) reviewCmd() *cobra.Command {
	var list, format string
	cmd := &cobra.Command{
		Use:   "review",
		Short: "List external records without a USCC that no single institution matches",
		Long: `review lists the external records (penalties, abnormal, dishonest,
public_eval) that came without a USCC and whose normalised name matches no
institution in the register, or several. They are never matched by guess:
a person decides. The queue is checked against the register as it is now,
so an item disappears once exactly one institution has that name (import
the institution, or correct its name); to attach a record to an
institution with a different name, import the record again with its USCC.`,
		Example: "  creditsync review\n  creditsync review --list dishonest --format csv > review.csv",
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "table" && format != "csv" && format != "json" {
				return usageError{fmt.Errorf("--format must be table, csv or json, not %q", format)}
			}
			if list != "" {
				l, err := contract.Lookup(list)
				if err != nil || !l.External {
					return usageError{fmt.Errorf("--list %q: want penalties, abnormal, dishonest or public_eval", list)}
				}
				list = l.Name
			}
			ctx := cmd.Context()
			s, err := a.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			items, err := srcsync.Review(ctx, s, list)
			if err != nil {
				return err
			}
			return printReview(a, items, format)
		},
	}
	cmd.Flags().StringVar(&list, "list", "", "only this list")
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, csv or json")
	return cmd
}

func printReview(a *app, items []srcsync.ReviewItem, format string) error {
	header := []string{"list", "source", "name", "record", "matches", "candidates", "queued"}
	row := func(it srcsync.ReviewItem) []string {
		matches := "none"
		if len(it.Candidates) > 1 {
			matches = fmt.Sprintf("%d institutions", len(it.Candidates))
		}
		var key []string
		for _, part := range strings.Split(it.RecordKey, "\x1f") {
			if part != "" {
				key = append(key, part)
			}
		}
		return []string{it.List, it.Source, it.Name, strings.Join(key, " | "), matches,
			strings.Join(it.Candidates, " "), it.QueuedAt.Local().Format("2006-01-02 15:04")}
	}
	switch format {
	case "json":
		enc := json.NewEncoder(a.stdout)
		enc.SetEscapeHTML(false)
		for _, it := range items {
			r := row(it)
			obj := map[string]any{}
			for i, h := range header {
				obj[h] = r[i]
			}
			obj["candidates"] = it.Candidates
			if err := enc.Encode(obj); err != nil {
				return err
			}
		}
		return nil
	case "csv":
		w := csv.NewWriter(a.stdout)
		w.Write(header)
		for _, it := range items {
			w.Write(row(it))
		}
		w.Flush()
		return w.Error()
	}
	if len(items) == 0 {
		fmt.Fprintln(a.stdout, "nothing to review: every external record without a USCC matches exactly one institution")
		return nil
	}
	table := [][]string{header}
	for _, it := range items {
		table = append(table, row(it))
	}
	printTable(a.stdout, table)
	fmt.Fprintf(a.stdout, "(%d record%s to review)\n", len(items), plural(len(items)))
	return nil
}
