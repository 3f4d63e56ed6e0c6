package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Each value the old decoder printed wrong comes out as the engine writes it.
func TestSQLValues(t *testing.T) {
	t.Parallel()
	env := []string{"CREDITSYNC_DATA=" + t.TempDir()}
	tests := []struct {
		name, format, query, want string
	}{
		{"DateTime at 00:00 UTC keeps its time", "csv", "SELECT toDateTime('2026-12-01 00:00:00', 'UTC') AS t", "\"t\"\n\"2026-12-01 00:00:00\"\n"},
		{"Asia/Shanghai DateTime keeps its time", "csv", "SELECT toDateTime('2026-12-02 08:00:00', 'Asia/Shanghai') AS t", "\"t\"\n\"2026-12-02 08:00:00\"\n"},
		{"DateTime64(3) keeps milliseconds", "json", "SELECT toDateTime64('2026-12-01 10:11:12.345', 3) AS t", "{\"t\":\"2026-12-01 10:11:12.345\"}\n"},
		{"NULL is not the empty string in CSV", "csv", "SELECT NULL AS a, '' AS b", "\"a\",\"b\"\n\\N,\"\"\n"},
		{"NULL is null in JSON", "json", "SELECT NULL AS a, '' AS b", "{\"a\":null,\"b\":\"\"}\n"},
		{"NaN stays NaN", "json", "SELECT nan AS x", "{\"x\":\"nan\"}\n"},
		{"array containing the separator", "csv", "SELECT ['a;b', 'c'] AS xs", "\"xs\"\n\"['a;b','c']\"\n"},
		{"array in JSON", "json", "SELECT ['a;b', 'c'] AS xs", "{\"xs\":[\"a;b\",\"c\"]}\n"},
		{"json keys in column order", "json", "SELECT 2 AS z, 1 AS a", "{\"z\":2,\"a\":1}\n"},
		{"engine format name", "TSVWithNames", "SELECT 1 AS n", "n\n1\n"},
		{"FORMAT clause", "csv", "SELECT 1 AS n FORMAT Vertical", "Row 1:\n──────\nn: 1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, env, "sql", "--format", tt.format, tt.query)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if r.stdout != tt.want {
				t.Errorf("got %q, want %q", r.stdout, tt.want)
			}
		})
	}
}

// today() is the bureau's date: the session zone is Asia/Shanghai.
func TestSQLTodayIsShanghai(t *testing.T) {
	t.Parallel()
	r := runCLI(t, []string{"CREDITSYNC_DATA=" + t.TempDir()}, "sql", "--format", "TSV", "SELECT today() = toDate(now(), 'Asia/Shanghai'), timezone()")
	if r.stdout != "1\tAsia/Shanghai\n" {
		t.Errorf("got %q (%s)", r.stdout, r.stderr)
	}
}

// Read-only, a statement runs as sent only when the engine reads it as
// its own writing of it, which the checks read: an alias given as a
// parameter (which that writing drops) or a column named `true` (which it
// writes as the constant) is refused; a statement whose writing only
// drops comments runs as sent.
func TestSQLRunsTheCheckedStatement(t *testing.T) {
	t.Parallel()
	env := []string{"CREDITSYNC_DATA=" + t.TempDir()}
	for _, q := range []string{"WITH 'injected' AS {a:Identifier} SELECT number FROM numbers(1)", "SELECT `true` FROM (SELECT 7 AS `true`)"} {
		r := runCLI(t, env, "sql", "--format", "TSV", "--param_a=number", q)
		if r.code == 0 || !strings.Contains(r.stderr, "reads otherwise than its own writing") {
			t.Errorf("%s: exit %d, stdout %q, stderr %s; want it refused", q, r.code, r.stdout, r.stderr)
		}
	}
	if r := runCLI(t, env, "sql", "--format", "TSV", "select /* x */ 7 -- y"); r.code != 0 || r.stdout != "7\n" {
		t.Errorf("exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
}

func TestSQLInput(t *testing.T) {
	t.Parallel()
	env := []string{"CREDITSYNC_DATA=" + t.TempDir()}
	r := runCLI(t, env, "sql", "--format", "TSV", "--param_n=41", "--queries-file", filepath.Join("testdata", "two-queries.sql"))
	if r.code != 0 || r.stdout != "a;b\n42\n" {
		t.Errorf("queries file: exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
	cmd := exec.Command(binary, "sql", "--format", "csv", "--excel", "--param_s", "x'y")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader("SELECT {s:String} AS s")
	out, err := cmd.Output()
	if err != nil || string(out) != "\uFEFFs\nx'y\n" {
		t.Errorf("stdin with a parameter and --excel: %v, %q", err, out)
	}
}

// sql --excel writes no formula: a text (or a column's name) that Excel
// would run starts with an apostrophe, numbers stay numbers, and every
// statement's output passes through.
func TestSQLExcelDefusesFormulas(t *testing.T) {
	t.Parallel()
	env := []string{"CREDITSYNC_DATA=" + t.TempDir()}
	q := `SELECT '=HYPERLINK("http://x.example/?a,b","点此")' AS name, -1 AS n, '+86 374' AS phone, '@SUM(A1)' AS "=col", 2.5 AS x, '甲公司' AS plain; SELECT '-2' AS s, '-x' AS t`
	r := runCLI(t, env, "sql", "--format", "CSVWithNames", "--excel", q)
	want := "\uFEFFname,n,phone,'=col,x,plain\n\"'=HYPERLINK(\"\"http://x.example/?a,b\"\",\"\"点此\"\")\",-1,'+86 374,'@SUM(A1),2.5,甲公司\ns,t\n-2,'-x\n"
	if r.code != 0 || r.stdout != want {
		t.Errorf("exit %d, stdout %q, stderr %s\nwant %q", r.code, r.stdout, r.stderr, want)
	}
	// Without --excel the values are the engine's, as written.
	if r := runCLI(t, env, "sql", "--format", "CSV", "SELECT '=1+1'"); r.stdout != "\"=1+1\"\n" {
		t.Errorf("without --excel: %q", r.stdout)
	}
}

// sql is read-only unless --write: the engine refuses the INSERT.
func TestSQLReadOnly(t *testing.T) {
	t.Parallel()
	env := []string{"CREDITSYNC_DATA=" + t.TempDir()}
	if r := runCLI(t, env, "sql", "--write", "CREATE TABLE scratch (x UInt8) ENGINE = MergeTree ORDER BY x"); r.code != 0 {
		t.Fatalf("create with --write: exit %d: %s", r.code, r.stderr)
	}
	r := runCLI(t, env, "sql", "INSERT INTO scratch VALUES (1)")
	if r.code != exitFailure || !strings.Contains(r.stderr, "read-only") || !strings.Contains(r.stderr, "--write") {
		t.Errorf("insert without --write: exit %d, stderr %q", r.code, r.stderr)
	}
	for _, q := range []string{"SELECT 1 SETTINGS readonly = 0", "SET readonly = 0; INSERT INTO scratch VALUES (1)"} {
		if r := runCLI(t, env, "sql", q); r.code != exitFailure {
			t.Errorf("%s: exit %d", q, r.code)
		}
	}
	// A setting is no write: the hint says so.
	if r := runCLI(t, env, "sql", "SELECT 1 SETTINGS max_threads = 1"); r.code != exitFailure || !strings.Contains(r.stderr, "SETTINGS clause") || strings.Contains(r.stderr, "change data") {
		t.Errorf("a SETTINGS clause without --write: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := runCLI(t, env, "sql", "--write", "INSERT INTO scratch VALUES (1)"); r.code != 0 {
		t.Fatalf("insert with --write: exit %d: %s", r.code, r.stderr)
	}
	if r := runCLI(t, env, "sql", "--format", "TSV", "SELECT count() FROM scratch"); r.stdout != "1\n" {
		t.Errorf("rows after one allowed insert: %q", r.stdout)
	}
}

// Read-only writes nothing anywhere: no file on the host, no server
// state, no other query cancelled. With --write, a file written INTO
// OUTFILE is whole.
func TestSQLReadOnlyWritesNoFile(t *testing.T) {
	t.Parallel()
	env := []string{"CREDITSYNC_DATA=" + t.TempDir()}
	file := filepath.Join(t.TempDir(), "out.tsv")
	for _, q := range []string{
		"SELECT number FROM numbers(10) INTO OUTFILE '" + file + "'",
		"SELECT number FROM numbers(10) INTO OUTFILE '" + file + "' APPEND",
		"INSERT INTO FUNCTION file('" + file + "', 'TSV') SELECT 1",
		"KILL QUERY WHERE 1", "SYSTEM FLUSH LOGS",
	} {
		r := runCLI(t, env, "sql", q)
		if r.code != exitFailure || !strings.Contains(r.stderr, "--write") {
			t.Errorf("%s without --write: exit %d, stderr %q", q, r.code, r.stderr)
		}
		if _, err := os.Stat(file); err == nil {
			t.Fatalf("%s without --write wrote %s", q, file)
		}
	}
	r := runCLI(t, env, "sql", "--write", "SELECT number, toString(number) FROM numbers(1000000) INTO OUTFILE '"+file+"'")
	if r.code != 0 {
		t.Fatalf("INTO OUTFILE with --write: exit %d: %s", r.code, r.stderr)
	}
	b, err := os.ReadFile(file)
	if err != nil || bytes.Count(b, []byte("\n")) != 1000000 {
		t.Errorf("INTO OUTFILE with --write: %d lines, %v; want 1000000", bytes.Count(b, []byte("\n")), err)
	}
	// Each statement is in the audit trail, the refused ones too.
	r = runCLI(t, env, "sql", "--format", "TSV", "SELECT kind, outcome, count() FROM sql_audit WHERE query LIKE '%INTO OUTFILE%' AND token LIKE 'sql on the host%' GROUP BY ALL ORDER BY ALL")
	if r.stdout != "read-only\tdenied\t2\nwrite\tok\t1\n" {
		t.Errorf("audit trail of sql: %q (%s)", r.stdout, r.stderr)
	}
}

// sql on a data directory that is not there says so and creates nothing.
func TestSQLNeedsAnExistingStore(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "typo")
	r := runCLI(t, []string{"CREDITSYNC_DATA=" + missing}, "sql", "SELECT count() FROM system.one")
	if r.code == 0 || !strings.Contains(r.stderr, "does not exist") || !strings.Contains(r.stderr, "creditsync init") {
		t.Errorf("sql on a missing directory: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Errorf("sql created %s", missing)
	}
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "notes.txt"), []byte("x"), 0o644)
	if r := runCLI(t, []string{"CREDITSYNC_DATA=" + other}, "sql", "SELECT 1"); r.code == 0 || !strings.Contains(r.stderr, "no creditsync store") {
		t.Errorf("sql on a directory of something else: exit %d, stderr %q", r.code, r.stderr)
	}
}

// SIGINT cancels the running query and the command exits 130.
func TestSQLCancel(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(binary, "-v", "sql", "SELECT count() FROM system.numbers WHERE sipHash64(number) = 7")
			cmd.Env = append(os.Environ(), "CREDITSYNC_DATA="+t.TempDir())
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			cmd.Stdout = &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(stderr)
			var seen []string
			for sc.Scan() {
				seen = append(seen, sc.Text())
				if strings.Contains(sc.Text(), "running query") {
					break
				}
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			for sc.Scan() {
				seen = append(seen, sc.Text())
			}
			err = cmd.Wait()
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitInterrupted {
				t.Fatalf("exit: %v, want %d\n%s", err, exitInterrupted, strings.Join(seen, "\n"))
			}
		})
	}
}
