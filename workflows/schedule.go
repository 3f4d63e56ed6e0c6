package workflows

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/xuchang-hrss/creditsync/jobs"
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
	c := cron.New(cron.WithLocation(loc), cron.WithChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)))
	known := jobsByName()
	type plannedJob struct {
		scheduledJob
		id  cron.EntryID
		loc *time.Location // the spec's own zone (CRON_TZ=…), else loc
	}
	var jobsPlanned []plannedJob
	now := d.now().In(loc)
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
		id := c.Schedule(spec, cron.FuncJob(func() {
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
	return func() { <-c.Stop().Done() }, len(jobsPlanned), nil
}

// cronLogger adapts slog to cron's logger interface.
type cronLogger struct{ d Deps }

func (l cronLogger) Info(msg string, kv ...any) { l.d.Log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.d.Log.Error("cron: "+msg, append(kv, "err", err)...)
}
