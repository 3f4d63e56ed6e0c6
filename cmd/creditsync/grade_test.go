package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/sample"
	"github.com/xuchang-hrss/creditsync/transform"
	"github.com/xuchang-hrss/creditsync/workflows"
)

// TestGradeAndExplain loads the demo sample and checks the grade command's
// CSV against the sample's reference grader on several dates, then the
// other formats, explain, and the errors a user meets.
func TestGradeAndExplain(t *testing.T) {
	t.Parallel()
	env := []string{"CREDITSYNC_DATA=" + demoStore(t)}
	opt := sample.Options{Seed: 7, Institutions: 120, AsOf: workflows.DemoAsOf}

	var worst, ungraded string
	for _, d := range []string{"2026-07-31", "2026-02-28", "2025-12-31"} {
		r := runCLI(t, env, "grade", "--as-of", d, "--dry-run", "--format", "csv")
		if r.code != 0 {
			t.Fatalf("grade --as-of %s: exit %d\n%s", d, r.code, r.stderr)
		}
		recs, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(recs[0][:5], ",") != "uscc,name,county_code,grade,clauses" {
			t.Fatalf("CSV header %q", recs[0])
		}
		got := map[string][]string{}
		for _, rec := range recs[1:] {
			got[rec[0]] = rec
		}
		exps, err := sample.ExpectAt(opt, day(t, d))
		if err != nil {
			t.Fatal(err)
		}
		graded := 0
		for _, e := range exps {
			rec, ok := got[e.USCC]
			if ok != e.Graded {
				t.Errorf("T=%s %s: listed=%v, graded=%v", d, e.USCC, ok, e.Graded)
				continue
			}
			if !ok {
				if d == "2025-12-31" {
					ungraded = e.USCC
				}
				continue
			}
			graded++
			if rec[4] != strings.Join(e.Clauses, ";") {
				t.Errorf("T=%s %s: clauses %q, want %q", d, e.USCC, rec[4], strings.Join(e.Clauses, ";"))
			}
			if d == "2026-07-31" && rec[3] == "D" && len(e.Clauses) > 1 {
				worst = e.USCC
			}
		}
		if graded != len(recs)-1 {
			t.Errorf("T=%s: %d rows, %d graded institutions", d, len(recs)-1, graded)
		}
	}

	r := runCLI(t, env, "grade", "--as-of", "2026-07-31", "--format", "json")
	line, _, _ := strings.Cut(r.stdout, "\n")
	var obj struct {
		AsOf    string `json:"as_of"`
		Grade   string `json:"grade"`
		Clauses []struct {
			Text     string `json:"text"`
			Evidence []struct {
				ID   string `json:"id"`
				Date string `json:"date"`
			} `json:"evidence"`
		} `json:"clauses"`
	}
	if err := json.Unmarshal([]byte(line), &obj); err != nil || obj.AsOf != "2026-07-31" || obj.Grade == "" {
		t.Errorf("json line %q: %v", line, err)
	}
	r = runCLI(t, env, "grade", "--as-of", "2026-07-31")
	if !strings.Contains(r.stdout, "graded at 2026-07-31: A ") {
		t.Errorf("table output lacks the summary:\n%s", r.stdout)
	}

	r = runCLI(t, env, "explain", worst, "--as-of", "2026-07-31")
	if r.code != 0 || !strings.Contains(r.stdout, "grade D at 2026-07-31") || !strings.Contains(r.stdout, "holds when:") {
		t.Errorf("explain %s: exit %d\n%s%s", worst, r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, env, "explain", worst, "--as-of", "2026-07-31", "--json")
	var res grade.Result
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || res.Grade != "D" || len(res.Clauses) < 2 || len(res.Clauses[0].Evidence) == 0 {
		t.Errorf("explain --json: %v\n%s", err, r.stdout)
	}
	r = runCLI(t, env, "explain", ungraded, "--as-of", "2025-12-31")
	if r.code != 0 || !strings.Contains(r.stdout, "is not graded at") {
		t.Errorf("explain of an ungraded institution: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// In JSON and CSV too, as a script reads them.
	r = runCLI(t, env, "explain", ungraded, "--as-of", "2025-12-31", "--format", "json")
	var ng struct {
		Graded *bool  `json:"graded"`
		Reason string `json:"reason"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &ng); err != nil || r.code != 0 || ng.Graded == nil || *ng.Graded || ng.Reason == "" {
		t.Errorf("explain --format json of an ungraded institution: exit %d, %v\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	r = runCLI(t, env, "explain", ungraded, "--as-of", "2025-12-31", "--format", "csv")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "uscc,grade,clause") || strings.Count(r.stdout, "\n") != 1 || !strings.Contains(r.stderr, "is not graded at") {
		t.Errorf("explain --format csv of an ungraded institution: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, env, "explain", "91411002MA00000000")
	if r.code != exitFailure || !strings.Contains(r.stderr, "no institution with this USCC") || !strings.Contains(r.stderr, "hint:") {
		t.Errorf("explain of an unknown USCC: exit %d\n%s", r.code, r.stderr)
	}
}

func TestGradeUsage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// An empty directory is a new, empty store; one that does not exist
	// is no store at all (TestDataDirectoryMistakes).
	if err := os.Mkdir(filepath.Join(dir, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	env := []string{"CREDITSYNC_DATA=" + filepath.Join(dir, "data")}
	if r := runCLI(t, env, "grade", "--as-of", "2026-02-30"); r.code != exitUsage {
		t.Errorf("bad --as-of: exit %d, want %d", r.code, exitUsage)
	}
	if r := runCLI(t, env, "grade", "--format", "xml"); r.code != exitUsage {
		t.Errorf("bad --format: exit %d, want %d", r.code, exitUsage)
	}
	r := runCLI(t, env, "grade", "--dry-run", "--as-of", "2026-07-31")
	if r.code != exitFailure || !strings.Contains(r.stderr, "no creditsync tables") {
		t.Errorf("dry run on an empty store: exit %d\n%s", r.code, r.stderr)
	}

	r = runCLI(t, env, "grade", "--print-rules")
	rules := filepath.Join(dir, "rules.toml")
	if err := os.WriteFile(rules, []byte(r.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := grade.Load(rules); err != nil || *got != *grade.DefaultRules() {
		t.Errorf("--print-rules does not load back as the defaults: %v", err)
	}
	if err := os.WriteFile(rules, []byte("[window]\nmonth = 6\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, env, "grade", "--rules", rules, "--as-of", "2026-07-31")
	if r.code != exitFailure || !strings.Contains(r.stderr, "unknown key(s) window.month") {
		t.Errorf("misspelt rules key: exit %d\n%s", r.code, r.stderr)
	}
}

func day(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := transform.ParseISODate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
