package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/xuchang-hrss/creditsync/contract"
)

// coldPath is what a bureau does on its first day: the seven lists as
// contract CSV files (exported from a generated scale), imported as one
// folder into an empty store, then a full regrade; then the same folder
// imported again, which must change nothing. Beside it, on the same
// files: the engine alone loading them with no validation, and pandas
// reading and grading them (compare.go).
func (r *runner) coldPath(scale, asOf string) {
	csvDir := filepath.Join(r.work, "csv-"+scale)
	if err := os.MkdirAll(csvDir, 0o755); err != nil {
		fail(err)
	}
	defer os.RemoveAll(csvDir)
	genEnv := []string{"CREDITSYNC_DATA=" + filepath.Join(r.work, "data-"+scale)}
	var files []string
	var rows int64
	for _, l := range contract.Lists() {
		path := filepath.Join(csvDir, l.Name+".csv")
		if err := r.export(genEnv, l, path); err != nil {
			r.results = append(r.results, measurement{Area: "cold path", Scale: scale, Note: "export failed: " + firstLine(err.Error())})
			return
		}
		files = append(files, path)
		rows += lines(path) - 1
	}
	data := filepath.Join(r.work, "cold-"+scale)
	defer os.RemoveAll(data)
	env := []string{"CREDITSYNC_DATA=" + data}
	if err := r.initStore(env); err != nil {
		r.results = append(r.results, measurement{Area: "cold path", Scale: scale, Note: "init failed: " + firstLine(err.Error())})
		return
	}
	cmp := coldFigures{scale: scale, rows: rows}

	// met says whether an import that did not fail meets its target.
	importDir := func(area, target string, met func(measurement) string) measurement {
		secs, peak, out, err := r.run(env, r.bin, "import", csvDir)
		m := measurement{Area: area, Scale: scale, Rows: rows, Seconds: secs, PeakMiB: peak, Target: target}
		if err != nil {
			m.Note = "failed: " + firstLine(err.Error())
		} else if met != nil {
			m.Met = met(m)
		}
		if scale == "national" {
			// One process imports the seven files: each file's own time
			// is the one the command prints for it.
			for _, f := range fileTimes(out) {
				r.results = append(r.results, measurement{Area: area + ": " + filepath.Base(f.path), Scale: scale, Rows: f.rows, Seconds: f.seconds, Note: "within the one process"})
			}
		}
		r.results = append(r.results, m)
		r.curve = append(r.curve, m)
		return m
	}
	var importTarget, reimportTarget string
	var importMet, reimportMet func(measurement) string
	if scale == "national" {
		importTarget = "≤ 1.5 GiB"
		importMet = func(m measurement) string {
			return verdict(m.PeakMiB <= 1536, fmt.Sprintf("%.0f MiB", m.PeakMiB))
		}
		reimportTarget = "≤ 30 s"
		reimportMet = func(m measurement) string {
			return verdict(m.Seconds <= 30, fmt.Sprintf("%.1f s", m.Seconds))
		}
	}
	imp := importDir("cold import (import DIR)", importTarget, importMet)

	creditsyncGrades := filepath.Join(r.work, "grades-creditsync-"+scale+".csv")
	secs, peak, err := r.runTo(creditsyncGrades, env, r.bin, "grade", "--as-of", asOf, "--dry-run", "--format", "csv")
	regrade := measurement{Area: "regrade after the cold import", Scale: scale, Rows: r.count(env, "SELECT count() FROM institutions"), Seconds: secs, PeakMiB: peak}
	if err != nil {
		regrade.Note = "failed: " + firstLine(err.Error())
	}
	r.results = append(r.results, regrade)
	cmp.importSecs, cmp.regradeSecs = imp.Seconds, regrade.Seconds
	cmp.failed = imp.Note != "" || regrade.Note != ""

	cmp.engine = r.engineAlone(scale, files, rows)
	r.pandas(&cmp, csvDir, asOf, creditsyncGrades)
	r.results = append(r.results, cmp.figure())
	r.results = append(r.results, cmp.engine, cmp.pandas)
	r.sideBySide = append(r.sideBySide, cmp)

	importDir("re-import, unchanged (import DIR)", reimportTarget, reimportMet)

	if scale == "national" {
		// The largest file against its first million rows: the rate must
		// not fall with the size of the file. The slice stays out of the
		// folder, which is imported whole.
		head := filepath.Join(r.work, "abnormal-1m.csv")
		defer os.Remove(head)
		if err := headLines(filepath.Join(csvDir, "abnormal.csv"), head, 1_000_001); err != nil {
			fail(err)
		}
		env := []string{"CREDITSYNC_DATA=" + filepath.Join(r.work, "abnormal-1m")}
		secs, peak, _, err := r.run(env, r.bin, "import", "abnormal", head)
		m := measurement{Area: "import abnormal.csv, its first 1 M rows alone", Scale: scale, Rows: 1_000_000, Seconds: secs, PeakMiB: peak, Note: "rate to compare with the whole file's"}
		if err != nil {
			m.Note = "failed: " + firstLine(err.Error())
		}
		r.results = append(r.results, m)
		os.RemoveAll(filepath.Join(r.work, "abnormal-1m"))
	}
}

type fileTime struct {
	path    string
	rows    int64
	seconds float64
}

// importLine is the summary line `import` prints for each file.
var importLine = regexp.MustCompile(`(?m)^(\S.*?) → \w+: (\d+) read.*\(([0-9.]+)s, batch `)

// fileTimes reads each file's rows and seconds from the output of
// `import DIR`; lines it does not recognise are left out.
func fileTimes(out string) []fileTime {
	var ts []fileTime
	for _, m := range importLine.FindAllStringSubmatch(out, -1) {
		rows, err1 := strconv.ParseInt(m[2], 10, 64)
		secs, err2 := strconv.ParseFloat(m[3], 64)
		if err1 == nil && err2 == nil {
			ts = append(ts, fileTime{path: m[1], rows: rows, seconds: secs})
		}
	}
	return ts
}

// initStore makes an empty data directory and applies the schema, untimed:
// the cold path and the engine alone both start from a store whose
// schema is in place, so neither pays for the migrations.
func (r *runner) initStore(env []string) error {
	for _, e := range env {
		if dir, ok := strings.CutPrefix(e, "CREDITSYNC_DATA="); ok {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
		}
	}
	_, _, _, err := r.run(env, r.bin, "init")
	return err
}

// export writes list l of a generated store as a contract CSV file, by
// the real `sql` command: English keys as headers, empty cells for NULL.
func (r *runner) export(env []string, l *contract.List, path string) error {
	cols := make([]string, len(l.Columns))
	for i, c := range l.Columns {
		cols[i] = fmt.Sprintf("ifNull(toString(%s), '') AS %s", c.Key, c.Key)
	}
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	defer out.Close()
	cmd := r.command(env, r.bin, "sql", "--format", "CSVWithNames", "SELECT "+strings.Join(cols, ", ")+" FROM "+l.Name)
	cmd.Stdout = out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("export %s: %w", l.Name, err)
	}
	return out.Close()
}

// lines counts the lines of a file.
func lines(path string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	var n int64
	buf := make([]byte, 1<<20)
	for {
		k, err := f.Read(buf)
		for _, b := range buf[:k] {
			if b == '\n' {
				n++
			}
		}
		if err == io.EOF {
			return n
		}
		if err != nil {
			return n
		}
	}
}

// headLines copies the first n lines of src to dst.
func headLines(src, dst string, n int) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	br := bufio.NewReaderSize(in, 1<<20)
	bw := bufio.NewWriterSize(out, 1<<20)
	for range n {
		line, err := br.ReadBytes('\n')
		bw.Write(line)
		if err != nil {
			break
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return out.Close()
}
