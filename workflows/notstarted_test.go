package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/jobs"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
)

// TestRunThatCannotClaimTheLeaseFails: a jobs lease that cannot be
// claimed for a reason other than another holder (here the engine has no
// leases table to write to; on a bureau's machine, a full disk) is a
// failed run — metrics 0, a failure webhook, a summary, a record — not a
// run skipped because another holds the lease.
func TestRunThatCannotClaimTheLeaseFails(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	if err := s.Exec(ctx, "DROP TABLE leases", nil); err != nil {
		t.Fatal(err)
	}
	var events []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n jobs.Notification
		_ = json.NewDecoder(r.Body).Decode(&n)
		events = append(events, n.Event)
	}))
	t.Cleanup(hook.Close)
	metrics := jobs.NewMetrics()
	d := Deps{DataDir: t.TempDir(), Log: quiet, Notices: io.Discard, Metrics: metrics, Notify: Notify{Webhook: hook.URL}}

	rep, err := d.runLeased(ctx, s, "nightly", Deps.Nightly)
	var le *lockedError
	if err == nil || errors.As(err, &le) || !errors.Is(err, jobs.ErrStepFailed) {
		t.Fatalf("runLeased = %v, want a failed run", err)
	}
	if rep.Status != jobs.StatusFailed || len(rep.Steps) != 1 || rep.Steps[0].Name != "lease" || rep.Steps[0].Error == "" {
		t.Errorf("report %+v", rep)
	}
	if len(events) != 1 || events[0] != "failure" {
		t.Errorf("webhook events %v, want one failure", events)
	}
	got := gathered(t, metrics)
	if v, ok := got["creditsync_job_last_run_ok{job=nightly}"]; !ok || v != 0 {
		t.Errorf("creditsync_job_last_run_ok = %v (set %v), want 0", v, ok)
	}
	if got["creditsync_job_runs_total{job=nightly,status=skipped_locked}"] != 0 || got["creditsync_job_runs_total{job=nightly,status=failed}"] != 1 {
		t.Errorf("runs counted %v", got)
	}
	if summaries, _ := filepath.Glob(filepath.Join(d.DataDir, "runs", "nightly-*.json")); len(summaries) != 1 {
		t.Errorf("run summaries: %v", summaries)
	}
	var status string
	if err := store.QueryRow(ctx, s, "SELECT status FROM job_runs FINAL WHERE run_id = {r:String} AND step = 'lease'", store.Params{"r": rep.RunID}, &status); err != nil || status != jobs.StatusFailed {
		t.Errorf("recorded lease step: %q (%v)", status, err)
	}
}

// gathered reads every series of m as name{labels} → value.
func gathered(t *testing.T, m *jobs.Metrics) map[string]float64 {
	t.Helper()
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		for _, metric := range f.GetMetric() {
			key := f.GetName() + "{"
			for i, l := range metric.GetLabel() {
				if i > 0 {
					key += ","
				}
				key += l.GetName() + "=" + l.GetValue()
			}
			key += "}"
			switch {
			case metric.Gauge != nil:
				got[key] = metric.GetGauge().GetValue()
			case metric.Counter != nil:
				got[key] = metric.GetCounter().GetValue()
			}
		}
	}
	return got
}

// [notify] webhook_url_env: the URL, a robot's secret, comes from the
// environment; an unset variable sends nothing and says so.
func TestWebhookURLFromEnvironment(t *testing.T) {
	var posted int
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("access_token") == "DING-SECRET-77" {
			posted++
		}
	}))
	t.Cleanup(hook.Close)
	t.Setenv("TEST_WEBHOOK_URL", hook.URL+"/robot/send?access_token=DING-SECRET-77")
	var logged strings.Builder
	d := Deps{Log: slog.New(slog.NewTextHandler(&logged, nil)), Notify: Notify{WebhookURLEnv: "TEST_WEBHOOK_URL"}}
	failed := jobs.Report{Job: "nightly", Status: jobs.StatusFailed}
	d.notify(context.Background(), failed)
	if posted != 1 {
		t.Errorf("posted %d time(s) to the URL from the environment", posted)
	}
	d.Notify.WebhookURLEnv = "TEST_WEBHOOK_URL_UNSET"
	d.notify(context.Background(), failed)
	if posted != 1 || !strings.Contains(logged.String(), "TEST_WEBHOOK_URL_UNSET") {
		t.Errorf("an unset variable: posted %d, log %s", posted, logged.String())
	}
}

// A run whose records cannot be written (a disk nearly full on a
// bureau's machine; here job_runs goes away during the first step) ends
// failed: a failure webhook saying what was not recorded, metrics 0 and
// an error, not "ok" with the run left running in status.
func TestRunThatCannotRecordItselfFails(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	var texts []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n jobs.Notification
		_ = json.NewDecoder(r.Body).Decode(&n)
		texts = append(texts, n.Event+": "+n.Text)
	}))
	t.Cleanup(hook.Close)
	metrics := jobs.NewMetrics()
	d := Deps{DataDir: t.TempDir(), Log: quiet, Notices: io.Discard, Metrics: metrics, Notify: Notify{Webhook: hook.URL}}
	build := func(_ Deps, s store.Store) []jobs.Step {
		return []jobs.Step{{Name: "sync", Required: true, Run: func(ctx context.Context) (jobs.Outcome, error) {
			return jobs.Outcome{}, s.Exec(ctx, "DROP TABLE job_runs", nil)
		}}}
	}
	rep, err := d.runLeased(ctx, s, "nightly", build)
	if !errors.Is(err, jobs.ErrNotRecorded) || rep.Status != jobs.StatusFailed {
		t.Fatalf("runLeased = %v, status %q; want a failed run, not recorded", err, rep.Status)
	}
	if len(texts) != 1 || !strings.HasPrefix(texts[0], "failure: ") || !strings.Contains(texts[0], "not recorded in the store: step sync ok") {
		t.Errorf("webhook got %q, want one failure naming what was not recorded", texts)
	}
	if v, ok := gathered(t, metrics)["creditsync_job_last_run_ok{job=nightly}"]; !ok || v != 0 {
		t.Errorf("creditsync_job_last_run_ok = %v (set %v), want 0", v, ok)
	}
}
