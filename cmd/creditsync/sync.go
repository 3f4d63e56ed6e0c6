package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/ingest/fetch"
	"github.com/xuchang-hrss/creditsync/ingest/listsync"
	"github.com/xuchang-hrss/creditsync/jobs"
	"github.com/xuchang-hrss/creditsync/transform"
)

// syncConfigPath is the configuration file sync, sources and review read
// unless --config names another.
func syncConfigPath() string { return envOr("CREDITSYNC_CONFIG", "creditsync.toml") }

func (a *app) syncCmd() *cobra.Command {
	var opt listsync.Options
	var configFile, allowFile, replay string
	var configHelp bool
	cmd := &cobra.Command{
		Use:   "sync [--source NAME]... [--full] [--config FILE]",
		Short: "Fetch the external credit lists from their sources",
		Long: `sync fetches the external lists (penalties, abnormal operations, dishonest
entities, public credit evaluations) from the sources configured in
creditsync.toml: JSON APIs, list pages of websites, or files dropped by the
credit information sharing platform. See creditsync.example.toml.

Each source is fetched page by page; the pages are kept (raw_pages) and the
lists are written only when the whole listing has been fetched and passes
the source's row-count assertions (min_rows, max_rows, max_shrink) and
proves itself complete: the pages do not overlap, none is empty before the
last, every page has the columns of the last complete snapshot and no empty
key, and the count the source claims (API total, 共N条) equals the distinct
records fetched. A record missing from a complete snapshot is then a
pending removal, which changes nothing; a second complete snapshot that
lacks it too removes it (removed_on = the day of the first), unless the
source's max_removals/max_removal_share hold it for 'creditsync review
removals'. New end dates (removed_on, publicity_ended_on) that end records
count towards the same limits, and a change that takes a record from the
registered institution it names is held there too. First/last seen dates
are kept per record, and records without a USCC whose name matches no
institution or several are queued for 'creditsync review'. See
docs/sync.md.

A source that fails — an anti-bot challenge or CAPTCHA, a changed layout,
a listing that breaks off, too many errors — changes nothing: its previous
data stands, the error says how stale it is, and the next sync resumes
after the last page stored (--full starts over).

Exit status: 0 when every source synced, 3 when records were rejected
(listed, the good ones loaded), 1 when a source failed.`,
		Example: `  creditsync sync
  creditsync sync --source publicity-penalties --source creditchina-dishonest
  creditsync sync --full --config /etc/creditsync/creditsync.toml
  creditsync sync --config-help
  creditsync sync --replay 20261201T010000Z-1a2b3c4d`,
		Args: exactArgs(0, "no arguments; name sources with --source"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if configHelp {
				fmt.Fprint(a.stdout, listsync.Reference())
				return nil
			}
			cfg, err := loadSyncConfig(configFile)
			if err != nil {
				return err
			}
			if _, err := cfg.Enabled(opt.Sources); err != nil {
				return usageError{err}
			}
			if replay != "" {
				return a.replay(cmd.Context(), cfg, replay)
			}
			if allowFile != "" {
				f, err := os.Open(allowFile)
				if err != nil {
					return fmt.Errorf("USCC allow-list: %w", err)
				}
				opt.AllowList, err = transform.LoadUSCCAllowList(f)
				f.Close()
				if err != nil {
					return fmt.Errorf("USCC allow-list %s: %w", allowFile, err)
				}
			}
			ctx := cmd.Context()
			// The run lock keeps a manual sync from overlapping the
			// scheduler's (or another manual one) on a shared server.
			lock, err := jobs.Acquire(a.lockDir(), "sync")
			if err != nil {
				return err
			}
			defer lock.Release()
			s, err := a.openWriting(ctx, "sync")
			if err != nil {
				return err
			}
			defer s.Close()
			opt.Logger = a.log
			var endProgress func()
			opt.Progress, endProgress = a.syncProgress()
			results, err := listsync.Run(ctx, s, cfg, opt)
			endProgress()
			printSyncResults(a, results)
			if err != nil {
				return err
			}
			var rejected int
			var batches []string
			for _, r := range results {
				rejected += r.Rejected
				if r.Rejected > 0 {
					batches = append(batches, r.Batches...)
				}
			}
			if rejected > 0 {
				return rejectedError{fmt.Errorf("%d record(s) rejected, listed above; the valid ones are loaded (each with its page's address and its place there: SELECT * FROM import_rejects WHERE batch_id IN ('%s'))",
					rejected, strings.Join(batches, "', '"))}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&opt.Sources, "source", nil, "sync only this source (repeatable); a disabled source runs when named")
	f.BoolVar(&opt.Full, "full", false, "discard interrupted snapshots and fetch every source from its first page")
	f.BoolVar(&opt.AcceptShrink, "accept-shrink", false, "accept a snapshot that shrank more than max_shrink (a list that really got shorter)")
	f.StringVar(&configFile, "config", syncConfigPath(), "configuration file (env CREDITSYNC_CONFIG)")
	f.StringVar(&allowFile, "uscc-allow", os.Getenv("CREDITSYNC_USCC_ALLOWLIST"), "file of legacy USCCs accepted despite a failing check character (env CREDITSYNC_USCC_ALLOWLIST)")
	f.BoolVar(&configHelp, "config-help", false, "print every configuration key with its default, and the presets")
	f.StringVar(&replay, "replay", "", "re-read the archived pages of sync run RUN through today's configuration, without the network, and say what they hold; writes nothing")
	return cmd
}

// replay prints what a past run's archived pages hold under today's
// configuration.
func (a *app) replay(ctx context.Context, cfg listsync.Config, runID string) error {
	s, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := listsync.Replay(ctx, s, cfg, runID)
	if err != nil {
		return err
	}
	claimed := "-"
	if res.Claimed >= 0 {
		claimed = strconv.Itoa(res.Claimed)
	}
	verdict := "a complete snapshot"
	if res.Err != nil {
		verdict = "not a complete snapshot: " + failure(res.Err)
	}
	printTable(a.stdout, [][]string{
		{"run", "source", "pages", "records", "claimed", "rejected", "new or changed now", "listed now but missing", "verdict"},
		{res.RunID, res.Source, strconv.Itoa(res.Pages), strconv.Itoa(res.Rows), claimed, strconv.Itoa(res.Rejected),
			strconv.Itoa(res.Added + res.Modified), strconv.Itoa(res.Missing), verdict},
	})
	if res.Err != nil {
		fmt.Fprintln(a.stdout, res.Err)
	}
	return nil
}

// syncProgress shows the page being fetched on a terminal, one line per
// source; elsewhere (cron, pipes) the log says when each source is done.
// end finishes the last line.
func (a *app) syncProgress() (progress func(listsync.Progress), end func()) {
	if !isTerminal(a.stderr) {
		return func(p listsync.Progress) {
			a.log.Debug("page fetched", "source", p.Source, "page", p.Page, "records", p.Records)
		}, func() {}
	}
	last := ""
	return func(p listsync.Progress) {
			if last != "" && last != p.Source {
				fmt.Fprintln(a.stderr)
			}
			last = p.Source
			fmt.Fprintf(a.stderr, "\r%s: page %d, %d records\033[K", p.Source, p.Page, p.Records)
		}, func() {
			if last != "" {
				fmt.Fprintln(a.stderr)
			}
		}
}

// removalsNote is the table's note for a snapshot that removed nothing:
// its reason's first words (the whole reason is printed below the
// table) — rejected records, no stated count, a capped one.
func removalsNote(reason string) string {
	for _, sep := range []string{";", " (", ","} {
		if i := strings.Index(reason, sep); i > 0 {
			reason = reason[:i]
		}
	}
	return "removals skipped: " + strings.TrimSpace(reason)
}

func printSyncResults(a *app, results []listsync.Result) {
	if len(results) == 0 {
		fmt.Fprintln(a.stdout, "no source to sync (all disabled?); see creditsync sources")
		return
	}
	table := [][]string{{"source", "list", "status", "pages", "records", "added", "modified", "removed", "rejected", "review", "note"}}
	for _, r := range results {
		note := ""
		switch {
		case r.Err != nil:
			note = failure(r.Err)
		case r.RemovalsSkipped != "":
			note = removalsNote(r.RemovalsSkipped)
		case r.HeldChanges > 0:
			note = fmt.Sprintf("%d change(s) held for review", r.HeldChanges)
		case r.ListedElsewhere > 0:
			note = fmt.Sprintf("%d kept: another source lists them", r.ListedElsewhere)
		case r.HeldRemovals > 0:
			note = fmt.Sprintf("%d removal(s) held for review", r.HeldRemovals)
		case r.PendingRemovals > 0:
			note = fmt.Sprintf("%d removal(s) pending a second snapshot", r.PendingRemovals)
		case r.Unpublished > 0:
			note = fmt.Sprintf("%d no longer published, kept", r.Unpublished)
		case r.Resumed > 0:
			note = fmt.Sprintf("resumed after page %d", r.Resumed)
		}
		if r.Err != nil && r.Stale {
			note += "; STALE"
		}
		records := "-"
		if r.Complete {
			records = strconv.Itoa(r.Rows)
		}
		table = append(table, []string{r.Source, r.List, r.Status, strconv.Itoa(r.Pages), records, strconv.Itoa(r.Added), strconv.Itoa(r.Modified),
			strconv.Itoa(r.Removed), strconv.Itoa(r.Rejected), strconv.Itoa(r.Queued), note})
	}
	printTable(a.stdout, table)
	for _, r := range results {
		if len(r.Unused) > 0 {
			fmt.Fprintf(a.stdout, "%s publishes fields the mapping does not use: %s\n", r.Source, strings.Join(r.Unused, ", "))
		}
		for i, rj := range r.Rejects {
			if i == maxRejectLines {
				fmt.Fprintf(a.stdout, "  … %d more: SELECT * FROM import_rejects WHERE batch_id IN ('%s')\n", r.Rejected-i, strings.Join(r.Batches, "', '"))
				break
			}
			fmt.Fprintf(a.stdout, "  %s %s\n", r.Source, rj)
		}
		for _, c := range r.SkippedChecks {
			fmt.Fprintf(a.stdout, "%s: check switched off by the configuration: %s\n", r.Source, c)
		}
		for _, m := range r.Mislabelled {
			fmt.Fprintf(a.stdout, "%s: wrong charset label, read in the charset of its bytes: %s\n", r.Source, m)
		}
		if r.Unpublished > 0 {
			if l, err := contract.Lookup(r.List); err == nil {
				fmt.Fprintf(a.stdout, "%s: %d record(s) no longer published, kept: %s\n", r.Source, r.Unpublished, listsync.KeptWhy(l))
			}
		}
		for _, m := range r.Repeated {
			fmt.Fprintf(a.stdout, "%s: listed twice: %s\n", r.Source, m)
		}
		for _, m := range r.Misread {
			fmt.Fprintf(a.stdout, "%s: changed only by text read in the wrong charset (loaded; check the site): %s\n", r.Source, m)
		}
		if r.RemovalsSkipped != "" {
			fmt.Fprintf(a.stdout, "%s: removals skipped: %s\n", r.Source, r.RemovalsSkipped)
		}
		if r.RemovalsHeld != "" {
			fmt.Fprintf(a.stdout, "%s: removals held: %s; check them with 'creditsync review removals' and accept with 'creditsync review removals --accept %s'\n", r.Source, r.RemovalsHeld, r.Source)
		}
		if r.ChangesHeld != "" {
			fmt.Fprintf(a.stdout, "%s: changes held: %s; check them with 'creditsync review removals' and accept with 'creditsync review removals --accept %s'\n", r.Source, r.ChangesHeld, r.Source)
		}
		if r.ElsewhereWhy != "" {
			fmt.Fprintf(a.stdout, "%s: kept as another source lists them: %s\n", r.Source, r.ElsewhereWhy)
		}
		if r.Queued > 0 {
			fmt.Fprintf(a.stdout, "%s: %d record(s) without a USCC queued for review: creditsync review\n", r.Source, r.Queued)
		}
	}
}

// failure names what went wrong in a word or two, for the table; the
// full error with its hint follows the table.
func failure(err error) string {
	for _, c := range []struct {
		err  error
		what string
	}{
		{fetch.ErrChallenge, "blocked: challenge/CAPTCHA"},
		{fetch.ErrAuth, "credentials refused"},
		{fetch.ErrBlocked, "refused by the site (403)"},
		{fetch.ErrSecret, "credential missing"},
		{fetch.ErrRedirect, "sent to another host"},
		{listsync.ErrNotAsConfigured, "not as configured"},
		{fetch.ErrLayout, "layout changed"},
		{fetch.ErrIncomplete, "listing broke off"},
		{fetch.ErrCharset, "wrong charset or corrupt text"},
		{listsync.ErrMojibake, "read in the wrong charset"},
		{fetch.ErrPageCap, "page cap reached"},
		{listsync.ErrAssertion, "row-count assertion"},
		{listsync.ErrNotProven, "listing not proven complete"},
		{listsync.ErrKeyConflict, "two records, one key"},
		{fetch.ErrMalformed, "malformed answer"},
		{fetch.ErrTransport, "no answer"},
		{fetch.ErrStatus, "HTTP errors"},
	} {
		if errors.Is(err, c.err) {
			return c.what
		}
	}
	return "failed"
}

// ago writes a duration for people: 3d, 5h, 12m.
func ago(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return strconv.Itoa(int(d.Hours()/24)) + "d"
	case d >= time.Hour:
		return strconv.Itoa(int(d.Hours())) + "h"
	case d >= time.Minute:
		return strconv.Itoa(int(d.Minutes())) + "m"
	}
	return strconv.Itoa(int(d.Seconds())) + "s"
}
