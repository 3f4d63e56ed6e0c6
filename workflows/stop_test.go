package workflows

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/xuchang-hrss/creditsync/jobs"
	"github.com/xuchang-hrss/creditsync/storetest"
)

// TestStopLetsTheRunningStepFinish stops a nightly run (SIGTERM: the
// graceful context ends) while its sync waits for a slow source: the
// sync finishes and stores what it read, no later step starts, and the
// run is recorded interrupted — no failure, no webhook, the job's last
// verdict untouched.
func TestStopLetsTheRunningStepFinish(t *testing.T) {
	s := storetest.OpenMigrated(t)
	dir := t.TempDir()
	_, fx := servedSample(t, dir, 5, 80)
	for _, kv := range fx.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	// The publicity site answers its first request only once the stop
	// has come.
	started, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	target, err := url.Parse(fx.PublicityURL)
	if err != nil {
		t.Fatal(err)
	}
	forward := httputil.NewSingleHostReverseProxy(target)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(started); <-release })
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	toml := strings.ReplaceAll(fx.SourcesTOML(), fx.PublicityURL, proxy.URL)
	toml = strings.ReplaceAll(toml, `timeout = "2s"`, `timeout = "5m"`)
	cfgPath := filepath.Join(dir, "creditsync.toml")
	if err := os.WriteFile(cfgPath, []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	var posted atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { posted.Add(1) }))
	t.Cleanup(hook.Close)

	metrics := jobs.NewMetrics()
	d := Deps{DataDir: t.TempDir(), ConfigFile: cfgPath, ConfigNamed: true, Log: quiet, Notices: io.Discard,
		Metrics: metrics, Notify: Notify{Webhook: hook.URL}}
	soft, stop := context.WithCancel(context.Background())
	hard, kill := context.WithCancel(context.Background())
	defer kill()
	go func() {
		<-started
		stop()
		close(release)
	}()
	rep, err := d.runLeased(jobs.WithGrace(soft, hard), s, "nightly", Deps.Nightly)

	if rep.Status != jobs.StatusInterrupted {
		t.Fatalf("run %q (%v), want interrupted", rep.Status, err)
	}
	if sync := stepOf(rep, "sync"); sync.Status != jobs.StatusOK || sync.Counts["rows"] == 0 {
		t.Errorf("the running sync did not finish: %+v", sync)
	}
	for _, st := range rep.Steps[1:] {
		if st.Status != jobs.StatusSkipped {
			t.Errorf("step %s after the stop: %s", st.Name, st.Status)
		}
	}
	if n := posted.Load(); n != 0 {
		t.Errorf("an interrupted run posted %d webhook(s)", n)
	}
	families, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == "creditsync_job_last_run_ok" {
			t.Errorf("an interrupted run set creditsync_job_last_run_ok: %v", f.GetMetric())
		}
	}
	summaries, _ := filepath.Glob(filepath.Join(d.DataDir, "runs", "nightly-*.json"))
	if len(summaries) != 1 {
		t.Fatalf("run summaries: %v", summaries)
	}
	b, err := os.ReadFile(summaries[0])
	if err != nil {
		t.Fatal(err)
	}
	var back jobs.Report
	if err := json.Unmarshal(b, &back); err != nil || back.Status != jobs.StatusInterrupted {
		t.Errorf("summary %s: status %q (%v)", summaries[0], back.Status, err)
	}
}
