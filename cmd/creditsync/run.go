package main

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/jobs"
	"github.com/xuchang-hrss/creditsync/workflows"
)

func (a *app) runCmd() *cobra.Command {
	var on string
	cmd := &cobra.Command{
		Use:   "run JOB",
		Short: "Run a job now: " + strings.Join(workflows.JobNames(), ", "),
		Long: `run executes one job now, under the run lock in the data directory, so
it never overlaps the scheduler or another run. Every step is recorded in
job_runs; a JSON summary is written to DATA/runs/ and, if configured, posted
to the webhook on failures and downgrades.

nightly: sync every source → match and normalise → regrade at today's date
→ confirm grades whose publicity ended → mark expired grades → write the
day's reports → print what changed. A failed required step stops the run
(grading never runs on data it cannot trust) and the command exits 1.

Ctrl-C or SIGTERM lets the running step finish, skips the rest and
exits 130 with the run recorded "interrupted"; a second signal cancels
the step too.`,
		Example: "  creditsync run nightly\n  creditsync run nightly --on 2026-08-08   # replay a missed night\n  creditsync --data /var/lib/creditsync run nightly --log-format json",
		Args:    exactArgs(1, "a job name: "+strings.Join(workflows.JobNames(), ", ")),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(workflows.JobNames(), args[0]) {
				return usageError{fmt.Errorf("unknown job %q; jobs: %s", args[0], strings.Join(workflows.JobNames(), ", "))}
			}
			var day time.Time
			if on != "" {
				if args[0] != "nightly" {
					return usageError{fmt.Errorf("--on replays the nightly job only, not %s", args[0])}
				}
				var err error
				if day, err = recordDay("on", on); err != nil {
					return err
				}
			}
			cfg, err := a.opsConfig()
			if err != nil {
				return err
			}
			d := a.deps() // with the daemon's metrics when it runs the command
			d.Notify, d.On = cfg.Notify, day
			if sources, ok, err := d.SyncConfig(); err == nil && ok {
				a.warnSecretFiles(sources) // a config that fails, the run reports
			}
			rep, err := d.RunJob(cmd.Context(), args[0])
			printReport(a, rep)
			if rep.Status == jobs.StatusInterrupted {
				fmt.Fprintln(a.stderr, "creditsync:", err)
				return interruptedError{}
			}
			return err
		},
	}
	cmd.Flags().StringVar(&a.configFile, "config", "", "configuration file: sources, schedule, notify (default $CREDITSYNC_CONFIG, else creditsync.toml)")
	cmd.Flags().StringVar(&on, "on", "", "replay the nightly job for a missed date, YYYY-MM-DD: regrade, confirm, expire and reports at that date (sync fetches what the sources hold now)")
	return cmd
}

func (a *app) lockDir() string { return a.dataDir }

func (a *app) opsConfig() (opsConfig, error) {
	path, explicit := a.configPath()
	return loadOpsConfig(path, explicit)
}

// deps are what the workflows need from this command: its store, data
// directory, configuration, logger and the daemon's metrics. Whom to
// notify of a run is the caller's to add (opsConfig).
func (a *app) deps() workflows.Deps {
	path, explicit := a.configPath()
	return workflows.Deps{
		Open:         a.open,
		DataDir:      a.dataDir,
		ConfigFile:   path,
		ConfigNamed:  explicit,
		RulesFile:    a.rulesEnv,
		Contacts:     a.publicContacts,
		Log:          a.log,
		Metrics:      a.metrics,
		Notices:      a.stderr,
		WaitForLease: a.inDaemon,
	}
}

// printReport prints a run for people: each step with its status, time,
// counts and summary, then what failed.
func printReport(a *app, rep jobs.Report) {
	if rep.RunID == "" {
		return
	}
	w := a.stdout
	fmt.Fprintf(w, "%s run %s: %s (%s)\n", rep.Job, rep.RunID, rep.Status, rep.Finished.Sub(rep.Started).Round(time.Millisecond))
	for _, s := range rep.Steps {
		fmt.Fprintf(w, "  %-10s %-9s %6.1fs", s.Name, s.Status, s.Finished.Sub(s.Started).Seconds())
		keys := make([]string, 0, len(s.Counts))
		for k := range s.Counts {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "  %s=%d", k, s.Counts[k])
		}
		fmt.Fprintln(w)
		for _, line := range strings.Split(strings.TrimSpace(s.Summary), "\n") {
			if line != "" {
				fmt.Fprintf(w, "      %s\n", line)
			}
		}
		if s.Error != "" {
			first, _, _ := strings.Cut(s.Error, "\n")
			fmt.Fprintf(w, "      error: %s\n", first)
		}
	}
	for _, u := range rep.Unrecorded {
		first, _, _ := strings.Cut(u, "\n")
		fmt.Fprintf(w, "  not recorded in the store: %s\n", first)
	}
}
