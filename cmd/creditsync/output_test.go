package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/xuchang-hrss/creditsync/grade"
)

func TestRecordWriterFormats(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC)
	clauses := clauseList{{ID: "D1", Grade: "D", Text: "因重大劳动保障违法违规行为被查处", Evidence: []grade.Evidence{{Kind: "inspection", ID: "X-1"}}}, {ID: "C3", Grade: "C"}}
	cols := []string{"zeta", "alpha", "none", "empty", "nan", "ids", "list", "when", "clauses", "counts"}
	vals := []any{"z", 1, nil, "", math.NaN(), []string{"D1", "C3"}, []any{"a;b", "c'd", nil}, at, clauses, map[string]any{"b": int64(2), "a": []any{1.5}}}
	tests := []struct {
		format string
		want   string
	}{
		{"json", `{"zeta":"z","alpha":1,"none":null,"empty":"","nan":"nan","ids":["D1","C3"],"list":["a;b","c'd",null],"when":"2026-12-01T16:00:00Z",` +
			`"clauses":[{"id":"D1","grade":"D","text":"因重大劳动保障违法违规行为被查处","evidence":[{"kind":"inspection","id":"X-1","detail":""}]},{"id":"C3","grade":"C","text":"","evidence":null}],"counts":{"a":[1.5],"b":2}}` + "\n"},
		{"csv", "zeta,alpha,none,empty,nan,ids,list,when,clauses,counts\nz,1,,,nan,D1;C3,\"['a;b','c\\'d',NULL]\",2026-12-01 16:00:00 UTC,D1;C3,\"{'a':[1.5],'b':2}\"\n"},
		{"table", "zeta  alpha  none  empty  nan  ids    list                 when                     clauses  counts\n" +
			"----  -----  ----  -----  ---  -----  -------------------  -----------------------  -------  -----------------\n" +
			"z     1                   nan  D1 C3  ['a;b','c\\'d',NULL]  2026-12-01 16:00:00 UTC  D1 C3    {'a':[1.5],'b':2}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			var b bytes.Buffer
			rw, err := newRecordWriter(&b, tt.format, cols...)
			if err != nil {
				t.Fatal(err)
			}
			if err := rw.Write(vals...); err != nil {
				t.Fatal(err)
			}
			if err := rw.Close(); err != nil {
				t.Fatal(err)
			}
			if got := b.String(); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
	rw, _ := newRecordWriter(&bytes.Buffer{}, "csv", "a", "b")
	if err := rw.Write("only one"); err == nil {
		t.Error("a record with too few values was written")
	}
}

func TestTableCellsStayOnOneShortLine(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("许昌", 60) + "\nsecond line"
	var b bytes.Buffer
	printTable(&b, [][]string{{"summary", "n"}, {long, "1"}, {"short", "2"}})
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines, want 4:\n%s", len(lines), b.String())
	}
	for _, l := range lines {
		if w := displayWidth(l); w > maxCellWidth+5 {
			t.Errorf("line %d columns wide: %s", w, l)
		}
	}
	if !strings.Contains(lines[2], "…") || strings.Contains(b.String(), "second line") {
		t.Errorf("long cell not cut with a mark:\n%s", b.String())
	}
	if fitCell("short") != "short" || fitCell("a\nb") != "a…" {
		t.Errorf("fitCell: %q %q", fitCell("short"), fitCell("a\nb"))
	}
}

func TestFormatFlag(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args    []string
		want    string
		wantErr bool
	}{
		{nil, "table", false},
		{[]string{"--format", "csv"}, "csv", false},
		{[]string{"--format", "json"}, "json", false},
		{[]string{"--json"}, "json", false},
		{[]string{"--json", "--format", "json"}, "json", false},
		{[]string{"--json", "--format", "csv"}, "", true},
		{[]string{"--format", "xml"}, "", true},
	}
	for _, tt := range tests {
		var o outputFlags
		cmd := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { return nil }}
		o.register(cmd, true)
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		if err := cmd.ParseFlags(tt.args); err != nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		got, err := o.get()
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("%v: got %q, %v; want %q (error %v)", tt.args, got, err, tt.want, tt.wantErr)
		}
		if err != nil {
			if _, ok := err.(usageError); !ok {
				t.Errorf("%v: error %T is not a usage error", tt.args, err)
			}
		}
		if f := cmd.Flags().Lookup("json"); f == nil || !f.Hidden {
			t.Errorf("--json should exist and be hidden")
		}
	}
}

func TestTimeOfColumn(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	sh := time.Date(2026, 12, 2, 8, 0, 0, 123e6, time.FixedZone("CST", 8*3600))
	for _, tt := range []struct {
		t    time.Time
		typ  string
		want string
	}{
		{at, "Date", "2026-12-01"},
		{at, "Nullable(Date)", "2026-12-01"},
		{at, "DateTime('UTC')", "2026-12-01 00:00:00 UTC"},
		{sh, "DateTime('Asia/Shanghai')", "2026-12-02 08:00:00 CST"},
		{sh, "Nullable(DateTime64(3, 'Asia/Shanghai'))", "2026-12-02 08:00:00.123 CST"},
	} {
		if got := timeOfColumn(tt.t, tt.typ); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.typ, got, tt.want)
		}
	}
}

// TestRecordCommandsFormats runs every command that prints records in
// each format on the demo's sample: CSV parses with a header, JSON lines
// parse with keys in column order, and the table of status fits a screen.
func TestRecordCommandsFormats(t *testing.T) {
	t.Parallel()
	dir := demoStore(t)
	env := []string{"CREDITSYNC_DATA=" + dir}
	run := func(args ...string) string {
		t.Helper()
		r := runCLI(t, env, args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
		return r.stdout
	}
	// The grade the demo's nightly run lowered: its latest change.
	csvOut := run("sql", "--format", "tsv", "SELECT uscc FROM v_grade_changes WHERE change = 'downgrade' AND run_id = (SELECT argMax(run_id, started) FROM grade_runs WHERE kind = 'regrade' AND finished IS NOT NULL) LIMIT 1")
	downgraded := strings.TrimSpace(strings.TrimPrefix(csvOut, "uscc\n"))
	if len(downgraded) != 18 {
		t.Fatalf("no downgraded institution in the sample: %q", csvOut)
	}
	commands := []struct {
		args  []string
		first []string // the first columns, in order
	}{
		{[]string{"history", downgraded}, []string{"uscc", "name", "county_code", "run_kind"}},
		{[]string{"grades"}, []string{"uscc", "name", "county_code", "grade", "clauses"}},
		{[]string{"grades", "--compare", "2026-09-01"}, []string{"uscc", "name", "county_code", "grade", "compare_grade", "change"}},
		{[]string{"sample-plan", "--seed", "3"}, []string{"grade", "uscc", "name", "county_code"}},
		{[]string{"status", "--section", "jobs"}, []string{"job", "run_id", "seq", "step"}},
		{[]string{"status", "--section", "lists"}, []string{"list", "records", "last_load"}},
		{[]string{"explain", downgraded}, []string{"uscc", "grade", "clause"}},
	}
	for _, c := range commands {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			recs, err := csv.NewReader(strings.NewReader(run(append(c.args, "--format", "csv")...))).ReadAll()
			if err != nil || len(recs) < 2 {
				t.Fatalf("csv: %v, %d records", err, len(recs))
			}
			if got := recs[0][:len(c.first)]; strings.Join(got, ",") != strings.Join(c.first, ",") {
				t.Errorf("csv header starts %q, want %q", got, c.first)
			}
			if c.args[0] == "explain" {
				return // its JSON is one document, not records
			}
			out := run(append(c.args, "--format", "json")...)
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != len(recs)-1 {
				t.Errorf("%d JSON lines, %d CSV records", len(lines), len(recs)-1)
			}
			for _, l := range lines {
				if !json.Valid([]byte(l)) {
					t.Fatalf("not JSON: %s", l)
				}
				keys := jsonKeys(t, l)
				if c.args[0] == "status" {
					keys = keys[1:] // "section" comes first
				}
				if strings.Join(keys, ",") != strings.Join(recs[0], ",") {
					t.Fatalf("JSON keys %q, want the CSV columns in order %q", keys, recs[0])
				}
			}
		})
	}
	t.Run("history shows clause text and evidence", func(t *testing.T) {
		out := run("history", downgraded)
		if !strings.Contains(out, "→ D") && !strings.Contains(out, "→ C") {
			t.Errorf("history lacks the downgrade:\n%s", out)
		}
		clauses := regexp.MustCompile(`(?m)^  ([DCB]\d) \(([DCB])\) (.+)\n    - `).FindAllStringSubmatch(out, -1)
		if len(clauses) == 0 {
			t.Errorf("history lacks clauses with wording and evidence:\n%s", out)
		}
		for _, m := range clauses {
			if def, ok := grade.LookupClause(m[1]); !ok || string(def.Grade) != m[2] || def.Text != m[3] {
				t.Errorf("clause %s (%s) %q: not the notice's wording %q", m[1], m[2], m[3], def.Text)
			}
		}
		if r := runCLI(t, env, "history", downgraded, "--json"); r.code != 0 || !strings.HasPrefix(r.stdout, `{"uscc":`) || !strings.Contains(r.stderr, "deprecated") {
			t.Errorf("history --json: exit %d, %q, stderr %q", r.code, r.stdout, r.stderr)
		}
	})
	t.Run("grades compare counts the downgrade", func(t *testing.T) {
		out := run("grades", "--compare", "2026-09-01", "--format", "csv")
		if !strings.Contains(out, downgraded) || !strings.Contains(out, ",downgrade,") {
			t.Errorf("grades --compare: %s is not a downgrade:\n%s", downgraded, out)
		}
	})
	t.Run("status table fits", func(t *testing.T) {
		for _, l := range strings.Split(run("status"), "\n") {
			if displayWidth(l) > 400 {
				t.Errorf("status line %d columns wide: %.120s…", displayWidth(l), l)
			}
		}
	})
	t.Run("usage errors", func(t *testing.T) {
		for _, args := range [][]string{
			{"status", "--format", "csv"},
			{"status", "--section", "nope"},
			{"grades", "--format", "xml"},
			{"grades", "--compare", "yesterday"},
			{"history", downgraded, "--json", "--format", "csv"},
		} {
			if r := runCLI(t, env, args...); r.code != exitUsage {
				t.Errorf("%v: exit %d, want %d\n%s", args, r.code, exitUsage, r.stderr)
			}
		}
	})
}

// jsonKeys returns the keys of a JSON object in the order written.
func jsonKeys(t *testing.T, line string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(line))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// status wrote its times in UTC, the zone they are stored in, whatever
// the host's zone, while sources, sql and the lock's messages write
// Xuchang's: they are Xuchang's (CST) now, on a host in UTC too.
func TestStatusTimesAreXuchangs(t *testing.T) {
	t.Parallel()
	env := []string{"CREDITSYNC_DATA=" + demoStore(t), "TZ=UTC"}
	for _, section := range []string{"jobs", "lists"} {
		r := runCLI(t, env, "status", "--section", section, "--format", "csv")
		if r.code != 0 || !regexp.MustCompile(`\d\d:\d\d:\d\d(\.\d+)? CST`).MatchString(r.stdout) || strings.Contains(r.stdout, " UTC") {
			t.Errorf("status --section %s: exit %d, want times in CST:\n%s%s", section, r.code, r.stdout, r.stderr)
		}
	}
}
