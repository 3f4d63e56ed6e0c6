package workflows

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/jobs"
	"github.com/xuchang-hrss/creditsync/store"
)

// job builds the steps of a job on an open store.
type job func(d Deps, s store.Store) []jobs.Step

// jobsByName are the jobs `run` and the schedule know.
func jobsByName() map[string]job {
	return map[string]job{
		"nightly": Deps.Nightly,
		"sync": func(d Deps, s store.Store) []jobs.Step {
			return d.Nightly(s)[:1]
		},
		"county-report": reportJob(func(_ Deps, today, now time.Time) []reportFile { return countyFiles(today, now) }),
		"city-report": reportJob(func(d Deps, today, now time.Time) []reportFile {
			return append(cityOverviewFiles(today, now), d.publicListFiles(today, now)...)
		}),
	}
}

// JobNames are the jobs RunJob knows, sorted.
func JobNames() []string {
	var names []string
	for n := range jobsByName() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// RunJob runs the job name now: it takes the run lock in the data
// directory, opens the store, runs the job's steps under the jobs lease
// and reports the run to the summary file, metrics and webhook. A job
// that could not start because another holds the lock or the lease is
// reported to metrics as skipped; one that could not start for any other
// reason (the store cannot be opened or written, the lease not claimed)
// is a failed run, reported like one.
func (d Deps) RunJob(ctx context.Context, name string) (jobs.Report, error) {
	build, ok := jobsByName()[name]
	if !ok {
		return jobs.Report{Job: name}, fmt.Errorf("unknown job %q; jobs: %s", name, strings.Join(JobNames(), ", "))
	}
	lock, err := jobs.Acquire(d.DataDir, "run "+name)
	if errors.Is(err, jobs.ErrLocked) {
		d.Metrics.Skipped(name)
		return jobs.Report{Job: name}, &lockedError{err}
	}
	if err != nil {
		return d.notStarted(ctx, nil, name, "lock", err)
	}
	defer lock.Release()
	s, err := d.Open(ctx)
	if err != nil {
		return d.notStarted(ctx, nil, name, "open", err)
	}
	defer s.Close()
	return d.runLeased(ctx, s, name, build)
}

// runLeased runs a job on s under the jobs lease in the database, which
// keeps runs on other hosts sharing a ClickHouse server from overlapping.
func (d Deps) runLeased(ctx context.Context, s store.Store, name string, build job) (jobs.Report, error) {
	fenced, release, err := d.WithJobsLease(ctx, s, "run "+name)
	var le *lockedError
	if errors.As(err, &le) {
		d.Metrics.Skipped(name)
		return jobs.Report{Job: name}, err
	}
	if err != nil {
		return d.notStarted(ctx, s, name, "lease", err)
	}
	defer release()
	runner := &jobs.Runner{Store: fenced, Log: d.Log, Metrics: d.Metrics}
	rep, runErr := runner.Run(ctx, name, build(d, fenced))
	d.report(ctx, rep)
	return rep, runErr
}

// notStarted reports a run that could not start for a reason other than
// another holder (the store full, read-only or unreachable): a failed
// run, recorded in job_runs when s takes it, and reported like any other.
// A stop that came while it waited for the lease is no failure.
func (d Deps) notStarted(ctx context.Context, s store.Store, name, step string, err error) (jobs.Report, error) {
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return jobs.Report{Job: name}, err
	}
	runner := &jobs.Runner{Store: s, Log: d.Log}
	rep := runner.NotStarted(ctx, name, step, err)
	d.report(ctx, rep)
	return rep, fmt.Errorf("%w: %s could not start: %w", jobs.ErrStepFailed, name, err)
}

// report sends a finished run to metrics, the summary file and the
// webhook.
func (d Deps) report(ctx context.Context, rep jobs.Report) {
	d.Metrics.Observe(rep)
	if path, err := jobs.WriteSummary(d.DataDir, rep); err != nil {
		d.Log.Error("could not write run summary", "err", err)
	} else {
		d.Log.Info("run summary written", "path", path)
	}
	d.notify(context.WithoutCancel(ctx), rep)
}

// lockedError is a run that did not start because another holds the lock.
type lockedError struct{ error }

func (e *lockedError) Unwrap() error { return e.error }

// notify posts the run to the webhook when it failed or downgraded someone.
func (d Deps) notify(ctx context.Context, rep jobs.Report) {
	target := d.Notify.Webhook
	if env := d.Notify.WebhookURLEnv; env != "" {
		if target = os.Getenv(env); target == "" {
			d.Log.Error("webhook notification not sent: [notify] webhook_url_env names an unset variable", "variable", env, "run", rep.RunID)
			return
		}
	}
	if target == "" {
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
	hook := &jobs.Webhook{URL: target, Log: d.Log}
	if env := d.Notify.WebhookTokenEnv; env != "" {
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
	for _, u := range rep.Unrecorded {
		first, _, _ := strings.Cut(u, "\n")
		text += "\nnot recorded in the store: " + first
	}
	if err := hook.Send(ctx, jobs.Notification{Event: event, Report: rep, Text: text}); err != nil {
		d.Log.Error("webhook notification failed", "err", err)
	}
}

type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}
