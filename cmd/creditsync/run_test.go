package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/jobs"
)

func summaries(t *testing.T, dir string) []jobs.Report {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(dir, "runs", "*.json"))
	var out []jobs.Report
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var r jobs.Report
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out = append(out, r)
	}
	// File names order runs by the second they started, then by a random
	// suffix: two runs in one second would come in either order.
	sort.SliceStable(out, func(i, j int) bool { return out[i].Started.Before(out[j].Started) })
	return out
}

func TestRunNightlyRecordsAndLocks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := []string{"CREDITSYNC_DATA=" + dir}
	// Without sources the nightly run refuses to grade, unless told
	// that the deployment has none.
	if r := runCLI(t, env, "run", "nightly"); r.code != exitFailure || !strings.Contains(r.stderr, "no_sources = true") {
		t.Fatalf("run nightly without sources: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	cfg := filepath.Join(dir, "ops.toml")
	if err := os.WriteFile(cfg, []byte("[sync]\nno_sources = true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env = append(env, "CREDITSYNC_CONFIG="+filepath.Join(dir, "missing.toml"))
	r := runCLI(t, env, "run", "nightly", "--config", cfg)
	if r.code != 0 || !strings.Contains(r.stdout, "nightly run ") {
		t.Fatalf("run nightly: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	// Two summaries: the refused run and this one.
	reps := summaries(t, dir)
	if len(reps) != 2 || reps[0].Status != jobs.StatusFailed || reps[1].Status != jobs.StatusOK || len(reps[1].Steps) == 0 {
		t.Fatalf("summaries = %+v", reps)
	}
	reps = reps[1:]
	out := runCLI(t, env, "sql", "--format", "csv", "SELECT status FROM job_runs WHERE step = '' AND run_id = '"+reps[0].RunID+"'")
	if out.stdout != "\"status\"\n\"ok\"\n" {
		t.Errorf("job_runs run row = %q (%s)", out.stdout, out.stderr)
	}

	// A second run while the lock is held says who holds it and exits 1.
	lock, err := jobs.Acquire(dir, "test holder")
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	r = runCLI(t, env, "run", "nightly", "--config", cfg)
	if r.code != exitFailure || !strings.Contains(r.stderr, "test holder") {
		t.Errorf("run under a held lock: exit %d, stderr %q", r.code, r.stderr)
	}
}

func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func TestScheduleRunsJobsAndStopsOnSIGTERM(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	addr := freePort(t)
	cfg := filepath.Join(dir, "creditsync.toml")
	text := fmt.Sprintf("[sync]\nno_sources = true\n[schedule]\nnightly = \"@every 1s\"\nsync = \"\"\ncounty_report = \"\"\ncity_report = \"\"\nmetrics_addr = %q\n", addr)
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, "schedule")
	cmd.Env = append(os.Environ(), "CREDITSYNC_DATA="+dir, "CREDITSYNC_CONFIG="+cfg)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// A wait, not a measure: it ends at the second summary, and the
	// bound only keeps a broken daemon from hanging the test (on a
	// machine loaded by other test processes one night took over 30 s).
	deadline := time.Now().Add(120 * time.Second)
	for len(summaries(t, dir)) < 2 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	var metrics string
	if resp, err := http.Get("http://" + addr + "/metrics"); err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		metrics = string(b)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("daemon exit: %v\n%s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("daemon did not stop on SIGTERM")
	}
	if n := len(summaries(t, dir)); n < 2 {
		t.Errorf("daemon ran %d jobs in its time, want at least 2\n%s", n, stderr.String())
	}
	if !strings.Contains(metrics, `creditsync_job_runs_total{job="nightly",status="ok"}`) || !strings.Contains(metrics, "creditsync_step_duration_seconds_bucket") {
		t.Errorf("metrics lack the run counter:\n%.2000s", metrics)
	}
}
