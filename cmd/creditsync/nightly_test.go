package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/ingest/fixture"
	"github.com/xuchang-hrss/creditsync/jobs"
	"github.com/xuchang-hrss/creditsync/sample"
	"github.com/xuchang-hrss/creditsync/workflows"
)

// nightlySite is a data directory with the bureau's files imported, a
// confirmed annual evaluation, and the external lists served by fixture
// sources on loopback.
type nightlySite struct {
	dir string
	env []string
	fx  *fixture.Server
}

func newNightlySite(t *testing.T, extraConfig string) *nightlySite {
	t.Helper()
	src := preparedNightlySite(t)
	dir := t.TempDir()
	if out, err := exec.Command("cp", "-a", src+string(os.PathSeparator)+".", dir).CombinedOutput(); err != nil {
		t.Fatalf("copy the prepared site: %v\n%s", err, out)
	}
	// The same sample (seed 11) as the store was synced from, served
	// afresh for this test.
	_, fx := servedSample(t, dir, 11, 120)
	cfg := filepath.Join(dir, "creditsync.toml")
	if err := os.WriteFile(cfg, []byte(extraConfig+fx.SourcesTOML()), 0o644); err != nil {
		t.Fatal(err)
	}
	return &nightlySite{dir: dir, fx: fx, env: append([]string{"CREDITSYNC_DATA=" + dir, "CREDITSYNC_CONFIG=" + cfg}, fx.Env()...)}
}

// The site's store is prepared once per test binary — the bureau's files
// imported, the lists synced from fixture sources, the 2026 evaluation
// recorded and confirmed, each by the real command in its own process —
// and each test gets a copy of its directory, as with the demo's store.
var nightlyPrep struct {
	once sync.Once
	dir  string
	err  error
}

func preparedNightlySite(t *testing.T) string {
	t.Helper()
	nightlyPrep.once.Do(func() {
		nightlyPrep.dir = filepath.Join(filepath.Dir(binary), "nightly-site")
		nightlyPrep.err = prepareNightlySite(nightlyPrep.dir)
	})
	if nightlyPrep.err != nil {
		t.Fatal(nightlyPrep.err)
	}
	return nightlyPrep.dir
}

func prepareNightlySite(dir string) error {
	files, fx, err := serveSample(dir, 11, 120)
	if err != nil {
		return err
	}
	defer fx.Close()
	cfg := filepath.Join(dir, "creditsync.toml")
	if err := os.WriteFile(cfg, []byte(fx.SourcesTOML()), 0o644); err != nil {
		return err
	}
	env := append([]string{"CREDITSYNC_DATA=" + dir, "CREDITSYNC_CONFIG=" + cfg}, fx.Env()...)
	steps := [][]string{
		{"import", "institutions", files["institutions"]},
		{"import", "inspections", files["inspections"]},
		{"import", "annual_reports", files["annual_reports"]},
		{"sync"},
		{"evaluate", "--year", "2026", "--as-of", "2026-07-31"},
		{"confirm", "--on", "2026-08-10"},
	}
	for _, args := range steps {
		cmd := exec.Command(binary, args...)
		cmd.Env = append(os.Environ(), env...)
		stdout, stderr, code, err := runCommand(cmd)
		if err != nil {
			return err
		}
		if code != 0 {
			return fmt.Errorf("prepare the nightly site: %v: exit %d\n%s%s", args, code, stdout, stderr)
		}
	}
	return nil
}

func (s *nightlySite) sql(t *testing.T, q string) string {
	t.Helper()
	r := runCLI(t, s.env, "sql", "--format", "csv", q)
	if r.code != 0 {
		t.Fatalf("sql %s: %s", q, r.stderr)
	}
	return r.stdout
}

func (s *nightlySite) lastReport(t *testing.T) jobs.Report {
	t.Helper()
	reps := summaries(t, s.dir)
	if len(reps) == 0 {
		t.Fatal("no run summary written")
	}
	latest := reps[0]
	for _, r := range reps {
		if r.RunID > latest.RunID {
			latest = r
		}
	}
	return latest
}

func stepOf(rep jobs.Report, name string) jobs.StepResult {
	for _, s := range rep.Steps {
		if s.Name == name {
			return s
		}
	}
	return jobs.StepResult{}
}

func TestNightlyEndToEnd(t *testing.T) {
	t.Parallel()
	site := newNightlySite(t, "")
	historyBefore := site.sql(t, "SELECT count() FROM grade_history")

	r := runCLI(t, site.env, "run", "nightly")
	if r.code != 0 {
		t.Fatalf("run nightly: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	rep := site.lastReport(t)
	for _, name := range []string{"sync", "match", "regrade", "confirm", "expire", "reports"} {
		if st := stepOf(rep, name); st.Status != jobs.StatusOK {
			t.Errorf("step %s: %q %s", name, st.Status, st.Error)
		}
	}
	if stepOf(rep, "sync").Counts["rows"] == 0 {
		t.Errorf("sync fetched nothing: %+v", stepOf(rep, "sync"))
	}
	for _, f := range []string{"city-overview.html", "public-list.csv"} {
		matches, _ := filepath.Glob(filepath.Join(site.dir, "reports", "*", f))
		if len(matches) != 1 {
			t.Errorf("report %s not written (%v)", f, matches)
		}
	}
	if !strings.Contains(r.stdout, "regrade") || !strings.Contains(r.stdout, "lowered") {
		t.Errorf("the printed summary lacks the regrade line:\n%s", r.stdout)
	}

	st := runCLI(t, site.env, "status")
	for _, want := range []string{"publicity-abnormal", "Last run of each job", "regrade", "Grades in effect today by county", "Open objections"} {
		if !strings.Contains(st.stdout, want) {
			t.Errorf("status lacks %q:\n%s", want, st.stdout)
		}
	}

	// The same night again changes nothing.
	historyAfterFirst := site.sql(t, "SELECT count() FROM grade_history")
	if r := runCLI(t, site.env, "run", "nightly"); r.code != 0 {
		t.Fatalf("second run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	rep = site.lastReport(t)
	if n := stepOf(rep, "regrade").Counts["downgrades"]; n != 0 {
		t.Errorf("second run lowered %d grades", n)
	}
	if n := stepOf(rep, "confirm").Counts["confirmed"]; n != 0 {
		t.Errorf("second run confirmed %d grades", n)
	}
	if got := site.sql(t, "SELECT count() FROM grade_history"); got != historyAfterFirst {
		t.Errorf("second run changed the history: %s → %s (before the first run: %s)", historyAfterFirst, got, historyBefore)
	}
}

// A source that fails leaves every list and grade as it was: the run
// still grades on the last good data (no upgrade can come of it) and
// reports the source stale, but the run is degraded, not ok: its status,
// exit code, the last-run-ok metric and the webhook all say so and name
// the source. Past max_staleness the run fails and grading does not run
// at all (TestNightlyFailsWhenASourceIsTooStale).
func TestNightlyWithFailingSource(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var notes []jobs.Notification
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n jobs.Notification
		if err := json.NewDecoder(r.Body).Decode(&n); err == nil {
			mu.Lock()
			notes = append(notes, n)
			mu.Unlock()
		}
	}))
	t.Cleanup(hook.Close)
	for _, tc := range []struct {
		name, config, status string
	}{
		{"optional source", "", jobs.StatusDegraded},
		{"required source", "required = true\n", jobs.StatusFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mu.Lock()
			notes = nil
			mu.Unlock()
			site := newNightlySite(t, "[notify]\nwebhook = \""+hook.URL+"\"\n\n")
			if tc.config != "" {
				cfg := filepath.Join(site.dir, "creditsync.toml")
				b, err := os.ReadFile(cfg)
				if err != nil {
					t.Fatal(err)
				}
				// Mark the abnormal-list source required.
				text := strings.Replace(string(b), "name = \"publicity-abnormal\"\n", "name = \"publicity-abnormal\"\n"+tc.config, 1)
				if text == string(b) {
					t.Fatal("no publicity-abnormal source in the configuration")
				}
				if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			const listed = "SELECT count() FROM abnormal WHERE removed_on IS NULL"
			before := site.sql(t, listed)
			site.fx.Inject(fixture.Abnormal, fixture.Fault{Kind: fixture.ServerError})

			r := runCLI(t, site.env, "run", "nightly")
			if r.code != exitFailure {
				t.Fatalf("nightly with a failing source: exit %d, want %d\n%s%s", r.code, exitFailure, r.stdout, r.stderr)
			}
			rep := site.lastReport(t)
			if rep.Status != tc.status {
				t.Errorf("run status %q, want %q", rep.Status, tc.status)
			}
			sync := stepOf(rep, "sync")
			if sync.Status != jobs.StatusDegraded || !strings.Contains(sync.Error, "publicity-abnormal") || sync.Counts["failed_sources"] != 1 || sync.Counts["stale_sources"] < 1 {
				t.Errorf("sync step = %+v, want degraded, naming the one failed, stale source", sync)
			}
			if !strings.Contains(r.stdout, "nightly run "+rep.RunID+": "+tc.status) {
				t.Errorf("the printed report does not say %s:\n%s", tc.status, r.stdout)
			}
			regrade := stepOf(rep, "regrade")
			if regrade.Status != jobs.StatusOK || !strings.Contains(regrade.Summary, "publicity-abnormal (abnormal list, data from ") {
				t.Errorf("regrade did not run on the last good data naming the list and its age: %s %q", regrade.Status, regrade.Summary)
			}
			if after := site.sql(t, listed); after != before || before == "\"count()\"\n0\n" {
				t.Errorf("abnormal listings changed after a failed sync: %q → %q", before, after)
			}
			// The daemon's metrics come from this report.
			m := jobs.NewMetrics()
			m.Observe(rep)
			if v := gauge(t, m, "creditsync_job_last_run_ok"); v != 0 {
				t.Errorf("creditsync_job_last_run_ok = %v after a %s run, want 0", v, rep.Status)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(notes) != 1 || notes[0].Event != "failure" || notes[0].Report.Status != tc.status || !strings.Contains(notes[0].Text, "publicity-abnormal") {
				t.Errorf("notifications = %+v, want one failure naming publicity-abnormal", notes)
			}
		})
	}
}

// gauge reads the value of a metric without labels but job.
func gauge(t *testing.T, m *jobs.Metrics, name string) float64 {
	t.Helper()
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == name && len(f.GetMetric()) == 1 {
			return f.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("no single %s metric", name)
	return -1
}

func TestNightlyFailsWhenASourceIsTooStale(t *testing.T) {
	t.Parallel()
	site := newNightlySite(t, "[sync]\nmax_staleness = \"1ms\"\n\n")
	site.fx.Inject(fixture.Abnormal, fixture.Fault{Kind: fixture.ServerError})
	history := site.sql(t, "SELECT count() FROM grade_history")
	time.Sleep(5 * time.Millisecond)

	r := runCLI(t, site.env, "run", "nightly")
	if r.code != exitFailure || !strings.Contains(r.stderr+r.stdout, "staler than allowed") {
		t.Fatalf("nightly with a too stale source: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	rep := site.lastReport(t)
	if st := stepOf(rep, "regrade"); st.Status != jobs.StatusSkipped {
		t.Errorf("regrade ran on untrusted data: %+v", st)
	}
	if got := site.sql(t, "SELECT count() FROM grade_history"); got != history {
		t.Errorf("grade history changed: %s → %s", history, got)
	}
}

// servedSample writes a sample of the given seed and size under dir and
// serves its external lists from fixture sources on loopback, closed when
// the test ends: the bureau's files and the sites a nightly run syncs.
func servedSample(t *testing.T, dir string, seed int64, institutions int) (sample.Files, *fixture.Server) {
	t.Helper()
	files, fx, err := serveSample(dir, seed, institutions)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fx.Close)
	return files, fx
}

// serveSample is servedSample outside a test: the caller closes the
// server.
func serveSample(dir string, seed int64, institutions int) (sample.Files, *fixture.Server, error) {
	files, _, err := sample.Write(filepath.Join(dir, "sample"), sample.Options{Seed: seed, Institutions: institutions, AsOf: workflows.DemoAsOf})
	if err != nil {
		return nil, nil, err
	}
	fx, err := fixture.ServeFiles(files, fixture.Options{})
	if err != nil {
		return nil, nil, err
	}
	return files, fx, nil
}
