package file_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

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
		return []string{code, code, code, validUSCC("411023", line), validUSCC("4110AB", line), strings.ToLower(code), " " + code, code[:4] + " " + code[4:], toFullWidth(code), bad, "", "9.14403E+17", "91411002MA12345"}
	case contract.Date:
		return []string{"2023-07-31", "2022-01-15", "2021-12-01", "2023年7月31日", "2023/7/31", "20230731", "2023-02-29", "1969-12-31", "", " 2023-07-31", "2023-07-31 0:00", "not a date", "2101-01-01"}
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
		return []string{fmt.Sprintf("REC-%d", line), fmt.Sprintf("XC%06d", line), "许昌人力资源服务有限公司", "9.14403E+17", "1.2E5", " R1", "Ｒ１", "多行\n编号", "", "合计", "填表人：张三", "日期"}
	}
	names := []string{fmt.Sprintf("许昌第%d人力资源有限公司", line), "许昌人力资源服务有限公司", "河南ABC人力资源公司", "禹州市人才(中心)", "长葛人力 资源", "许昌（建安）人力资源有限公司", "ＡＢＣ人力", " 前后空格 ", "【魏都】服务中心", "合计公司", "审核人才服务中心", "多行\n名称", "多行\r\n回车", "a,b", `say "hi"`, "", `\N`, "x", "Ω希腊", "tab\tinside"}
	return append(names, fmt.Sprintf("服务中心%d", line), "Xuchang HR Co.", "abc [x] {y}")
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
// blank, total, note and signature rows among them.
func genCSV(t *testing.T, r *rand.Rand, l *contract.List, path string, rows int) {
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
			b.WriteString("合计" + empty + nl)
			continue
		case 2:
			b.WriteString("注：以上数据仅供参考" + empty + nl)
			continue
		case 3:
			b.WriteString(" ," + strings.Repeat(",", len(cols)-2) + nl)
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
}

// imported is everything an import leaves that the two paths must agree
// on.
type imported struct {
	read    int64
	Result  string
	Rows    []string
	Rejects []string
	Batches []string
}

func importBoth(t *testing.T, l *contract.List, path string) (fast, slow imported) {
	t.Helper()
	run := func(goOnly bool) imported {
		if goOnly {
			t.Setenv("CREDITSYNC_NO_FAST_IMPORT", "1")
		}
		s := storetest.OpenMigrated(t)
		res, err := file.Import(context.Background(), s, l, path, file.ImportOptions{})
		if goOnly {
			os.Unsetenv("CREDITSYNC_NO_FAST_IMPORT")
		}
		if err != nil {
			t.Fatalf("import %s (Go only: %v): %v", path, goOnly, err)
		}
		return dumpImport(t, s, l, res)
	}
	return run(false), run(true)
}

func dumpImport(t *testing.T, s store.Store, l *contract.List, res file.Result) imported {
	t.Helper()
	out := imported{read: res.Read}
	for i := range res.Sheets {
		res.Sheets[i].BatchID = ""
		res.Sheets[i].Steps = nil
	}
	res.BatchID, res.Steps = "", nil
	out.Result = fmt.Sprintf("%+v", res)
	cols := strings.Join(append(l.StoredColumns(), "source", "source_ref", "source_line", "extra", "row_hash"), ", ")
	out.Rows = dump(t, s, "SELECT "+cols+" FROM "+l.Name+" ORDER BY source_line")
	out.Rejects = dump(t, s, "SELECT line, column, value, reason, raw FROM import_rejects ORDER BY line, column")
	out.Batches = dump(t, s, "SELECT list, source, source_ref, encoding, rows_read, rows_loaded, rows_unchanged, rows_rejected, status, error FROM import_batches")
	// One batch: every row of it carries the same metadata.
	meta := dump(t, s, "SELECT DISTINCT batch_id, loaded_at, version FROM "+l.Name)
	if len(meta) > 1 {
		t.Errorf("rows of one batch carry different metadata: %q", meta)
	}
	return out
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
	for _, l := range contract.Lists() {
		for seed := range uint64(2) {
			t.Run(fmt.Sprintf("%s/%d", l.Name, seed), func(t *testing.T) {
				r := rand.New(rand.NewPCG(seed, uint64(len(l.Name))))
				path := filepath.Join(t.TempDir(), l.Name+".csv")
				genCSV(t, r, l, path, 200)
				before, engineBefore := file.FastImports.Load(), file.EngineRows.Load()
				fast, slow := importBoth(t, l, path)
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
