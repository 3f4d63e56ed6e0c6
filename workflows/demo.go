package workflows

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/ingest/file"
	"github.com/xuchang-hrss/creditsync/ingest/fixture"
	"github.com/xuchang-hrss/creditsync/ingest/listsync"
	"github.com/xuchang-hrss/creditsync/jobs"
	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/sample"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
)

// DemoAsOf is the date of the sample's latest annual evaluation: the day
// county results are due at the city (31 July). The sample's records reach
// back far enough to evaluate from demoFirstYear on.
var DemoAsOf = time.Date(2026, 7, 31, 0, 0, 0, 0, time.UTC)

// demoFirstYear is the first annual evaluation the demo records.
const demoFirstYear = 2023

// internalLists are the files the bureau hands in; the other four lists
// come from the external sources.
var internalLists = []string{"institutions", "inspections", "annual_reports"}

// Narrator prints, on the demo's writer, what the demo did the way the
// commands it stands for print it: an import, a sync, a run, a grade's
// explanation, a table.
type Narrator interface {
	Imported(res file.Result, took time.Duration)
	Synced(results []listsync.Result)
	Ran(rep jobs.Report)
	Explained(r grade.Result, day time.Time)
	Table(rows [][]string)
}

// Demo shows creditsync end to end on a generated Xuchang sample of
// institutions (seed) in a fresh store: the data directory's store,
// runs, reports and out are removed first. It writes its narrative to w,
// through n where a command would print; where names the store for
// people. Its steps are those `creditsync demo --help` lists.
func (d Deps) Demo(ctx context.Context, w io.Writer, n Narrator, where string, seed int64, institutions int) error {
	m := &demo{Deps: d, w: w, n: n, where: where}
	return m.run(ctx, seed, institutions)
}

// demo is one run of the demo.
type demo struct {
	Deps
	w     io.Writer
	n     Narrator
	where string
}

func (m *demo) section(title string) { fmt.Fprintf(m.w, "\n== %s ==\n", title) }

func (m *demo) run(ctx context.Context, seed int64, n int) error {
	for _, sub := range []string{"clickhouse", "runs", "reports", "out"} {
		if err := os.RemoveAll(filepath.Join(m.DataDir, sub)); err != nil {
			return fmt.Errorf("reset demo data: %w", err)
		}
	}
	dir := filepath.Join(m.DataDir, "sample")
	files, _, err := sample.Write(dir, sample.Options{Seed: seed, Institutions: n, AsOf: DemoAsOf})
	if err != nil {
		return fmt.Errorf("generate sample: %w", err)
	}
	s, err := m.Open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintf(m.w, "creditsync demo: Xuchang sample (seed %d, %d institutions) in the %s\n", seed, n, m.where)

	m.section("1. The bureau's files")
	for _, name := range internalLists {
		if err := m.demoImport(ctx, s, name, files[name]); err != nil {
			return err
		}
	}
	fmt.Fprintln(m.w, "\nA register with bad rows is reported precisely; its good rows are already stored and load unchanged:")
	if err := m.demoImport(ctx, s, "institutions", filepath.Join(dir, sample.BadInstitutionsFile)); err != nil {
		return err
	}

	m.section("2. External lists from their sources (emulated on loopback)")
	fx, err := fixture.ServeFiles(files, fixture.Options{})
	if err != nil {
		return err
	}
	defer fx.Close()
	for _, kv := range fx.Env() {
		k, v, _ := strings.Cut(kv, "=")
		os.Setenv(k, v)
	}
	syncCfg, err := listsync.ParseConfig(fx.SourcesTOML())
	if err != nil {
		return err
	}
	results, err := listsync.Run(ctx, s, syncCfg, listsync.Options{Logger: m.Log})
	m.n.Synced(results)
	if err != nil {
		return fmt.Errorf("demo sync: %w", err)
	}

	m.section("3. Annual evaluations 2023–2026 and the lifecycle between them")
	rules := grade.DefaultRules()
	today := grade.Today(time.Now())
	county := report.Units()[1]
	if err := m.demoHistory(ctx, s, rules, county, today); err != nil {
		return err
	}

	m.section("4. Nightly run at today's date, " + transform.FormatDate(today))
	if err := m.demoFreshViolation(ctx, s, dir, county, today); err != nil {
		return err
	}
	out := filepath.Join(m.DataDir, "out")
	runner := &jobs.Runner{Store: s, Log: m.Log}
	nightly := m.Deps
	nightly.Sync, nightly.Rules, nightly.Reports = &syncCfg, rules, m.reportsDir(today)
	rep, err := runner.Run(ctx, "nightly", nightly.Nightly(s))
	m.n.Ran(rep)
	if err != nil {
		return err
	}
	if path, err := jobs.WriteSummary(m.DataDir, rep); err == nil {
		fmt.Fprintf(m.w, "run summary: %s\n", path)
	}

	m.section("5. Grades in effect today, by county")
	if err := m.printCountyGrades(ctx, s, today); err != nil {
		return err
	}
	if err := m.explainExamples(ctx, s, rules, today); err != nil {
		return err
	}

	m.section("6. Reports")
	first := time.Date(demoFirstYear, 7, 1, 0, 0, 0, 0, time.UTC)
	reportFiles := append(cityOverviewFiles(today, time.Now()),
		reportFile{"county-" + county.Code + ".html", "html", func(ctx context.Context, src report.Source) (any, error) {
			m, err := report.ParseMonths(first.Format("2006-01"), "", today)
			if err != nil {
				return nil, err
			}
			return report.CountyTrend(ctx, src, county, m, time.Now())
		}},
		reportFile{"county-" + county.Code + ".xlsx", "xlsx", func(ctx context.Context, src report.Source) (any, error) {
			m, err := report.ParseMonths(first.Format("2006-01"), "", today)
			if err != nil {
				return nil, err
			}
			return report.CountyTrend(ctx, src, county, m, time.Now())
		}},
		reportFile{"附件2-" + county.Code + ".xlsx", "xlsx", func(ctx context.Context, src report.Source) (any, error) {
			return report.BuildSummary(ctx, src, county, today, today)
		}},
		reportFile{"诚信机构典型名单-" + county.Code + ".xlsx", "xlsx", func(ctx context.Context, src report.Source) (any, error) {
			return report.BuildTypical(ctx, src, county, DemoAsOf.Year(), today)
		}},
		reportFile{"动态调整情况-" + county.Code + ".xlsx", "xlsx", func(ctx context.Context, src report.Source) (any, error) {
			return report.ReadAdjustments(ctx, s, county, DemoAsOf, today)
		}},
		reportFile{"附件1-诚信承诺书-" + county.Code + ".html", "html", func(ctx context.Context, src report.Source) (any, error) {
			return report.UnsignedCommitments(ctx, s, county, today)
		}},
		reportFile{"数据矛盾-" + county.Code + ".xlsx", "xlsx", func(ctx context.Context, src report.Source) (any, error) {
			return report.BuildConflicts(ctx, s, county, today)
		}},
		reportFile{"待办名单-" + county.Code + ".xlsx", "xlsx", func(ctx context.Context, src report.Source) (any, error) {
			return report.BuildWatch(ctx, s, rules, county, today)
		}},
	)
	reportFiles = append(reportFiles, m.publicListFiles(today, time.Now())...)
	paths, err := writeReports(ctx, s, rules, out, reportFiles)
	for _, p := range paths {
		fmt.Fprintln(m.w, p)
	}
	if err != nil {
		return err
	}
	m.section("7. A county's 附件2 reviewed by the city")
	if err := m.demoReconcile(ctx, s, rules, out, DemoAsOf); err != nil {
		return err
	}
	fmt.Fprintf(m.w, "\nNext: creditsync --data %s explain USCC · history USCC · sql \"SELECT * FROM v_current_grades LIMIT 10\"\n", m.DataDir)
	m.printDaemonHint()
	return nil
}

// printDaemonHint shows how to run the demo's data as a bureau would: one
// daemon serving the web pages, the SQL endpoint and the schedule.
func (m *demo) printDaemonHint() {
	dir, err := filepath.Abs(m.DataDir)
	if err != nil {
		dir = m.DataDir
	}
	cfg := filepath.Join(dir, "creditsync.toml")
	fmt.Fprintf(m.w, `
Run it as a bureau would: one daemon holds the data and serves everyone
(web pages on :8080, SQL for analysts' tools on :8123, the nightly schedule):

  printf '[sync]\nno_sources = true\n[serve]\n[[serve.tokens]]\nname = "city"\ntoken_env = "CREDITSYNC_TOKEN_CITY"\nscope = "city"\n' > %[2]s
  export CREDITSYNC_CONFIG=%[2]s CREDITSYNC_TOKEN_CITY=$(openssl rand -hex 24)
  creditsync --data %[1]s server

and meanwhile, in another terminal with the same two variables:
  creditsync --data %[1]s sql "SELECT county_code, grade, count() FROM v_current_grades GROUP BY ALL ORDER BY ALL"
  creditsync --data %[1]s run nightly
  curl -H "X-ClickHouse-Key: $CREDITSYNC_TOKEN_CITY" 'http://127.0.0.1:8123/?query=SELECT+count()+FROM+v_current_grades'
`, dir, cfg)
}

func (m *demo) demoImport(ctx context.Context, s store.Store, list, path string) error {
	l, err := contract.Lookup(list)
	if err != nil {
		return err
	}
	start := time.Now()
	res, err := file.Import(ctx, s, l, path, file.ImportOptions{})
	if err != nil {
		return err
	}
	m.n.Imported(res, time.Since(start))
	return nil
}

func entryGrades(entries []lifecycle.Entry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = string(e.Grade)
	}
	return out
}

// distribution writes "A 245 · B 19 · C 17 · D 16".
func distribution(grades []string) string {
	counts := map[string]int{}
	for _, g := range grades {
		counts[g]++
	}
	var parts []string
	for _, g := range []string{"A", "B", "C", "D"} {
		parts = append(parts, fmt.Sprintf("%s %d", g, counts[g]))
	}
	return strings.Join(parts, " · ")
}

func (m *demo) printCountyGrades(ctx context.Context, s store.Store, day time.Time) error {
	entries, err := lifecycle.GradesOn(ctx, s, day)
	if err != nil {
		return err
	}
	type row struct{ a, b, c, d int }
	byCounty := map[string]*row{}
	for _, e := range entries {
		r := byCounty[e.CountyCode]
		if r == nil {
			r = &row{}
			byCounty[e.CountyCode] = r
		}
		switch e.Grade {
		case "A":
			r.a++
		case "B":
			r.b++
		case "C":
			r.c++
		case "D":
			r.d++
		}
	}
	codes := make([]string, 0, len(byCounty))
	for c := range byCounty {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	table := [][]string{{"county", "name", "A", "B", "C", "D", "C+D share"}}
	var total row
	for _, c := range codes {
		r := byCounty[c]
		name := transform.CountyName(c)
		if name == "" {
			name = "(registered elsewhere)"
		}
		n := r.a + r.b + r.c + r.d
		table = append(table, []string{c, name, fmt.Sprint(r.a), fmt.Sprint(r.b), fmt.Sprint(r.c), fmt.Sprint(r.d), fmt.Sprintf("%.1f%%", 100*float64(r.c+r.d)/float64(max(n, 1)))})
		total.a, total.b, total.c, total.d = total.a+r.a, total.b+r.b, total.c+r.c, total.d+r.d
	}
	n := total.a + total.b + total.c + total.d
	table = append(table, []string{"", "全市 total", fmt.Sprint(total.a), fmt.Sprint(total.b), fmt.Sprint(total.c), fmt.Sprint(total.d), fmt.Sprintf("%.1f%%", 100*float64(total.c+total.d)/float64(max(n, 1)))})
	m.n.Table(table)
	return nil
}

// explainExamples explains one institution of each of D, C and B.
func (m *demo) explainExamples(ctx context.Context, s store.Store, rules *grade.Rules, day time.Time) error {
	res, err := grade.Compute(ctx, s, rules, day)
	if err != nil {
		return err
	}
	shown := map[string]bool{}
	for _, want := range []string{"D", "C", "B"} {
		for _, r := range res {
			if string(r.Grade) == want && !shown[want] && len(r.Clauses) > 1 {
				shown[want] = true
				fmt.Fprintln(m.w)
				m.n.Explained(r, day)
			}
		}
	}
	return nil
}
