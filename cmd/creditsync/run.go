package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/jobs"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
)

// jobFunc builds the steps of a job on an open store.
type jobFunc func(a *app, s store.Store) []jobs.Step

// jobsByName are the jobs `run` and `schedule` know.
func jobsByName() map[string]jobFunc {
	return map[string]jobFunc{
		"nightly": nightlySteps,
		"sync": func(a *app, s store.Store) []jobs.Step {
			return a.nightly(s, nightlyDeps{})[:1]
		},
		"county-report": reportJob(func(_ *app, today, now time.Time) []reportFile { return countyFiles(today, now) }),
		"city-report": reportJob(func(a *app, today, now time.Time) []reportFile {
			return append(cityOverviewFiles(today, now), a.publicListFiles(today, now)...)
		}),
	}
}

func jobNames() []string {
	var names []string
	for n := range jobsByName() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (a *app) runCmd() *cobra.Command {
	var on string
	cmd := &cobra.Command{
		Use:   "run JOB",
		Short: "Run a job now: " + strings.Join(jobNames(), ", "),
		Long: `run executes one job now, under the run lock in the data directory, so
it never overlaps the scheduler or another run. Every step is recorded in
job_runs; a JSON summary is written to DATA/runs/ and, if configured, posted
to the webhook on failures and downgrades.

nightly: sync every source → match and normalise → regrade at today's date
→ confirm grades whose publicity ended → mark expired grades → write the
day's reports → print what changed. A failed required step stops the run
(grading never runs on data it cannot trust) and the command exits 1.`,
		Example: "  creditsync run nightly\n  creditsync run nightly --on 2026-08-08   # replay a missed night\n  creditsync --data /var/lib/creditsync run nightly --log-format json",
		Args:    exactArgs(1, "a job name: "+strings.Join(jobNames(), ", ")),
		RunE: func(cmd *cobra.Command, args []string) error {
			build, ok := jobsByName()[args[0]]
			if !ok {
				return usageError{fmt.Errorf("unknown job %q; jobs: %s", args[0], strings.Join(jobNames(), ", "))}
			}
			if on != "" {
				if args[0] != "nightly" {
					return usageError{fmt.Errorf("--on replays the nightly job only, not %s", args[0])}
				}
				day, err := transform.ParseISODate(on)
				if err != nil {
					return usageError{fmt.Errorf("--on: %w", err)}
				}
				build = func(a *app, s store.Store) []jobs.Step { return a.nightly(s, nightlyDeps{on: day}) }
			}
			cfg, err := a.opsConfig()
			if err != nil {
				return err
			}
			rep, err := a.runJob(cmd.Context(), args[0], build, cfg, a.metrics) // the daemon's metrics when it runs the command
			printReport(a, rep)
			return err
		},
	}
	cmd.Flags().StringVar(&a.configFile, "config", "", "configuration file: sources, schedule, notify (default $CREDITSYNC_CONFIG, else creditsync.toml)")
	cmd.Flags().StringVar(&on, "on", "", "replay the nightly job for a missed date, YYYY-MM-DD: regrade, confirm, expire and reports at that date (sync fetches what the sources hold now)")
	return cmd
}

// runJob takes the lock, opens the store, runs the job's steps and
// reports the run to the summary file, metrics and webhook.
func (a *app) runJob(ctx context.Context, name string, build jobFunc, cfg opsConfig, metrics *jobs.Metrics) (jobs.Report, error) {
	lock, err := jobs.Acquire(a.lockDir(), "run "+name)
	if err != nil {
		metrics.Skipped(name)
		return jobs.Report{Job: name}, &lockedError{err}
	}
	defer lock.Release()
	s, err := a.open(ctx)
	if err != nil {
		return jobs.Report{Job: name}, err
	}
	defer s.Close()
	return a.runLeased(ctx, s, name, build, cfg, metrics)
}

// runLeased runs a job on s under the jobs lease in the database, which
// keeps runs on other hosts sharing a ClickHouse server from overlapping.
func (a *app) runLeased(ctx context.Context, s store.Store, name string, build jobFunc, cfg opsConfig, metrics *jobs.Metrics) (jobs.Report, error) {
	s, release, err := a.withJobsLease(ctx, s, "run "+name)
	if err != nil {
		metrics.Skipped(name)
		return jobs.Report{Job: name}, err
	}
	defer release()
	runner := &jobs.Runner{Store: s, Log: a.log}
	rep, runErr := runner.Run(ctx, name, build(a, s))
	metrics.Observe(rep)
	if path, err := jobs.WriteSummary(a.lockDir(), rep); err != nil {
		a.log.Error("could not write run summary", "err", err)
	} else {
		a.log.Info("run summary written", "path", path)
	}
	a.notify(context.WithoutCancel(ctx), cfg, rep)
	return rep, runErr
}

// lockedError is a run that did not start because another holds the lock.
type lockedError struct{ error }

func (e *lockedError) Unwrap() error { return e.error }

func (a *app) lockDir() string { return a.dataDir }

func (a *app) opsConfig() (opsConfig, error) {
	path, explicit := a.configPath()
	return loadOpsConfig(path, explicit)
}

// notify posts the run to the webhook when it failed or downgraded someone.
func (a *app) notify(ctx context.Context, cfg opsConfig, rep jobs.Report) {
	if cfg.Notify.Webhook == "" {
		return
	}
	event := ""
	var downgrades int64
	for _, s := range rep.Steps {
		downgrades += s.Counts["downgrades"]
	}
	switch {
	case rep.Status == jobs.StatusFailed || len(rep.Failed()) > 0:
		event = "failure"
	case downgrades > 0:
		event = "downgrades"
	default:
		return
	}
	hook := &jobs.Webhook{URL: cfg.Notify.Webhook, Log: a.log}
	if env := cfg.Notify.WebhookTokenEnv; env != "" {
		hook.Client = &http.Client{Timeout: 10 * time.Second, Transport: bearer{token: os.Getenv(env)}}
	}
	text := fmt.Sprintf("creditsync %s on %s: %s", rep.Job, rep.Host, rep.Status)
	if downgrades > 0 {
		text += fmt.Sprintf(", %d downgrade(s)", downgrades)
	}
	// What went wrong, in the message itself: a degraded sync names its
	// failed sources here.
	for _, s := range rep.Failed() {
		first, _, _ := strings.Cut(s.Error, "\n")
		text += fmt.Sprintf("\n%s %s: %s", s.Name, s.Status, first)
	}
	if err := hook.Send(ctx, jobs.Notification{Event: event, Report: rep, Text: text}); err != nil {
		a.log.Error("webhook notification failed", "err", err)
	}
}

type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
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
}
