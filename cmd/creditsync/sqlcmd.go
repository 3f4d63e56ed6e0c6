package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func (a *app) sqlCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "sql QUERY",
		Short: "Run a SQL query and print the result",
		Long: `sql runs one ClickHouse SQL statement on the configured store and prints
the result as an aligned table (default), CSV or JSON lines. Tables with
replaced rows are read merged, so each key appears once.`,
		Example: `  creditsync sql "SELECT county_code, count() FROM institutions GROUP BY county_code"
  creditsync sql --format csv "SELECT * FROM import_rejects" > rejects.csv`,
		Args: exactArgs(1, "one query (quote it)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "table" && format != "csv" && format != "json" {
				return usageError{fmt.Errorf("--format must be table, csv or json, not %q", format)}
			}
			s, err := a.open(cmd.Context())
			if err != nil {
				return err
			}
			defer s.Close()
			rows, err := s.Query(cmd.Context(), args[0], nil)
			if err != nil {
				return fmt.Errorf("query failed: %w", err)
			}
			defer rows.Close()
			return writeRows(a.stdout, rows, format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, csv or json")
	return cmd
}
