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
	data, err := fixture.ReadDir(filepath.Join("..", "..", "ingest", "fixture", "testdata", "small"))
	if err != nil {
		t.Fatal(err)
	}
	fx := fixture.Start(data, fixture.Options{PageSize: 3})
	defer fx.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "creditsync.toml")
	if err := os.WriteFile(cfg, []byte("[sync]\nmax_staleness = \"48h\"\n\n"+fx.SourcesTOML()), 0o644); err != nil {
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

	if r = runCLI(t, env, "sync", "--source", "nope"); r.code != exitUsage {
		t.Errorf("unknown source: exit %d %s", r.code, r.stderr)
	}
	missing := append(env, "CREDITSYNC_CONFIG="+filepath.Join(dir, "missing.toml"))
	if r = runCLI(t, missing, "sync"); r.code != exitFailure || !strings.Contains(r.stderr, "creditsync.example.toml") {
		t.Errorf("no config: exit %d %s", r.code, r.stderr)
	}
}
