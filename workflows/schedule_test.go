package workflows

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/jobs"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
)

// A spec naming no day that exists (February 30th) parsed and was
// planned for good, logged as "next=0001-01-01…": it is refused as one
// that does not parse is. The "scheduled" lines name their job and the
// zone the spec fires in (CRON_TZ=UTC was logged as Asia/Shanghai).
func TestScheduleSpecs(t *testing.T) {
	tests := []struct {
		name  string
		sched Schedule
		err   string // "" = planned
		log   string // a regexp the log matches
	}{
		{"february 30th", Schedule{Nightly: "0 3 30 2 *"}, `schedule for nightly "0 3 30 2 \*" never fires`, ""},
		{"31st of the short months", Schedule{Sync: "0 0 31 4,6,9,11 *"}, `schedule for sync "0 0 31 4,6,9,11 \*" never fires`, ""},
		{"a minute past 59", Schedule{Nightly: "61 2 * * *"}, `schedule for nightly "61 2 \* \* \*": .*above maximum`, ""},
		{"the bureau's zone", Schedule{Nightly: "30 2 * * *"}, "", `msg=scheduled job=nightly spec="30 2 \* \* \*" timezone=Asia/Shanghai next=\d{4}-\d\d-\d\dT02:30:00\+08:00`},
		{"the spec's own zone", Schedule{Sync: "CRON_TZ=UTC 30 2 * * *", CountyReport: "0 7 * * 1"}, "",
			`msg=scheduled job=sync spec="CRON_TZ=UTC 30 2 \* \* \*" timezone=UTC next=\d{4}-\d\d-\d\dT02:30:00Z\n.*msg=scheduled job=county-report spec="0 7 \* \* 1" timezone=Asia/Shanghai next=\S+T07:00:00\+08:00`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logged strings.Builder
			d := Deps{DataDir: t.TempDir(), Log: slog.New(slog.NewTextHandler(&logged, nil))}
			tt.sched.Timezone = "Asia/Shanghai"
			stop, planned, err := d.StartSchedule(context.Background(), tt.sched)
			if tt.err != "" {
				var spec SpecError
				if err == nil || !errors.As(err, &spec) || !regexp.MustCompile(tt.err).MatchString(err.Error()) {
					t.Fatalf("StartSchedule = %v, want a SpecError matching %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			stop()
			if planned == 0 || !regexp.MustCompile(tt.log).MatchString(logged.String()) {
				t.Errorf("planned %d, log:\n%s\nwant it to match %s", planned, logged.String(), tt.log)
			}
		})
	}
}

// A firing that comes while the job's previous run still runs is skipped
// and said so in the log, naming the job (cron's own skip told only its
// debug log), and counted.
func TestScheduleLogsASkippedFiring(t *testing.T) {
	var logged strings.Builder
	metrics := jobs.NewMetrics()
	d := Deps{Log: slog.New(slog.NewTextHandler(&logged, nil)), Metrics: metrics}
	started, release := make(chan struct{}), make(chan struct{})
	runs := 0
	job := d.skipIfStillRunning("nightly", func() { runs++; close(started); <-release })
	done := make(chan struct{})
	go func() { job.Run(); close(done) }()
	<-started
	job.Run() // the next firing, while the first runs
	close(release)
	<-done
	if runs != 1 || !regexp.MustCompile(`level=WARN msg="job skipped: its previous run still runs" job=nightly running_since="\d{4}-\d\d-\d\d \d\d:\d\d:\d\d CST"`).MatchString(logged.String()) {
		t.Errorf("%d run(s), log:\n%s", runs, logged.String())
	}
	if got := gathered(t, metrics)["creditsync_job_runs_total{job=nightly,status=skipped_locked}"]; got != 1 {
		t.Errorf("skipped firings counted %v, want 1", got)
	}
}

// unclosed lends a test's store to code that closes what it opens.
type unclosed struct{ store.Store }

func (unclosed) Close() error { return nil }

// A daemon started after nights it missed says so: the last run and the
// first firing missed, how many, and how to replay a night (nothing
// catches up by itself, docs/rules.md §4.8). A job whose last run is
// after its last firing missed nothing.
func TestScheduleSaysWhatItMissed(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	if err := s.Exec(ctx, `INSERT INTO job_runs (run_id, job, step, seq, status, started_at, host, version) VALUES
		('n', 'nightly', '', 0, 'ok', now64(3) - INTERVAL 3 DAY, 'h', 1),
		('s', 'sync', '', 0, 'ok', now64(3) - INTERVAL 1 MINUTE, 'h', 1)`, nil); err != nil {
		t.Fatal(err)
	}
	var logged strings.Builder
	d := Deps{DataDir: t.TempDir(), Log: slog.New(slog.NewTextHandler(&logged, nil)),
		Open: func(context.Context) (store.Store, error) { return unclosed{s}, nil }}
	stop, _, err := d.StartSchedule(ctx, Schedule{Timezone: "Asia/Shanghai", Nightly: "30 2 * * *", Sync: "0 0 1 1 *"})
	if err != nil {
		t.Fatal(err)
	}
	stop()
	log := logged.String()
	want := `level=WARN msg="scheduled runs missed while no daemon ran" job=nightly last_run="[-0-9]+ [:0-9]+ CST" missed="[-0-9]+ 02:30:00 CST" missed_firings=3 hint="replay a missed night with creditsync run nightly --on \d{4}-\d\d-\d\d \(docs/rules.md §4.8\)"`
	if !regexp.MustCompile(want).MatchString(log) || strings.Contains(log, "job=sync last_run") {
		t.Errorf("log:\n%s\nwant it to match %s, and nothing missed by sync", log, want)
	}
}

// oneHolder lends a store to one holder at a time, as the embedded
// engine does (one process, one open data directory): an Open while it
// is held fails, and Close gives it back.
type oneHolder struct {
	s      store.Store
	mu     sync.Mutex
	held   bool
	slow   chan struct{} // the first Open holds until this closes
	opened int
	clash  int // Opens that found the store held
}

type held struct {
	store.Store
	h *oneHolder
}

func (h held) Close() error {
	h.h.mu.Lock()
	h.h.held = false
	h.h.mu.Unlock()
	return nil
}

func (o *oneHolder) Open(context.Context) (store.Store, error) {
	o.mu.Lock()
	if o.held {
		o.clash++
		o.mu.Unlock()
		return nil, errors.New("the data directory is held by this process")
	}
	o.held = true
	o.opened++
	first := o.opened == 1
	o.mu.Unlock()
	if first {
		<-o.slow // a first open that takes its time (a migration)
	}
	return held{o.s, o}, nil
}

// The firings missed are read aside while the daemon starts; a job that
// fired meanwhile opened the store the read held, and on a fresh
// daemon both nightly runs failed at "open" (the embedded engine is one
// holder a process). A job firing during the read now waits for it.
func TestScheduleJobsWaitForTheMissedRead(t *testing.T) {
	o := &oneHolder{s: storetest.OpenMigrated(t), slow: make(chan struct{})}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "creditsync.toml")
	if err := os.WriteFile(cfg, []byte("[sync]\nno_sources = true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d := Deps{DataDir: dir, ConfigFile: cfg, ConfigNamed: true, Log: quiet, Notices: io.Discard, Open: o.Open}
	stop, _, err := d.StartSchedule(context.Background(), Schedule{Timezone: "Asia/Shanghai", Nightly: "@every 1s"})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond) // a firing comes while the read holds the store
	close(o.slow)
	// A wait, not a measure: until a job has opened the store, or failed to.
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		o.mu.Lock()
		done := o.opened >= 2 || o.clash > 0
		o.mu.Unlock()
		if done {
			break
		}
	}
	stop()
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.clash != 0 || o.opened < 2 {
		t.Errorf("%d open(s) of the store while the read of missed firings held it, %d in all; want none, and the job's own", o.clash, o.opened)
	}
}
