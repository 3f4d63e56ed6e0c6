package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/sample"
)

// import DIR imports every file of a folder into the list its header
// names, registers first, each file its own batch, in one process; a file
// of no list is left out and named, and the command says so by its exit.
func TestImportAFolder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := filepath.Join(dir, "received")
	files, _, err := sample.Write(in, sample.Options{Seed: 11, Institutions: 80, AsOf: time.Date(2026, 7, 31, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(in, sample.BadInstitutionsFile))
	if err := os.WriteFile(filepath.Join(in, "会议记录.csv"), []byte("日期,内容\n2026-07-01,开会\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A file that cannot be read is left out for what is wrong with it.
	if err := os.WriteFile(filepath.Join(in, "备忘.csv"), []byte("record_id,uscc\nX-1,\"未闭合\nX-2,y\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"CREDITSYNC_DATA=" + filepath.Join(dir, "data")}
	if r := runCLI(t, env, "init"); r.code != 0 {
		t.Fatalf("init: %d %s", r.code, r.stderr)
	}
	r := runCLI(t, env, "import", in)
	if r.code != exitFailure || !strings.Contains(r.stderr, "left out: "+filepath.Join(in, "会议记录.csv")) ||
		!strings.Contains(r.stderr, "left out: "+filepath.Join(in, "备忘.csv")+": line 2: a quoted value is never closed") ||
		!strings.Contains(r.stderr, "2 file(s) left out: 1 whose tables belong to no list, or to several (import them with LIST=FILE); 1 that could not be read") {
		t.Fatalf("import DIR: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	first := -1
	for list, path := range files {
		line := path + " → " + list + ": "
		i := strings.Index(r.stdout, line)
		if i < 0 {
			t.Errorf("%s was not imported into %s:\n%s", path, list, r.stdout)
			continue
		}
		if list == "institutions" {
			first = i
		}
	}
	// The same as importing the files one by one.
	one := []string{"CREDITSYNC_DATA=" + filepath.Join(dir, "one-by-one")}
	runCLI(t, one, "init")
	for list, path := range files {
		if r := runCLI(t, one, "import", list, path); r.code != 0 {
			t.Fatalf("import %s %s: %d %s", list, path, r.code, r.stderr)
		}
		q := "SELECT count(), sum(cityHash64(row_hash)) FROM " + list // the contract columns, not the batch's
		if a, b := runCLI(t, env, "sql", "--format", "TSV", q).stdout, runCLI(t, one, "sql", "--format", "TSV", q).stdout; a != b || a == "" {
			t.Errorf("%s after import DIR: %q; one by one: %q", list, a, b)
		}
	}
	for list, path := range files {
		if i := strings.Index(r.stdout, path+" → "+list+": "); i >= 0 && list != "institutions" && i < first {
			t.Errorf("%s was imported before the register", list)
		}
	}

	// LIST=FILE names the list; the same files again change nothing.
	var args []string
	for list, path := range files {
		args = append(args, list+"="+path)
	}
	r = runCLI(t, env, append([]string{"import"}, args...)...)
	if r.code != 0 || strings.Count(r.stdout, ", 0 new or changed, ") != len(files) {
		t.Errorf("import LIST=FILE again: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, env, "import", "nosuchlist="+files["penalties"]); r.code != exitUsage {
		t.Errorf("an unknown list: exit %d, %s", r.code, r.stderr)
	}
}
