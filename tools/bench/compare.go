package main

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// pandasGrader reads the seven CSV files and grades them with pandas,
// written from docs/rules.md alone: an independent grader to compare
// creditsync's grades with, and the time issue 25 measures against.
//
//go:embed pandas_grade.py
var pandasGrader []byte

// coldFigures is one scale's cold path beside the same files loaded by
// the engine alone and read and graded by pandas.
type coldFigures struct {
	scale                   string
	rows                    int64
	importSecs, regradeSecs float64
	failed                  bool
	engine, pandas          measurement
	// agree counts the institutions creditsync and pandas grade alike,
	// out of compared (0 when there was nothing to compare).
	agree, compared int
}

func (c coldFigures) creditsync() float64 { return c.importSecs + c.regradeSecs }

// ratio is creditsync's cold path over other's time, false when either
// was not measured.
func (c coldFigures) ratio(other measurement) (float64, bool) {
	if c.failed || !measured(other) {
		return 0, false
	}
	return c.creditsync() / other.Seconds, true
}

func (c coldFigures) ratios() string {
	var parts []string
	if x, ok := c.ratio(c.engine); ok {
		parts = append(parts, fmt.Sprintf("%.1f× the engine alone", x))
	}
	if x, ok := c.ratio(c.pandas); ok {
		parts = append(parts, fmt.Sprintf("%.1f× pandas", x))
	}
	return strings.Join(parts, "; ")
}

// figure is the cold path's row in the figures, with issue 25's targets:
// nationally within 2× of the engine alone and under 90 s, for a
// province within 2× of pandas.
func (c coldFigures) figure() measurement {
	m := measurement{Area: "cold path: import DIR, then a regrade", Scale: c.scale, Rows: c.rows, Seconds: c.creditsync(), Note: c.ratios()}
	if c.failed {
		m.Note = "a step failed"
		return m
	}
	got := fmt.Sprintf("%.1f s", c.creditsync())
	switch c.scale {
	case "national":
		m.Target = "≤ 2× the engine alone, < 90 s"
		x, ok := c.ratio(c.engine)
		if !ok {
			m.Met = "not measured"
		} else {
			m.Met = verdict(x <= 2 && c.creditsync() < 90, fmt.Sprintf("%s, %.1f×", got, x))
		}
	case "province":
		m.Target = "≤ 2× pandas (read + grade)"
		if x, ok := c.ratio(c.pandas); !ok {
			m.Met = "not measured"
		} else {
			m.Met = verdict(x <= 2, fmt.Sprintf("%s, %.1f×", got, x))
		}
	}
	return m
}

// engineAlone loads the same files with chDB and nothing else: one
// `CREATE TABLE … ENGINE = MergeTree AS SELECT * FROM file(…)` a file,
// no validation, the seven statements in one process on a fresh store,
// through the same libchdb. It is the limit this machine sets.
func (r *runner) engineAlone(scale string, files []string, rows int64) measurement {
	data := filepath.Join(r.work, "engine-"+scale)
	defer os.RemoveAll(data)
	m := measurement{Area: "the engine alone: CREATE TABLE … AS SELECT * FROM file(…) for each file", Scale: scale, Rows: rows, Note: "no validation; one process"}
	env := []string{"CREDITSYNC_DATA=" + data}
	if err := r.initStore(env); err != nil {
		m.Note = "failed: " + firstLine(err.Error())
		return m
	}
	var stmts []string
	for _, path := range files {
		table := "engine_" + strings.TrimSuffix(filepath.Base(path), ".csv")
		stmts = append(stmts, fmt.Sprintf("CREATE TABLE %s ENGINE = MergeTree ORDER BY tuple() AS SELECT * FROM file('%s', CSVWithNames)", table, quote(path)))
	}
	secs, peak, _, err := r.run(env, r.bin, "sql", "--write", strings.Join(stmts, ";\n"))
	m.Seconds, m.PeakMiB = secs, peak
	if err != nil {
		m.Note = "failed: " + firstLine(err.Error())
	}
	return m
}

// quote escapes s for a single-quoted ClickHouse string literal.
func quote(s string) string {
	return strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s)
}

// pandas times pandas_grade.py reading and grading the folder, when
// Debian's python3-pandas is installed, and compares its grades with
// creditsync's (the CSV written by `grade --dry-run --format csv`).
func (r *runner) pandas(c *coldFigures, csvDir, asOf, creditsyncGrades string) {
	c.pandas = measurement{Area: "pandas: read the seven CSV files, grade", Scale: c.scale, Rows: c.rows}
	if err := r.command(nil, r.python, "-c", "import pandas").Run(); err != nil {
		c.pandas.Note = fmt.Sprintf("not measured: %s cannot import pandas (scripts/install-pandas.sh installs Debian's python3-pandas)", r.python)
		return
	}
	script := filepath.Join(r.work, "pandas_grade.py")
	if err := os.WriteFile(script, pandasGrader, 0o644); err != nil {
		fail(err)
	}
	grades := filepath.Join(r.work, "grades-pandas-"+c.scale+".csv")
	secs, peak, err := r.runTo(grades, nil, r.python, script, csvDir, asOf)
	c.pandas.Seconds, c.pandas.PeakMiB = secs, peak
	if err != nil {
		c.pandas.Note = "failed: " + firstLine(err.Error())
		return
	}
	if c.failed {
		c.pandas.Note = "grades not compared: creditsync's cold path failed"
		return
	}
	agree, total, diffs, err := compareGrades(creditsyncGrades, grades)
	if err != nil {
		c.pandas.Note = "grades not compared: " + err.Error()
		return
	}
	c.agree, c.compared = agree, total
	c.pandas.Note = fmt.Sprintf("grades agree with creditsync on %d of %d institutions", agree, total)
	fmt.Fprintf(r.log, "pandas and creditsync at %s scale: grades agree on %d of %d institutions\n", c.scale, agree, total)
	for _, d := range diffs {
		fmt.Fprintln(r.log, "  "+d)
	}
	fmt.Fprintln(r.log)
}

// graded is one institution's grade and the clauses that hold.
type graded struct{ grade, clauses string }

// compareGrades reads two grade files (CSV with uscc, grade and clauses
// columns, in any order) and counts the institutions graded alike, out
// of those either grades. Each disagreement is described, and so is
// every institution graded alike on different clauses.
func compareGrades(aPath, bPath string) (agree, total int, diffs []string, err error) {
	a, err := readGrades(aPath)
	if err != nil {
		return 0, 0, nil, err
	}
	b, err := readGrades(bPath)
	if err != nil {
		return 0, 0, nil, err
	}
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	show := func(g graded, ok bool) string {
		if !ok {
			return "not graded"
		}
		return fmt.Sprintf("%s (%s)", g.grade, g.clauses)
	}
	for _, k := range keys {
		ga, okA := a[k]
		gb, okB := b[k]
		switch {
		case okA && okB && ga.grade == gb.grade:
			agree++
			if ga.clauses != gb.clauses {
				diffs = append(diffs, fmt.Sprintf("%s: same grade, other clauses: creditsync %s, pandas %s", k, show(ga, okA), show(gb, okB)))
			}
		default:
			diffs = append(diffs, fmt.Sprintf("%s: creditsync %s, pandas %s", k, show(ga, okA), show(gb, okB)))
		}
	}
	return agree, len(keys), diffs, nil
}

func readGrades(path string) (map[string]graded, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", filepath.Base(path), err)
	}
	if len(records) == 0 {
		return nil, fmt.Errorf("%s is empty", filepath.Base(path))
	}
	col := map[string]int{}
	for i, h := range records[0] {
		col[h] = i
	}
	for _, h := range []string{"uscc", "grade", "clauses"} {
		if _, ok := col[h]; !ok {
			return nil, fmt.Errorf("%s has no %s column", filepath.Base(path), h)
		}
	}
	out := make(map[string]graded, len(records)-1)
	for _, rec := range records[1:] {
		out[rec[col["uscc"]]] = graded{grade: rec[col["grade"]], clauses: rec[col["clauses"]]}
	}
	return out, nil
}

// sideBySideTable is issue 25's comparison: for each scale, creditsync's
// cold path, pandas and the engine alone on the same files.
func sideBySideTable(cs []coldFigures) string {
	if len(cs) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("## Side by side: the cold path\n\n")
	b.WriteString("The same CSV files (the seven lists) loaded three ways, in this one run: creditsync imports the folder (`import DIR`, one process, every record validated) and regrades (`grade --dry-run`); pandas (`tools/bench/pandas_grade.py`, Debian's python3-pandas) reads the columns grading needs and grades by docs/rules.md, written independently of creditsync's SQL, and its grades are compared with creditsync's (disagreements in bench.log); the engine alone is chDB parsing the files straight into MergeTree tables (`CREATE TABLE … ENGINE = MergeTree ORDER BY tuple() AS SELECT * FROM file(…, CSVWithNames)`, one process for the seven), with no validation. Targets: the national cold path within 2× of the engine alone and under 90 s; the province cold path within 2× of pandas.\n\n")
	b.WriteString("| step | creditsync | pandas (read + grade) | the engine alone | ratios |\n|---|---:|---:|---:|---|\n")
	for _, c := range cs {
		creditsync := fmt.Sprintf("%.1f s import + %.1f s regrade = %.1f s", c.importSecs, c.regradeSecs, c.creditsync())
		if c.failed {
			creditsync = "failed (see bench.log)"
		}
		pandas := seconds(c.pandas)
		if c.compared > 0 {
			pandas += fmt.Sprintf("; grades agree on %d of %d", c.agree, c.compared)
		}
		fmt.Fprintf(&b, "| %s: seven CSV files in (%d rows), then a regrade | %s | %s | %s | %s |\n",
			c.scale, c.rows, creditsync, pandas, seconds(c.engine), c.ratios())
	}
	b.WriteString("\n")
	return b.String()
}

// measured reports whether m holds a time: it ran, and did not fail.
func measured(m measurement) bool {
	return m.Seconds > 0 && !strings.HasPrefix(m.Note, "failed") && !strings.HasPrefix(m.Note, "not measured")
}

// seconds is a measurement's time, or why there is none.
func seconds(m measurement) string {
	if !measured(m) {
		if m.Note == "" {
			return "not measured"
		}
		return m.Note
	}
	return fmt.Sprintf("%.1f s", m.Seconds)
}
