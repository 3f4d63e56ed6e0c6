package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/ingest/listsync"
	"github.com/xuchang-hrss/creditsync/jobs"
	"github.com/xuchang-hrss/creditsync/zone"
)

func (a *app) reviewCmd() *cobra.Command {
	var list string
	var out outputFlags
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
			format, err := out.get()
			if err != nil {
				return err
			}
			if list != "" {
				l, err := contract.Lookup(list)
				if err != nil || !l.External {
					return usageError{fmt.Errorf("--list %q: want %s", list, contract.OneOf(contract.ExternalNames()))}
				}
				list = l.Name
			}
			ctx := cmd.Context()
			s, err := a.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			items, err := listsync.Review(ctx, s, list)
			if err != nil {
				return err
			}
			if err := printReview(a, items, format); err != nil {
				return err
			}
			if format != "table" {
				return nil
			}
			// Removals waiting are the other thing a person reviews.
			waiting, err := listsync.Removals(ctx, s, "")
			if err != nil {
				return err
			}
			held := 0
			for _, rm := range waiting {
				if rm.Held {
					held++
				}
			}
			if len(waiting) > 0 {
				fmt.Fprintf(a.stdout, "%d removal(s) waiting (%d held for a person): creditsync review removals\n", len(waiting), held)
			}
			changes, err := listsync.HeldChanges(ctx, s, "")
			if err != nil {
				return err
			}
			if len(changes) > 0 {
				fmt.Fprintf(a.stdout, "%d change(s) held for a person: creditsync review removals\n", len(changes))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&list, "list", "", "only this list")
	out.register(cmd, false)
	cmd.AddCommand(a.reviewRemovalsCmd())
	return cmd
}

func (a *app) reviewRemovalsCmd() *cobra.Command {
	var source, accept, configFile string
	cmd := &cobra.Command{
		Use:   "removals [--source NAME] [--accept SOURCE]",
		Short: "List removals and changes waiting for a second snapshot or for a person; accept held ones",
		Long: `A record that a complete snapshot of its source no longer lists is not
removed at once: it is a pending removal, which changes no grade, until a
second complete snapshot lacks it too. Then it is removed, dated by the
first. When one sync would confirm more removals than the source's
max_removals or max_removal_share allow, they are held here for a person:
check on the source's site that the records really left the list, then
accept them with --accept SOURCE.

A change a source shows that would take a record from the registered
institution it names (a penalty whose USCC the site stops showing, under a
name the register cannot place) is held here too: the lists keep the
stored version, so the grade stands, until a person checks the site and
accepts it with --accept SOURCE, which writes the source's held removals
and loads its held changes. A source that shows the stored version again
withdraws its held change.`,
		Example: "  creditsync review removals\n  creditsync review removals --accept publicity-abnormal",
		Args:    exactArgs(0, "no arguments; name the source with --source or --accept"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			var cfg listsync.Config
			if accept != "" {
				var err error
				if cfg, err = loadSyncConfig(configFile); err != nil {
					return err
				}
				if _, err := cfg.Enabled([]string{accept}); err != nil {
					return usageError{err}
				}
			}
			s, err := a.open(ctx)
			if err != nil {
				return err
			}
			defer s.Close()
			if accept != "" {
				lock, err := jobs.Acquire(a.lockDir(), "review removals --accept")
				if err != nil {
					return err
				}
				defer lock.Release()
				fenced, release, err := a.deps().WithJobsLease(ctx, s, "review removals --accept")
				if err != nil {
					return err
				}
				defer release()
				n, err := listsync.AcceptRemovals(ctx, fenced, cfg, accept, listsync.Options{Logger: a.log})
				if err != nil {
					return err
				}
				changed, err := listsync.AcceptChanges(ctx, fenced, cfg, accept, listsync.Options{Logger: a.log})
				if err != nil {
					return err
				}
				if n == 0 && changed == 0 {
					fmt.Fprintf(a.stdout, "%s has no held removals or changes\n", accept)
					return nil
				}
				if changed > 0 {
					fmt.Fprintf(a.stdout, "%s: %d held change(s) accepted and loaded\n", accept, changed)
				}
				if n == 0 {
					return nil
				}
				srcs, _ := cfg.Enabled([]string{accept})
				if l, err := contract.Lookup(srcs[0].List); err == nil {
					if _, dated := l.Column("removed_on"); !dated {
						fmt.Fprintf(a.stdout, "%s: %d held removal(s) accepted: recorded as no longer published, kept: %s\n", accept, n, listsync.KeptWhy(l))
						return nil
					}
				}
				fmt.Fprintf(a.stdout, "%s: %d held removal(s) accepted and written\n", accept, n)
				return nil
			}
			waiting, err := listsync.Removals(ctx, s, source)
			if err != nil {
				return err
			}
			changes, err := listsync.HeldChanges(ctx, s, source)
			if err != nil {
				return err
			}
			if len(changes) > 0 {
				table := [][]string{{"source", "list", "record", "uscc", "name", "shown as uscc", "shown as name", "held since"}}
				for _, c := range changes {
					table = append(table, []string{c.Source, c.List, listsync.KeyText(c.RecordKey), c.USCC, c.Name, c.ShownUSCC, c.ShownName, zone.Clock(c.Since)})
				}
				printTable(a.stdout, table)
				// Why in full: the reason is what a person checks.
				for _, c := range changes {
					fmt.Fprintf(a.stdout, "%s %s: %s\n", c.Source, listsync.KeyText(c.RecordKey), c.Why)
				}
				n := countBySource(changes)
				for _, src := range slices.Sorted(maps.Keys(n)) {
					fmt.Fprintf(a.stdout, "%s: %d change(s) held; the lists keep the stored version; after checking the source: creditsync review removals --accept %s\n", src, n[src], src)
				}
			}
			if len(waiting) == 0 {
				fmt.Fprintln(a.stdout, "no removals waiting")
				return nil
			}
			table := [][]string{{"source", "list", "record", "uscc", "name", "missing since", "state", "last seen"}}
			held := map[string]int{}
			for _, rm := range waiting {
				state := "pending: a second snapshot confirms it"
				if rm.Held {
					state = "held: accept with --accept " + rm.Source
					held[rm.Source]++
				}
				table = append(table, []string{rm.Source, rm.List, listsync.KeyText(rm.RecordKey), rm.USCC, rm.Name, rm.MissedOn.Format(time.DateOnly), state, zone.Clock(rm.LastSeen)})
			}
			printTable(a.stdout, table)
			for src, n := range held {
				fmt.Fprintf(a.stdout, "%s: %d removal(s) held; after checking the source: creditsync review removals --accept %s\n", src, n, src)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&source, "source", "", "only this source")
	cmd.Flags().StringVar(&accept, "accept", "", "write the held removals and load the held changes of this source")
	cmd.Flags().StringVar(&configFile, "config", syncConfigPath(), "configuration file (env CREDITSYNC_CONFIG)")
	return cmd
}

func printReview(a *app, items []listsync.ReviewItem, format string) error {
	header := []string{"list", "source", "name", "record", "matches", "candidates", "queued"}
	row := func(it listsync.ReviewItem) []string {
		matches := "none"
		if len(it.Candidates) > 1 {
			matches = fmt.Sprintf("%d institutions", len(it.Candidates))
		}
		return []string{it.List, it.Source, it.Name, listsync.KeyText(it.RecordKey), matches,
			strings.Join(it.Candidates, " "), zone.Clock(it.QueuedAt)}
	}
	if format != "table" {
		rw, err := newRecordWriter(a.stdout, format, header...)
		if err != nil {
			return err
		}
		for _, it := range items {
			r := row(it)
			vals := make([]any, len(r))
			for i, v := range r {
				vals[i] = v
			}
			vals[5] = it.Candidates // an array in JSON
			if err := rw.Write(vals...); err != nil {
				return err
			}
		}
		return rw.Close()
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

// countBySource counts held changes per source.
func countBySource(changes []listsync.HeldChange) map[string]int {
	n := map[string]int{}
	for _, c := range changes {
		n[c.Source]++
	}
	return n
}
