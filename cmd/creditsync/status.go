package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/grade"
	srcsync "github.com/xuchang-hrss/creditsync/ingest/sync"
	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
)

func (a *app) statusCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show the last run of every job and step, and the state of the data",
		Long: `status shows, for operators: the last run of each job with each step's
status, duration, counts and error; each external source's last success
and staleness; how many records each list holds with the time of its last
load; the grades in effect per county; and what waits on people — open
objections and publicity periods ending within a week.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, err := a.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			t := sql.Target{Cluster: s.Cluster()}
			today := grade.Today(time.Now())
			if err := a.printSourceStatus(ctx, s); err != nil {
				return err
			}
			fmt.Fprintln(a.stdout)
			sections := []struct {
				title, query string
				params       store.Params
			}{
				{"Last run of each job", "jobs/last_runs", nil},
				{"Lists", "report/list_freshness", nil},
				{"Grades in effect today by county", "report/status_grades", store.Params{"day": today}},
				{"Open objections and publicity ending within 7 days", "report/status_lifecycle", store.Params{"day": today, "days": uint16(7)}},
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

// printSourceStatus lists the configured sources and their staleness,
// or says that none are configured.
func (a *app) printSourceStatus(ctx context.Context, s store.Store) error {
	cfg, configured, err := a.nightlySyncConfig(nightlyDeps{})
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, "External sources:")
	if !configured {
		fmt.Fprintln(a.stdout, "none configured (creditsync.toml); see creditsync.example.toml")
		return nil
	}
	statuses, err := srcsync.Sources(ctx, s, cfg, time.Now())
	if err != nil {
		return err
	}
	table := [][]string{{"source", "list", "last success", "age", "stale", "listed", "last error"}}
	for _, st := range statuses {
		last, age, stale := "never", "", ""
		if st.LastSuccess != nil {
			last = st.LastSuccess.UTC().Format("2006-01-02 15:04")
			age = st.Age.Round(time.Minute).String()
		}
		if st.Stale {
			stale = "STALE"
		}
		errText, _, _ := strings.Cut(st.LastError, "\n")
		table = append(table, []string{st.Source, st.List, last, age, stale, fmt.Sprint(st.Listed), errText})
	}
	printTable(a.stdout, table)
	return nil
}
