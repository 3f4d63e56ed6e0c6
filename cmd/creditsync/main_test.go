package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/storetest"
)

// binary is creditsync built once for the tests that run it as a user
// would, in its own process (libchdb allows one data directory per process).
var binary string

// Tests run in parallel (t.Parallel) when they work through the built
// binary on a data directory of their own; the few that open the engine
// in this process (it holds one data directory at a time) or set the
// environment or the working directory run alone, before the others.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "creditsync-bin-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "creditsync")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		panic("build creditsync: " + err.Error() + "\n" + string(out))
	}
	code := storetest.Main(m) // also removes the in-process engine's data
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

func runCLI(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	stdout, stderr, code, err := runCommand(cmd)
	if err != nil {
		t.Fatal(err)
	}
	return result{stdout, stderr, code}
}

// runCommand runs cmd and returns its output and exit code; err is for a
// command that could not run at all.
func runCommand(cmd *exec.Cmd) (stdout, stderr string, code int, err error) {
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code, err = ee.ExitCode(), nil
	}
	return out.String(), errOut.String(), code, err
}

func TestHelpWorksWithoutLibchdb(t *testing.T) {
	t.Parallel()
	noLib := []string{"CREDITSYNC_LIBCHDB=" + filepath.Join(t.TempDir(), "missing", "libchdb.so")}
	for _, args := range [][]string{{"--help"}, {"import", "--help"}, {"sql", "--help"}, {"init", "--help"}, {"demo", "--help"}, {"version"}} {
		r := runCLI(t, noLib, args...)
		if r.code != 0 || r.stdout == "" {
			t.Errorf("creditsync %v without libchdb: exit %d, stdout %q, stderr %q", args, r.code, r.stdout, r.stderr)
		}
	}
	r := runCLI(t, append(noLib, "CREDITSYNC_DATA="+t.TempDir()), "sql", "SELECT 1")
	if r.code != exitFailure || !strings.Contains(r.stderr, "libchdb.so not found") || !strings.Contains(r.stderr, "make setup") {
		t.Errorf("sql without libchdb: exit %d, stderr %q; want exit 1 with the install hint", r.code, r.stderr)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		says string // in the message
	}{
		{[]string{"import", "institutions"}, ""},
		{[]string{"import", "nosuchlist", "x.csv"}, ""},
		{[]string{"sql"}, ""},
		{[]string{"sql", "--format", "xml", "SELECT 1"}, ""},
		{[]string{"--no-such-flag"}, ""},
		// A group's missing or misspelt command printed the group's help
		// and exited 0: a script took `report sumary` for a form written.
		{[]string{"report", "sumary", "411002", "-o", "x.xlsx"}, `unknown command "sumary" for "creditsync report"; did you mean summary?`},
		{[]string{"report"}, "creditsync report needs a command: adjustments, city,"},
		{[]string{"objection", "fle"}, `unknown command "fle" for "creditsync objection"`},
		{[]string{"objection"}, "creditsync objection needs a command: file, resolve"},
		{[]string{"upgrade", "aply"}, `unknown command "aply" for "creditsync upgrade"`},
		{[]string{"upgrade"}, "creditsync upgrade needs a command: apply"},
		{[]string{"review", "removal"}, `unknown command "removal" for "creditsync review"`},
		{[]string{"access", "x"}, "creditsync access needs no arguments"},
		{[]string{"reprot", "city"}, `unknown command "reprot" for "creditsync"`},
		{nil, "creditsync needs a command:"},
	} {
		r := runCLI(t, []string{"CREDITSYNC_DATA=" + t.TempDir()}, tt.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tt.says) {
			t.Errorf("creditsync %v: exit %d (stderr %q), want %d saying %q", tt.args, r.code, r.stderr, exitUsage, tt.says)
		}
	}
	// Help asked for is no error.
	for _, args := range [][]string{{"report", "--help"}, {"help", "objection"}} {
		if r := runCLI(t, nil, args...); r.code != exitOK || !strings.Contains(r.stdout, "Available Commands") {
			t.Errorf("creditsync %v: exit %d, stdout %q", args, r.code, r.stdout)
		}
	}
}

func TestImportThenQuery(t *testing.T) {
	t.Parallel()
	env := []string{"CREDITSYNC_DATA=" + t.TempDir()}
	bad := filepath.Join("..", "..", "ingest", "file", "testdata", "institutions", "bad_rows.csv")

	r := runCLI(t, env, "import", "institutions", bad)
	if r.code != exitRejected {
		t.Fatalf("import with bad rows: exit %d, want %d\n%s%s", r.code, exitRejected, r.stdout, r.stderr)
	}
	for _, want := range []string{"bad_rows.csv:4: column 统一社会信用代码: invalid USCC", "bad_rows.csv:5: column 许可日期: invalid date", "bad_rows.csv:6: column 机构名称: missing required field", "3 new or changed", "4 rejected", "rejected for missing required field: 2"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("import output lacks %q:\n%s", want, r.stdout)
		}
	}
	count := func() string {
		r := runCLI(t, env, "sql", "--format", "csv", "SELECT count() AS n FROM institutions")
		if r.code != 0 {
			t.Fatalf("sql: exit %d: %s", r.code, r.stderr)
		}
		return r.stdout
	}
	if got := count(); got != "\"n\"\n3\n" {
		t.Fatalf("count after import = %q", got)
	}
	r = runCLI(t, env, "import", "institutions", bad)
	if !strings.Contains(r.stdout, "0 new or changed, 3 unchanged") {
		t.Errorf("second import output: %s", r.stdout)
	}
	if got := count(); got != "\"n\"\n3\n" {
		t.Errorf("count after second import = %q", got)
	}
	r = runCLI(t, env, "sql", "--format", "json", "SELECT uscc, county_code FROM institutions WHERE uscc = '91411023MA40000005'")
	if strings.TrimSpace(r.stdout) != `{"uscc":"91411023MA40000005","county_code":"411003"}` {
		t.Errorf("json output = %q", r.stdout)
	}
	r = runCLI(t, env, "sql", "SELECT nonsense FROM institutions")
	if r.code != exitFailure || !strings.Contains(r.stderr, "nonsense") {
		t.Errorf("bad query: exit %d stderr %q", r.code, r.stderr)
	}
}

// The engine would read a piped standard input as INSERT data; creditsync
// must work inside shell pipelines all the same.
func TestWorksWithPipedStdin(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(binary, "import", "institutions", filepath.Join("..", "..", "ingest", "file", "testdata", "institutions", "bad_rows.csv"))
	cmd.Env = append(os.Environ(), "CREDITSYNC_DATA="+t.TempDir())
	cmd.Stdin = strings.NewReader("not insert data\n")
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitRejected || !strings.Contains(string(out), "3 new or changed") {
		t.Errorf("import with piped stdin: %v\n%s", err, out)
	}
}

func TestDemoRunsThePipeline(t *testing.T) {
	t.Parallel()
	// The shared run is this test's run of the demo; its directory is
	// the one the demo wrote.
	r, dir := sharedDemo(t)
	for _, want := range []string{"rejected for invalid USCC: 1", "publicity-abnormal", "Annual evaluation", "nightly run", "全市 total", "grade D at", "附件2-"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	for y := 2023; y <= 2026; y++ {
		if !strings.Contains(r.stdout, fmt.Sprintf("\n%d: ", y)) {
			t.Errorf("demo output lacks the %d evaluation", y)
		}
	}
	for _, f := range []string{"city-overview.html", "public-list.csv", "public-list.xlsx", "county-411002.html", "附件2-411002.xlsx",
		"诚信机构典型名单-411002.xlsx", "动态调整情况-411002.xlsx", "附件1-诚信承诺书-411002.html", "待办名单-411002.xlsx"} {
		if _, err := os.Stat(filepath.Join(dir, "out", f)); err != nil {
			t.Errorf("demo did not write %s: %v", f, err)
		}
	}
}

// status shows a list no batch has loaded with an empty last load, as
// values that do not apply are shown (docs/guide.md): it printed
// "inspections 0 1970-01-01 00:00:00.000 UTC … 0".
func TestStatusListNeverLoaded(t *testing.T) {
	t.Parallel()
	env := []string{"CREDITSYNC_DATA=" + t.TempDir()}
	if r := runCLI(t, env, "import", "institutions", filepath.Join("..", "..", "ingest", "file", "testdata", "institutions", "bad_rows.csv")); r.code != exitRejected {
		t.Fatalf("import: exit %d\n%s", r.code, r.stderr)
	}
	r := runCLI(t, env, "status", "--section", "lists", "--format", "csv")
	if r.code != 0 {
		t.Fatalf("status: exit %d\n%s", r.code, r.stderr)
	}
	recs, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil || len(recs) < 3 {
		t.Fatalf("status csv: %v\n%s", err, r.stdout)
	}
	for _, rec := range recs[1:] {
		loaded := rec[0] == "institutions"
		if got := [3]bool{rec[2] != "", rec[3] != "", rec[4] != ""}; got != [3]bool{loaded, loaded, loaded} {
			t.Errorf("%s: last_load %q, last_ref %q, rejected_total %q; want them set only for the list loaded", rec[0], rec[2], rec[3], rec[4])
		}
	}
}

// Data directory mistakes are said: a mistyped --data made status create
// the directories and an empty store and show it empty; --data "" failed
// as "mkdir : no such file or directory"; CREDITSYNC_DATA set but empty
// used the default directory without a word.
func TestDataDirectoryMistakes(t *testing.T) {
	t.Parallel()
	nope := filepath.Join(t.TempDir(), "nope", "deeper", "x")
	other := t.TempDir() // a directory of other things
	if err := os.WriteFile(filepath.Join(other, "notes.txt"), []byte("notes"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		env  []string
		args []string
		code int
		want string
	}{
		{nil, []string{"--data", nope, "status"}, exitFailure, nope + " does not exist\nhint: give the store's directory with --data or CREDITSYNC_DATA, or create a new store with `creditsync init --data " + nope + "`"},
		{nil, []string{"--data", nope, "grades"}, exitFailure, nope + " does not exist"},
		{[]string{"CREDITSYNC_DATA=" + nope}, []string{"history", "91411002MA47X4XJ6A"}, exitFailure, nope + " does not exist"},
		{nil, []string{"--data", nope, "report", "city", "-o", filepath.Join(t.TempDir(), "o.xlsx")}, exitFailure, nope + " does not exist"},
		{nil, []string{"--data", other, "status"}, exitFailure, other + " holds no creditsync store (no clickhouse directory)"},
		{nil, []string{"--data", "", "status"}, exitUsage, "--data is empty: name the data directory"},
		{[]string{"CREDITSYNC_DATA="}, []string{"status"}, exitUsage, "CREDITSYNC_DATA is set but empty"},
		{[]string{"CREDITSYNC_DATA="}, []string{"run", "nightly"}, exitUsage, "CREDITSYNC_DATA is set but empty"},
	}
	for _, tt := range tests {
		r := runCLI(t, tt.env, tt.args...)
		if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%v %v: exit %d, want %d and %q:\n%s", tt.env, tt.args, r.code, tt.code, tt.want, r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Dir(filepath.Dir(nope))); !os.IsNotExist(err) {
		t.Errorf("a read-only command made the data directory: %v", err)
	}
	if _, err := os.Stat(filepath.Join(other, "clickhouse")); !os.IsNotExist(err) {
		t.Errorf("a read-only command made a store among other things: %v", err)
	}
}
