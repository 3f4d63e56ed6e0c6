package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/storetest"
)

// TestNightlyThroughServerStore runs the pipeline with the CLI on a
// ClickHouse server — store/server over clickhouse-go's HTTP protocol,
// against the embedded engine's HTTP interface served by this test — as
// two hosts sharing one database would: init (which creates the
// database), imports, sync, evaluation, confirmation and a nightly run;
// then two nightly runs at once from two "hosts" (their own data
// directories, so their own lock files): one runs, the other names it.
func TestNightlyThroughServerStore(t *testing.T) {
	dir := t.TempDir()
	files, fx := servedSample(t, dir, 11, 120)

	// The publicity site behind a proxy that can hold requests, to keep a
	// nightly run busy while another starts.
	var mu sync.Mutex
	var hold chan struct{} // nil: pass through
	started := make(chan struct{}, 1)
	target, err := url.Parse(fx.PublicityURL)
	if err != nil {
		t.Fatal(err)
	}
	forward := httputil.NewSingleHostReverseProxy(target)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		h := hold
		mu.Unlock()
		if h != nil {
			select {
			case started <- struct{}{}:
			default:
			}
			<-h
		}
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	toml := strings.ReplaceAll(fx.SourcesTOML(), fx.PublicityURL, proxy.URL)
	toml = strings.ReplaceAll(toml, `timeout = "2s"`, `timeout = "5m"`)
	cfg := filepath.Join(dir, "creditsync.toml")
	if err := os.WriteFile(cfg, []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}

	dsn := storetest.ServeEmbedded(t) + "creditsync?" + storetest.HTTPOptions
	host := func(name string) []string {
		return append([]string{"CREDITSYNC_CLICKHOUSE=" + dsn, "CREDITSYNC_DATA=" + filepath.Join(dir, name), "CREDITSYNC_CONFIG=" + cfg}, fx.Env()...)
	}
	hostA, hostB := host("host-a"), host("host-b")
	must := func(env []string, args ...string) result {
		t.Helper()
		r := runCLI(t, env, args...)
		if r.code != 0 {
			t.Fatalf("creditsync %v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
		return r
	}

	// Only init creates the database.
	if r := runCLI(t, hostA, "sql", "SELECT 1"); r.code != exitFailure || !strings.Contains(r.stderr, "creditsync init") {
		t.Fatalf("a command before init: exit %d\n%s", r.code, r.stderr)
	}
	must(hostA, "init")
	for _, list := range []string{"institutions", "inspections", "annual_reports"} {
		must(hostA, "import", list, files[list])
	}
	must(hostB, "sync")
	must(hostA, "evaluate", "--year", "2026", "--as-of", "2026-07-31")
	must(hostB, "confirm", "--on", "2026-08-10")
	must(hostA, "run", "nightly")
	// The evaluation and the nightly regrade were recorded, with their grades.
	out := must(hostB, "sql", "--format", "csv", "SELECT countIf(kind = 'evaluate') AS evaluations, countIf(kind = 'regrade') AS regrades, toUInt8((SELECT count() FROM grade_history) > 100) AS graded FROM grade_runs WHERE finished IS NOT NULL")
	if !strings.HasSuffix(out.stdout, "\n1,1,1\n") {
		t.Errorf("grade runs through the server store: %q, want one evaluation, one regrade and the grades", out.stdout)
	}

	// Two nightly runs at once: A is held at its first fetch.
	release := make(chan struct{})
	mu.Lock()
	hold = release
	mu.Unlock()
	a := exec.Command(binary, "run", "nightly")
	a.Env = append(os.Environ(), hostA...)
	var aOut bytes.Buffer
	a.Stdout, a.Stderr = &aOut, &aOut
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-started:
	case <-time.After(2 * time.Minute): // a bound on a hang, not a timed assertion
		a.Process.Kill()
		t.Fatalf("host A's nightly never fetched:\n%s", aOut.String())
	}
	b := runCLI(t, hostB, "run", "nightly")
	mu.Lock()
	hold = nil
	mu.Unlock()
	close(release)
	if err := a.Wait(); err != nil {
		t.Errorf("host A's nightly: %v\n%s", err, aOut.String())
	}
	if b.code != exitFailure || !strings.Contains(b.stderr, "running run nightly") || !strings.Contains(b.stderr, " since ") {
		t.Errorf("host B's nightly while A's runs: exit %d, want 1 naming the holder and since when:\n%s", b.code, b.stderr)
	}
	if strings.Contains(b.stderr+aOut.String(), strings.Split(strings.TrimPrefix(dsn, "http://default:"), "@")[0]) {
		t.Error("the token in the DSN was printed")
	}
}
