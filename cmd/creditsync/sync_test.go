package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/ingest/fixture"
)

// sync, sources and review against the emulated sources, as an operator
// runs them.
func TestSyncCommands(t *testing.T) {
	t.Parallel()
	data, err := fixture.ReadDir(filepath.Join("..", "..", "ingest", "fixture", "testdata", "small"))
	if err != nil {
		t.Fatal(err)
	}
	fx := fixture.Start(data, fixture.Options{PageSize: 3})
	defer fx.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "creditsync.toml")
	// The syncs below run seconds apart: the second snapshot confirms a
	// removal (the default waits for the next night's).
	sources := strings.ReplaceAll(fx.SourcesTOML(), "rate = 0\n", "rate = 0\nconfirm_removals_after = \"0s\"\n")
	if err := os.WriteFile(cfg, []byte("[sync]\nmax_staleness = \"48h\"\n\n"+sources), 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(fx.Env(), "CREDITSYNC_DATA="+filepath.Join(dir, "data"), "CREDITSYNC_CONFIG="+cfg)
	secretFree := func(r result) {
		t.Helper()
		for _, s := range []string{fx.Token, fx.APIKey} {
			if strings.Contains(r.stdout+r.stderr, s) {
				t.Errorf("a credential was printed:\n%s%s", r.stdout, r.stderr)
			}
		}
	}

	r := runCLI(t, env, "sync")
	secretFree(r)
	if r.code != exitOK || strings.Count(r.stdout, " ok ") != 4 || !strings.Contains(r.stdout, "ILLEGACTTYPE") {
		t.Fatalf("sync: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "queued for review") {
		t.Errorf("records without a USCC matching no institution were not queued:\n%s", r.stdout)
	}

	fx.Inject(fixture.Abnormal, fixture.Fault{Kind: fixture.JSChallenge})
	r = runCLI(t, env, "sync", "--source", "publicity-abnormal")
	secretFree(r)
	if r.code != exitFailure || !strings.Contains(r.stdout, "blocked: challenge/CAPTCHA") || !strings.Contains(r.stderr, "stands") || !strings.Contains(r.stderr, "hint:") {
		t.Errorf("sync against a challenge: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	r = runCLI(t, env, "sources")
	if r.code != exitOK || !strings.Contains(r.stdout, "publicity-abnormal") || !strings.Contains(r.stdout, "failed") || strings.Contains(r.stdout, "STALE") {
		t.Errorf("sources: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r = runCLI(t, env, "sources", "--check", "--format", "json"); r.code != exitOK || strings.Count(r.stdout, "\n") != 4 {
		t.Errorf("sources --check: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	r = runCLI(t, env, "review")
	if r.code != exitOK || !strings.Contains(r.stdout, "长葛市金桥人才服务有限公司") || !strings.Contains(r.stdout, "(3 records to review)") {
		t.Errorf("review: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// Records gone from the site: pending after one snapshot, held by
	// the limit after the second, written once a person accepts them.
	fx.ClearFaults()
	fx.SetRows("dishonest", fx.Rows("dishonest")[3:])
	if r = runCLI(t, env, "sync", "--source", "creditchina-dishonest", "--accept-shrink"); r.code != exitOK || !strings.Contains(r.stdout, "3 removal(s) pending a second snapshot") {
		t.Errorf("first snapshot without 3 records: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r = runCLI(t, env, "review"); !strings.Contains(r.stdout, "3 removal(s) waiting (0 held for a person)") {
		t.Errorf("review does not mention the removals waiting:\n%s", r.stdout)
	}
	if r = runCLI(t, env, "review", "removals"); r.code != exitOK || strings.Count(r.stdout, "pending: a second snapshot confirms it") != 3 {
		t.Errorf("review removals: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, env, "sync", "--source", "creditchina-dishonest", "--accept-shrink")
	if r.code != exitOK || !strings.Contains(r.stdout, "removals held") || !strings.Contains(r.stdout, "review removals --accept creditchina-dishonest") {
		t.Errorf("second snapshot: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r = runCLI(t, env, "sources"); !strings.Contains(r.stdout, "3 removal(s) held for review") {
		t.Errorf("sources after held removals:\n%s", r.stdout)
	}
	if r = runCLI(t, env, "review", "removals", "--accept", "creditchina-dishonest"); r.code != exitOK || !strings.Contains(r.stdout, "3 held removal(s) accepted") {
		t.Errorf("accept: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r = runCLI(t, env, "sql", "--format", "csv", "SELECT count() FROM dishonest WHERE removed_on IS NOT NULL"); !strings.HasSuffix(r.stdout, "\n3\n") {
		t.Errorf("removed dishonest rows (the 3 gone; one the site already showed removed): %q %s", r.stdout, r.stderr)
	}
	// The run's pages, re-read without the network.
	run := runCLI(t, env, "sql", "--format", "csv", "SELECT run_id FROM sync_runs WHERE source = 'creditchina-dishonest' AND status = 'ok' ORDER BY started_at LIMIT 1")
	lines := strings.Fields(run.stdout) // a header line, then the id
	runID := strings.Trim(lines[len(lines)-1], `"`)
	if r = runCLI(t, env, "sync", "--replay", runID); r.code != exitOK || !strings.Contains(r.stdout, "a complete snapshot") || !strings.Contains(r.stdout, runID) {
		t.Errorf("sync --replay %s: exit %d\n%s%s", runID, r.code, r.stdout, r.stderr)
	}

	if r = runCLI(t, env, "sync", "--source", "nope"); r.code != exitUsage {
		t.Errorf("unknown source: exit %d %s", r.code, r.stderr)
	}
	missing := append(env, "CREDITSYNC_CONFIG="+filepath.Join(dir, "missing.toml"))
	if r = runCLI(t, missing, "sync"); r.code != exitFailure || !strings.Contains(r.stderr, "creditsync.example.toml") {
		t.Errorf("no config: exit %d %s", r.code, r.stderr)
	}
}

// sync and sources show a check a source switched off with its reason,
// and the pages of the last run whose charset label was wrong.
func TestSyncShowsSkippedChecksAndWrongLabels(t *testing.T) {
	t.Parallel()
	data, err := fixture.ReadDir(filepath.Join("..", "..", "ingest", "fixture", "testdata", "small"))
	if err != nil {
		t.Fatal(err)
	}
	fx := fixture.Start(data, fixture.Options{PageSize: 3})
	defer fx.Close()
	text, err := os.ReadFile(filepath.Join("testdata", "city_abnormal_skip.toml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "creditsync.toml")
	if err := os.WriteFile(cfg, []byte(strings.ReplaceAll(string(text), "{{URL}}", fx.URL(fixture.AbnormalPages))), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"CREDITSYNC_DATA=" + filepath.Join(dir, "data"), "CREDITSYNC_CONFIG=" + cfg}
	const reason = "page_count: 页次 counts one page too few; reported to the site 2026-05-02"

	fx.Inject(fixture.AbnormalPages, fixture.Fault{Kind: fixture.PagerShort, Count: 1})
	r := runCLI(t, env, "sync")
	if r.code != exitOK || !strings.Contains(r.stdout, "check switched off by the configuration: "+reason) {
		t.Fatalf("sync with a short pager and page_count off: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	fx.ClearFaults()
	fx.Inject(fixture.AbnormalPages, fixture.Fault{Kind: fixture.UTF8LabelledGBK})
	r = runCLI(t, env, "sync")
	if r.code != exitOK || !strings.Contains(r.stdout, "wrong charset label, read in the charset of its bytes: page 1: labelled gbk, but its bytes are UTF-8") {
		t.Fatalf("sync of pages labelled GBK: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, env, "sources")
	for _, want := range []string{"city-abnormal-pages: check off: " + reason, "city-abnormal-pages: last run: wrong charset label, read in the charset of its bytes: page 1: labelled gbk, but its bytes are UTF-8"} {
		if r.code != exitOK || !strings.Contains(r.stdout, want) {
			t.Errorf("sources lacks %q: exit %d\n%s%s", want, r.code, r.stdout, r.stderr)
		}
	}
	r = runCLI(t, env, "sources", "--format", "json")
	if r.code != exitOK || !strings.Contains(r.stdout, `"skipped_checks":"`+reason+`"`) {
		t.Errorf("sources --format json lacks the reason: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
