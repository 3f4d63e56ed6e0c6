package jobs

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
)

// Metrics are the scheduler daemon's Prometheus metrics, derived from run
// reports so that a job needs no metrics code of its own.
type Metrics struct {
	Registry     *prometheus.Registry
	lastSuccess  *prometheus.GaugeVec
	lastStatus   *prometheus.GaugeVec
	stepDuration *prometheus.HistogramVec
	stepCounts   *prometheus.CounterVec
	runs         *prometheus.CounterVec
	sourceOK     *prometheus.GaugeVec
	sourceRows   *prometheus.CounterVec

	mu      sync.Mutex
	running map[string]string // job → its step running now (Runner.Metrics)
}

// NewMetrics registers creditsync's metrics in a fresh registry.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "creditsync_job_last_success_timestamp_seconds",
			Help: "Unix time of the last successful run of each job.",
		}, []string{"job"}),
		lastStatus: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "creditsync_job_last_run_ok",
			Help: "1 if the last run of the job succeeded, 0 if it failed or was degraded (a source failed); a run stopped before its end leaves it as it was.",
		}, []string{"job"}),
		stepDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "creditsync_step_duration_seconds",
			Help:    "Duration of job steps.",
			Buckets: prometheus.ExponentialBuckets(0.05, 3, 10),
		}, []string{"job", "step"}),
		stepCounts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "creditsync_step_items_total",
			Help: "Items counted by job steps: rows synced and rejected per source, grades changed by direction, and so on.",
		}, []string{"job", "step", "item"}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "creditsync_job_runs_total",
			Help: "Job runs by final status (ok, ok_with_errors, degraded, failed, interrupted, skipped_locked).",
		}, []string{"job", "status"}),
	}
	m.sourceOK = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "creditsync_source_last_success_timestamp_seconds",
		Help: "Unix time of the last successful sync of each external source.",
	}, []string{"source"})
	m.sourceRows = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "creditsync_source_rows_total",
		Help: "Rows synced per source, by outcome (valid, rejected).",
	}, []string{"source", "outcome"})
	m.Registry.MustRegister(m.sourceOK, m.sourceRows, m.lastSuccess, m.lastStatus, m.stepDuration, m.stepCounts, m.runs,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

// Observe records a finished run.
func (m *Metrics) Observe(rep Report) {
	if m == nil {
		return
	}
	m.runs.WithLabelValues(rep.Job, rep.Status).Inc()
	switch rep.Status {
	case StatusInterrupted:
		// Stopped, neither failed nor done: the last run's verdict and
		// success stay as they were, so an alert on the age of the last
		// success still fires if stops keep it from finishing.
	case StatusFailed, StatusDegraded:
		m.lastStatus.WithLabelValues(rep.Job).Set(0)
	default:
		m.lastStatus.WithLabelValues(rep.Job).Set(1)
		m.lastSuccess.WithLabelValues(rep.Job).Set(float64(rep.Finished.Unix()))
	}
	for _, s := range rep.Steps {
		if s.Status == StatusSkipped {
			continue
		}
		m.stepDuration.WithLabelValues(rep.Job, s.Name).Observe(s.Finished.Sub(s.Started).Seconds())
		for k, v := range s.Counts {
			if v > 0 {
				m.stepCounts.WithLabelValues(rep.Job, s.Name, k).Add(float64(v))
			}
		}
	}
}

// Restore sets each job's last verdict and last success from the runs
// stored in s: after a restart the series exist before the first run
// ends, so an alert on the age of the last success fires even when no
// run succeeds again.
func (m *Metrics) Restore(ctx context.Context, s store.Store) error {
	if m == nil {
		return nil
	}
	rows, err := s.Query(ctx, sql.MustQuery(sql.Target{Cluster: s.Cluster()}, "jobs/last_verdicts"), nil)
	if err != nil {
		return fmt.Errorf("read the jobs' last runs for metrics: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var job string
		var hasVerdict, lastOK, hasSuccess uint8
		var lastSuccess time.Time
		if err := rows.Scan(&job, &hasVerdict, &lastOK, &hasSuccess, &lastSuccess); err != nil {
			return fmt.Errorf("read the jobs' last runs for metrics: %w", err)
		}
		if hasVerdict == 1 {
			m.lastStatus.WithLabelValues(job).Set(float64(lastOK))
		}
		if hasSuccess == 1 {
			m.lastSuccess.WithLabelValues(job).Set(float64(lastSuccess.Unix()))
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read the jobs' last runs for metrics: %w", err)
	}
	return nil
}

// Skipped counts a run that did not start because another held the lock.
func (m *Metrics) Skipped(job string) {
	if m != nil {
		m.runs.WithLabelValues(job, "skipped_locked").Inc()
	}
}

// SourceSynced records one source's sync.
func (m *Metrics) SourceSynced(source string, ok bool, at time.Time, rows, rejected int) {
	if m == nil {
		return
	}
	if ok {
		m.sourceOK.WithLabelValues(source).Set(float64(at.Unix()))
	}
	m.sourceRows.WithLabelValues(source, "valid").Add(float64(rows))
	m.sourceRows.WithLabelValues(source, "rejected").Add(float64(rejected))
}

// stepRunning notes the step of job now running in this process, "" once
// it has ended, for Running.
func (m *Metrics) stepRunning(job, step string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if step == "" {
		delete(m.running, job)
		return
	}
	if m.running == nil {
		m.running = map[string]string{}
	}
	m.running[job] = step
}

// Running names the steps this process's runs are in now ("step sync of
// nightly"), by job: what a stopping daemon is finishing.
func (m *Metrics) Running() []string {
	if m == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]string, 0, len(m.running))
	for job, step := range m.running {
		out = append(out, "step "+step+" of "+job)
	}
	sort.Strings(out)
	return out
}
