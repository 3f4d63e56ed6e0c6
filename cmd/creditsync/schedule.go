package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/jobs"
	"github.com/xuchang-hrss/creditsync/netlimit"
	"github.com/xuchang-hrss/creditsync/workflows"
)

func (a *app) scheduleCmd() *cobra.Command {
	var metricsAddr string
	cmd := &cobra.Command{
		Use:   "schedule",
		Short: "Run jobs on their schedules until stopped (the daemon)",
		Long: `schedule is a long-running daemon that runs the jobs at the times set in
the [schedule] section of creditsync.toml (cron syntax, Asia/Shanghai by
default; a spec may start with CRON_TZ=…). A spec that does not parse,
or names no day that exists (0 3 30 2 *, February 30th), is refused
(exit 2). Each job's next time is logged with the zone its spec fires
in. A job still running when its
next time comes is skipped, not doubled, and the log says so with since
when it runs. Every run takes the lock in the data directory, so a
system-cron run and the daemon never overlap; the one that finds the lock
held logs who holds it and skips. At its start it logs each job's firings
missed since its last run (the daemon was down), with how to replay a
missed night (run nightly --on DAY); nothing runs them by itself. A panic in a job is
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

func (a *app) schedule(ctx context.Context, cfg opsConfig) error {
	metrics := jobs.NewMetrics()
	a.metrics = metrics
	stop, planned, err := a.startSchedule(ctx, cfg)
	if err != nil {
		return err
	}
	if planned == 0 {
		stop()
		return usageError{errors.New("no job is scheduled; set [schedule] specs in creditsync.toml")}
	}
	conns, err := a.connLimiter(netlimit.Limits{})
	if err != nil {
		stop()
		return err
	}
	srv, err := a.metricsServer(cfg.Schedule.MetricsAddr, conns, metrics, nil)
	if err != nil {
		stop()
		return err
	}
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

// startSchedule starts the jobs of cfg's [schedule] (the workflows' own
// RunJob, with a.metrics); a spec that does not parse is a usage error.
func (a *app) startSchedule(ctx context.Context, cfg opsConfig) (stop func(), planned int, err error) {
	d := a.deps()
	d.Notify = cfg.Notify
	stop, planned, err = d.StartSchedule(ctx, cfg.Schedule)
	var spec workflows.SpecError
	if errors.As(err, &spec) {
		return nil, 0, usageError{err}
	}
	return stop, planned, err
}

// metricsServer serves Prometheus metrics (and, for the daemon, health)
// on addr, its connections bounded by conns; nil when addr is empty. The
// address is taken before it returns, so a port in use fails the start
// instead of leaving the daemon running without /metrics and /healthz.
func (a *app) metricsServer(addr string, conns *netlimit.Limiter, metrics *jobs.Metrics, health http.Handler) (*http.Server, error) {
	if addr == "" {
		return nil, nil
	}
	ln, err := conns.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics and /healthz on %s (--metrics-addr, [schedule] metrics_addr): %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(metrics.Registry, promhttp.HandlerOpts{}))
	if health != nil {
		mux.Handle("/healthz", health)
	}
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: netlimit.IdleTimeout}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("metrics server stopped", "err", err)
		}
	}()
	return srv, nil
}
