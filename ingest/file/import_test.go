package file_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/ingest/file"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
	"github.com/xuchang-hrss/creditsync/transform"
)

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

func institutions(t *testing.T) *contract.List {
	l, err := contract.Lookup("institutions")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestImportReportsBadRowsAndLoadsGoodOnes(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	path := filepath.Join("testdata", "institutions", "bad_rows.csv")
	res, err := file.Import(ctx, s, institutions(t), path, file.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Read != 7 || res.Loaded != 3 || res.Rejected != 4 {
		t.Fatalf("read %d loaded %d rejected %d, want 7, 3, 4", res.Read, res.Loaded, res.Rejected)
	}
	want := map[int]struct{ column, reason string }{
		4: {"统一社会信用代码", contract.ReasonUSCC},
		5: {"许可日期", contract.ReasonDate},
		6: {"机构名称", contract.ReasonMissing},
		7: {"状态变更日期", contract.ReasonMissing},
	}
	for _, rj := range res.Rejects {
		w, ok := want[rj.Line]
		if !ok {
			t.Errorf("line %d rejected unexpectedly: %v", rj.Line, rj.Errors)
			continue
		}
		if len(rj.Errors) != 1 || rj.Errors[0].Column != w.column || rj.Errors[0].Reason != w.reason {
			t.Errorf("line %d: got %v, want column %s reason %s", rj.Line, rj.Errors, w.column, w.reason)
		}
		delete(want, rj.Line)
	}
	for line := range want {
		t.Errorf("line %d was not rejected", line)
	}
	stored, err := s.Query(ctx, "SELECT uscc, name, county_code, licensed_on, commitment_signed_on, extra FROM institutions ORDER BY uscc", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer stored.Close()
	type inst struct {
		uscc, name, county string
		licensed           time.Time
		signed             *time.Time
		extra              string
	}
	var got []inst
	for stored.Next() {
		var r inst
		if err := stored.Scan(&r.uscc, &r.name, &r.county, &r.licensed, &r.signed, &r.extra); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	if len(got) != 3 {
		t.Fatalf("stored %d institutions, want 3", len(got))
	}
	if got[0].uscc != "91411002MA4000000P" || got[0].signed == nil || got[0].signed.Format(time.DateOnly) != "2023-01-05" {
		t.Errorf("first row = %+v", got[0])
	}
	// Full-width digits, lower case and the retired 411023 code.
	if got[1].uscc != "91411023MA40000005" || got[1].county != "411003" || got[1].licensed.Format(time.DateOnly) != "2019-06-01" {
		t.Errorf("second row = %+v", got[1])
	}
	if got[2].uscc != "91411081MA40000005" || got[2].name != "禹州鼎盛劳务派遣有限公司（分公司）" || !strings.Contains(got[2].extra, "旧址") {
		t.Errorf("third row = %+v", got[2])
	}
	rejects, err := store.Count(ctx, s, "SELECT count() FROM import_rejects WHERE batch_id = {b:String}", store.Params{"b": res.BatchID})
	if err != nil || rejects != 4 {
		t.Errorf("import_rejects holds %d rows (err %v), want 4", rejects, err)
	}
}

func TestReimportChangesNothing(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	path := filepath.Join("testdata", "institutions", "bad_rows.csv")
	if _, err := file.Import(ctx, s, institutions(t), path, file.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	count := func() int64 {
		n, err := store.Count(ctx, s, "SELECT count() FROM institutions", nil)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	raw := func() int64 { // physical rows, merged or not
		n, err := store.Count(ctx, s, "SELECT count() FROM institutions SETTINGS final = 0", nil)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before, beforeRaw := count(), raw()
	// The same records in other bytes (a blank line more), so they are
	// read and compared, not recognised as the same file.
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	again := filepath.Join(t.TempDir(), "again.csv")
	writeFile(t, again, string(text)+"\n")
	res, err := file.Import(ctx, s, institutions(t), again, file.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Repeats != "" {
		t.Fatalf("a file of other bytes was taken for a repeat of batch %s", res.Repeats)
	}
	if res.Loaded != 0 || res.Unchanged != 3 {
		t.Errorf("second import loaded %d, unchanged %d; want 0 and 3", res.Loaded, res.Unchanged)
	}
	if count() != before || raw() != beforeRaw {
		t.Errorf("counts changed: %d→%d rows, %d→%d physical", before, count(), beforeRaw, raw())
	}

	// A changed row replaces the stored one; the rest stays.
	changed := filepath.Join(t.TempDir(), "changed.csv")
	writeFile(t, changed, "uscc,name,licensed_on\n91411002MA4000000P,许昌英才人力资源服务有限公司,2019-03-16\n")
	res, err = file.Import(ctx, s, institutions(t), changed, file.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var licensed time.Time
	if err := store.QueryRow(ctx, s, "SELECT licensed_on FROM institutions WHERE uscc = '91411002MA4000000P'", nil, &licensed); err != nil {
		t.Fatal(err)
	}
	if res.Loaded != 1 || count() != before || licensed.Format(time.DateOnly) != "2019-03-16" {
		t.Errorf("after change: loaded %d, %d rows, licensed %v", res.Loaded, count(), licensed)
	}
}

// TestSameFileAgainReadsNothing: importing the very file the list's last
// batch came from writes nothing and reads nothing, yet reports (and
// records) the same counts and rejected records. Once anything else has
// been written to the list, or the allow-list differs, the file is read
// again.
func TestSameFileAgainReadsNothing(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	path := filepath.Join("testdata", "institutions", "bad_rows.csv")
	first, err := file.Import(ctx, s, institutions(t), path, file.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	physical := func() int64 {
		n, err := store.Count(ctx, s, "SELECT count() FROM institutions SETTINGS final = 0", nil)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := physical()
	rejected := func(r file.Result) string {
		var b strings.Builder
		for _, rj := range r.Rejects {
			for _, e := range rj.Errors {
				fmt.Fprintf(&b, "%d %s %s %q|", rj.Line, e.Column, e.Reason, e.Detail)
			}
		}
		return b.String()
	}

	again, err := file.Import(ctx, s, institutions(t), path, file.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Repeats != first.BatchID || again.BatchID == first.BatchID {
		t.Fatalf("second import repeats %q as batch %s, want a new batch repeating %s", again.Repeats, again.BatchID, first.BatchID)
	}
	if again.Read != first.Read || again.Rejected != first.Rejected || again.Loaded != 0 || again.Unchanged != first.Loaded {
		t.Errorf("second import: read %d rejected %d loaded %d unchanged %d; the first read %d, rejected %d, loaded %d",
			again.Read, again.Rejected, again.Loaded, again.Unchanged, first.Read, first.Rejected, first.Loaded)
	}
	if got, want := rejected(again), rejected(first); got != want {
		t.Errorf("second import's rejects\n%s\nwant the first's\n%s", got, want)
	}
	if n := physical(); n != before {
		t.Errorf("second import wrote rows: %d physical rows, were %d", n, before)
	}
	if n, err := store.Count(ctx, s, "SELECT count() FROM import_rejects WHERE batch_id = {b:String}", store.Params{"b": again.BatchID}); err != nil || n != 4 {
		t.Errorf("the repeated batch has %d recorded rejects (err %v), want 4", n, err)
	}

	// Another file writes to the list: the first file is read again and
	// restores its values.
	changed := filepath.Join(t.TempDir(), "changed.csv")
	writeFile(t, changed, "uscc,name,licensed_on\n91411002MA4000000P,许昌英才人力资源服务有限公司,2019-03-16\n")
	if _, err := file.Import(ctx, s, institutions(t), changed, file.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	third, err := file.Import(ctx, s, institutions(t), path, file.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var licensed time.Time
	if err := store.QueryRow(ctx, s, "SELECT licensed_on FROM institutions WHERE uscc = '91411002MA4000000P'", nil, &licensed); err != nil {
		t.Fatal(err)
	}
	if third.Repeats != "" || third.Loaded != 1 || licensed.Format(time.DateOnly) != "2019-03-15" {
		t.Errorf("after another file: repeats %q, loaded %d, licensed_on %v; want the file read, 1 row restored to 2019-03-15", third.Repeats, third.Loaded, licensed)
	}

	// A different allow-list may accept what was rejected: read again.
	allow := transform.USCCAllowList{"91411024MA4000000K": "test"}
	fourth, err := file.Import(ctx, s, institutions(t), path, file.ImportOptions{AllowList: allow})
	if err != nil {
		t.Fatal(err)
	}
	if fourth.Repeats != "" {
		t.Errorf("with another allow-list the import repeated batch %s", fourth.Repeats)
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The same records as GBK CSV, as Excel's "Unicode text" (UTF-16 with
// its mark, cells separated by tabs, CRLF) and as XLSX (with real date
// cells) load to the same rows.
func TestGBKUTF16AndXLSXMatch(t *testing.T) {
	ctx := context.Background()
	header := []string{"记录编号", "统一社会信用代码", "类型", "情节", "查处日期", "拒不整改", "查处措施"}
	records := [][]string{
		{"XC-2026-001", "91411002MA4000000P", "违法违规", "严重", "2026-03-01", "否", "责令限期整改"},
		{"XC-2026-002", "91411023MA40000005", "fund_fraud", "", "2026/4/2", "是", "行政处罚"},
	}
	dir := t.TempDir()
	var csvText strings.Builder
	for _, r := range append([][]string{header}, records...) {
		csvText.WriteString(strings.Join(r, ",") + "\n")
	}
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(csvText.String())
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "a.csv"), gbk)
	var unicodeText strings.Builder
	for _, r := range append([][]string{header}, records...) {
		unicodeText.WriteString(strings.Join(r, "\t") + "\r\n")
	}
	writeFile(t, filepath.Join(dir, "c.txt"), string(utf16LE(unicodeText.String())))
	// Tab-separated text saved under a .csv name: Excel's "Text (tab
	// delimited)" renamed, a copy from a web page or a database tool.
	writeFile(t, filepath.Join(dir, "d.csv"), unicodeText.String())
	gbkTabs, err := simplifiedchinese.GBK.NewEncoder().String("许昌市人力资源服务机构查处记录\n" + unicodeText.String())
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "e.csv"), gbkTabs)

	x := excelize.NewFile()
	for i, r := range append([][]string{header}, records...) {
		for j, v := range r {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if i > 0 && j == 4 {
				d, _ := time.Parse(time.DateOnly, strings.ReplaceAll(strings.ReplaceAll(v, "/4/", "-04-0"), "/", "-"))
				if err := x.SetCellValue("Sheet1", cell, d); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if err := x.SetCellValue("Sheet1", cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := x.SaveAs(filepath.Join(dir, "b.xlsx")); err != nil {
		t.Fatal(err)
	}
	list, _ := contract.Lookup("inspections")
	dump := func(path string) string {
		s := storetest.OpenMigrated(t)
		res, err := file.Import(ctx, s, list, path, file.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Rejected != 0 || res.Loaded != 2 {
			t.Fatalf("%s: loaded %d rejected %d %v", path, res.Loaded, res.Rejected, res.Rejects)
		}
		rows, err := s.Query(ctx, "SELECT record_id, uscc, kind, severity, handled_on, refused, measure FROM inspections ORDER BY record_id", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var b strings.Builder
		for rows.Next() {
			for _, v := range rows.Values() {
				b.WriteString(strings.TrimSpace(strings.ReplaceAll(fmtValue(v), "\n", " ")) + "|")
			}
			b.WriteString("\n")
		}
		return b.String()
	}
	a, b, c := dump(filepath.Join(dir, "a.csv")), dump(filepath.Join(dir, "b.xlsx")), dump(filepath.Join(dir, "c.txt"))
	if a != b {
		t.Errorf("GBK CSV and XLSX differ:\n%s\nvs\n%s", a, b)
	}
	if a != c {
		t.Errorf("GBK CSV and UTF-16 text differ:\n%s\nvs\n%s", a, c)
	}
	for _, name := range []string{"d.csv", "e.csv"} {
		if d := dump(filepath.Join(dir, name)); a != d {
			t.Errorf("GBK CSV and tab-separated %s differ:\n%s\nvs\n%s", name, a, d)
		}
	}
	if !strings.Contains(a, "XC-2026-001|91411002MA4000000P|violation|serious|2026-03-01|false|责令限期整改|") {
		t.Errorf("unexpected rows:\n%s", a)
	}
}

func fmtValue(v any) string {
	if t, ok := v.(time.Time); ok {
		return t.Format(time.DateOnly)
	}
	return strings.TrimSpace(strings.Trim(strings.ReplaceAll(strings.ReplaceAll(fmtAny(v), "[", ""), "]", ""), " "))
}

func fmtAny(v any) string { return strings.TrimSpace(strings.ReplaceAll(fmtSprint(v), "\t", " ")) }

// utf16LE is s as Excel saves "Unicode text": UTF-16, little-endian,
// with its byte-order mark.
func utf16LE(s string) []byte {
	out := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

// A file whose bytes are not text in its encoding is refused whole, with
// the place named, and nothing of it is stored: UTF-8 with a GBK word in
// it (not read as GBK, every character garbled), UTF-16 with a lone
// surrogate in its first lines or an odd byte at its end.
func TestTextNotInItsEncodingIsRefused(t *testing.T) {
	ctx := context.Background()
	list, _ := contract.Lookup("penalties")
	header := "record_id,uscc,name,decided_on,authority,content\n"
	row := func(i int) string {
		return fmt.Sprintf("许人社罚决字〔2026〕%d号,,许昌市第%d人力资源服务有限公司,2026-03-01,许昌市人力资源和社会保障局,未按规定明示有关事项\n", i, i)
	}
	var rows strings.Builder
	for i := range 30 {
		rows.WriteString(row(i + 1))
	}
	gbkWord, err := simplifiedchinese.GBK.NewEncoder().String("许昌")
	if err != nil {
		t.Fatal(err)
	}
	unicodeText := utf16LE(strings.ReplaceAll(header+rows.String(), ",", "\t"))
	tests := []struct {
		name, text, want string
	}{
		{"utf8-with-gbk.csv", header + row(100) + gbkWord + rows.String(), "line 3, character 1 (byte "},
		{"lone-surrogate.txt", string(append(append(unicodeText[:200:200], 0x00, 0xD8), unicodeText[200:]...)), "is not UTF-16"},
		{"odd-byte.txt", string(append(unicodeText, 'x')), "is not UTF-16"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := storetest.OpenMigrated(t)
			path := filepath.Join(t.TempDir(), tt.name)
			writeFile(t, path, tt.text)
			_, err := file.Import(ctx, s, list, path, file.ImportOptions{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("import: %v; want an error saying %q", err, tt.want)
			}
			if n, err := store.Count(ctx, s, "SELECT count() FROM penalties", nil); err != nil || n != 0 {
				t.Errorf("%d rows stored (%v), want none", n, err)
			}
		})
	}
}

// A row with a value past the header's last column (an unquoted comma in
// a name) is rejected whole, with its line, instead of being loaded with
// its values in the wrong columns; empty cells past the end are nothing.
func TestUnquotedCommaRejectsTheRow(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	list, _ := contract.Lookup("penalties")
	path := filepath.Join(t.TempDir(), "penalties.csv")
	writeFile(t, path, "record_id,uscc,name,decided_on,authority,content\n"+
		"许人社罚决字〔2026〕1号,,许昌市甲人力资源服务有限公司,2026-03-01,许昌市人力资源和社会保障局,未按规定明示有关事项,,\n"+
		"许人社罚决字〔2026〕2号,,许昌市乙人力资源服务有限公司,魏都分公司,2026-03-02,许昌市人力资源和社会保障局,未按规定明示有关事项\n"+
		"许人社罚决字〔2026〕3号,,许昌市丙人力资源服务有限公司,2026-03-03,许昌市人力资源和社会保障局,未按规定明示有关事项\n"+
		// The last value cut in two: it would be stored cut short.
		"许人社罚决字〔2026〕4号,,许昌市丁人力资源服务有限公司,2026-03-04,许昌市人力资源和社会保障局,未按规定明示有关事项,经责令改正拒不改正\n")
	res, err := file.Import(ctx, s, list, path, file.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Loaded != 2 || res.Rejected != 2 || len(res.Rejects) != 2 {
		t.Fatalf("loaded %d, rejected %d: %+v; want lines 3 and 5 rejected", res.Loaded, res.Rejected, res.Rejects)
	}
	for i, line := range []int{3, 5} {
		if rj := res.Rejects[i]; rj.Line != line || len(rj.Errors) != 1 || rj.Errors[0].Reason != contract.ReasonColumns {
			t.Errorf("reject %d: %+v; want line %d for %q", i, rj, line, contract.ReasonColumns)
		}
	}
	if n, err := store.Count(ctx, s, "SELECT count() FROM penalties WHERE name LIKE '%乙%' OR name LIKE '%丁%'", nil); err != nil || n != 0 {
		t.Errorf("%d rows of the records that do not line up stored (%v)", n, err)
	}
}

// A column whose heading is blank (Excel's CSV of a sheet with an unnamed
// column) was dropped without a word. A value typed into it rejects its
// row, naming the cell; empty, the column is nothing — in the engine's
// fast reading as in Go's.
func TestValueUnderABlankHeading(t *testing.T) {
	for _, fast := range []bool{true, false} {
		t.Run(fmt.Sprint("fast=", fast), func(t *testing.T) {
			defer func(old bool) { *file.SampleFirst = old }(*file.SampleFirst)
			*file.SampleFirst = !fast
			s := storetest.OpenMigrated(t)
			var b strings.Builder
			b.WriteString("统一社会信用代码,机构名称,,许可日期,\n")
			for i := 1; i <= 4; i++ {
				note := ""
				if i == 3 {
					note = "重要备注"
				}
				fmt.Fprintf(&b, "%s,许昌%d人力资源有限公司,%s,2020-01-0%d,\n", uscc("411002", i), i, note, i)
			}
			path := filepath.Join(t.TempDir(), "名录.csv")
			if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			res, err := file.Import(context.Background(), s, institutions(t), path, file.ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Loaded != 3 || res.Rejected != 1 || len(res.Rejects) != 1 || res.Rejects[0].Line != 4 ||
				!strings.Contains(res.Rejects[0].Errors[0].Error(), `cell 3 holds "重要备注" in a column without a heading`) {
				t.Errorf("loaded %d, rejected %d: %+v", res.Loaded, res.Rejected, res.Rejects)
			}
		})
	}
}

// A file of headings only — no record under its header, only blank rows,
// a total or signatures — is refused as an empty file is, naming the
// header's line, and records no batch: it read "0 read … 0 rejected",
// exited 0 and left an empty batch. In a workbook of several sheets such
// a sheet is skipped, the others read.
func TestHeadingsOnlyAreRefused(t *testing.T) {
	ctx := context.Background()
	const header = "统一社会信用代码,机构名称,许可日期\n"
	record := uscc("411002", 1) + ",许昌1人力资源有限公司,2020-01-01\n"
	workbook := func(t *testing.T, sheets map[string][][]any) string {
		x := excelize.NewFile()
		defer x.Close()
		for _, name := range []string{"Sheet1", "名录"} {
			rows, ok := sheets[name]
			if !ok {
				continue
			}
			if name != "Sheet1" {
				if _, err := x.NewSheet(name); err != nil {
					t.Fatal(err)
				}
			}
			for i, r := range rows {
				if err := x.SetSheetRow(name, fmt.Sprintf("A%d", i+1), &r); err != nil {
					t.Fatal(err)
				}
			}
		}
		path := filepath.Join(t.TempDir(), "名录.xlsx")
		if err := x.SaveAs(path); err != nil {
			t.Fatal(err)
		}
		return path
	}
	heads := []any{"统一社会信用代码", "机构名称", "许可日期"}
	for _, tt := range []struct {
		name   string
		path   func(t *testing.T) string
		want   string // in the error; "" when the file is read
		loaded int64
	}{
		{"header only", func(t *testing.T) string { return text(t, "h.csv", header) }, "the header (line 1) names the columns of institutions, but no record follows it", 0},
		{"header without a line end", func(t *testing.T) string { return text(t, "h.csv", strings.TrimSuffix(header, "\n")) }, "the header (line 1) names", 0},
		{"under a title, blank rows after", func(t *testing.T) string {
			return text(t, "h.csv", "人力资源服务机构名录\n"+header+",,\n\n")
		}, "the header (line 2) names", 0},
		{"a total and signatures", func(t *testing.T) string {
			return text(t, "h.csv", header+"合计：0家,,\n填表人：王敏,,审核人：李强\n")
		}, "the header (line 1) names", 0},
		{"a workbook's header only", func(t *testing.T) string {
			return workbook(t, map[string][][]any{"Sheet1": {heads}})
		}, "the header (row 1) names", 0},
		{"a workbook's two sheets of headings", func(t *testing.T) string {
			return workbook(t, map[string][][]any{"Sheet1": {heads}, "名录": {heads}})
		}, `the sheets ["Sheet1" "名录"] name the columns of institutions, but no record follows their header`, 0},
		{"one sheet of headings beside one with records", func(t *testing.T) string {
			return workbook(t, map[string][][]any{"Sheet1": {heads}, "名录": {heads, {uscc("411002", 1), "许昌1人力资源有限公司", "2020-01-01"}}})
		}, "", 1},
		{"a record", func(t *testing.T) string { return text(t, "r.csv", header+record) }, "", 1},
		{"a row without its key is for the import to name", func(t *testing.T) string {
			return text(t, "r.csv", header+",许昌1人力资源有限公司,2020-01-01\n")
		}, "", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := storetest.OpenMigrated(t)
			path := tt.path(t)
			res, err := file.Import(ctx, s, institutions(t), path, file.ImportOptions{})
			if tt.want == "" {
				if err != nil || res.Loaded != tt.loaded {
					t.Fatalf("loaded %d (%v), want %d", res.Loaded, err, tt.loaded)
				}
				return
			}
			if !errors.Is(err, file.ErrNoRecords) || !strings.HasPrefix(err.Error(), path) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %s: … %s", err, path, tt.want)
			}
			if n, err := store.Count(ctx, s, "SELECT count() FROM import_batches", nil); err != nil || n != 0 {
				t.Errorf("%d batches recorded (%v), want none", n, err)
			}
		})
	}
}

// text writes a file of the text into a directory of the test's own.
func text(t *testing.T, name, body string) string {
	path := filepath.Join(t.TempDir(), name)
	writeFile(t, path, body)
	return path
}

// A CSV line with fewer fields than the header — cut short, or the last
// line of a file still being written — is rejected naming its line and
// its count of fields: its missing cells were read as empty, i.e. none,
// and a cancelled licence became valid, its commitment erased, exit 0.
// The engine's reading refuses such a line too (the file is read in
// Go), so both paths end alike.
func TestShortLineIsRejected(t *testing.T) {
	for _, c := range []struct {
		file string
		line int
		has  int
	}{
		{"cut.csv", 2, 3},
		{"unfinished.csv", 3, 4},
	} {
		for _, goOnly := range []bool{false, true} {
			t.Run(fmt.Sprint(c.file, " Go only=", goOnly), func(t *testing.T) {
				defer func(old bool) { *file.SampleFirst = old }(*file.SampleFirst)
				*file.SampleFirst = false
				if goOnly {
					t.Setenv("CREDITSYNC_NO_FAST_IMPORT", "1")
				}
				ctx := context.Background()
				s := storetest.OpenMigrated(t)
				dir := filepath.Join("testdata", "short")
				if _, err := file.Import(ctx, s, institutions(t), filepath.Join(dir, "register.csv"), file.ImportOptions{}); err != nil {
					t.Fatal(err)
				}
				res, err := file.Import(ctx, s, institutions(t), filepath.Join(dir, c.file), file.ImportOptions{})
				if err != nil {
					t.Fatal(err)
				}
				want := fmt.Sprintf("the row has %d field(s), the header 7: the line is cut short", c.has)
				if res.Rejected != 1 || len(res.Rejects) != 1 || res.Rejects[0].Line != c.line ||
					res.Rejects[0].Errors[0].Reason != contract.ReasonColumns || !strings.Contains(res.Rejects[0].Errors[0].Detail, want) {
					t.Fatalf("rejected %d: %+v; want line %d rejected: %s", res.Rejected, res.Rejects, c.line, want)
				}
				var status, changed, signed string
				err = store.QueryRow(ctx, s, "SELECT toString(license_status), toString(license_status_on), toString(commitment_signed_on) FROM institutions FINAL WHERE uscc = '91411082MK000002X9'", nil, &status, &changed, &signed)
				if err != nil {
					t.Fatal(err)
				}
				if status != "cancelled" || changed != "2025-03-01" || signed != "2024-01-01" {
					t.Errorf("stored %s since %s, commitment %s; want the record as it was (cancelled since 2025-03-01, commitment 2024-01-01)", status, changed, signed)
				}
			})
		}
	}
}

// A corrected file that replaces a batch must be the file of that
// batch: another sheet of the workbook, or a file that holds none of
// the batch's records (another county's), withdrew every record of the
// batch, exit 0. Both are refused, saying why, and nothing changes. A
// batch that read nothing because it repeats an earlier one (the same
// file imported again) is followed to the batch that wrote the records,
// and the import says so: it was a silent no-op.
func TestReplacesTheBatchOfTheSameFile(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	l := institutions(t)
	dir := filepath.Join("testdata", "replaces")
	imp := func(path string, opt file.ImportOptions) (file.Result, error) {
		t.Helper()
		return file.Import(ctx, s, l, path, opt)
	}
	count := func() int64 {
		t.Helper()
		n, err := store.Count(ctx, s, "SELECT count() FROM institutions FINAL", nil)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	counties, err := imp(filepath.Join("testdata", "workbooks", "counties.xlsx"), file.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var yuzhou string
	for _, sr := range counties.Sheets {
		if sr.Sheet == "禹州市" {
			yuzhou = sr.BatchID
		}
	}
	first, err := imp(filepath.Join(dir, "register.csv"), file.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	again, err := imp(filepath.Join(dir, "register.csv"), file.ImportOptions{})
	if err != nil || again.Repeats != first.BatchID {
		t.Fatalf("the same file again: repeats %q, %v; want batch %s", again.Repeats, err, first.BatchID)
	}
	stored := count()
	for _, c := range []struct {
		name, path string
		opt        file.ImportOptions
		want       string
	}{
		{"another sheet", filepath.Join("testdata", "workbooks", "counties.xlsx"), file.ImportOptions{Sheet: "长葛市", Replaces: yuzhou},
			"was read from sheet 禹州市 (testdata/workbooks/counties.xlsx[禹州市]), this table is sheet 长葛市"},
		{"another county's file", filepath.Join(dir, "other_county.csv"), file.ImportOptions{Replaces: first.BatchID},
			"wrote 2 institutions record(s) and this file holds none of them"},
		{"another county's file, naming the repeat", filepath.Join(dir, "other_county.csv"), file.ImportOptions{Replaces: again.BatchID},
			"batch " + first.BatchID + " (testdata/replaces/register.csv) wrote 2 institutions record(s) and this file holds none of them"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := imp(c.path, c.opt)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v; want it refused: %s", err, c.want)
			}
			if n := count(); n != stored {
				t.Errorf("%d institutions stored after the refusal, want %d as before", n, stored)
			}
		})
	}
	// The batch printed by the second import is followed to the first.
	fixed, err := imp(filepath.Join(dir, "corrected.csv"), file.ImportOptions{Replaces: again.BatchID})
	if err != nil {
		t.Fatal(err)
	}
	if sr := fixed.Sheets[0]; sr.Replaced != first.BatchID || len(sr.Withdrawn) != 1 || !strings.HasPrefix(sr.Withdrawn[0], "91411082MA4000002R") {
		t.Errorf("replaced %q, withdrawn %q; want batch %s followed and 91411082MA4000002R withdrawn", sr.Replaced, sr.Withdrawn, first.BatchID)
	}
}

// An import stopped while it runs (Ctrl-C, the daemon stopping) says so
// plainly — the engine's step it was in ("stage … rows the engine read:
// find the records that span several lines") meant nothing to staff —
// and stores nothing; the context's error stays in the chain.
func TestInterruptedImportSaysSo(t *testing.T) {
	s := storetest.OpenMigrated(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	path := filepath.Join("testdata", "institutions", "bad_rows.csv")
	_, err := file.Import(ctx, s, institutions(t), path, file.ImportOptions{})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "interrupted before it finished") ||
		strings.Contains(err.Error(), "engine") || strings.Contains(err.Error(), "stage") {
		t.Errorf("import under a stopped context: %v; want it said to be interrupted, in plain words", err)
	}
	n, cerr := store.Count(context.Background(), s, "SELECT count() FROM institutions", nil)
	if cerr != nil || n != 0 {
		t.Errorf("%d records stored by an interrupted import (%v)", n, cerr)
	}
}
