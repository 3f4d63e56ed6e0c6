package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/xuchang-hrss/creditsync/contract"
)

// coldPath is what a bureau does on its first day: the seven lists as
// contract CSV files (exported from a generated scale), imported one by
// one into an empty store, then a full regrade; then the same files
// imported again, which must change nothing.
func (r *runner) coldPath(scale, asOf string) {
	csvDir := filepath.Join(r.work, "csv-"+scale)
	if err := os.MkdirAll(csvDir, 0o755); err != nil {
		fail(err)
	}
	genEnv := []string{"CREDITSYNC_DATA=" + filepath.Join(r.work, "data-"+scale)}
	var files []string
	for _, l := range contract.Lists() {
		path := filepath.Join(csvDir, l.Name+".csv")
		if err := r.export(genEnv, l, path); err != nil {
			r.results = append(r.results, measurement{Area: "cold path", Scale: scale, Note: "export failed: " + firstLine(err.Error())})
			return
		}
		files = append(files, path)
	}
	data := filepath.Join(r.work, "cold-"+scale)
	defer os.RemoveAll(data)
	env := []string{"CREDITSYNC_DATA=" + data}
	importAll := func(area, target string, limit float64) {
		var total measurement
		total = measurement{Area: area, Scale: scale, Target: target}
		for _, path := range files {
			rows := lines(path) - 1
			secs, peak, _, err := r.run(env, r.bin, "import", listOf(path), path)
			m := measurement{Area: area + ": " + filepath.Base(path), Scale: scale, Rows: rows, Seconds: secs, PeakMiB: peak}
			if err != nil {
				m.Note = "failed: " + firstLine(err.Error())
				total.Note = "a file failed"
			}
			if scale == "national" {
				r.results = append(r.results, m)
			}
			total.Rows += rows
			total.Seconds += secs
			total.PeakMiB = max(total.PeakMiB, peak)
		}
		if limit > 0 && total.Note == "" {
			ok := total.Seconds <= limit && (area != "cold import" || total.PeakMiB <= 1536)
			total.Met = verdict(ok, fmt.Sprintf("%.1f s, %.0f MiB", total.Seconds, total.PeakMiB))
		}
		r.results = append(r.results, total)
		r.curve = append(r.curve, total)
	}
	target, limit := "", 0.0
	if scale == "national" {
		target, limit = "≤ 90 s (≥ 200,000 rows/s), ≤ 1.5 GiB", 90
	}
	importAll("cold import", target, limit)

	secs, peak, _, err := r.run(env, r.bin, "grade", "--as-of", asOf, "--dry-run", "--format", "csv")
	m := measurement{Area: "regrade after the cold import", Scale: scale, Rows: r.count(env, "SELECT count() FROM institutions"), Seconds: secs, PeakMiB: peak}
	if err != nil {
		m.Note = "failed: " + firstLine(err.Error())
	}
	r.results = append(r.results, m)

	target, limit = "", 0
	if scale == "national" {
		target, limit = "≤ 30 s", 30
	}
	importAll("re-import, unchanged", target, limit)

	if scale == "national" {
		// The largest file against its first million rows: the rate must
		// not fall with the size of the file.
		big := filepath.Join(csvDir, "abnormal.csv")
		head := filepath.Join(csvDir, "abnormal-1m.csv")
		if err := headLines(big, head, 1_000_001); err != nil {
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
	os.RemoveAll(csvDir)
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

func listOf(path string) string {
	return strings.TrimSuffix(filepath.Base(path), ".csv")
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
