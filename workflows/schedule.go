package workflows

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/xuchang-hrss/creditsync/jobs"
	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/zone"
)

// Schedule is the [schedule] table of creditsync.toml: when jobs run.
type Schedule struct {
	// Timezone of the cron specs; Asia/Shanghai unless a spec says
	// CRON_TZ=… itself.
	Timezone string `toml:"timezone"`
	// Cron specs (5 fields); empty disables a job.
	Sync         string `toml:"sync"`
	Nightly      string `toml:"nightly"`
	CountyReport string `toml:"county_report"`
	CityReport   string `toml:"city_report"`
	// MetricsAddr is where the daemon serves Prometheus metrics.
	MetricsAddr string `toml:"metrics_addr"`
}

// SpecError is a cron spec of the schedule that does not parse.
type SpecError struct{ error }

func (e SpecError) Unwrap() error { return e.error }

// scheduledJob pairs a config spec with a job.
type scheduledJob struct {
	name string
	spec string
}

// StartSchedule runs the jobs of sched on their cron specs (RunJob, so a
// job still running when its next time comes is skipped, and a panic is
// recovered) until stop is called; stop waits for the running job's
// current step (ctx ending makes the job skip its remaining steps; under
// jobs.WithGrace the step itself goes on). It returns how many jobs are
// planned.
func (d Deps) StartSchedule(ctx context.Context, sched Schedule) (stop func(), planned int, err error) {
	loc, err := time.LoadLocation(sched.Timezone)
	if err != nil {
		return nil, 0, fmt.Errorf("schedule timezone %q: %w", sched.Timezone, err)
	}
	logger := cronLogger{d}
	c := cron.New(cron.WithLocation(loc), cron.WithChain(cron.Recover(logger)))
	known := jobsByName()
	type plannedJob struct {
		scheduledJob
		id  cron.EntryID
		loc *time.Location // the spec's own zone (CRON_TZ=…), else loc
	}
	var jobsPlanned []plannedJob
	now := d.now().In(loc)
	// Which firings were missed is read aside (below): opening the store
	// may take seconds (a first open, a migration), and the metrics and
	// pages of the caller are not to wait for a log line. A job firing
	// meanwhile waits for the read: the store the read opens is the
	// process's one embedded store, which a job's own open would find
	// taken (both nightly runs of a fresh daemon failed at "open").
	missed := make(chan struct{})
	for _, j := range []scheduledJob{{"sync", sched.Sync}, {"nightly", sched.Nightly}, {"county-report", sched.CountyReport}, {"city-report", sched.CityReport}} {
		if _, ok := known[j.name]; j.spec == "" || !ok {
			continue
		}
		name := j.name
		spec, err := cron.ParseStandard(j.spec)
		if err != nil {
			return nil, 0, SpecError{fmt.Errorf("schedule for %s %q: %w", name, j.spec, err)}
		}
		// A spec that names no day that exists (0 3 30 2 *, February
		// 30th) parses, and never fires: the job would be planned for
		// good and never run.
		if spec.Next(now).IsZero() {
			return nil, 0, SpecError{fmt.Errorf("schedule for %s %q never fires: no such day in any year (check the day of the month against the months)", name, j.spec)}
		}
		specLoc := loc
		if ss, ok := spec.(*cron.SpecSchedule); ok && ss.Location != time.Local {
			specLoc = ss.Location
		}
		id := c.Schedule(spec, d.skipIfStillRunning(name, func() {
			<-missed
			rep, err := d.RunJob(ctx, name)
			var le *lockedError
			switch {
			case errors.As(err, &le):
				d.Log.Warn("job skipped", "job", name, "reason", err)
			case rep.Status == jobs.StatusInterrupted:
				d.Log.Warn("job stopped before its end", "job", name, "run", rep.RunID, "reason", err)
			case err != nil:
				d.Log.Error("job failed", "job", name, "run", rep.RunID, "err", err)
			default:
				d.Log.Info("job finished", "job", name, "run", rep.RunID, "status", rep.Status)
			}
		}))
		jobsPlanned = append(jobsPlanned, plannedJob{j, id, specLoc})
	}
	c.Start()
	for _, j := range jobsPlanned {
		d.Log.Info("scheduled", "job", j.name, "spec", j.spec, "timezone", j.loc.String(), "next", c.Entry(j.id).Next.In(j.loc).Format(time.RFC3339))
	}
	go func() {
		defer close(missed)
		last, err := d.lastStarted(ctx)
		if err != nil {
			d.Log.Warn("could not read the jobs' last runs to tell the firings missed while no daemon ran", "err", err)
		}
		for _, j := range jobsPlanned {
			if at, ok := last[j.name]; ok {
				d.logMissed(j.name, c.Entry(j.id).Schedule, at, now, j.loc)
			}
		}
	}()
	return func() { <-missed; <-c.Stop().Done() }, len(jobsPlanned), nil
}

// skipIfStillRunning runs run unless the previous run of the job it
// starts still runs: then it logs that it skips, naming the job and
// since when the previous one runs, and counts it (skipped_locked). A
// job is never run twice at once; cron's own SkipIfStillRunning only
// told its debug log.
func (d Deps) skipIfStillRunning(name string, run func()) cron.Job {
	var mu sync.Mutex
	running := false
	var since time.Time
	return cron.FuncJob(func() {
		mu.Lock()
		if running {
			started := since
			mu.Unlock()
			d.Log.Warn("job skipped: its previous run still runs", "job", name, "running_since", zone.Stamp(started))
			d.Metrics.Skipped(name)
			return
		}
		running, since = true, d.now()
		mu.Unlock()
		defer func() {
			mu.Lock()
			running = false
			mu.Unlock()
		}()
		run()
	})
}

// lastStarted reads when each job's last run started, from the store
// the jobs run on.
func (d Deps) lastStarted(ctx context.Context) (map[string]time.Time, error) {
	if d.Open == nil {
		return nil, nil
	}
	s, err := d.Open(ctx)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	rows, err := s.Query(ctx, sql.MustQuery(sql.Target{Cluster: s.Cluster()}, "jobs/last_started"), nil)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	last := map[string]time.Time{}
	for rows.Next() {
		var job string
		var at time.Time
		if err := rows.Scan(&job, &at); err != nil {
			return nil, err
		}
		last[job] = at
	}
	return last, rows.Err()
}

// logMissed says which firings of a job's spec went by since its last
// run started, before now: the daemon was down. Nothing catches them up
// (docs/rules.md §4.8): the log says how to replay them.
func (d Deps) logMissed(name string, spec cron.Schedule, last, now time.Time, loc *time.Location) {
	first := spec.Next(last.In(loc))
	if first.IsZero() || !first.Before(now) {
		return
	}
	n := 0
	for t := first; !t.IsZero() && t.Before(now) && n < 1000; t = spec.Next(t) {
		n++
	}
	hint := "run it now with creditsync run " + name
	if name == "nightly" {
		hint = "replay a missed night with creditsync run nightly --on " + zone.Day(first).Format(time.DateOnly) + " (docs/rules.md §4.8)"
	}
	d.Log.Warn("scheduled runs missed while no daemon ran", "job", name, "last_run", zone.Stamp(last), "missed", zone.Stamp(first), "missed_firings", n, "hint", hint)
}

// cronLogger adapts slog to cron's logger interface.
type cronLogger struct{ d Deps }

func (l cronLogger) Info(msg string, kv ...any) { l.d.Log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.d.Log.Error("cron: "+msg, append(kv, "err", err)...)
}
