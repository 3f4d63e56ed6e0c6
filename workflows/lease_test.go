package workflows

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
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
