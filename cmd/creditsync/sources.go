package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	srcsync "github.com/xuchang-hrss/creditsync/ingest/sync"
)

func (a *app) sourcesCmd() *cobra.Command {
	var configFile, format string
	var check bool
	cmd := &cobra.Command{
		Use:   "sources",
		Short: "Show each external source with its last success, staleness and record counts",
		Long: `sources lists the sources configured for sync with what the store
remembers of them: the last run and its status, the last success and how
long ago it was, whether the source is stale (never synced, or older than
max_staleness), the records of its last complete snapshot, the records it
lists now and has dropped, and an interrupted snapshot the next sync will
resume.

With --check the command exits 1 when an enabled source is stale, for
monitoring.`,
		Example: "  creditsync sources\n  creditsync sources --check --format json",
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "table" && format != "json" {
				return usageError{fmt.Errorf("--format must be table or json, not %q", format)}
			}
			cfg, err := srcsync.LoadConfig(configFile)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			s, err := a.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			st, err := srcsync.Sources(ctx, s, cfg, time.Now())
			if err != nil {
				return err
			}
			if format == "json" {
				enc := json.NewEncoder(a.stdout)
				enc.SetEscapeHTML(false)
				for _, x := range st {
					if err := enc.Encode(sourceJSON(x)); err != nil {
						return err
					}
				}
			} else {
				printSources(a, st)
			}
			var stale []string
			for _, x := range st {
				if x.Stale && !x.Disabled && x.Kind != "(not configured)" {
					stale = append(stale, x.Source)
				}
			}
			if check && len(stale) > 0 {
				return errors.New("stale source(s): " + strings.Join(stale, ", ") + "\nhint: run creditsync sync and read its errors; creditsync sources shows each source's last error")
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&configFile, "config", syncConfigPath(), "configuration file (env CREDITSYNC_CONFIG)")
	cmd.Flags().StringVar(&format, "format", "table", "output format: table or json")
	cmd.Flags().BoolVar(&check, "check", false, "exit 1 when an enabled source is stale")
	return cmd
}

func printSources(a *app, st []srcsync.Status) {
	table := [][]string{{"source", "list", "kind", "last run", "status", "last success", "age", "stale", "snapshot", "listed", "dropped", "note"}}
	for _, x := range st {
		stale := ""
		if x.Stale {
			stale = "STALE"
		}
		age := ""
		if x.LastSuccess != nil {
			age = ago(x.Age)
		}
		var note []string
		if x.Disabled {
			note = append(note, "disabled")
		}
		if x.PendingRemovals > 0 {
			note = append(note, fmt.Sprintf("%d removal(s) pending a second snapshot", x.PendingRemovals))
		}
		if x.HeldRemovals > 0 {
			note = append(note, fmt.Sprintf("%d removal(s) held for review: creditsync review removals", x.HeldRemovals))
		}
		if x.OpenPages > 0 {
			note = append(note, fmt.Sprintf("resumes after %d page(s), %d records fetched", x.OpenPages, x.OpenRecords))
		}
		if x.LastStatus != srcsync.StatusOK && x.LastError != "" {
			first, _, _ := strings.Cut(x.LastError, "\n")
			if len([]rune(first)) > 100 {
				first = string([]rune(first)[:100]) + "…"
			}
			note = append(note, first)
		}
		table = append(table, []string{x.Source, x.List, x.Kind, timeText(x.LastRun), x.LastStatus, timeText(x.LastSuccess), age, stale,
			strconv.FormatUint(x.SnapshotRows, 10), strconv.FormatUint(x.Listed, 10), strconv.FormatUint(x.Removed, 10), strings.Join(note, "; ")})
	}
	printTable(a.stdout, table)
}

func timeText(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return t.Local().Format("2006-01-02 15:04")
}

func sourceJSON(x srcsync.Status) map[string]any {
	m := map[string]any{
		"source": x.Source, "list": x.List, "kind": x.Kind, "mode": x.Mode, "disabled": x.Disabled,
		"last_status": x.LastStatus, "last_error": x.LastError, "stale": x.Stale, "max_staleness_seconds": int64(x.MaxStaleness.Seconds()),
		"snapshot_rows": x.SnapshotRows, "listed": x.Listed, "removed": x.Removed, "open_snapshot_pages": x.OpenPages,
		"pending_removals": x.PendingRemovals, "held_removals": x.HeldRemovals,
		"last_run": nil, "last_success": nil, "age_seconds": nil,
	}
	if x.LastRun != nil {
		m["last_run"] = x.LastRun.UTC().Format(time.RFC3339)
	}
	if x.LastSuccess != nil {
		m["last_success"] = x.LastSuccess.UTC().Format(time.RFC3339)
		m["age_seconds"] = int64(x.Age.Seconds())
	}
	return m
}
