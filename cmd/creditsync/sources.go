package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/ingest/listsync"
	"github.com/xuchang-hrss/creditsync/zone"
)

func (a *app) sourcesCmd() *cobra.Command {
	var configFile string
	var out outputFlags
	var check bool
	cmd := &cobra.Command{
		Use:   "sources",
		Short: "Show each external source with its last success, staleness and record counts",
		Long: `sources lists the sources configured for sync with what the store
remembers of them: the last run and its status, the last success and how
long ago it was, whether the source is stale (never synced, or older than
max_staleness), the records of its last complete snapshot, the records it
lists now and has dropped, an interrupted snapshot the next sync will
resume, the checks its configuration switches off with their reasons
(skip_checks), and the pages of its last run whose charset label was
wrong.

With --check the command exits 1 when an enabled source is stale, for
monitoring.`,
		Example: "  creditsync sources\n  creditsync sources --check --format json",
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := out.get()
			if err != nil {
				return err
			}
			cfg, err := loadSyncConfig(configFile)
			if err != nil {
				return err
			}
			a.warnSecretFiles(cfg)
			ctx := cmd.Context()
			s, err := a.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			st, err := listsync.Sources(ctx, s, cfg, time.Now())
			if err != nil {
				return err
			}
			if format == "table" {
				printSources(a, st)
			} else if err := writeSources(a, st, format); err != nil {
				return err
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
	out.register(cmd, false)
	cmd.Flags().BoolVar(&check, "check", false, "exit 1 when an enabled source is stale")
	return cmd
}

func printSources(a *app, st []listsync.Status) {
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
		if x.HeldChanges > 0 {
			note = append(note, fmt.Sprintf("%d change(s) held for review: creditsync review removals", x.HeldChanges))
		}
		if n := len(x.SkippedChecks); n > 0 {
			note = append(note, fmt.Sprintf("%d check(s) off, see below", n))
		}
		if n := len(x.LastMislabelled); n > 0 {
			note = append(note, fmt.Sprintf("last run: %d page(s) with a wrong charset label, see below", n))
		}
		if x.OpenPages > 0 {
			note = append(note, fmt.Sprintf("resumes after %d page(s), %d records fetched", x.OpenPages, x.OpenRecords))
		}
		if x.LastStatus != listsync.StatusOK && x.LastError != "" {
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
	// In full under the table: a reason is what a person needs to read,
	// and the table cuts its notes short.
	for _, x := range st {
		for _, c := range x.SkippedChecks {
			fmt.Fprintf(a.stdout, "%s: check off: %s\n", x.Source, c)
		}
		for _, m := range x.LastMislabelled {
			fmt.Fprintf(a.stdout, "%s: last run: wrong charset label, read in the charset of its bytes: %s\n", x.Source, m)
		}
	}
}

func timeText(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return zone.Clock(*t)
}

// writeSources prints the sources as records (csv, json), every field
// whole, times in UTC.
func writeSources(a *app, st []listsync.Status, format string) error {
	rw, err := newRecordWriter(a.stdout, format, "source", "list", "kind", "mode", "disabled", "last_run", "last_status", "last_error",
		"last_success", "age_seconds", "stale", "max_staleness_seconds", "snapshot_rows", "listed", "removed", "open_snapshot_pages", "pending_removals", "held_removals",
		"held_changes", "skipped_checks", "last_mislabelled")
	if err != nil {
		return err
	}
	for _, x := range st {
		var lastRun, lastSuccess, age any
		if x.LastRun != nil {
			lastRun = x.LastRun.UTC()
		}
		if x.LastSuccess != nil {
			lastSuccess, age = x.LastSuccess.UTC(), int64(x.Age.Seconds())
		}
		if err := rw.Write(x.Source, x.List, x.Kind, x.Mode, x.Disabled, lastRun, x.LastStatus, x.LastError,
			lastSuccess, age, x.Stale, int64(x.MaxStaleness.Seconds()), x.SnapshotRows, x.Listed, x.Removed, x.OpenPages, x.PendingRemovals, x.HeldRemovals,
			x.HeldChanges, strings.Join(x.SkippedChecks, "\n"), strings.Join(x.LastMislabelled, "\n")); err != nil {
			return err
		}
	}
	return rw.Close()
}
