package main

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/sample"
	"github.com/xuchang-hrss/creditsync/workflows"
)

// TestReportCommands writes every report from the demo sample as a user
// would, and checks the mistakes a user makes are usage errors.
func TestReportCommands(t *testing.T) {
	t.Parallel()
	data, out := demoStore(t), t.TempDir()
	env := []string{"CREDITSYNC_DATA=" + data}
	// The demo records an evaluation when it has one step for it; the
	// reports then read the history, where grades begin with its
	// confirmation in August.
	note := report.SourceNote(report.SourceCompute)
	if r := runCLI(t, env, "sql", "--format", "tsv", "SELECT count() > 0 AS n FROM grade_history"); r.code != 0 {
		t.Fatalf("sql: exit %d\n%s", r.code, r.stderr)
	} else if r.stdout == "n\ntrue\n" || r.stdout == "n\n1\n" {
		note = report.SourceNote(report.SourceHistory)
	}
	file := func(name string) string { return filepath.Join(out, name) }
	for _, args := range [][]string{
		{"report", "county", "411002", "--from", "2026-04", "--to", "2026-09", "-o", file("county.html")},
		{"report", "city", "--from", "2026-08", "--to", "2026-09", "-o", file("city.xlsx")},
		{"report", "summary", "411002", "--date", "2026-08-31", "-o", file("附件2.xlsx")},
	} {
		if r := runCLI(t, env, args...); r.code != 0 || !strings.Contains(r.stdout, "wrote "+args[len(args)-1]+" ("+note+")") {
			t.Fatalf("%v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
	}
	html, err := os.ReadFile(file("county.html"))
	if err != nil || !bytes.Contains(html, []byte("<svg")) || !bytes.Contains(html, []byte("魏都区")) {
		t.Errorf("county.html (%v): no chart or no county name", err)
	}
	f, err := excelize.OpenFile(file("附件2.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("附件2")
	// --date is the 填报时间 too, not the day it was printed.
	if err != nil || len(rows) < 6 || rows[0][0] != "附件 2" || rows[3][0] != "填报时间：2026年8月31日" || !slices.Equal(rows[4], report.SummaryColumns) {
		t.Errorf("附件2.xlsx rows %q (%v)", rows, err)
	}
	city, err := excelize.OpenFile(file("city.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer city.Close()
	if sheets := city.GetSheetList(); len(sheets) < 5 {
		t.Errorf("city.xlsx sheets %v", sheets)
	}

	r := runCLI(t, env, "report", "public", "city", "--date", "2026-08-31", "-o", "-", "--format", "csv")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "\ufeff序号,机构名称,统一社会信用代码,信用等级,状态,有效期起,有效期至,评价单位\n") || !strings.Contains(r.stderr, note) {
		t.Errorf("public list to stdout: exit %d\n%.300s%s", r.code, r.stdout, r.stderr)
	}

	for _, args := range [][]string{
		{"report", "county", "411002"},
		{"report", "summary", "411002", "-o", file("s.html")},
		{"report", "public", "city", "-o", file("p.pdf")},
		{"report", "county", "411002", "-o", file("x.pdf")},
		{"report", "county", "411002", "--from", "2026-13", "-o", file("x.html")},
		{"report", "county", "999999", "-o", file("x.html")},
		{"report", "summary", "411002", "--date", "2026-02-30", "-o", file("x.xlsx")},
		{"report", "public", "411002", "--date", "2999-01-01", "-o", file("x.csv")},
		// A reversed period was written, headed (2027年1月1日至2026年1月1日).
		{"report", "adjustments", "411024", "--from", "2026-12-31", "--to", "2026-01-01", "-o", file("x.xlsx")},
	} {
		if r := runCLI(t, env, args...); r.code != exitUsage {
			t.Errorf("%v: exit %d, want %d\n%s", args, r.code, exitUsage, r.stderr)
		}
	}
	if _, err := os.Stat(file("x.html")); err == nil {
		t.Error("a failed report left a file behind")
	}
}

// TestReportSource checks that reports compute grades with the rules
// until an evaluation is recorded, then show the recorded grades with
// their validity, and say which.
func TestReportSource(t *testing.T) {
	t.Parallel()
	env := []string{"CREDITSYNC_DATA=" + t.TempDir()}
	run := func(want int, args ...string) result {
		t.Helper()
		r := runCLI(t, env, args...)
		if r.code != want {
			t.Fatalf("creditsync %s: exit %d, want %d\n%s%s", strings.Join(args, " "), r.code, want, r.stdout, r.stderr)
		}
		return r
	}
	run(exitRejected, "import", "institutions", filepath.Join("..", "..", "ingest", "file", "testdata", "institutions", "bad_rows.csv"))
	public := func(on string) (rows [][]string, stderr string) {
		t.Helper()
		r := run(0, "report", "public", "city", "--date", on, "-o", "-", "--format", "csv")
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.stdout, "\ufeff"))).ReadAll()
		if err != nil || len(recs) == 0 {
			t.Fatalf("public list on %s: %v\n%s", on, err, r.stdout)
		}
		return recs[1:], r.stderr
	}

	rows, stderr := public("2026-08-31")
	if !strings.Contains(stderr, report.SourceNote(report.SourceCompute)) || len(rows) != 3 || rows[0][5] != "2026-08-31" || !strings.HasPrefix(rows[0][2], `="`) {
		t.Errorf("before any evaluation: %q\n%s", rows, stderr)
	}
	run(0, "evaluate", "--year", "2026", "--as-of", "2026-07-31", "--publicize-from", "2026-08-03")
	run(0, "confirm", "--on", "2026-08-10")
	if rows, stderr := public("2026-08-09"); !strings.Contains(stderr, report.SourceNote(report.SourceHistory)) || len(rows) != 3 || rows[0][4] != "公示中" {
		t.Errorf("during publicity: %q, want the publicized grades, labelled\n%s", rows, stderr)
	}
	// Before the first publicity there is nothing to show: the command
	// says why, exits 1 and writes nothing.
	empty := filepath.Join(t.TempDir(), "empty.xlsx")
	if r := runCLI(t, env, "report", "summary", "411002", "--date", "2026-08-02", "-o", empty); r.code != exitFailure ||
		!strings.Contains(r.stderr, "no evaluation was publicized on or before 2026-08-02") || !strings.Contains(r.stderr, "from 2026-08-03") {
		t.Errorf("附件2 before the first publicity: exit %d\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(empty); err == nil {
		t.Error("an empty report was written")
	}
	rows, _ = public("2026-08-31")
	if len(rows) != 3 {
		t.Fatalf("after confirmation: %q", rows)
	}
	for _, r := range rows {
		if r[5] != "2026-08-10" || r[6] != "2027-08-09" {
			t.Errorf("%s valid %s … %s, want 2026-08-10 … 2027-08-09 (confirmed)", r[2], r[5], r[6])
		}
	}
	out := filepath.Join(t.TempDir(), "p.csv")
	if r := run(0, "report", "public", "city", "--date", "2026-08-31", "-o", out); !strings.Contains(r.stdout, "wrote "+out+" (grades as recorded in the history)") {
		t.Errorf("report to a file: %s", r.stdout)
	}
}

// TestServeCommand starts the server on the demo sample with a token from
// the environment and checks it answers, keeps counties apart and stops
// cleanly on SIGTERM.
func TestServeCommand(t *testing.T) {
	t.Parallel()
	data := demoStore(t)
	env := []string{"CREDITSYNC_DATA=" + data}
	if r := runCLI(t, append(env, "CREDITSYNC_CONFIG="+filepath.Join(data, "missing.toml")), "serve"); r.code != exitFailure {
		t.Errorf("serve without a config: exit %d\n%s", r.code, r.stderr)
	}
	const cityToken, countyToken = "cli-city-token-5be1c0a7d9f2", "cli-county-token-31e8a6f0b4c7"
	cfg := filepath.Join(data, "creditsync.toml")
	text := "[[serve.tokens]]\nname = \"city\"\ntoken_env = \"TEST_CITY_TOKEN\"\nscope = \"city\"\n\n" +
		"[[serve.tokens]]\nname = \"weidu\"\ntoken_env = \"TEST_COUNTY_TOKEN\"\nscope = \"411002\"\n"
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	_, exps, err := sample.Write(t.TempDir(), sample.Options{Seed: 7, Institutions: 120, AsOf: workflows.DemoAsOf})
	if err != nil {
		t.Fatal(err)
	}
	var other string
	for _, e := range exps {
		if e.Graded && e.CountyCode == "411003" {
			other = e.USCC
			break
		}
	}

	addr := freePort(t)
	cmd := exec.Command(binary, "serve", "--addr", addr)
	cmd.Env = append(os.Environ(), "CREDITSYNC_DATA="+data, "CREDITSYNC_CONFIG="+cfg, "TEST_CITY_TOKEN="+cityToken, "TEST_COUNTY_TOKEN="+countyToken)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	base := "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not come up: %v\n%s", err, stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	status := func(path, token string) int {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, c := range []struct {
		path, token string
		want        int
	}{
		{"/api/me", cityToken, 200},
		{"/api/institutions/" + other + "?date=2026-08-31", cityToken, 200},
		{"/api/institutions/" + other + "?date=2026-08-31", countyToken, 404},
		{"/counties/411002?from=2026-06&to=2026-07", countyToken, 200},
		{"/city", countyToken, 404},
		{"/api/me", "wrong-token", 401},
	} {
		if got := status(c.path, c.token); got != c.want {
			t.Errorf("%s: status %d, want %d", c.path, got, c.want)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("serve after SIGTERM: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "grades=") {
		t.Errorf("the server log does not say where grades come from:\n%s", stderr.String())
	}
	for _, secret := range []string{cityToken, countyToken} {
		if strings.Contains(stderr.String(), secret) {
			t.Error("the server log shows a token")
		}
	}
}

// Every unit sends its 附件2, one without an institution too: written with
// its header and no row when the day is graded for others; an ungraded
// day is still "nothing to report", saying why.
func TestSummaryOfAUnitWithoutInstitutions(t *testing.T) {
	t.Parallel()
	data, out := t.TempDir(), t.TempDir()
	env := []string{"CREDITSYNC_DATA=" + data}
	form := filepath.Join(out, "附件2-襄城县.xlsx")
	if r := runCLI(t, env, "report", "summary", "411025", "--date", "2026-07-31", "-o", form); r.code == 0 || !strings.Contains(r.stderr, "nothing to report") {
		t.Errorf("an empty store: exit %d\n%s", r.code, r.stderr)
	}
	csv := filepath.Join(out, "机构名录.csv")
	if err := os.WriteFile(csv, []byte("机构名称,统一社会信用代码,许可日期,承诺书签订日期\n许昌英才人力资源服务有限公司,91411002MA4000001T,2019-03-15,2023-01-05\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, env, "import", "institutions", csv); r.code != 0 {
		t.Fatalf("import: exit %d\n%s", r.code, r.stderr)
	}
	if r := runCLI(t, env, "report", "summary", "411025", "--date", "2026-07-31", "-o", form); r.code != 0 || !strings.Contains(r.stderr, "附件2 lists no institution") {
		t.Fatalf("襄城县 without institutions: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	f, err := excelize.OpenFile(form)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("附件2")
	if err != nil || len(rows) < 6 || !slices.Equal(rows[4], report.SummaryColumns) || !strings.HasPrefix(rows[5][0], "单位负责人") ||
		!strings.Contains(rows[2][0], "襄城县") {
		t.Errorf("襄城县's 附件2 rows %q (%v); want the form with no institution", rows, err)
	}
}
