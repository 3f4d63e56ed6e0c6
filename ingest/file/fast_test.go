package file_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/ingest/file"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
	"github.com/xuchang-hrss/creditsync/transform"
)

// The fast import (the engine reads the file) must store, reject and
// report exactly what the Go path does. These tests import the same
// files both ways and compare everything.

// validUSCC makes a valid code for a division and a serial.
func validUSCC(div string, serial int) string {
	first := fmt.Sprintf("91%s%09d", div, serial)
	c, err := transform.USCCCheckChar(first)
	if err != nil {
		panic(err)
	}
	return first + string(c)
}

// spellings are the values the generator picks from for a column: many
// canonical, many not (each the kind of thing the bureau's files hold).
func spellings(r *rand.Rand, c contract.Column, line int) []string {
	switch c.Kind {
	case contract.USCC:
		code := validUSCC("411002", line)
		bad := code[:17] + string("0123456789ABCDEFGHJKLMNPQRTUWXY"[(strings.IndexByte("0123456789ABCDEFGHJKLMNPQRTUWXY", code[17])+1)%31])
		return []string{code, code, code, validUSCC("411023", line), validUSCC("4110AB", line), strings.ToLower(code), " " + code, code[:4] + " " + code[4:], toFullWidth(code), bad, "", "9.14403E+17", "91411002MA12345", `="` + code + `"`, "'" + code}
	case contract.Date:
		return []string{"2023-07-31", "2022-01-15", "2021-12-01", "2023年7月31日", "2023/7/31", "20230731", "2023-02-29", "1969-12-31", "", " 2023-07-31", "2023-07-31 0:00", "not a date", "2101-01-01", `="2023-07-31"`}
	case contract.Bool:
		return []string{"true", "false", "1", "0", "是", "否", "", "TRUE", "Yes", "maybe", " 1"}
	case contract.Year:
		return []string{"2023", "2022", "2023年", "1989", "", "２０２３", "20x3"}
	case contract.Enum:
		var out []string
		for k := range c.Values {
			out = append(out, k)
		}
		return append(out, strings.ToUpper(c.Values[out[0]]), "unknown", "", " "+out[0])
	case contract.County:
		return []string{"411002", "411081", "411023", "41100", "", "４１１００２", "abcdef"}
	}
	if c.Code {
		return []string{fmt.Sprintf("REC-%d", line), fmt.Sprintf("XC%06d", line), "许昌人力资源服务有限公司", "9.14403E+17", "1.2E5", " R1", "Ｒ１", "多行\n编号", "", "合计", "填表人：张三", "日期", fmt.Sprintf(`="REC-%d"`, line), fmt.Sprintf("'REC-%d", line), "'00777"}
	}
	names := []string{fmt.Sprintf("许昌第%d人力资源有限公司", line), "许昌人力资源服务有限公司", "河南ABC人力资源公司", "禹州市人才(中心)", "长葛人力 资源", "许昌（建安）人力资源有限公司", "ＡＢＣ人力", " 前后空格 ", "【魏都】服务中心", "合计公司", "审核人才服务中心", "多行\n名称", "多行\r\n回车", "a,b", `say "hi"`, "", `\N`, "x", "Ω希腊", "tab\tinside"}
	return append(names, fmt.Sprintf("服务中心%d", line), "Xuchang HR Co.", "abc [x] {y}", "《条例》第八条", "腾讯【深圳】 Co", "〔2016〕189号", `="许昌人力资源服务有限公司"`, `="a""b"`, "'许人社罚〔2026〕7号")
}

func toFullWidth(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r > ' ' && r < 0x7F {
			r += 0xFEE0
		}
		b.WriteRune(r)
	}
	return b.String()
}

// csvField writes a field, quoted when it must be or when the dice say.
func csvField(r *rand.Rand, v string) string {
	if strings.ContainsAny(v, ",\"\r\n") || r.IntN(4) == 0 {
		return `"` + strings.ReplaceAll(v, `"`, `""`) + `"`
	}
	return v
}

// genCSV writes a file of list: the contract header (Chinese or English
// names, shuffled), then rows mixing canonical and other values, with
// blank, total, note and signature rows among them; records spanning
// several lines when multiline is set (the engine reads those files
// twice). It returns the lines of the rows of sums it wrote.
func genCSV(t *testing.T, r *rand.Rand, l *contract.List, path string, rows int, multiline bool) (totals []int) {
	cols := append([]contract.Column(nil), l.Columns...)
	r.Shuffle(len(cols), func(i, j int) { cols[i], cols[j] = cols[j], cols[i] })
	nl := "\n"
	if r.IntN(3) == 0 {
		nl = "\r\n"
	}
	var b strings.Builder
	if r.IntN(2) == 0 {
		b.WriteString("\uFEFF")
	}
	for i, c := range cols {
		if i > 0 {
			b.WriteByte(',')
		}
		if r.IntN(2) == 0 {
			b.WriteString(c.Chinese)
		} else {
			b.WriteString(c.Key)
		}
	}
	b.WriteString(nl)
	empty := strings.Repeat(",", len(cols)-1)
	for line := 0; line < rows; line++ {
		switch r.IntN(40) {
		case 0:
			b.WriteString(empty + nl)
			continue
		case 1:
			totals = append(totals, strings.Count(b.String(), "\n")+1)
			b.WriteString("合计" + empty + nl)
			continue
		case 2:
			b.WriteString("注：以上数据仅供参考" + empty + nl)
			continue
		case 3:
			b.WriteString(" ," + strings.Repeat(",", len(cols)-2) + nl)
			continue
		case 4:
			// A total with its count alone under the USCC (合计 | 12).
			cells := make([]string, len(cols))
			cells[0] = "合计"
			for i, c := range cols {
				if i > 0 && c.Kind == contract.USCC {
					cells[i] = fmt.Sprint(line)
				}
			}
			totals = append(totals, strings.Count(b.String(), "\n")+1)
			b.WriteString(strings.Join(cells, ",") + nl)
			continue
		case 5:
			// A total's label in the first column, whichever it is (the
			// key, the USCC: the contract's order puts them first), with
			// the sum's count beside it in the key and USCC columns, or
			// in another column. A number alone in a key column is a
			// count only where the label or the USCC stands.
			labels := []string{"合计", "合计：", fmt.Sprintf("合计：共%d家", line), fmt.Sprintf("总计（%d家）", line), "小计"}
			code := func(c contract.Column) bool { return slices.Contains(l.RecordKeys(), c.Key) || c.Kind == contract.USCC }
			cells := make([]string, len(cols))
			cells[0] = labels[r.IntN(len(labels))]
			for i, c := range cols {
				if i == 0 || !(code(c) || r.IntN(len(cols)) == 0) || r.IntN(2) == 0 {
					continue
				}
				counts := []string{fmt.Sprintf("%d家", line), fmt.Sprintf("共%d家", line)}
				if !code(c) || code(cols[0]) || c.Kind == contract.USCC {
					counts = append(counts, fmt.Sprint(line))
				}
				cells[i] = counts[r.IntN(len(counts))]
			}
			totals = append(totals, strings.Count(b.String(), "\n")+1)
			b.WriteString(strings.Join(cells, ",") + nl)
			continue
		}
		canonical := r.IntN(3) > 0 // most rows: every value canonical
		for i, c := range cols {
			if i > 0 {
				b.WriteByte(',')
			}
			opts := spellings(r, c, line)
			v := opts[r.IntN(len(opts))]
			if canonical {
				v = opts[0]
				if c.Kind == contract.Date {
					v = opts[r.IntN(3)]
				}
				if c.Kind == contract.Enum && r.IntN(2) == 0 {
					v = opts[r.IntN(len(opts)-4)]
				}
				if !c.Required && r.IntN(4) == 0 {
					v = ""
				}
				// One value off the canonical path now and then: the
				// predicate must catch the one that matters.
				if r.IntN(6) == 0 {
					v = opts[r.IntN(len(opts))]
				}
			}
			if !multiline {
				v = strings.ReplaceAll(v, "\n", " ")
			}
			b.WriteString(csvField(r, v))
		}
		b.WriteString(nl)
	}
	if r.IntN(2) == 0 {
		b.WriteString(empty + nl) // a blank row at the end: not counted
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return totals
}

// imported is everything an import leaves that the two paths must agree
// on.
type imported struct {
	read    int64
	records []int // the lines of the records stored or rejected
	Err     string
	Result  string
	Rows    []string
	Rejects []string
	Batches []string
}

func importBoth(t *testing.T, s store.Store, l *contract.List, path string) (fast, slow imported) {
	t.Helper()
	fast, slow = importWays(t, s, l, path, file.ImportOptions{})
	if fast.Err != "" || slow.Err != "" {
		t.Fatalf("import %s: fast: %s; Go: %s", path, fast.Err, slow.Err)
	}
	return fast, slow
}

// importWays imports path into s with the fast import allowed, then with
// the Go path forced, each time into the store emptied of all an import
// writes. A test's subtests share one store (migrating one costs more
// than the imports): anything the emptying missed would make the two
// ways differ, never agree.
func importWays(t *testing.T, s store.Store, l *contract.List, path string, opt file.ImportOptions) (fast, slow imported) {
	t.Helper()
	run := func(goOnly bool) imported {
		emptyImports(t, s)
		if goOnly {
			t.Setenv("CREDITSYNC_NO_FAST_IMPORT", "1")
			defer os.Unsetenv("CREDITSYNC_NO_FAST_IMPORT")
		}
		res, err := file.Import(context.Background(), s, l, path, opt)
		out := dumpImport(t, s, l, res)
		if err != nil {
			out.Err = err.Error()
		}
		return out
	}
	return run(false), run(true)
}

// emptyImports empties every table an import writes: the lists, their
// registered copies, the rejects and the batch log.
func emptyImports(t *testing.T, s store.Store) {
	t.Helper()
	tables := []string{"import_rejects", "import_batches"}
	for _, l := range contract.Lists() {
		tables = append(tables, l.Name, l.Name+"_registered")
	}
	for _, table := range tables {
		if err := s.Exec(context.Background(), "TRUNCATE TABLE IF EXISTS "+table, nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := dump(t, s, "SELECT name FROM system.tables WHERE database = currentDatabase() AND total_rows > 0 AND name IN ('"+strings.Join(tables, "', '")+"')"); len(n) > 0 {
		t.Fatalf("tables not emptied: %v", n)
	}
}

func dumpImport(t *testing.T, s store.Store, l *contract.List, res file.Result) imported {
	t.Helper()
	out := imported{read: res.Read, Result: resultString(res)}
	cols := strings.Join(append(l.StoredColumns(), "source", "source_ref", "source_line", "extra", "row_hash"), ", ")
	out.Rows = dump(t, s, "SELECT "+cols+" FROM "+l.Name+" ORDER BY source_line")
	out.Rejects = dump(t, s, "SELECT line, column, value, reason, raw FROM import_rejects ORDER BY line, column, value, reason, raw")
	lines, err := s.Query(context.Background(), "SELECT toInt64(line) FROM import_rejects UNION ALL SELECT toInt64(source_line) FROM "+l.Name, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer lines.Close()
	for lines.Next() {
		var n int64
		if err := lines.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out.records = append(out.records, int(n))
	}
	if err := lines.Err(); err != nil {
		t.Fatal(err)
	}
	out.Batches = dump(t, s, "SELECT list, source, source_ref, encoding, rows_read, rows_loaded, rows_unchanged, rows_rejected, status, error FROM import_batches ORDER BY started_at, batch_id")
	// One batch: every row of it carries the same metadata.
	meta := dump(t, s, "SELECT DISTINCT batch_id, loaded_at, version FROM "+l.Name)
	if len(res.Sheets) == 1 && len(meta) > 1 {
		t.Errorf("rows of one batch carry different metadata: %q", meta)
	}
	return out
}

// resultString prints a result without what differs between any two
// imports (batch ids, timings).
func resultString(res file.Result) string {
	sheets := append([]file.SheetResult(nil), res.Sheets...)
	for i := range sheets {
		sheets[i].BatchID, sheets[i].Steps, sheets[i].Repeats = "", nil, strings.Repeat("x", len(sheets[i].Repeats))
	}
	res.Sheets = sheets
	res.BatchID, res.Steps, res.Repeats = "", nil, strings.Repeat("x", len(res.Repeats))
	return fmt.Sprintf("%+v", res)
}

func dump(t *testing.T, s store.Store, q string) []string {
	t.Helper()
	rows, err := s.Query(context.Background(), q, nil)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		out = append(out, fmt.Sprintf("%q", rows.Values()))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func compareImports(t *testing.T, fast, slow imported) {
	t.Helper()
	if fast.Err != slow.Err {
		t.Errorf("errors differ:\nfast %s\nGo   %s", fast.Err, slow.Err)
	}
	if fast.Result != slow.Result {
		t.Errorf("results differ:\nfast %s\nGo   %s", fast.Result, slow.Result)
	}
	for _, c := range []struct {
		what       string
		fast, slow []string
	}{{"rows", fast.Rows, slow.Rows}, {"rejects", fast.Rejects, slow.Rejects}, {"batches", fast.Batches, slow.Batches}} {
		if reflect.DeepEqual(c.fast, c.slow) {
			continue
		}
		n := 0
		for i := 0; i < max(len(c.fast), len(c.slow)) && n < 5; i++ {
			var f, s string
			if i < len(c.fast) {
				f = c.fast[i]
			}
			if i < len(c.slow) {
				s = c.slow[i]
			}
			if f != s {
				t.Errorf("%s %d differ:\nfast %s\nGo   %s", c.what, i, f, s)
				n++
			}
		}
		t.Errorf("%s: fast %d, Go %d", c.what, len(c.fast), len(c.slow))
	}
}

func TestFastImportMatchesGoPath(t *testing.T) {
	// Read the rows for Go back in many pages; take files of any mix.
	defer func(n int, sample bool) { *file.OddPage, *file.SampleFirst = n, sample }(*file.OddPage, *file.SampleFirst)
	*file.OddPage, *file.SampleFirst = 7, false
	s := storetest.OpenMigrated(t)
	for _, l := range contract.Lists() {
		for seed := range uint64(2) {
			t.Run(fmt.Sprintf("%s/%d", l.Name, seed), func(t *testing.T) {
				r := rand.New(rand.NewPCG(seed, uint64(len(l.Name))))
				path := filepath.Join(t.TempDir(), l.Name+".csv")
				totals := genCSV(t, r, l, path, 200, seed == 0)
				before, engineBefore := file.FastImports.Load(), file.EngineRows.Load()
				fast, slow := importBoth(t, s, l, path)
				// Every row of sums drawn is skipped, whichever column the
				// shuffle put first (the key: 合计 is no key there).
				for _, n := range totals {
					if slices.Contains(slow.records, n) {
						b, _ := os.ReadFile(path)
						t.Errorf("line %d, a row of sums, was read as a record: %q", n, strings.Split(string(b), "\n")[n-1])
					}
				}
				if file.FastImports.Load() != before+1 {
					t.Fatalf("the fast import did not read %s", path)
				}
				// Both ways were taken: rows the engine staged, rows Go read.
				if n := file.EngineRows.Load() - engineBefore; n == 0 || n == fast.read {
					t.Errorf("the engine staged %d of the %d records", n, fast.read)
				}
				compareImports(t, fast, slow)
			})
		}
	}
}

// TestFastImportFallsBack imports files the engine must not read, or
// reads differently from the Go reader: each is read in Go, whole, and
// ends exactly as the Go path does.
func TestFastImportFallsBack(t *testing.T) {
	l, err := contract.Lookup("abnormal")
	if err != nil {
		t.Fatal(err)
	}
	const header = "统一社会信用代码,企业名称,列入日期,列入原因\n"
	good := func(i int) string {
		return fmt.Sprintf("%s,许昌第%d人力资源有限公司,2023-07-31,未按规定报送年度报告\n", validUSCC("411002", i), i)
	}
	rows := func(n int) string {
		var b strings.Builder
		for i := range n {
			b.WriteString(good(i))
		}
		return b.String()
	}
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(header + rows(3))
	if err != nil {
		t.Fatal(err)
	}
	multiline := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "%s,\"许昌第%d\n人力资源有限公司\",2023-07-31,原因\n", validUSCC("411002", i), i)
		}
		return b.String()
	}
	s := storetest.OpenMigrated(t)
	for _, c := range []struct {
		name, body string
		opt        file.ImportOptions
		fast       bool // whether the engine still reads it
	}{
		{name: "gbk", body: gbk},
		{name: "mixed encodings", body: header + strings.Repeat(good(1), 2000) + "91411002000000001X,\xff\xfe坏,2023-07-31,x\n" + rows(2)},
		{name: "blank line", body: header + rows(2) + "\n" + rows(2)},
		{name: "blank lines at the end", body: header + rows(2) + "\n\n\n", fast: true},
		{name: "preamble", body: "经营异常名录\n" + header + rows(3)},
		{name: "two header rows", body: "统一社会信用代码,企业名称,列入情况,\n,,列入日期,列入原因\n" + rows(3)},
		{name: "extra column", body: "统一社会信用代码,企业名称,列入日期,列入原因,备注\n" + strings.ReplaceAll(rows(3), "\n", ",x\n")},
		{name: "header over two lines", body: "统一社会信用代码,\"企业\n名称\",列入日期,列入原因\n" + rows(3)},
		{name: "short row", body: header + rows(2) + "91411002000000001X,名称\n" + rows(2)},
		{name: "long row", body: header + rows(2) + good(7)[:len(good(7))-1] + ",多余\n" + rows(2)},
		{name: "stray quote", body: header + rows(2) + "\"9141\"x,名称,2023-07-31,原因\n" + rows(2)},
		{name: "allow-list", body: header + rows(3), opt: file.ImportOptions{AllowList: transform.USCCAllowList{"91411002000000001X": "a legacy code"}}},
		{name: "many multi-line records", body: header + multiline(300)},
		{name: "some multi-line records", body: header + rows(3) + multiline(5) + rows(3), fast: true},
		{name: "mostly not canonical", body: header + strings.ReplaceAll(rows(30), "2023-07-31", "2023年7月31日")},
		{name: "half canonical", body: header + strings.ReplaceAll(rows(10), "2023-07-31", "2023/7/31") + rows(10), fast: true},
		{name: "two byte-order marks", body: "\uFEFF\uFEFF" + header + rows(3), fast: true},
		{name: "header only", body: header},
		{name: "quoted header", body: `"统一社会信用代码","企业名称","列入日期","列入原因"` + "\n" + rows(3), fast: true},
		{name: "blank row under the header", body: header + ",,,\n" + rows(3), fast: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "abnormal.csv")
			if err := os.WriteFile(path, []byte(c.body), 0o644); err != nil {
				t.Fatal(err)
			}
			before := file.FastImports.Load()
			fast, slow := importWays(t, s, l, path, c.opt)
			if got := file.FastImports.Load() > before; got != c.fast {
				t.Errorf("read by the engine: %v, want %v", got, c.fast)
			}
			compareImports(t, fast, slow)
		})
	}
}

// TestFastImportAgain imports a file, the same file again (a repeat,
// not read), then a changed one: change detection and the batch log
// work on the engine's rows as on Go's.
func TestFastImportAgain(t *testing.T) {
	defer func(sample bool) { *file.SampleFirst = sample }(*file.SampleFirst)
	*file.SampleFirst = false
	l, err := contract.Lookup("penalties")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(7, 7))
	first, second := filepath.Join(dir, "first.csv"), filepath.Join(dir, "second.csv")
	genCSV(t, r, l, first, 120, false)
	b, err := os.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}
	// The second file: the first, with every tenth line's dates moved.
	lines := strings.SplitAfter(string(b), "\n")
	for i := 1; i < len(lines); i += 10 {
		lines[i] = strings.ReplaceAll(lines[i], "2023-07-31", "2022-01-15")
	}
	if err := os.WriteFile(second, []byte(strings.Join(lines, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(goOnly bool) []imported {
		if goOnly {
			t.Setenv("CREDITSYNC_NO_FAST_IMPORT", "1")
			defer os.Unsetenv("CREDITSYNC_NO_FAST_IMPORT")
		}
		s := storetest.OpenMigrated(t)
		var out []imported
		for _, path := range []string{first, first, second} {
			res, err := file.Import(context.Background(), s, l, path, file.ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, imported{Result: resultString(res)})
		}
		final := dumpImport(t, s, l, file.Result{})
		final.Rows = dump(t, s, "SELECT "+strings.Join(append(l.StoredColumns(), "source", "source_ref", "source_line", "extra", "row_hash"), ", ")+" FROM "+l.Name+" FINAL ORDER BY source_line")
		return append(out, final)
	}
	before := file.FastImports.Load()
	fast, slow := run(false), run(true)
	if got := file.FastImports.Load() - before; got != 2 {
		t.Errorf("the engine read %d files, want 2 (the repeat is not read)", got)
	}
	for i := range fast {
		compareImports(t, fast[i], slow[i])
	}
}

// TestFastImportLargeFile imports a file larger than the chunks the
// engine splits a file into when it parses in parallel (10 MiB), with
// multi-line records throughout: every line number must still be
// exact.
func TestFastImportLargeFile(t *testing.T) {
	l, err := contract.Lookup("abnormal")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "abnormal.csv")
	var b strings.Builder
	b.WriteString("统一社会信用代码,企业名称,列入日期,列入原因,作出决定机关\n")
	for i := range 120_000 {
		reason := "未依照《企业信息公示暂行条例》第八条规定的期限公示年度报告"
		if i%1000 == 999 {
			reason = "\"未按规定\n公示\""
		}
		fmt.Fprintf(&b, "%s,许昌第%d人力资源有限公司,2023-07-31,%s,许昌市魏都区市场监督管理局\n", validUSCC("411002", i), i, reason)
	}
	if b.Len() < 12<<20 {
		t.Fatalf("the file has %d bytes, want more than a parsing chunk", b.Len())
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	before := file.EngineRows.Load()
	fast, slow := importBoth(t, storetest.OpenMigrated(t), l, path)
	if n := file.EngineRows.Load() - before; n != 120_000-120 {
		t.Errorf("the engine staged %d records, want all the single-line ones", n)
	}
	compareImports(t, fast, slow)
}

// Headings, numbered notes and a second header row of English keys,
// written in the key column of a register, are rows that are no records
// on both paths: nothing rejected, the records between them read.
func TestHeadingsInTheKeyColumn(t *testing.T) {
	s := storetest.OpenMigrated(t)
	l, _ := contract.Lookup("institutions")
	path := filepath.Join(t.TempDir(), "register.csv")
	lines := []string{
		"统一社会信用代码,机构名称,许可日期",
		"uscc,name,licensed_on",
		"一、魏都区,,",
		validUSCC("411002", 1) + ",甲人力资源服务有限公司,2020-01-01",
		"（二）禹州市,,",
		validUSCC("411081", 2) + ",乙人力资源服务有限公司,2021-03-01",
		"1.本表数据截至2026年7月31日,,",
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fast, slow := importBoth(t, s, l, path)
	compareImports(t, fast, slow)
	if len(slow.Rows) != 2 || len(slow.Rejects) != 0 {
		t.Errorf("rows %q, rejects %q; want the two records and no reject", slow.Rows, slow.Rejects)
	}
}

// Spaces after a closing quote ("甲公司" ,) and before an opening one
// read the same on both paths: the Go path took the quote for a
// character and read the next record into the name, losing it.
func TestSpacesAroundQuotesReadAlike(t *testing.T) {
	s := storetest.OpenMigrated(t)
	l, _ := contract.Lookup("institutions")
	path := filepath.Join(t.TempDir(), "register.csv")
	text := "统一社会信用代码,机构名称,许可日期\n" +
		validUSCC("411002", 1) + `,"甲人力资源服务有限公司" ,2020-01-01` + "\n" +
		validUSCC("411002", 2) + `, "乙人力资源服务有限公司",2021-03-01` + "\n" +
		validUSCC("411002", 3) + ",丙人力资源服务有限公司,2022-05-01\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	fast, slow := importBoth(t, s, l, path)
	compareImports(t, fast, slow)
	if len(slow.Rows) != 3 || !strings.Contains(slow.Rows[0], `"甲人力资源服务有限公司"`) {
		t.Errorf("rows %q; want three, the first named 甲人力资源服务有限公司", slow.Rows)
	}
}

// A quote followed by text ("黑中介"行为) that takes the next lines into
// its value refuses the file on both paths, naming the line: the records
// it took in were lost without a word.
func TestStrayQuoteRefusedOnBothPaths(t *testing.T) {
	s := storetest.OpenMigrated(t)
	l, _ := contract.Lookup("institutions")
	path := filepath.Join(t.TempDir(), "register.csv")
	text := "统一社会信用代码,机构名称,许可日期\n" +
		validUSCC("411002", 1) + `,"甲"人力资源服务有限公司,2020-01-01` + "\n" +
		validUSCC("411002", 2) + ",乙人力资源服务有限公司,2021-03-01\n" +
		validUSCC("411002", 3) + `,"丙人力资源服务有限公司",2022-05-01` + "\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	fast, slow := importWays(t, s, l, path, file.ImportOptions{})
	compareImports(t, fast, slow)
	if !strings.Contains(slow.Err, "line 2: a quoted value takes in the lines after it") || len(slow.Rows) != 0 {
		t.Errorf("error %q, %d rows; want the file refused at line 2", slow.Err, len(slow.Rows))
	}
}

// A key given twice with different values rejects both lines on both
// paths, also when the engine staged them (canonical rows): the later
// line made a cancelled licence valid again. A key given twice alike
// is one record.
func TestConflictingRepeatsRejectedOnBothPaths(t *testing.T) {
	defer func(sample bool) { *file.SampleFirst = sample }(*file.SampleFirst)
	*file.SampleFirst = false
	s := storetest.OpenMigrated(t)
	l, _ := contract.Lookup("institutions")
	before := file.FastImports.Load()
	fast, slow := importBoth(t, s, l, filepath.Join("testdata", "keys", "conflict.csv"))
	if file.FastImports.Load() == before {
		t.Errorf("the engine did not read the file")
	}
	compareImports(t, fast, slow)
	want := "record 统一社会信用代码 91411082MA4000001N is given twice with different values: line 2 and line 5 (they differ in 许可状态, 状态变更日期)"
	if len(slow.Rows) != 3 || len(slow.Rejects) != 2 || !strings.Contains(slow.Rejects[0], want) || !strings.Contains(slow.Rejects[1], want) {
		t.Errorf("rows %q\nrejects %q\nwant lines 2 and 5 rejected, three records stored", slow.Rows, slow.Rejects)
	}
}

// A header repeated under the table in another order (two counties'
// files pasted together) refuses the file, naming its line, on both
// paths: it was rejected as a bad record and the rows after it read in
// the first header's order, 许可日期 and 承诺书签订日期 swapped without a
// word. Repeated in the same order, it is skipped, as before.
func TestHeaderRepeatedInAnotherOrder(t *testing.T) {
	defer func(sample bool) { *file.SampleFirst = sample }(*file.SampleFirst)
	*file.SampleFirst = false
	s := storetest.OpenMigrated(t)
	l, _ := contract.Lookup("institutions")
	for _, c := range []struct {
		file    string
		err     string
		records int
	}{
		{"pasted_reordered.csv", "line 4 names the header's columns in another order (统一社会信用代码, 机构名称, 承诺书签订日期, 许可日期), so the rows under it hold their values in other columns than the header (统一社会信用代码, 机构名称, 许可日期, 承诺书签订日期) says", 0},
		{"pasted_same.csv", "", 2},
	} {
		t.Run(c.file, func(t *testing.T) {
			fast, slow := importWays(t, s, l, filepath.Join("testdata", "institutions", c.file), file.ImportOptions{})
			compareImports(t, fast, slow)
			if !strings.Contains(slow.Err, c.err) || (c.err == "") != (slow.Err == "") || len(slow.Rows) != c.records || len(slow.Rejects) != 0 {
				t.Errorf("error %q, %d records stored, rejects %q; want %d stored, error %q", slow.Err, len(slow.Rows), slow.Rejects, c.records, c.err)
			}
		})
	}
}
