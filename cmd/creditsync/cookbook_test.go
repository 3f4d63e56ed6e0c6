package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/chhttp"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/store/embedded"
	"github.com/xuchang-hrss/creditsync/storetest"
	"github.com/xuchang-hrss/creditsync/transform"
	"github.com/xuchang-hrss/creditsync/zone"
)

// cookbookDir holds the analysts' cookbook docs/analysts.md points to.
const cookbookDir = "../../docs/cookbook"

// cookbookRow is one result row, values as text (NULL as "NULL").
type cookbookRow map[string]string

func cookbookQuery(t *testing.T, s store.Store, q string, params store.Params) []cookbookRow {
	t.Helper()
	rows, err := s.Query(context.Background(), q, params)
	if err != nil {
		t.Fatalf("%v\n%s", err, q)
	}
	defer rows.Close()
	var out []cookbookRow
	for rows.Next() {
		r := cookbookRow{}
		for i, v := range rows.Values() {
			r[rows.Columns()[i].Name] = cookbookText(v)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func cookbookText(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case time.Time:
		return x.Format(time.DateOnly)
	}
	return fmt.Sprint(v)
}

// TestCookbookOnTheSample runs every query of docs/cookbook against the
// demo's sample — evaluated, confirmed and regraded at today's date — and
// checks each answers its question with rows that agree with the store.
func TestCookbookOnTheSample(t *testing.T) {
	dir := demoStore(t)
	// The demo process has exited. This test runs alone (not in
	// parallel), so no other store of this process is open: it lets the
	// test engine go and opens its copy of the store instead.
	storetest.ReleaseEngine()
	s, err := embedded.Open(context.Background(), embedded.Config{Path: filepath.Join(dir, "clickhouse"), Database: "creditsync"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	one := func(q string) string {
		rows := cookbookQuery(t, s, q, nil)
		if len(rows) != 1 || len(rows[0]) != 1 {
			t.Fatalf("%s: want one value, got %v", q, rows)
		}
		for _, v := range rows[0] {
			return v
		}
		return ""
	}
	// The grade the demo's nightly run lowered: its latest change.
	downgraded := one("SELECT any(uscc) AS u FROM v_grade_changes WHERE change = 'downgrade' AND run_id = (SELECT argMax(run_id, started) FROM grade_runs WHERE kind = 'regrade' AND finished IS NOT NULL)")
	firstDay := one("SELECT min(valid_from) AS d FROM v_grade_history WHERE run_kind = 'evaluate'")
	params := store.Params{"uscc": downgraded, "day": firstDay}

	atLeast := func(n int) func(t *testing.T, rows []cookbookRow) {
		return func(t *testing.T, rows []cookbookRow) {
			if len(rows) < n {
				t.Errorf("%d rows, want at least %d", len(rows), n)
			}
		}
	}
	all := func(what string, ok func(cookbookRow) bool) func(t *testing.T, rows []cookbookRow) {
		return func(t *testing.T, rows []cookbookRow) {
			for _, r := range rows {
				if !ok(r) {
					t.Errorf("row %v: want %s", r, what)
				}
			}
		}
	}
	checks := map[string][]func(t *testing.T, rows []cookbookRow){
		"01_counts_now_and_a_year_ago.sql": {atLeast(4), func(t *testing.T, rows []cookbookRow) {
			total := 0
			for _, r := range rows {
				n, _ := strconv.Atoi(r["today"])
				total += n
			}
			if want := one("SELECT toString(count()) FROM v_current_grades"); strconv.Itoa(total) != want {
				t.Errorf("counts today sum to %d, v_current_grades holds %s", total, want)
			}
		}},
		"02_downgrades_last_six_months.sql": {atLeast(1), all("a worse grade with reasons", func(r cookbookRow) bool {
			return r["from_grade"] < r["to_grade"] && r["reasons"] != "" && r["county_name"] != ""
		})},
		"03_institution_history.sql": {atLeast(2), func(t *testing.T, rows []cookbookRow) {
			if rows[0]["run_kind_zh"] != "年度评价" || rows[len(rows)-1]["status_zh"] != "有效" || rows[len(rows)-1]["year"] != "NULL" {
				t.Errorf("history of %s: %v", downgraded, rows)
			}
		}},
		"04_top_clauses_per_county.sql": {atLeast(3), func(t *testing.T, rows []cookbookRow) {
			per := map[string]int{}
			for _, r := range rows {
				per[r["county_name"]]++
				if r["text"] == "" || r["institutions"] == "0" {
					t.Errorf("row %v: clause without text or count", r)
				}
			}
			for c, n := range per {
				if n > 3 {
					t.Errorf("%s: %d clauses, want the top 3", c, n)
				}
			}
		}},
		"05_listed_institutions_that_were_a.sql": {atLeast(1), all("a listed institution", func(r cookbookRow) bool {
			return r["uscc"] != "NULL" && r["list"] != "" && r["matched_by"] != "NULL"
		})},
		"06_grades_on_a_day_versus_today.sql": {atLeast(1), all("a changed grade", func(r cookbookRow) bool {
			return r["grade_then"] != r["grade_today"]
		})},
		"07_last_nightly_grade_changes.sql": {func(t *testing.T, rows []cookbookRow) {
			want := one("SELECT toString(counts['downgrades']) FROM job_runs WHERE job = 'nightly' AND step = 'regrade'")
			if strconv.Itoa(len(rows)) != want || len(rows) == 0 {
				t.Errorf("%d changes, the nightly run reported %s downgrades", len(rows), want)
			}
		}},
		"08_last_nightly_run_steps.sql": {atLeast(5), all("a step that ran", func(r cookbookRow) bool {
			return r["step"] != "" && r["status"] == "ok" && r["started"] != "NULL"
		})},
		"09_records_matched_by_name.sql": {func(t *testing.T, rows []cookbookRow) {
			var byName, unmatched int
			for _, r := range rows {
				switch {
				case r["matched_by_zh"] == "名称" && r["uscc"] != "NULL":
					byName++
				case r["uscc"] == "NULL" && r["matched_by_zh"] == "NULL":
					unmatched++
				default:
					t.Errorf("row %v: neither matched by name nor unmatched", r)
				}
			}
			if byName == 0 || unmatched == 0 {
				t.Errorf("%d matched by name, %d unmatched; the sample has both", byName, unmatched)
			}
		}},
		"10_evidence_of_d_grades.sql": {atLeast(1), all("a clause with its record", func(r cookbookRow) bool {
			return r["clause"] != "" && r["clause_text"] != "" && r["record_id"] != ""
		})},
	}

	files, err := filepath.Glob(filepath.Join(cookbookDir, "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no cookbook queries in %s (%v)", cookbookDir, err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(strings.TrimSuffix(name, ".sql"), func(t *testing.T) {
			fns, ok := checks[name]
			if !ok {
				t.Fatalf("%s has no check here: every cookbook query must be tested", name)
			}
			text, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			rows := cookbookQuery(t, s, strings.TrimSpace(string(text)), params)
			for _, fn := range fns {
				fn(t, rows)
			}
		})
	}
	if len(files) != len(checks) {
		t.Errorf("%d cookbook files, %d checks: a check names a file that is gone", len(files), len(checks))
	}
	cookbookOverTheEndpoint(t, s, files, params)
}

// cookbookOverTheEndpoint runs every cookbook query through the daemon's
// SQL endpoint with the city token and with a county token: each runs,
// and the county sees rows of its own county only.
func cookbookOverTheEndpoint(t *testing.T, s store.Store, files []string, params store.Params) {
	const city, county = "cookbook-city-token-0123456789", "cookbook-county-token-0123456789"
	var codes []string
	for _, c := range transform.XuchangCounties() {
		codes = append(codes, c.Code)
	}
	h, err := chhttp.New(context.Background(), chhttp.Options{Store: s, Counties: codes, TimeZone: zone.Name, MaxExecutionTime: time.Minute,
		Auth: func(tok string) (string, string, bool) {
			switch tok {
			case city:
				return "city", "", true
			case county:
				return "魏都区", "411002", true
			}
			return "", "", false
		}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range []string{city, county} {
			v := url.Values{"default_format": {"JSONEachRow"}}
			for k, p := range params {
				v.Set("param_"+k, fmt.Sprint(p))
			}
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/?"+v.Encode(), strings.NewReader(string(text)))
			req.Header.Set("X-ClickHouse-Key", tok)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			who := "city"
			if tok == county {
				who = "county 411002"
			}
			if resp.StatusCode != http.StatusOK {
				t.Errorf("%s with the %s token: %d %.300s", filepath.Base(f), who, resp.StatusCode, body)
				continue
			}
			if tok != county {
				continue
			}
			for _, line := range strings.Split(strings.TrimSpace(string(body)), "\n") {
				var row map[string]any
				if line == "" || json.Unmarshal([]byte(line), &row) != nil {
					continue
				}
				if c, ok := row["county_code"]; ok && c != "411002" {
					t.Errorf("%s with the county token shows a row of %v: %s", filepath.Base(f), c, line)
				}
			}
		}
	}
	// JSON answers state the rows before a LIMIT: never one inside the
	// views, below the county's filter (the city's count leaked so).
	for _, q := range []string{"SELECT count() AS n FROM v_current_grades", "SELECT count() AS n FROM v_grades_on(day = '2026-01-01')", "SELECT uscc FROM v_grade_history"} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/?default_format=JSON", strings.NewReader(q))
		req.Header.Set("X-ClickHouse-Key", county)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var answer struct {
			Data   []map[string]any `json:"data"`
			Rows   int              `json:"rows"`
			Before *int             `json:"rows_before_limit_at_least"`
		}
		err = json.NewDecoder(resp.Body).Decode(&answer)
		resp.Body.Close()
		if err != nil || len(answer.Data) == 0 {
			t.Fatalf("%s: %v %+v", q, err, answer)
		}
		own := answer.Rows
		if n, ok := answer.Data[0]["n"]; ok {
			fmt.Sscan(fmt.Sprint(n), &own)
		}
		if answer.Before != nil && *answer.Before > own {
			t.Errorf("%s with the county token: rows_before_limit_at_least %d, more than the county's own %d", q, *answer.Before, own)
		}
	}
}

// Every query of the cookbook runs through `creditsync sql` read-only, as
// docs/analysts.md shows it: the host's policy reads the parameterized
// views (v_grades_on(day = …)) as the SQL endpoint's does.
func TestCookbookThroughSQLCommand(t *testing.T) {
	t.Parallel()
	env := []string{"CREDITSYNC_DATA=" + demoStore(t)}
	files, err := filepath.Glob(filepath.Join(cookbookDir, "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("cookbook: %v %v", files, err)
	}
	r := runCLI(t, env, "sql", "--format", "TSV", "SELECT any(uscc) FROM v_current_grades")
	uscc := strings.TrimSpace(r.stdout)
	if r.code != 0 || uscc == "" {
		t.Fatalf("an institution: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
	for _, f := range files {
		r := runCLI(t, env, "sql", "--format", "TSVWithNames", "--param_uscc="+uscc, "--param_day=2025-12-31", "--queries-file", f)
		if r.code != 0 || !strings.Contains(r.stdout, "\t") {
			t.Errorf("%s: exit %d\n%s%s", filepath.Base(f), r.code, r.stdout, r.stderr)
		}
	}
	r = runCLI(t, env, "sql", "--format", "TSV", "SELECT count() > 0 FROM v_grades_on(day = '2026-01-01')")
	if r.code != 0 || r.stdout != "1\n" {
		t.Errorf("v_grades_on: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
}
