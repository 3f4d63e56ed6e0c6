// Command bench measures creditsync at city, province and national scale
// and writes BENCHMARKS.md: machine, method and figures. `make bench` runs
// it. Each measurement runs the real binary (or a compiled Go benchmark)
// as a child process, so wall time and peak RSS are the child's own.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/xuchang-hrss/creditsync/contract"
)

// measurement is one row of BENCHMARKS.md.
type measurement struct {
	Area    string
	Scale   string
	Rows    int64 // rows processed, 0 when not applicable
	Seconds float64
	PeakMiB float64
	Target  string
	Met     string // "yes", "no (…)" or "" when there is no target
	Note    string
}

func (m measurement) rate() string {
	if m.Rows == 0 || m.Seconds == 0 {
		return ""
	}
	return fmt.Sprintf("%.0f", float64(m.Rows)/m.Seconds)
}

type runner struct {
	bin string
	// python runs the pandas grader: Debian's, which python3-pandas
	// installs into.
	python  string
	work    string
	results []measurement
	// curve holds the figures measured at several scales, for the chart.
	curve []measurement
	// sideBySide holds each cold scale beside the engine alone and pandas.
	sideBySide []coldFigures
	log        *os.File
}

// command prepares a child process with env added to the environment.
func (r *runner) command(env []string, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	return cmd
}

// run executes a command and returns wall seconds, peak RSS and output.
func (r *runner) run(env []string, name string, args ...string) (float64, float64, string, error) {
	return r.runIn("", env, name, args...)
}

// runIn is run in the folder dir ("" for the current one).
func (r *runner) runIn(dir string, env []string, name string, args ...string) (float64, float64, string, error) {
	cmd := r.command(env, name, args...)
	cmd.Dir = dir
	out, err := os.CreateTemp(r.work, "out-")
	if err != nil {
		return 0, 0, "", err
	}
	defer os.Remove(out.Name())
	cmd.Stdout, cmd.Stderr = out, out
	secs, peak, err := timed(cmd)
	b, _ := os.ReadFile(out.Name())
	fmt.Fprintf(r.log, "$ %s %s\n%s\n(%.2fs, %.0f MiB)\n\n", name, strings.Join(args, " "), tail(string(b), 3000), secs, peak)
	if err != nil {
		return secs, peak, string(b), fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, tail(string(b), 2000))
	}
	return secs, peak, string(b), nil
}

// runTo is run with standard output written to the file stdout; only
// standard error goes to bench.log.
func (r *runner) runTo(stdout string, env []string, name string, args ...string) (float64, float64, error) {
	out, err := os.Create(stdout)
	if err != nil {
		return 0, 0, err
	}
	defer out.Close()
	cmd := r.command(env, name, args...)
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = out, &stderr
	secs, peak, err := timed(cmd)
	fmt.Fprintf(r.log, "$ %s %s > %s\n%s\n(%.2fs, %.0f MiB)\n\n", name, strings.Join(args, " "), stdout, tail(stderr.String(), 3000), secs, peak)
	if err != nil {
		return secs, peak, fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, tail(stderr.String(), 2000))
	}
	return secs, peak, out.Close()
}

// timed runs cmd and returns its wall seconds and peak RSS in MiB.
func timed(cmd *exec.Cmd) (float64, float64, error) {
	start := time.Now()
	err := cmd.Run()
	secs := time.Since(start).Seconds()
	var peak float64
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru != nil {
			peak = float64(ru.Maxrss) / 1024 // Linux reports KiB
		}
	}
	return secs, peak, err
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

func main() {
	bin := flag.String("bin", "bin/creditsync", "creditsync binary")
	out := flag.String("o", "BENCHMARKS.md", "report file")
	scales := flag.String("scales", "city,province,national,xl", "scales to generate and regrade (xl is 10× national)")
	coldScales := flag.String("cold-scales", "city,province,national", "scales whose seven lists are exported as CSV files and imported into an empty store")
	importRows := flag.Int("import-rows", 1_000_000, "rows in the import benchmarks")
	python := flag.String("python", "/usr/bin/python3", "python with pandas (Debian's python3-pandas), which reads and grades the cold path's files beside creditsync")
	flag.Parse()

	work, err := os.MkdirTemp("", "creditsync-bench-")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(work)
	logf, err := os.Create(filepath.Join(filepath.Dir(*out), "bench.log"))
	if err != nil {
		fail(err)
	}
	defer logf.Close()
	r := &runner{bin: *bin, python: *python, work: work, log: logf}
	asOf := "2026-07-31"

	for _, scale := range strings.Split(*scales, ",") {
		r.regrade(scale, asOf)
		if slices.Contains(strings.Split(*coldScales, ","), scale) {
			r.coldPath(scale, asOf)
		}
		os.RemoveAll(filepath.Join(work, "data-"+scale))
	}
	r.imports(*importRows)
	r.exports(*importRows)
	r.goBenchmarks()
	chart := strings.TrimSuffix(*out, filepath.Ext(*out)) + ".svg"
	if err := writeChart(chart, r.curve); err != nil {
		fail(err)
	}
	if err := write(*out, filepath.Base(chart), r.results, r.sideBySide); err != nil {
		fail(err)
	}
	fmt.Println("wrote", *out, "(commands and output in bench.log)")
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}

var countLine = regexp.MustCompile(`(?m)^(\d+)$`)

// regrade generates a scale into a fresh data directory and times a full
// regrade: every institution, every clause, with evidence.
func (r *runner) regrade(scale, asOf string) {
	data := filepath.Join(r.work, "data-"+scale)
	env := []string{"CREDITSYNC_DATA=" + data}
	secs, peak, _, err := r.run(env, r.bin, "gen", "--scale", scale, "--seed", "1", "--as-of", asOf)
	if err != nil {
		r.results = append(r.results, measurement{Area: "generate", Scale: scale, Note: "failed: " + firstLine(err.Error())})
		return
	}
	rows := r.totalRows(env)
	r.results = append(r.results, measurement{Area: "generate", Scale: scale, Rows: rows, Seconds: secs, PeakMiB: peak})
	r.curve = append(r.curve, r.results[len(r.results)-1])
	institutions := r.count(env, "SELECT count() FROM institutions")
	target, limit := "", 0.0
	switch scale {
	case "national":
		target, limit = "< 2 s", 2
	case "xl":
		target, limit = "< 30 s, < 2 GiB", 30
	}
	secs, peak, _, err = r.run(env, r.bin, "grade", "--as-of", asOf, "--dry-run", "--format", "csv")
	m := measurement{Area: "full regrade", Scale: scale, Rows: institutions, Seconds: secs, PeakMiB: peak, Target: target}
	if err != nil {
		m.Note = "failed: " + firstLine(err.Error())
	} else if limit > 0 {
		m.Met = verdict(secs < limit && (scale != "xl" || peak < 2048), fmt.Sprintf("%.1f s, %.0f MiB", secs, peak))
	}
	r.results = append(r.results, m)
	r.curve = append(r.curve, m)
}

func verdict(ok bool, got string) string {
	if ok {
		return "yes"
	}
	return "no (" + got + ")"
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

func (r *runner) count(env []string, q string) int64 {
	_, _, out, err := r.run(env, r.bin, "sql", "--format", "csv", q)
	if err != nil {
		return 0
	}
	m := countLine.FindStringSubmatch(out)
	if m == nil {
		return 0
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	return n
}

func (r *runner) totalRows(env []string) int64 {
	var counts []string
	for _, l := range contract.Names() {
		counts = append(counts, "(SELECT count() FROM "+l+")")
	}
	return r.count(env, "SELECT "+strings.Join(counts, " + "))
}

// imports times CSV and XLSX imports of generated inspection records.
func (r *runner) imports(n int) {
	// A quarter-size CSV first: peak memory should not grow with the file.
	small := filepath.Join(r.work, "inspections-small.csv")
	if err := writeInspectionsCSV(small, n/4); err != nil {
		fail(err)
	}
	env := []string{"CREDITSYNC_DATA=" + filepath.Join(r.work, "import-small")}
	secs, peak, _, err := r.run(env, r.bin, "import", "inspections", small)
	m := measurement{Area: "import CSV", Scale: fmt.Sprintf("%d rows", n/4), Rows: int64(n / 4), Seconds: secs, PeakMiB: peak, Note: "memory comparison"}
	if err != nil {
		m.Note = "failed: " + firstLine(err.Error())
	}
	r.results = append(r.results, m)

	csvPath := filepath.Join(r.work, "inspections.csv")
	if err := writeInspectionsCSV(csvPath, n); err != nil {
		fail(err)
	}
	xlsxPath := filepath.Join(r.work, "inspections.xlsx")
	if err := writeInspectionsXLSX(xlsxPath, n); err != nil {
		fail(err)
	}
	for _, c := range []struct {
		format, path, target string
		min                  float64
	}{
		{"CSV", csvPath, "≥ 200,000 rows/s; memory flat", 200_000},
		{"XLSX", xlsxPath, "", 0},
	} {
		env := []string{"CREDITSYNC_DATA=" + filepath.Join(r.work, "import-"+c.format)}
		secs, peak, _, err := r.run(env, r.bin, "import", "inspections", c.path)
		m := measurement{Area: "import " + c.format, Scale: fmt.Sprintf("%d rows", n), Rows: int64(n), Seconds: secs, PeakMiB: peak, Target: c.target}
		if err != nil {
			m.Note = "failed: " + firstLine(err.Error())
		} else if c.min > 0 {
			rate := float64(n) / secs
			m.Met = verdict(rate >= c.min, fmt.Sprintf("%.0f rows/s", rate))
		}
		r.results = append(r.results, m)
	}
}

// exports times `sql` writing every imported inspection (the CSV import's
// data directory) to standard output: the engine formats, Go only copies.
func (r *runner) exports(n int) {
	env := []string{"CREDITSYNC_DATA=" + filepath.Join(r.work, "import-CSV")}
	for _, format := range []string{"csv", "json"} {
		secs, peak, _, err := r.run(env, r.bin, "sql", "--format", format, "SELECT * FROM inspections")
		m := measurement{Area: "sql export " + format, Scale: fmt.Sprintf("%d rows", n), Rows: int64(n), Seconds: secs, PeakMiB: peak, Target: "a few seconds; memory flat"}
		if err != nil {
			m.Note = "failed: " + firstLine(err.Error())
		}
		r.results = append(r.results, m)
	}
}

func writeInspectionsCSV(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "record_id,uscc,kind,severity,handled_on,rectified_on,refused,authority,measure,description")
	for i := range n {
		fmt.Fprintf(w, "R%09d,914403001922038216,violation,minor,2025-%02d-%02d,,否,许昌市人力资源和社会保障局,责令限期整改,第%d号检查记录\n", i, 1+i%12, 1+i%28, i)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// goBenchmarks runs the Go benchmarks that report rows/s (file import,
// JSON-API sync, HTML list parsing) as compiled test binaries. A sync is
// measured as the daemon runs it, in a process that has synced before:
// the mean of three syncs (-benchtime 3x: Go runs one first, unmeasured),
// after the smaller size's. One sync alone varies by a fifth from run to
// run on this machine, the first of a process being the slowest
// (tools/bench/analysis.md).
func (r *runner) goBenchmarks() {
	for _, b := range []struct {
		pkg, bench, sub, area, target, times string
		min                                  float64
	}{
		{"./ingest/file", "BenchmarkImportCSV$", "", "import CSV (in-process, 200k rows)", "≥ 200,000 rows/s", "1x", 200_000},
		{"./ingest/api", "BenchmarkFetchJSON$", "", "JSON API fetch from the fixture server", "", "1x", 0},
		{"./ingest/listsync", "BenchmarkSyncJSON", "rows=40000", "JSON API sync into the store (40,000 rows, mean of 3)", "≥ 50,000 rows/s", "3x", 50_000},
		{"./ingest/listsync", "BenchmarkSyncHTML", "rows=40000", "HTML list sync into the store, end to end (40,000 rows, GBK pages, mean of 3)", "≥ 20,000 rows/s", "3x", 20_000},
		{"./ingest/htmllist", "BenchmarkParseHTML$", "fixture", "HTML list parsing alone (GBK)", "", "1x", 0},
	} {
		testBin := filepath.Join(r.work, strings.ReplaceAll(strings.Trim(b.pkg, "./"), "/", "_")+".test")
		if _, err := os.Stat(testBin); err != nil {
			if _, _, _, err := r.run(nil, "go", "test", "-c", "-o", testBin, b.pkg); err != nil {
				r.results = append(r.results, measurement{Area: b.area, Note: "build failed"})
				continue
			}
		}
		// In the package's folder, as `go test` runs it: benchmarks read
		// their testdata and the example config by relative paths.
		secs, peak, out, err := r.runIn(b.pkg, nil, testBin, "-test.run", "^$", "-test.bench", b.bench, "-test.benchtime", b.times, "-test.benchmem")
		m := measurement{Area: b.area, Seconds: secs, PeakMiB: peak, Target: b.target}
		if err != nil {
			m.Note = "failed: " + firstLine(err.Error())
		} else if rate, ok := metric(out, b.sub, "rows/s"); ok {
			m.Note = fmt.Sprintf("%.0f rows/s", rate)
			if b.min > 0 {
				m.Met = verdict(rate >= b.min, m.Note)
			}
		}
		r.results = append(r.results, m)
	}
}

// metric reads a benchmark's figure in unit from the first result line
// naming sub (any line when sub is "").
func metric(out, sub, unit string) (float64, bool) {
	re := regexp.MustCompile(`([0-9.]+) ` + regexp.QuoteMeta(unit))
	for _, line := range strings.Split(out, "\n") {
		if !strings.Contains(line, sub) {
			continue
		}
		if m := re.FindStringSubmatch(line); m != nil {
			v, err := strconv.ParseFloat(m[1], 64)
			return v, err == nil
		}
	}
	return 0, false
}

func write(path, chart string, ms []measurement, cold []coldFigures) error {
	var b strings.Builder
	host, _ := os.Hostname()
	cpu := cpuModel()
	fmt.Fprintf(&b, "# Benchmarks\n\nWritten by `make bench` (tools/bench) on %s.\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "## Machine\n\n- host %s, %s/%s, %d cores (%s)\n- %s\n- embedded engine: libchdb 26.5.3 (ClickHouse 26.5)\n\n", host, runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpu, memTotal())
	b.WriteString("## Method\n\nEach figure is one run of the real `creditsync` binary (or a compiled Go benchmark) as a child process, on the embedded engine in a fresh data directory: wall-clock seconds, and peak resident memory (`ru_maxrss`) of that process. Data sets come from `creditsync gen` (deterministic, seed 1, as-of 2026-07-31); the import files are generated inspection records, and for the cold path the seven lists of a generated scale, exported as contract CSV files by `sql`. The cold path imports them as one folder (`import DIR`, one process) into an empty store (its schema applied by `init` beforehand, untimed), regrades, then imports the same folder again; beside it the engine alone and pandas load the same files (see the side-by-side table). The full regrade is `grade --as-of 2026-07-31 --dry-run`: every institution, every clause, with evidence, written out as CSV. The commands and their output are in bench.log.\n\n")
	b.WriteString(sideBySideTable(cold))
	b.WriteString("## Figures\n\n| area | scale | rows | seconds | rows/s | peak RSS MiB | target | met | note |\n|---|---|---:|---:|---:|---:|---|---|---|\n")
	for _, m := range ms {
		rows := ""
		if m.Rows > 0 {
			rows = strconv.FormatInt(m.Rows, 10)
		}
		peak := "" // a file imported within a process has no peak of its own
		if m.PeakMiB > 0 {
			peak = fmt.Sprintf("%.0f", m.PeakMiB)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %.2f | %s | %s | %s | %s | %s |\n", m.Area, m.Scale, rows, m.Seconds, m.rate(), peak, m.Target, m.Met, m.Note)
	}
	fmt.Fprintf(&b, "\n## How cost grows with the data\n\nSeconds against rows, both on logarithmic scales, for each figure measured at several scales (a slope of 1 is linear growth).\n\n![cost curve](%s)\n", chart)
	// The hand-written analysis of the figures lives beside the tool; it
	// is revised when a run changes the picture.
	if analysis, err := os.ReadFile(filepath.Join("tools", "bench", "analysis.md")); err == nil {
		b.WriteString("\n")
		b.Write(analysis)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "model name") {
			_, v, _ := strings.Cut(l, ":")
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

func memTotal() string {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return "memory unknown"
	}
	l, _, _ := strings.Cut(string(b), "\n")
	return strings.Join(strings.Fields(l), " ")
}
