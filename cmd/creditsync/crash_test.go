package main

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/sample"
)

// TestKilledImportIsRecoveredAtOnce kills an import with SIGKILL while
// its stage table exists, then imports again at once: the dead process's
// jobs lease is taken over (it is on this host and its pid has no
// process), its stage table is dropped, and the import loads every row
// once.
func TestKilledImportIsRecoveredAtOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files, _, err := sample.Write(filepath.Join(dir, "sample"), sample.Options{Seed: 3, Institutions: 3000, AsOf: time.Date(2026, 7, 31, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	csv := files["institutions"]
	data := filepath.Join(dir, "data")
	env := []string{"CREDITSYNC_DATA=" + data}
	if r := runCLI(t, env, "init"); r.code != 0 {
		t.Fatalf("init: exit %d\n%s", r.code, r.stderr)
	}

	cmd := exec.Command(binary, "import", "institutions", csv)
	cmd.Env = append(os.Environ(), env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The engine has created a table once its metadata file is in place.
	staged := func() string {
		found := ""
		_ = filepath.WalkDir(data, func(p string, d fs.DirEntry, err error) error {
			if err == nil && strings.HasPrefix(d.Name(), "_stage_") && strings.HasSuffix(d.Name(), ".sql") {
				found = p
				return filepath.SkipAll
			}
			return nil
		})
		return found
	}
	deadline := time.Now().Add(2 * time.Minute)
	for staged() == "" {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatal("the import never created its stage table")
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	left := staged()
	if left == "" {
		t.Fatal("the stage table vanished with the process; the test proves nothing")
	}
	t.Logf("left by the killed import: %s", left)

	started := time.Now()
	r := runCLI(t, env, "import", "institutions", csv)
	if r.code != 0 {
		t.Fatalf("import right after the kill: exit %d (after %s)\n%s%s", r.code, time.Since(started), r.stdout, r.stderr)
	}
	for _, want := range []string{"took over the jobs lease of ", "no longer exists", "dropped 1 table(s) left by an unfinished load: _stage_"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	m := regexp.MustCompile(`→ institutions: (\d+) read, (\d+) new or changed, 0 unchanged, 0 rejected`).FindStringSubmatch(r.stdout)
	if m == nil || m[1] != m[2] {
		t.Fatalf("the re-import did not load every row as new:\n%s", r.stdout)
	}
	q := runCLI(t, env, "sql", "--format", "TabSeparated", "SELECT count(), uniqExact(uscc) FROM institutions")
	if want := m[1] + "\t" + m[1]; strings.TrimSpace(q.stdout) != want {
		t.Errorf("institutions: count, distinct = %q, want %q (every row of the file once)", strings.TrimSpace(q.stdout), want)
	}
	q = runCLI(t, env, "sql", "--format", "TabSeparated", "SELECT count() FROM system.tables WHERE database = currentDatabase() AND (name LIKE '\\_stage\\_%' OR name LIKE '\\_ready\\_%')")
	if strings.TrimSpace(q.stdout) != "0" {
		t.Errorf("stage tables left: %q %s", q.stdout, q.stderr)
	}
}
