package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/jobs"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func step(name string, required bool, fn func() error) jobs.Step {
	return jobs.Step{Name: name, Required: required, Run: func(context.Context) (jobs.Outcome, error) {
		return jobs.Outcome{Counts: map[string]int64{"rows": 3}}, fn()
	}}
}

func statuses(t *testing.T, s store.Store, runID string) string {
	t.Helper()
	rows, err := s.Query(context.Background(), "SELECT if(step = '', '(run)', step), status FROM job_runs WHERE run_id = {r:String} ORDER BY seq", store.Params{"r": runID})
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var parts []string
	for rows.Next() {
		var name, status string
		if err := rows.Scan(&name, &status); err != nil {
			t.Fatal(err)
		}
		parts = append(parts, name+"="+status)
	}
	return strings.Join(parts, " ")
}

func TestRunnerRecordsSteps(t *testing.T) {
	s := storetest.OpenMigrated(t)
	r := &jobs.Runner{Store: s, Log: quiet}
	ok := func() error { return nil }
	boom := errors.New("source timed out")
	tests := []struct {
		name    string
		steps   []jobs.Step
		wantErr bool
		want    string
	}{
		{"all ok", []jobs.Step{step("sync", true, ok), step("grade", true, ok)}, false, "(run)=ok sync=ok grade=ok"},
		{"optional failure goes on", []jobs.Step{step("report", false, func() error { return boom }), step("grade", true, ok)}, false, "(run)=ok_with_errors report=failed grade=ok"},
		{"required failure stops", []jobs.Step{step("sync", true, func() error { return boom }), step("grade", true, ok), step("report", false, ok)}, true, "(run)=failed sync=failed grade=skipped report=skipped"},
		{"panic is recovered", []jobs.Step{step("grade", true, func() error { panic("nil map") }), step("report", false, ok)}, true, "(run)=failed grade=panicked report=skipped"},
		{"degraded step goes on, run degraded", []jobs.Step{step("sync", true, func() error { return &jobs.DegradedError{Err: boom} }), step("grade", true, ok)}, true, "(run)=degraded sync=degraded grade=ok"},
		{"required input missing, run failed", []jobs.Step{step("sync", true, func() error { return &jobs.DegradedError{Err: boom, Required: true} }), step("grade", true, ok)}, true, "(run)=failed sync=degraded grade=ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := r.Run(context.Background(), "nightly", tt.steps)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Run error = %v, want error %v", err, tt.wantErr)
			}
			if tt.wantErr && !errors.Is(err, jobs.ErrStepFailed) && !errors.Is(err, jobs.ErrDegraded) {
				t.Errorf("error %v is not ErrStepFailed", err)
			}
			if got := statuses(t, s, rep.RunID); got != tt.want {
				t.Errorf("recorded %q, want %q", got, tt.want)
			}
		})
	}
	var errText string
	if err := store.QueryRow(context.Background(), s, "SELECT error FROM job_runs WHERE step = 'grade' AND status = 'panicked'", nil, &errText); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errText, "panic: nil map") || !strings.Contains(errText, "goroutine") {
		t.Errorf("panic record lacks the message and stack: %q", errText)
	}
}

// A stop (SIGTERM) during a step: under a grace the step finishes with
// its context intact, no later step starts and the run ends interrupted,
// not failed; the hard stop (a second signal, the deadline) cancels the
// step, which is interrupted too. Without a grace the stop cancels the
// step at once.
func TestRunnerStopsBetweenSteps(t *testing.T) {
	s := storetest.OpenMigrated(t)
	r := &jobs.Runner{Store: s, Log: quiet}
	tests := []struct {
		name  string
		grace bool
		hard  bool // the hard stop comes too, during the step
		want  string
	}{
		{"graceful stop lets the step finish", true, false, "(run)=interrupted sync=ok grade=skipped"},
		{"hard stop cancels the step", true, true, "(run)=interrupted sync=interrupted grade=skipped"},
		{"no grace cancels the step", false, false, "(run)=interrupted sync=interrupted grade=skipped"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			soft, stop := context.WithCancel(context.Background())
			hard, kill := context.WithCancel(context.Background())
			defer kill()
			ctx := soft
			if tt.grace {
				ctx = jobs.WithGrace(soft, hard)
			}
			var stepErr error
			steps := []jobs.Step{
				{Name: "sync", Required: true, Run: func(ctx context.Context) (jobs.Outcome, error) {
					stop() // SIGTERM arrives during the step
					if tt.hard {
						kill()
					}
					select {
					case <-ctx.Done():
						stepErr = fmt.Errorf("prepare stage table: %w", ctx.Err())
					case <-time.After(200 * time.Millisecond): // the step's own work
					}
					return jobs.Outcome{Counts: map[string]int64{"rows": 3}}, stepErr
				}},
				step("grade", true, func() error { t.Error("grade ran after the stop"); return nil }),
			}
			rep, err := r.Run(ctx, "nightly", steps)
			if !errors.Is(err, jobs.ErrInterrupted) || errors.Is(err, jobs.ErrStepFailed) || rep.Status != jobs.StatusInterrupted {
				t.Fatalf("Run = %v, status %q, want ErrInterrupted", err, rep.Status)
			}
			if wantCancelled := tt.hard || !tt.grace; (stepErr != nil) != wantCancelled {
				t.Errorf("the step's context: %v, want cancelled %v", stepErr, wantCancelled)
			}
			if got := statuses(t, s, rep.RunID); got != tt.want {
				t.Errorf("recorded %q, want %q", got, tt.want)
			}
			if len(rep.Failed()) != 0 {
				t.Errorf("an interrupted run lists failed steps: %+v", rep.Failed())
			}
		})
	}
}

func TestLockExcludesSecondHolder(t *testing.T) {
	dir := t.TempDir()
	l, err := jobs.Acquire(dir, "run nightly")
	if err != nil {
		t.Fatal(err)
	}
	_, err = jobs.Acquire(dir, "schedule")
	if !errors.Is(err, jobs.ErrLocked) || !strings.Contains(err.Error(), "run nightly") || !strings.Contains(err.Error(), "pid") {
		t.Fatalf("second Acquire = %v, want ErrLocked naming the holder", err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	l2, err := jobs.Acquire(dir, "schedule")
	if err != nil {
		t.Fatalf("Acquire after Release: %v", err)
	}
	l2.Release()
}

func TestWebhookRetries(t *testing.T) {
	var calls atomic.Int32
	var got jobs.Notification
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) < 3 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		json.NewDecoder(r.Body).Decode(&got)
	}))
	defer srv.Close()
	hook := &jobs.Webhook{URL: srv.URL, Backoff: time.Millisecond}
	err := hook.Send(context.Background(), jobs.Notification{Event: "failure", Text: "sync failed", Report: jobs.Report{Job: "nightly"}})
	if err != nil || calls.Load() != 3 || got.Report.Job != "nightly" {
		t.Errorf("Send = %v after %d calls, got %+v", err, calls.Load(), got)
	}

	calls.Store(0)
	refuse := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusForbidden)
	}))
	defer refuse.Close()
	hook = &jobs.Webhook{URL: refuse.URL, Backoff: time.Millisecond}
	if err := hook.Send(context.Background(), jobs.Notification{}); err == nil || calls.Load() != 1 {
		t.Errorf("a 403 was retried (%d calls) or not reported (%v)", calls.Load(), err)
	}
}

func TestWriteSummary(t *testing.T) {
	dir := t.TempDir()
	rep := jobs.Report{RunID: "20261128T020000Z-abc", Job: "nightly", Status: "ok", Steps: []jobs.StepResult{{Name: "sync", Status: "ok"}}}
	path, err := jobs.WriteSummary(dir, rep)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var back jobs.Report
	if err := json.Unmarshal(b, &back); err != nil || back.RunID != rep.RunID || len(back.Steps) != 1 {
		t.Errorf("summary %s = %s (%v)", path, b, err)
	}
}

func TestMetricsFromReports(t *testing.T) {
	m := jobs.NewMetrics()
	start := time.Date(2026, 11, 28, 2, 30, 0, 0, time.UTC)
	m.Observe(jobs.Report{Job: "nightly", Status: jobs.StatusOK, Finished: start.Add(time.Minute), Steps: []jobs.StepResult{
		{Name: "regrade", Status: jobs.StatusOK, Started: start, Finished: start.Add(2 * time.Second), Counts: map[string]int64{"downgrades": 3}},
	}})
	// Stopped the next night: neither a failure nor a success.
	m.Observe(jobs.Report{Job: "nightly", Status: jobs.StatusInterrupted, Finished: start.Add(24 * time.Hour)})
	m.SourceSynced("publicity-abnormal", true, start, 100, 2)
	got := gather(t, m)
	want := map[string]float64{
		"creditsync_job_last_success_timestamp_seconds{job=nightly}":                  float64(start.Add(time.Minute).Unix()),
		"creditsync_job_last_run_ok{job=nightly}":                                     1,
		"creditsync_job_runs_total{job=nightly,status=interrupted}":                   1,
		"creditsync_step_items_total{item=downgrades,job=nightly,step=regrade}":       3,
		"creditsync_step_duration_seconds{job=nightly,step=regrade}":                  1,
		"creditsync_source_last_success_timestamp_seconds{source=publicity-abnormal}": float64(start.Unix()),
		"creditsync_source_rows_total{outcome=rejected,source=publicity-abnormal}":    2,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
}

// After a restart the metrics start from the stored runs: each job's last
// verdict (a later interrupted or running run gives none) and its last
// success, before any run has ended in this process.
func TestMetricsRestoredFromStoredRuns(t *testing.T) {
	s := storetest.OpenMigrated(t)
	at := time.Date(2026, 11, 28, 2, 30, 0, 0, time.UTC)
	r := &jobs.Runner{Store: s, Log: quiet, Now: func() time.Time { return at }}
	ok := func() error { return nil }
	boom := func() error { return errors.New("source timed out") }
	run := func(job string, steps ...jobs.Step) {
		t.Helper()
		at = at.Add(time.Hour)
		_, _ = r.Run(context.Background(), job, steps)
	}
	run("nightly", step("sync", true, ok))
	okAt := at
	run("nightly", step("sync", true, boom))
	run("sync", step("sync", true, ok))
	syncAt := at
	stopped, stop := context.WithCancel(context.Background())
	stop()
	at = at.Add(time.Hour)
	if _, err := r.Run(stopped, "sync", []jobs.Step{step("sync", true, ok)}); !errors.Is(err, jobs.ErrInterrupted) {
		t.Fatalf("stopped run: %v", err)
	}
	run("city-report", step("write", true, boom))

	m := jobs.NewMetrics()
	if err := m.Restore(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	got := gather(t, m)
	want := map[string]float64{
		"creditsync_job_last_run_ok{job=nightly}":                    0,
		"creditsync_job_last_success_timestamp_seconds{job=nightly}": float64(okAt.Unix()),
		"creditsync_job_last_run_ok{job=sync}":                       1,
		"creditsync_job_last_success_timestamp_seconds{job=sync}":    float64(syncAt.Unix()),
		"creditsync_job_last_run_ok{job=city-report}":                0,
	}
	for k, v := range want {
		if g, set := got[k]; !set || g != v {
			t.Errorf("%s = %v (set %v), want %v", k, g, set, v)
		}
	}
	if _, set := got["creditsync_job_last_success_timestamp_seconds{job=city-report}"]; set {
		t.Error("a job that never succeeded has a last success")
	}
}

// gather reads every series of m as name{labels} → value (a histogram's
// sample count).
func gather(t *testing.T, m *jobs.Metrics) map[string]float64 {
	t.Helper()
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		for _, metric := range f.GetMetric() {
			var labels []string
			for _, l := range metric.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			key := f.GetName() + "{" + strings.Join(labels, ",") + "}"
			switch {
			case metric.Gauge != nil:
				got[key] = metric.GetGauge().GetValue()
			case metric.Counter != nil:
				got[key] = metric.GetCounter().GetValue()
			case metric.Histogram != nil:
				got[key] = float64(metric.GetHistogram().GetSampleCount())
			}
		}
	}
	return got
}

// A webhook URL's secret never reaches a log line or an error: the
// robot's access_token and key are query values, a hook id a path
// segment.
func TestWebhookURLRedacted(t *testing.T) {
	for _, tt := range []struct{ raw, want string }{
		{"http://oapi.dingtalk.com/robot/send?access_token=DING-SECRET-77", "http://oapi.dingtalk.com/robot/send?access_token=REDACTED"},
		{"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=WECOM-KEY-1234", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=REDACTED"},
		{"https://open.feishu.cn/open-apis/bot/v2/hook/8f2c1d7e-aaaa-bbbb-cccc-0123456789ab", "https://open.feishu.cn/open-apis/bot/v2/hook/REDACTED"},
		{"https://bot:PASSWORD@im.example.gov.cn/hooks/creditsync", "https://bot@im.example.gov.cn/hooks/creditsync"},
	} {
		if got := jobs.RedactURL(tt.raw); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.raw, got, tt.want)
		}
	}

	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close() // nothing listens: the client's error names the URL
	// A URL that is no absolute URL (no scheme, a broken host) is shown
	// without its path and password too: it printed whole.
	for _, tt := range []struct{ url, secret, shown string }{
		{srv.URL + "/robot/send?access_token=DING-SECRET-77", "DING-SECRET-77", "access_token=REDACTED"},
		{"127.0.0.1/URLPASS777", "URLPASS777", "127.0.0.1/REDACTED"},
		{"http://u:URLPASS777@[::1/x", "URLPASS777", "http://u@[::1/REDACTED"},
	} {
		var logged strings.Builder
		hook := &jobs.Webhook{URL: tt.url, Attempts: 2, Backoff: time.Millisecond, Log: slog.New(slog.NewTextHandler(&logged, nil))}
		err := hook.Send(context.Background(), jobs.Notification{Event: "failure"})
		if err == nil {
			t.Fatalf("Send to %s succeeded", tt.shown)
		}
		if text := err.Error(); strings.Contains(text, tt.secret) || !strings.Contains(text, tt.shown) {
			t.Errorf("error: %s", text)
		}
		if text := logged.String(); strings.Contains(text, tt.secret) {
			t.Errorf("log: %s", text)
		}
	}
}

// A run whose own records cannot be written (on a bureau's machine, a
// disk nearly full: NOT_ENOUGH_SPACE) is a failed run saying what was not
// recorded, not an ok one that status shows running for good. Here the
// table goes away under the run, a real write failing on the engine.
func TestRunnerFailsWhenItsRecordsCannotBeWritten(t *testing.T) {
	ok := func() error { return nil }
	tests := []struct {
		name       string
		before     bool // job_runs is gone before the run starts
		steps      func(s store.Store) []jobs.Step
		ran        int    // steps that ran
		unrecorded string // in Report.Unrecorded and the error
	}{
		{"start not recorded: no step runs", true, func(s store.Store) []jobs.Step {
			return []jobs.Step{step("sync", true, ok)}
		}, 0, "the run's start"},
		{"a step's end not recorded", false, func(s store.Store) []jobs.Step {
			return []jobs.Step{
				step("sync", true, func() error { return s.Exec(context.Background(), "DROP TABLE job_runs", nil) }),
				step("grade", true, ok),
			}
		}, 2, "step sync ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := storetest.OpenMigrated(t)
			if tt.before {
				if err := s.Exec(context.Background(), "DROP TABLE job_runs", nil); err != nil {
					t.Fatal(err)
				}
			}
			ran := 0
			steps := tt.steps(s)
			for i := range steps {
				run := steps[i].Run
				steps[i].Run = func(ctx context.Context) (jobs.Outcome, error) { ran++; return run(ctx) }
			}
			r := &jobs.Runner{Store: s, Log: quiet}
			rep, err := r.Run(context.Background(), "nightly", steps)
			if !errors.Is(err, jobs.ErrNotRecorded) || !strings.Contains(err.Error(), tt.unrecorded) {
				t.Errorf("Run error = %v, want ErrNotRecorded naming %q", err, tt.unrecorded)
			}
			if rep.Status != jobs.StatusFailed || rep.Finished.IsZero() {
				t.Errorf("status %q finished %v, want failed", rep.Status, rep.Finished)
			}
			if !strings.Contains(strings.Join(rep.Unrecorded, "\n"), tt.unrecorded) {
				t.Errorf("Unrecorded = %q, want it to name %q", rep.Unrecorded, tt.unrecorded)
			}
			if ran != tt.ran {
				t.Errorf("%d step(s) ran, want %d", ran, tt.ran)
			}
			m := jobs.NewMetrics()
			m.Observe(rep)
			if got, set := gather(t, m)["creditsync_job_last_run_ok{job=nightly}"]; !set || got != 0 {
				t.Errorf("creditsync_job_last_run_ok = %v (set %v), want 0", got, set)
			}
		})
	}
}
