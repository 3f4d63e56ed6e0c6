package workflows

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/ingest/listsync"
	"github.com/xuchang-hrss/creditsync/jobs"
	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
)

// Nightly is the nightly pipeline (issue: `run nightly`):
// sync → match → regrade → confirm → expire → reports. Steps commit their
// own writes at their end, so an interrupted run leaves whole steps
// behind, never half of one, and running it twice on one day changes
// nothing the second time (the regrade finds nothing worse, confirm and
// expire find nothing due).
func (d Deps) Nightly(s store.Store) []jobs.Step {
	if d.Now == nil {
		d.Now = time.Now
	}
	today := grade.Today(d.Now())
	if !d.On.IsZero() {
		today = grade.Date(d.On)
	}
	var stale []string // sources behind but within their allowed staleness, with their lists and ages
	var rulesErr error
	d.Rules, rulesErr = d.rules()
	return []jobs.Step{
		{Name: "sync", Required: true, Run: func(ctx context.Context) (jobs.Outcome, error) {
			cfg, configured, err := d.SyncConfig()
			if err != nil {
				return jobs.Outcome{}, err
			}
			if !configured {
				if !cfg.Settings.NoSources {
					// Grading without the external lists would lift every
					// institution they list: that needs saying on purpose.
					return jobs.Outcome{}, errors.New("no external sources are configured, so the abnormal-operations, dishonest, penalty and evaluation lists would not be current\n" +
						"hint: list the sources in creditsync.toml (see creditsync.example.toml; name the file with --config or CREDITSYNC_CONFIG), or set [sync] no_sources = true if this deployment has none")
				}
				return jobs.Outcome{Summary: "no external sources ([sync] no_sources = true); only imported files are graded"}, nil
			}
			out, staleNow, err := d.syncAll(ctx, s, cfg, d.Now())
			stale = staleNow
			return out, err
		}},
		{Name: "match", Required: false, Run: func(ctx context.Context) (jobs.Outcome, error) {
			items, err := listsync.Review(ctx, s, "")
			if err != nil {
				return jobs.Outcome{}, err
			}
			out := jobs.Outcome{Counts: map[string]int64{"waiting_review": int64(len(items))}}
			if len(items) > 0 {
				out.Summary = fmt.Sprintf("%d external records match no institution or several by name; they are not graded until resolved (creditsync review)", len(items))
			}
			return out, nil
		}},
		{Name: "regrade", Required: true, Run: func(ctx context.Context) (jobs.Outcome, error) {
			if rulesErr != nil {
				return jobs.Outcome{}, rulesErr
			}
			res, err := lifecycle.Regrade(ctx, s, d.Rules, today)
			if err != nil {
				return jobs.Outcome{}, err
			}
			return regradeOutcome(res, stale, today), nil
		}},
		{Name: "confirm", Required: true, Run: func(ctx context.Context) (jobs.Outcome, error) {
			entries, err := lifecycle.Confirm(ctx, s, d.Rules, today)
			if err != nil {
				return jobs.Outcome{}, err
			}
			return jobs.Outcome{Counts: map[string]int64{"confirmed": int64(len(entries))},
				Summary: countOf(len(entries), "grade") + " confirmed: publicity ended without objection"}, nil
		}},
		{Name: "expire", Required: true, Run: func(ctx context.Context) (jobs.Outcome, error) {
			entries, err := lifecycle.Expire(ctx, s, today)
			if err != nil {
				return jobs.Outcome{}, err
			}
			return jobs.Outcome{Counts: map[string]int64{"expired": int64(len(entries))},
				Summary: countOf(len(entries), "grade") + " expired (past valid_until without a new evaluation)"}, nil
		}},
		{Name: "reports", Required: false, Run: func(ctx context.Context) (jobs.Outcome, error) {
			dir := d.Reports
			if dir == "" {
				dir = d.reportsDir(today)
			}
			paths, err := d.writeDailyReports(ctx, s, d.Rules, dir, today, d.Now())
			return jobs.Outcome{Counts: map[string]int64{"files": int64(len(paths))}, Summary: strings.Join(paths, "\n")}, err
		}},
	}
}

func countOf(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// SyncConfig returns the sources to sync and whether any are configured.
// A missing default creditsync.toml means none are; a named one must
// exist.
func (d Deps) SyncConfig() (listsync.Config, bool, error) {
	if d.Sync != nil {
		return *d.Sync, len(d.Sync.Sources) > 0, nil
	}
	path, explicit := d.ConfigFile, d.ConfigNamed
	cfg, err := listsync.LoadConfig(path)
	if err != nil {
		if !explicit && errors.Is(err, fs.ErrNotExist) {
			return cfg, false, nil
		}
		if _, statErr := os.Stat(path); !explicit && errors.Is(statErr, fs.ErrNotExist) {
			return cfg, false, nil
		}
		return cfg, false, err
	}
	return cfg, len(cfg.Sources) > 0, nil
}

// syncAll syncs every source. A failing source leaves its previous data
// in place and is reported stale; the step is then degraded (the run goes
// on, grading on the last good data, and ends degraded, or failed when the
// source is required). The step fails — and grading does not run — when a
// source is staler than its allowed maximum.
func (d Deps) syncAll(ctx context.Context, s store.Store, cfg listsync.Config, now time.Time) (jobs.Outcome, []string, error) {
	results, syncErr := listsync.Run(ctx, s, cfg, listsync.Options{Logger: d.Log, Now: func() time.Time { return now }})
	out := jobs.Outcome{Counts: map[string]int64{}, Detail: results}
	var lines []string
	for _, r := range results {
		d.Metrics.SourceSynced(r.Source, r.Err == nil, now, r.Rows, r.Rejected)
		out.Counts["rows"] += int64(r.Rows)
		out.Counts["added"] += int64(r.Added)
		out.Counts["modified"] += int64(r.Modified)
		out.Counts["removed"] += int64(r.Removed)
		out.Counts["unpublished"] += int64(r.Unpublished)
		out.Counts["rejected"] += int64(r.Rejected)
		out.Counts["held_changes"] += int64(r.HeldChanges)
		out.Counts["listed_elsewhere"] += int64(r.ListedElsewhere)
		line := fmt.Sprintf("%s (%s): %s, %d rows, +%d ~%d -%d, %d rejected", r.Source, r.List, r.Status, r.Rows, r.Added, r.Modified, r.Removed, r.Rejected)
		if len(r.Rejects) > 0 {
			// Where to look, as sync prints it: the page and the record
			// on it, the field and why.
			var first []string
			for _, rj := range r.Rejects[:min(len(r.Rejects), 3)] {
				first = append(first, rj.String())
			}
			line += " (" + strings.Join(first, "; ")
			if r.Rejected > len(first) {
				line += fmt.Sprintf("; %d more", r.Rejected-len(first))
			}
			line += ")"
		}
		if r.HeldChanges > 0 {
			// Not applied: the lists keep the stored version, and a
			// person decides (creditsync review removals).
			line += fmt.Sprintf(", %d change(s) held for a person", r.HeldChanges)
		}
		if r.ListedElsewhere > 0 {
			// Not loaded: another source still lists them in force.
			line += fmt.Sprintf(", %d kept as another source lists them", r.ListedElsewhere)
		}
		if r.Err != nil {
			out.Counts["failed_sources"]++
			first, _, _ := strings.Cut(r.Err.Error(), "\n")
			line += ": " + first
		}
		lines = append(lines, line)
	}
	if errors.Is(syncErr, context.Canceled) {
		return out, nil, syncErr
	}
	statuses, err := listsync.Sources(ctx, s, cfg, now)
	if err != nil {
		return out, nil, err
	}
	var stale, tooStale []string
	for _, st := range statuses {
		if st.Disabled || !st.Stale {
			continue
		}
		age := "never synced"
		if st.LastSuccess != nil {
			age = "last success " + st.Age.Round(time.Minute).String() + " ago"
		}
		desc := fmt.Sprintf("%s (%s, max %s)", st.Source, age, st.MaxStaleness)
		tooStale = append(tooStale, desc)
	}
	required := map[string]bool{}
	for _, src := range cfg.Sources {
		required[src.Name] = src.Required
	}
	var failed []string
	anyRequired := false
	for _, r := range results {
		if r.Err == nil {
			continue
		}
		first, _, _ := strings.Cut(r.Err.Error(), "\n")
		failed = append(failed, first)
		anyRequired = anyRequired || required[r.Source]
		if !containsPrefix(tooStale, r.Source+" ") {
			stale = append(stale, fmt.Sprintf("%s (%s list, %s)", r.Source, r.List, listsync.DataAge(r.LastSuccess, now)))
		}
	}
	sort.Strings(stale)
	out.Counts["stale_sources"] = int64(len(stale) + len(tooStale))
	out.Summary = strings.Join(lines, "\n")
	if len(tooStale) > 0 {
		return out, stale, fmt.Errorf("sources staler than allowed, grading would use data that cannot be trusted: %s; fix the sources (creditsync sources) or raise max_staleness", strings.Join(tooStale, "; "))
	}
	if len(failed) > 0 {
		// The run goes on with the last good data, but it is not ok: the
		// failure must reach the job's status, exit code and alerts.
		return out, stale, &jobs.DegradedError{Required: anyRequired,
			Err: fmt.Errorf("%s failed; their last good data is used: %s", countOf(len(failed), "source"), strings.Join(failed, "; "))}
	}
	return out, stale, nil
}

func containsPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

func regradeOutcome(res lifecycle.RegradeResult, stale []string, today time.Time) jobs.Outcome {
	out := jobs.Outcome{
		Counts: map[string]int64{"downgrades": int64(len(res.Downgrades)), "upgrade_eligible": int64(len(res.Eligible)), "unchanged": int64(res.Unchanged)},
		Detail: res,
	}
	var b strings.Builder
	fmt.Fprintf(&b, "graded at %s: %d lowered, %d may apply for an upgrade, %d unchanged\n", transform.FormatDate(today), len(res.Downgrades), len(res.Eligible), res.Unchanged)
	if len(stale) > 0 {
		fmt.Fprintf(&b, "stale sources (their last good data was used): %s\n", strings.Join(stale, "; "))
	}
	for _, c := range res.Downgrades {
		fmt.Fprintf(&b, "lowered %s → %s: %s %s [%s]\n", c.From, c.To, c.USCC, c.Name, strings.Join(grade.Result{Clauses: c.Clauses}.ClauseIDs(), ";"))
		for _, cl := range c.Clauses {
			for _, e := range cl.Evidence {
				fmt.Fprintf(&b, "    %s %s: %s %s %s\n", cl.ID, cl.Text, e.Kind, e.ID, e.Detail)
			}
		}
	}
	for _, c := range res.Eligible {
		fmt.Fprintf(&b, "eligible to apply for an upgrade %s → %s: %s %s\n", c.From, c.To, c.USCC, c.Name)
	}
	out.Summary = b.String()
	return out
}
