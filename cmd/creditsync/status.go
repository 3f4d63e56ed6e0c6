package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
)

func (a *app) statusCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show the last run of every job and step, and the state of the data",
		Long: `status shows, for operators: the last run of each job with each step's
status, duration, counts and error; and how many records each list holds
with the time of its last load.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, err := a.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			t := sql.Target{Cluster: s.Cluster()}
			sections := []struct {
				title, query string
				params       store.Params
			}{
				{"Last run of each job", "jobs/last_runs", nil},
				{"Lists", "report/list_freshness", nil},
			}
			for i, sec := range sections {
				if i > 0 {
					fmt.Fprintln(a.stdout)
				}
				fmt.Fprintln(a.stdout, sec.title+":")
				rows, err := s.Query(ctx, sql.MustQuery(t, sec.query), sec.params)
				if err != nil {
					return fmt.Errorf("%s: %w", sec.title, err)
				}
				err = writeRows(a.stdout, rows, "table")
				rows.Close()
				if err != nil {
					return err
				}
			}
			return nil
		},
	}
}
