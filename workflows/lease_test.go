package workflows

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/xuchang-hrss/creditsync/jobs"
	"github.com/xuchang-hrss/creditsync/store/lease"
	"github.com/xuchang-hrss/creditsync/storetest"
)

// TestConcurrentNightlyRunsOneHoldsTheLease runs two nightly jobs at once
// against one store, as two hosts sharing a ClickHouse server would: each
// has its own data directory (so its own flock), and only the lease in the
// database keeps them apart. The first run's sync is held at its first
// request until the second has tried: the second must not run and must
// name the first and since when; the first then finishes normally.
func TestConcurrentNightlyRunsOneHoldsTheLease(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)

	dir := t.TempDir()
	_, fx := servedSample(t, dir, 5, 80)
	for _, kv := range fx.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}

	// A loopback proxy in front of the publicity site that holds the first
	// request until released.
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

	host := func() Deps {
		return Deps{DataDir: t.TempDir(), ConfigFile: cfgPath, ConfigNamed: true, Log: quiet, Notices: io.Discard}
	}
	first, second := host(), host()

	var firstRep jobs.Report
	var firstErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		firstRep, firstErr = first.runLeased(ctx, s, "nightly", Deps.Nightly)
	}()
	select {
	case <-started:
	case <-done:
		t.Fatalf("the first run ended before fetching anything: %v", firstErr)
	}

	rep, err := second.runLeased(ctx, s, "nightly", Deps.Nightly)
	close(release)
	<-done
	var le *lockedError
	if !errors.As(err, &le) || !errors.Is(err, lease.ErrHeld) {
		t.Fatalf("second nightly while the first runs = %v, want a lockedError with ErrHeld", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "running run nightly") || !strings.Contains(msg, " since ") || !strings.Contains(msg, lease.Owner("")) {
		t.Errorf("the refusal %q does not name the holder (this process, running run nightly) and since when", msg)
	}
	if len(rep.Steps) != 0 {
		t.Errorf("the refused run ran steps: %+v", rep.Steps)
	}
	if firstErr != nil || firstRep.Status != jobs.StatusOK || stepOf(firstRep, "sync").Counts["rows"] == 0 {
		t.Fatalf("first nightly: %v, status %q, sync %+v", firstErr, firstRep.Status, stepOf(firstRep, "sync"))
	}

	// Released: the next run takes the lease.
	if _, err := second.runLeased(ctx, s, "nightly", Deps.Nightly); err != nil {
		t.Errorf("nightly after the first finished: %v", err)
	}
}

// Runs a dead process left 'running' (kill -9 mid-run) are recorded as
// interrupted by the next command that takes the jobs lease: they showed
// as running for good, across restarts and later good runs. A finished
// run is left as it was.
func TestDeadProcessRunsAreRecordedInterrupted(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	for _, q := range []string{
		"INSERT INTO job_runs (run_id, job, step, seq, status, started_at, host, version) VALUES ('dead', 'nightly', '', 0, 'running', now64(3), 'h', 1), ('dead', 'nightly', 'sync', 1, 'running', now64(3), 'h', 1), ('done', 'nightly', '', 0, 'ok', now64(3), 'h', 1)",
		"INSERT INTO sync_runs (run_id, source, list, status, started_at, version) VALUES ('dead-sync', 'city-abnormal', 'abnormal', 'running', now64(3), 1)",
	} {
		if err := s.Exec(ctx, q, nil); err != nil {
			t.Fatal(err)
		}
	}
	var notices strings.Builder
	d := Deps{DataDir: t.TempDir(), Log: quiet, Notices: &notices}
	_, release, err := d.WithJobsLease(ctx, s, "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	rows, err := s.Query(ctx, "SELECT run_id, step, status, finished_at IS NOT NULL FROM job_runs FINAL UNION ALL SELECT run_id, '', status, finished_at IS NOT NULL FROM sync_runs FINAL ORDER BY 1, 2", nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var id, step, status string
		var finished bool
		if err := rows.Scan(&id, &step, &status, &finished); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s/%s %s %v", id, step, status, finished))
	}
	rows.Close()
	slices.Sort(got)
	want := []string{"dead-sync/ interrupted true", "dead/ interrupted true", "dead/sync interrupted true", "done/ ok false"}
	if !slices.Equal(got, want) {
		t.Errorf("runs after the lease was taken: %q, want %q", got, want)
	}
	if !regexp.MustCompile(`recorded as interrupted the nightly run dead started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d CST, whose process died before its end`).MatchString(notices.String()) {
		t.Errorf("notices: %q", notices.String())
	}
}
