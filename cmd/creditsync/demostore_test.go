package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// The demo's store (seed 7, 120 institutions: imported, synced, evaluated
// over four years, regraded at today's date) is what most command tests
// read. It is built once per test binary, by the real demo command in its
// own process, and each test gets a copy of its data directory, so no test
// sees another's writes and none pays for the demo again.
var demoRun struct {
	once sync.Once
	dir  string // the demo's data directory, never opened after the run
	out  result // what the demo printed
	err  error
}

// demoArgs are the demo's flags the shared store is built with; the tests
// that compare with the sample's reference grader use the same.
var demoArgs = []string{"demo", "--seed", "7", "--institutions", "120"}

// sharedDemo runs the demo once and returns its output and directory.
func sharedDemo(t *testing.T) (result, string) {
	t.Helper()
	demoRun.once.Do(func() {
		demoRun.dir = filepath.Join(filepath.Dir(binary), "demo-store")
		cmd := exec.Command(binary, append([]string{"--data", demoRun.dir}, demoArgs...)...)
		var r result
		r.stdout, r.stderr, r.code, demoRun.err = runCommand(cmd)
		demoRun.out = r
	})
	if demoRun.err != nil {
		t.Fatal(demoRun.err)
	}
	if demoRun.out.code != 0 {
		t.Fatalf("demo: exit %d\n%s\n%s", demoRun.out.code, demoRun.out.stdout, demoRun.out.stderr)
	}
	return demoRun.out, demoRun.dir
}

// demoStore returns a new data directory holding a copy of the demo's
// store, its reports and its output files.
func demoStore(t *testing.T) string {
	t.Helper()
	_, src := sharedDemo(t)
	dst := t.TempDir()
	// cp keeps the engine's files as they are (hard links would share
	// parts that a test's merges rewrite).
	if out, err := exec.Command("cp", "-a", src+string(os.PathSeparator)+".", dst).CombinedOutput(); err != nil {
		t.Fatalf("copy the demo's store: %v\n%s", err, out)
	}
	return dst
}
