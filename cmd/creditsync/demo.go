package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

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

// demoAsOf is the date of the sample's latest annual evaluation: the day
// county results are due at the city (31 July). The sample's records reach
// back far enough to evaluate from demoFirstYear on.
var demoAsOf = time.Date(2026, 7, 31, 0, 0, 0, 0, time.UTC)

// demoFirstYear is the first annual evaluation the demo records.
const demoFirstYear = 2023

// internalLists are the files the bureau hands in; the other four lists
// come from the external sources.
var internalLists = []string{"institutions", "inspections", "annual_reports"}

func (a *app) demoCmd() *cobra.Command {
	var seed int64
	var institutions int
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole pipeline on the bundled Xuchang sample in a fresh embedded store",
		Long: `demo shows creditsync end to end on a generated Xuchang sample (about 300
institutions over the six county-level units) in a fresh embedded store in
the data directory (default ./demo-data):

  1. imports the bureau's files (register, inspection records, annual
     reports), and shows how a file with bad rows is reported;
  2. syncs the four external lists from emulated sources on loopback (the
     publicity system's JSON API, Credit China's JSON and GBK list pages);
  3. records the annual evaluations of 2023 to 2026 (as of 31 July, 7 days
     of publicity, one objection a year reviewed, confirmation) and, between
     them, the nightly regrade at every month-end, upgrades on
     application, expiries and the exemplary institutions of 2026;
  4. runs the nightly job at today's date (sync, regrade, confirm, expire,
     reports) and prints what changed;
  5. prints the grade distribution per county and explains a few grades;
  6. writes the city overview, a county trend over the four years, its
     附件2, 诚信机构典型名单, 动态调整情况 and 附件1 letters, and the public
     list to DATA/out and prints their paths;
  7. records a county's 附件2 with one grade made more lenient and prints
     the city's reconciliation of it.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("data") && os.Getenv("CREDITSYNC_DATA") == "" {
				a.dataDir = "demo-data"
			}
			a.dsn = ""
			for _, sub := range []string{"clickhouse", "runs", "reports", "out"} {
				if err := os.RemoveAll(filepath.Join(a.dataDir, sub)); err != nil {
					return fmt.Errorf("reset demo data: %w", err)
				}
			}
			return a.runDemo(cmd.Context(), seed, institutions)
		},
	}
	cmd.Flags().Int64Var(&seed, "seed", 2023, "seed of the sample generator")
	cmd.Flags().IntVar(&institutions, "institutions", 300, "number of institutions in the sample")
	return cmd
}

func (a *app) section(title string) { fmt.Fprintf(a.stdout, "\n== %s ==\n", title) }

func (a *app) runDemo(ctx context.Context, seed int64, n int) error {
	dir := filepath.Join(a.dataDir, "sample")
	files, _, err := sample.Write(dir, sample.Options{Seed: seed, Institutions: n, AsOf: demoAsOf})
	if err != nil {
		return fmt.Errorf("generate sample: %w", err)
	}
	s, err := a.open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintf(a.stdout, "creditsync demo: Xuchang sample (seed %d, %d institutions) in the %s\n", seed, n, a.where())

	a.section("1. The bureau's files")
	for _, name := range internalLists {
		if err := a.demoImport(ctx, s, name, files[name]); err != nil {
			return err
		}
	}
	fmt.Fprintln(a.stdout, "\nA register with bad rows is reported precisely; its good rows are already stored and load unchanged:")
	if err := a.demoImport(ctx, s, "institutions", filepath.Join(dir, sample.BadInstitutionsFile)); err != nil {
		return err
	}

	a.section("2. External lists from their sources (emulated on loopback)")
	data, err := fixture.ReadFiles(files)
	if err != nil {
		return err
	}
	fx := fixture.Start(data, fixture.Options{})
	defer fx.Close()
	for _, kv := range fx.Env() {
		k, v, _ := strings.Cut(kv, "=")
		os.Setenv(k, v)
	}
	syncCfg, err := listsync.ParseConfig(fx.SourcesTOML())
	if err != nil {
		return err
	}
	results, err := listsync.Run(ctx, s, syncCfg, listsync.Options{Logger: a.log})
	printSyncResults(a, results)
	if err != nil {
		return fmt.Errorf("demo sync: %w", err)
	}

	a.section("3. Annual evaluations 2023–2026 and the lifecycle between them")
	rules := grade.DefaultRules()
	today := grade.Today(time.Now())
	county := report.Units()[1]
	if err := a.demoHistory(ctx, s, rules, county, today); err != nil {
		return err
	}

	a.section("4. Nightly run at today's date, " + transform.FormatDate(today))
	if err := a.demoFreshViolation(ctx, s, dir, county, today); err != nil {
		return err
	}
	out := filepath.Join(a.dataDir, "out")
	runner := &jobs.Runner{Store: s, Log: a.log}
	rep, err := runner.Run(ctx, "nightly", a.nightly(s, nightlyDeps{sync: &syncCfg, rules: rules, reports: a.reportsDir(today)}))
	printReport(a, rep)
	if err != nil {
		return err
	}
	if path, err := jobs.WriteSummary(a.dataDir, rep); err == nil {
		fmt.Fprintf(a.stdout, "run summary: %s\n", path)
	}

	a.section("5. Grades in effect today, by county")
	if err := a.printCountyGrades(ctx, s, today); err != nil {
		return err
	}
	if err := a.explainExamples(ctx, s, rules, today); err != nil {
		return err
	}

	a.section("6. Reports")
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
			return report.BuildTypical(ctx, src, county, demoAsOf.Year(), today)
		}},
		reportFile{"动态调整情况-" + county.Code + ".xlsx", "xlsx", func(ctx context.Context, src report.Source) (any, error) {
			history, err := lifecycle.History(ctx, s, "")
			if err != nil {
				return nil, err
			}
			noms, err := report.AllNominations(ctx, s, history)
			if err != nil {
				return nil, err
			}
			return report.BuildAdjustments(history, noms, county, demoAsOf, today), nil
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
	reportFiles = append(reportFiles, a.publicListFiles(today, time.Now())...)
	paths, err := writeReports(ctx, s, rules, out, reportFiles)
	for _, p := range paths {
		fmt.Fprintln(a.stdout, p)
	}
	if err != nil {
		return err
	}
	a.section("7. A county's 附件2 reviewed by the city")
	if err := a.demoReconcile(ctx, s, rules, out, demoAsOf); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "\nNext: creditsync --data %s explain USCC · history USCC · sql \"SELECT * FROM v_current_grades LIMIT 10\"\n", a.dataDir)
	printDaemonHint(a)
	return nil
}

// printDaemonHint shows how to run the demo's data as a bureau would: one
// daemon serving the web pages, the SQL endpoint and the schedule.
func printDaemonHint(a *app) {
	dir, err := filepath.Abs(a.dataDir)
	if err != nil {
		dir = a.dataDir
	}
	cfg := filepath.Join(dir, "creditsync.toml")
	fmt.Fprintf(a.stdout, `
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

func (a *app) demoImport(ctx context.Context, s store.Store, list, path string) error {
	l, err := contract.Lookup(list)
	if err != nil {
		return err
	}
	start := time.Now()
	res, err := file.Import(ctx, s, l, path, file.ImportOptions{})
	if err != nil {
		return err
	}
	printImportResult(a, res, time.Since(start))
	return nil
}

func entryGrades(entries []lifecycle.Entry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = string(e.Grade)
	}
	return out
}

func publicityEnd(entries []lifecycle.Entry) string {
	for _, e := range entries {
		if !e.PublicityEndsOn.IsZero() {
			return transform.FormatDate(e.PublicityEndsOn)
		}
	}
	return "-"
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

func (a *app) printCountyGrades(ctx context.Context, s store.Store, day time.Time) error {
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
	printTable(a.stdout, table)
	return nil
}

// explainExamples explains one institution of each of D, C and B.
func (a *app) explainExamples(ctx context.Context, s store.Store, rules *grade.Rules, day time.Time) error {
	res, err := grade.Compute(ctx, s, rules, day)
	if err != nil {
		return err
	}
	shown := map[string]bool{}
	for _, want := range []string{"D", "C", "B"} {
		for _, r := range res {
			if string(r.Grade) == want && !shown[want] && len(r.Clauses) > 1 {
				shown[want] = true
				fmt.Fprintln(a.stdout)
				printExplanation(a.stdout, r, day)
			}
		}
	}
	return nil
}
