package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/robfig/cron/v3"
	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/jobs"
)

func (a *app) scheduleCmd() *cobra.Command {
	var metricsAddr string
	cmd := &cobra.Command{
		Use:   "schedule",
		Short: "Run jobs on their schedules until stopped (the daemon)",
		Long: `schedule is a long-running daemon that runs the jobs at the times set in
the [schedule] section of creditsync.toml (cron syntax, Asia/Shanghai by
default; a spec may start with CRON_TZ=…). A job still running when its
next time comes is skipped, not doubled. Every run takes the lock in the
data directory, so a system-cron run and the daemon never overlap; the one
that finds the lock held logs who holds it and skips. A panic in a job is
recovered and recorded. SIGTERM or Ctrl-C lets the current step finish,
skips the rest and exits. Prometheus metrics are served on --metrics-addr.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.opsConfig()
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("metrics-addr") {
				cfg.Schedule.MetricsAddr = metricsAddr
			}
			return a.schedule(cmd.Context(), cfg)
		},
	}
	cmd.Flags().StringVar(&metricsAddr, "metrics-addr", "", "address for Prometheus metrics (default from config, 127.0.0.1:9464); empty string disables")
	return cmd
}

// scheduledJob pairs a config spec with a job.
type scheduledJob struct {
	name string
	spec string
}

func (a *app) schedule(ctx context.Context, cfg opsConfig) error {
	metrics := jobs.NewMetrics()
	a.metrics = metrics
	stop, planned, err := a.startScheduler(ctx, cfg, metrics)
	if err != nil {
		return err
	}
	if planned == 0 {
		stop()
		return usageError{errors.New("no job is scheduled; set [schedule] specs in creditsync.toml")}
	}
	srv := a.metricsServer(cfg.Schedule.MetricsAddr, metrics, nil)
	<-ctx.Done()
	a.log.Info("stopping: waiting for the running job's current step")
	stop()
	if srv != nil {
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}
	return nil
}

// startScheduler runs the jobs of cfg's [schedule] on their cron specs
// until stop is called; stop waits for the running job's current step
// (ctx ending makes the job skip its remaining steps). It returns how
// many jobs are planned.
func (a *app) startScheduler(ctx context.Context, cfg opsConfig, metrics *jobs.Metrics) (stop func(), planned int, err error) {
	loc, err := time.LoadLocation(cfg.Schedule.Timezone)
	if err != nil {
		return nil, 0, fmt.Errorf("schedule timezone %q: %w", cfg.Schedule.Timezone, err)
	}
	logger := cronLogger{a}
	c := cron.New(cron.WithLocation(loc), cron.WithChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)))
	known := jobsByName()
	var jobsPlanned []scheduledJob
	for _, j := range []scheduledJob{{"sync", cfg.Schedule.Sync}, {"nightly", cfg.Schedule.Nightly}, {"county-report", cfg.Schedule.CountyReport}, {"city-report", cfg.Schedule.CityReport}} {
		build, ok := known[j.name]
		if j.spec == "" || !ok {
			continue
		}
		name := j.name
		if _, err := c.AddFunc(j.spec, func() {
			rep, err := a.runJob(ctx, name, build, cfg, metrics)
			var le *lockedError
			switch {
			case errors.As(err, &le):
				a.log.Warn("job skipped", "job", name, "reason", err)
			case err != nil:
				a.log.Error("job failed", "job", name, "run", rep.RunID, "err", err)
			default:
				a.log.Info("job finished", "job", name, "run", rep.RunID, "status", rep.Status)
			}
		}); err != nil {
			return nil, 0, usageError{fmt.Errorf("schedule for %s %q: %w", name, j.spec, err)}
		}
		jobsPlanned = append(jobsPlanned, j)
	}
	c.Start()
	for _, e := range c.Entries() {
		a.log.Info("scheduled", "next", e.Next.In(loc).Format(time.RFC3339))
	}
	for _, j := range jobsPlanned {
		a.log.Info("job", "name", j.name, "spec", j.spec, "timezone", loc.String())
	}
	return func() { <-c.Stop().Done() }, len(jobsPlanned), nil
}

// metricsServer serves Prometheus metrics (and, for the daemon, health)
// on addr; nil when addr is empty.
func (a *app) metricsServer(addr string, metrics *jobs.Metrics, health http.Handler) *http.Server {
	if addr == "" {
		return nil
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(metrics.Registry, promhttp.HandlerOpts{}))
	if health != nil {
		mux.Handle("/healthz", health)
	}
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("metrics server stopped", "err", err)
		}
	}()
	return srv
}

// cronLogger adapts slog to cron's logger interface.
type cronLogger struct{ a *app }

func (l cronLogger) Info(msg string, kv ...any) { l.a.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.a.log.Error("cron: "+msg, append(kv, "err", err)...)
}
