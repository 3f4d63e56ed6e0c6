package file_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/ingest/file"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
	"github.com/xuri/excelize/v2"
)

// sheetWant is what importing one sheet must do.
type sheetWant struct {
	ref                     string
	read, loaded, rejected  int64
	headerFirst, headerLast int
	above                   int
	skipped                 map[string]int64
	skippedRows             []string // "line: reason"
	rejects                 []string // "line: message"
}

func checkSheet(t *testing.T, got file.SheetResult, w sheetWant) {
	t.Helper()
	if got.Ref != w.ref || got.Read != w.read || got.Loaded != w.loaded || got.Rejected != w.rejected {
		t.Errorf("%s: ref %s, read %d, loaded %d, rejected %d; want %s, %d, %d, %d", w.ref, got.Ref, got.Read, got.Loaded, got.Rejected, w.ref, w.read, w.loaded, w.rejected)
	}
	if got.HeaderFirst != w.headerFirst || got.HeaderLast != w.headerLast || got.Above != w.above {
		t.Errorf("%s: header rows %d–%d with %d above; want %d–%d with %d", w.ref, got.HeaderFirst, got.HeaderLast, got.Above, w.headerFirst, w.headerLast, w.above)
	}
	if w.skipped == nil {
		w.skipped = map[string]int64{}
	}
	if !reflect.DeepEqual(got.Skipped, w.skipped) {
		t.Errorf("%s: skipped %v, want %v", w.ref, got.Skipped, w.skipped)
	}
	var rows []string
	for _, s := range got.SkippedRows {
		rows = append(rows, strings.Join([]string{itoa(s.Line), s.Reason}, ": "))
	}
	if strings.Join(rows, "\n") != strings.Join(w.skippedRows, "\n") {
		t.Errorf("%s: skipped rows\n%s\nwant\n%s", w.ref, strings.Join(rows, "\n"), strings.Join(w.skippedRows, "\n"))
	}
	var rejects []string
	for _, rj := range got.Rejects {
		for _, e := range rj.Errors {
			rejects = append(rejects, itoa(rj.Line)+": "+e.Error())
		}
	}
	if strings.Join(rejects, "\n") != strings.Join(w.rejects, "\n") {
		t.Errorf("%s: rejects\n%s\nwant\n%s", w.ref, strings.Join(rejects, "\n"), strings.Join(w.rejects, "\n"))
	}
}

func itoa(n int) string { return fmtSprint(n) }

func TestImportPrintedRegister(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	path := filepath.Join("testdata", "workbooks", "register.xlsx")
	res, err := file.Import(ctx, s, institutions(t), path, file.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Sheets) != 1 || len(res.Others) != 0 {
		t.Fatalf("sheets %d, others %v; want one sheet", len(res.Sheets), res.Others)
	}
	checkSheet(t, res.Sheets[0], sheetWant{
		ref: path, read: 5, loaded: 4, rejected: 1, headerFirst: 3, headerLast: 4, above: 1,
		skipped: map[string]int64{file.SkipBlank: 2, file.SkipTotal: 1, file.SkipNote: 1, file.SkipSignature: 2},
		rejects: []string{`7: column 统一社会信用代码: code stored as a number: Excel stored "` + numericUSCCExcel +
			`" as a number: the code has 18 digits, the number keeps the first 15 and the last 3 are lost; format the column as text (设置单元格格式 → 文本) and enter the codes again`},
	})
	if res.Skipped != 6 || res.Loaded != 4 || res.Rejected != 1 {
		t.Errorf("totals: skipped %d loaded %d rejected %d", res.Skipped, res.Loaded, res.Rejected)
	}
	if want := []string{"序号", "联系人", "备注"}; !reflect.DeepEqual(res.Extra, want) {
		t.Errorf("extra columns %v, want %v", res.Extra, want)
	}
	// The two-row header gave 许可证编号 and 许可日期; the remark merged
	// over two rows belongs to both.
	rows, err := s.Query(ctx, "SELECT uscc, license_no, toString(licensed_on), extra FROM institutions ORDER BY uscc", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var code, no, licensed, extra string
		if err := rows.Scan(&code, &no, &licensed, &extra); err != nil {
			t.Fatal(err)
		}
		got = append(got, strings.Join([]string{code, no, licensed, extra}, " "))
	}
	want := []string{
		uscc("411002", 1) + ` 豫人社许〔2019〕1号 2019-03-15 {"备注":"同址办公","序号":"1","联系人":"王敏"}`,
		uscc("411002", 2) + ` 豫人社许〔2020〕2号 2020-05-06 {"备注":"同址办公","序号":"2","联系人":"李强"}`,
		uscc("411002", 4) + ` 豫人社许〔2021〕4号 2021-07-01 {"序号":"4","联系人":"孙丽"}`,
		uscc("411002", 5) + ` 豫人社许〔2022〕5号 2022-03-10 {"序号":"5","联系人":"周涛"}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("stored\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A workbook in the 1904 date system: its date cells are read from 1904,
// as Excel shows them, not four years and a day early.
func TestImportWorkbookIn1904DateSystem(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	path := filepath.Join("testdata", "workbooks", "mac1904.xlsx")
	res, err := file.Import(ctx, s, institutions(t), path, file.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Loaded != 2 || res.Rejected != 0 {
		t.Fatalf("loaded %d, rejected %d; want 2, 0", res.Loaded, res.Rejected)
	}
	wantStored(t, s, "SELECT uscc, toString(licensed_on), toString(commitment_signed_on) FROM institutions ORDER BY uscc",
		uscc("411002", 1)+" 2019-03-15 2023-01-05",
		uscc("411002", 2)+" 2020-02-29 2023-01-06")
}

// A cell merged across columns shows its value once: the columns beside
// it are empty, not copies (a name is no licence number, a cancellation
// no commitment).
func TestImportCellsMergedAcrossColumns(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	path := filepath.Join("testdata", "workbooks", "merged-across.xlsx")
	res, err := file.Import(ctx, s, institutions(t), path, file.ImportOptions{})
	if err != nil || res.Loaded != 2 || res.Rejected != 0 {
		t.Fatalf("loaded %d rejected %d: %v", res.Loaded, res.Rejected, err)
	}
	wantStored(t, s, "SELECT uscc, license_no, ifNull(toString(license_status_on), '-'), ifNull(toString(commitment_signed_on), '-') FROM institutions ORDER BY uscc",
		uscc("411002", 1)+"  - 2023-01-05",
		uscc("411002", 2)+" 豫人社许〔2020〕2号 2024-01-01 -")
}

// wantStored checks what query returns, each row its String columns
// joined by spaces.
func wantStored(t *testing.T, s store.Store, query string, want ...string) {
	t.Helper()
	rows, err := s.Query(context.Background(), query, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var fields []string
		for _, v := range rows.Values() {
			fields = append(fields, fmt.Sprint(v))
		}
		got = append(got, strings.Join(fields, " "))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("stored\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A formula saved without its value (a workbook written by a program)
// has no value to read: its row is rejected naming the column, never
// read as empty (an empty 许可状态 is a valid licence).
func TestImportFormulaWithoutSavedValue(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	f := excelize.NewFile()
	for i, row := range [][]any{
		{"机构名称", "统一社会信用代码", "许可日期", "许可状态", "状态变更日期"},
		{"许昌英才人力资源服务有限公司", uscc("411002", 1), day("2019-03-15"), "有效"},
		{"许昌聚才人力资源有限公司", uscc("411002", 2), day("2020-05-06")},
	} {
		if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &row); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SetCellFormula("Sheet1", "D3", `IF(1,"注销","有效")`); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "名录.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	f.Close()
	res, err := file.Import(ctx, s, institutions(t), path, file.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Loaded != 1 || res.Rejected != 1 || len(res.Sheets[0].Rejects) != 1 || !strings.Contains(res.Sheets[0].Rejects[0].Errors[0].Error(), "column 许可状态: Excel error value: the cell holds a formula saved without its value") {
		t.Errorf("loaded %d rejected %d: %+v", res.Loaded, res.Rejected, res.Sheets[0].Rejects)
	}
}

// A CSV export keeps the title, the footnote and the signature lines: the
// import loads every real row and rejects nothing.
func TestImportCSVWithTitleNoteAndSignatures(t *testing.T) {
	s := storetest.OpenMigrated(t)
	path := filepath.Join("testdata", "institutions", "title_note_signature.csv")
	res, err := file.Import(context.Background(), s, institutions(t), path, file.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkSheet(t, res.Sheets[0], sheetWant{
		ref: path, read: 3, loaded: 3, headerFirst: 3, headerLast: 3, above: 1,
		skipped: map[string]int64{file.SkipBlank: 1, file.SkipNote: 1, file.SkipSignature: 2},
	})
}

// Signature and note lines laid out in cells, as Excel users lay them
// out (填表人： | 张三 | | 联系电话： | 0374-0000000, a value under the code
// column), are skipped, not rejected: the import loads the three
// institutions, two of whose names begin like a label, and rejects
// nothing, so it does not exit 3.
func TestImportSignatureRowsInCells(t *testing.T) {
	for _, path := range []string{
		filepath.Join("testdata", "institutions", "signatures_in_cells.csv"),
		filepath.Join("testdata", "workbooks", "signatures.xlsx"),
	} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			s := storetest.OpenMigrated(t)
			res, err := file.Import(context.Background(), s, institutions(t), path, file.ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Rejected != 0 {
				t.Errorf("%d rows rejected: %v", res.Rejected, res.Rejects)
			}
			checkSheet(t, res.Sheets[0], sheetWant{
				ref: res.Sheets[0].Ref, read: 3, loaded: 3, headerFirst: 2, headerLast: 2, above: 1,
				skipped: map[string]int64{file.SkipSignature: 4, file.SkipNote: 2},
			})
			var names []string
			rows, err := s.Query(context.Background(), "SELECT name FROM institutions ORDER BY name", nil)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var n string
				if err := rows.Scan(&n); err != nil {
					t.Fatal(err)
				}
				names = append(names, n)
			}
			if got, want := strings.Join(names, ","), "审核人才服务中心,许昌英才人力资源服务有限公司,负责人力资源咨询有限公司"; got != want {
				t.Errorf("institutions %s, want %s", got, want)
			}
		})
	}
}

func TestImportEveryCountySheet(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	path := filepath.Join("testdata", "workbooks", "counties.xlsx")
	res, err := file.Import(ctx, s, institutions(t), path, file.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Sheets) != 3 {
		t.Fatalf("imported %d sheets, want 3", len(res.Sheets))
	}
	checkSheet(t, res.Sheets[0], sheetWant{ref: path + "[魏都区]", read: 2, loaded: 2, headerFirst: 2, headerLast: 2, above: 1})
	checkSheet(t, res.Sheets[1], sheetWant{ref: path + "[禹州市]", read: 3, loaded: 2, rejected: 1, headerFirst: 2, headerLast: 2, above: 1,
		skipped: map[string]int64{file.SkipTotal: 1},
		rejects: []string{`4: column 许可日期: invalid date: "2021-13-01": month 13 does not exist; accepted: 2023-07-31, 2023/7/31, 2023.07.31, 20230731, 2023年7月31日, optionally followed by a time after a space or T`}})
	// Row 4 names an institution and its licence date but no USCC: a
	// record missing its key, rejected; row 5 holds only its number.
	checkSheet(t, res.Sheets[2], sheetWant{ref: path + "[长葛市]", read: 2, loaded: 1, rejected: 1, headerFirst: 2, headerLast: 2, above: 1,
		skipped: map[string]int64{file.SkipNoKey: 1, file.SkipSignature: 1},
		rejects: []string{"4: column 统一社会信用代码: missing required field: uscc (统一社会信用代码) is required"}})
	if want := []file.OtherSheet{{Sheet: "填表说明", Reason: "no table of the list institutions: no row among the first 20 names its columns uscc (统一社会信用代码), name (机构名称), licensed_on (许可日期)"}}; !reflect.DeepEqual(res.Others, want) {
		t.Errorf("other sheets %q, want %q", res.Others, want)
	}
	n, err := store.Count(ctx, s, "SELECT count() FROM institutions", nil)
	if err != nil || n != 5 {
		t.Errorf("stored %d institutions (%v), want 5", n, err)
	}
	refs, err := store.Count(ctx, s, "SELECT count() FROM import_rejects WHERE source_ref = {r:String}", store.Params{"r": path + "[禹州市]"})
	if err != nil || refs != 1 {
		t.Errorf("import_rejects of the 禹州市 sheet: %d (%v), want 1", refs, err)
	}

	// One sheet by name; a name that is not there is an error naming the
	// sheets.
	res, err = file.Import(ctx, s, institutions(t), path, file.ImportOptions{Sheet: "禹州市"})
	if err != nil || len(res.Sheets) != 1 || res.Sheets[0].Unchanged != 2 {
		t.Errorf("--sheet 禹州市: %v, %+v", err, res.Sheets)
	}
	_, err = file.Import(ctx, s, institutions(t), path, file.ImportOptions{Sheet: "许昌县"})
	if err == nil || !strings.Contains(err.Error(), `no sheet "许昌县"; the sheets are ["填表说明" "魏都区" "禹州市" "长葛市"]`) {
		t.Errorf("unknown sheet: %v", err)
	}
	if _, err := file.Import(ctx, s, institutions(t), filepath.Join("testdata", "institutions", "title_note_signature.csv"), file.ImportOptions{Sheet: "禹州市"}); err == nil || !strings.Contains(err.Error(), "a CSV file has no sheets; --sheet 禹州市 is for workbooks") {
		t.Errorf("--sheet on a CSV file: %v", err)
	}
	// The instructions alone hold no table of the list.
	_, err = file.Import(ctx, s, institutions(t), path, file.ImportOptions{Sheet: "填表说明"})
	if !errors.Is(err, file.ErrNoTable) {
		t.Errorf("sheet without a table: %v, want ErrNoTable", err)
	}
}

// A sheet that names most of the list's columns but misses one is this
// list's table with a bad header: an error that names the row and the
// missing column, and nothing is written.
func TestImportHeaderMissingAColumn(t *testing.T) {
	s := storetest.OpenMigrated(t)
	path := filepath.Join(t.TempDir(), "r.csv")
	writeFile(t, path, "机构名册,,\n机构名称,统一社会信用代码,备注\n许昌英才人力资源服务有限公司,91411002MA4000000P,\n")
	_, err := file.Import(context.Background(), s, institutions(t), path, file.ImportOptions{})
	if !errors.Is(err, contract.ErrHeader) || !strings.Contains(err.Error(), "r.csv: row 2: bad header: list institutions needs column(s) licensed_on (许可日期)") {
		t.Errorf("err = %v", err)
	}
}

// A file is read by what it holds, not by its name: Excel 97-2003
// workbooks are refused with how to convert them whatever they are
// called, an .xlsx workbook is read under an .xls or .csv name, and a
// page or text named as a workbook is refused as not one.
func TestXLSFiles(t *testing.T) {
	s := storetest.OpenMigrated(t)
	dir := t.TempDir()
	xlsx, err := os.ReadFile(filepath.Join("testdata", "workbooks", "counties.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	renamed := filepath.Join(dir, "counties.xls")
	writeFile(t, renamed, string(xlsx))
	page := filepath.Join(dir, "export.xls")
	writeFile(t, page, "<html><table><tr><td>机构名称</td></tr></table></html>")
	biff := filepath.Join("testdata", "workbooks", "register97.xls") // written by xlwt
	biffBytes, err := os.ReadFile(biff)
	if err != nil {
		t.Fatal(err)
	}
	asCSV := filepath.Join(dir, "counties.csv")
	writeFile(t, asCSV, string(xlsx))
	biffAsXLSX := filepath.Join(dir, "register.xlsx")
	writeFile(t, biffAsXLSX, string(biffBytes))
	biffAsCSV := filepath.Join(dir, "register.csv")
	writeFile(t, biffAsCSV, string(biffBytes))
	textAsXLSX := filepath.Join(dir, "export.xlsx")
	writeFile(t, textAsXLSX, "统一社会信用代码,机构名称\n")
	// What a copy or a download cut short leaves: empty, a workbook's
	// first half, a text file of blank lines.
	empty := filepath.Join(dir, "empty.csv")
	writeFile(t, empty, "")
	cut := filepath.Join(dir, "cut.xlsx")
	writeFile(t, cut, string(xlsx[:len(xlsx)/2]))
	blanks := filepath.Join(dir, "blanks.csv")
	writeFile(t, blanks, "\uFEFF\n,,\n\n")
	// Files that are no table at all, under a table's name: a Word
	// document or an archive named .xlsx (read as a workbook: "EOF"), a
	// PDF or bytes that are no text named .csv (read as UTF-16 with a
	// character "not UTF-16" in it).
	zipOf := func(names ...string) string {
		var b bytes.Buffer
		z := zip.NewWriter(&b)
		for _, n := range names {
			w, err := z.Create(n)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(w, "<x>%s</x>", n)
		}
		if err := z.Close(); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	docx := filepath.Join(dir, "report.xlsx")
	writeFile(t, docx, zipOf("[Content_Types].xml", "word/document.xml"))
	archive := filepath.Join(dir, "registers.xlsx")
	writeFile(t, archive, zipOf("a.csv", "b.csv"))
	pdf := filepath.Join(dir, "register.pdf.csv")
	writeFile(t, pdf, "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
	binary := filepath.Join(dir, "register.bin.csv")
	noise := make([]byte, 4096)
	for i := range noise {
		noise[i] = byte(i*7 + i*i/3)
	}
	writeFile(t, binary, string(noise))
	const convert = "open it in Excel or WPS and save it as .xlsx (文件 → 另存为 → Excel 工作簿 *.xlsx), then import that file"
	const export = "export the table as CSV or Excel (.xlsx) from the system or the workbook it comes from, and import that file"
	tests := []struct {
		path, err string
		loaded    int64
	}{
		{biff, biff + ": unsupported file format: an Excel 97-2003 workbook (.xls) cannot be read; " + convert, 0},
		{biffAsXLSX, biffAsXLSX + ": unsupported file format: an Excel 97-2003 workbook (.xls) cannot be read; " + convert, 0},
		{biffAsCSV, biffAsCSV + ": unsupported file format: an Excel 97-2003 workbook (.xls) cannot be read; " + convert, 0},
		{page, page + ": unsupported file format: not an Excel workbook despite its .xls name (perhaps a web page or text exported by another system); " + convert, 0},
		{textAsXLSX, textAsXLSX + ": unsupported file format: not an Excel workbook despite its .xlsx name (perhaps a web page or text exported by another system); " + convert, 0},
		{empty, empty + ": unsupported file format: the file is empty (0 bytes): it was perhaps copied or downloaded before it was saved; save it again and import that file", 0},
		{cut, cut + ": unsupported file format: the workbook is incomplete or damaged (it begins as an .xlsx file but does not end as one; a copy or a download cut short leaves it so): save it again from Excel or WPS, or copy it again, and import that file", 0},
		{blanks, blanks + ": no table of the list institutions: it holds no text at all (every row is blank)", 0},
		{docx, docx + ": unsupported file format: not a table: a Word document (.docx), not an Excel workbook, whatever its .xlsx name (an .xlsx file is a ZIP archive too, holding xl/workbook.xml); " + export, 0},
		{archive, archive + ": unsupported file format: not a table: a ZIP archive of files, not an Excel workbook, whatever its .xlsx name (an .xlsx file is a ZIP archive too, holding xl/workbook.xml); " + export, 0},
		{pdf, pdf + ": unsupported file format: not a table: a PDF document (it begins %PDF-), whatever its .csv name; " + export, 0},
		{binary, binary + ": unsupported file format: not a table: it holds binary content, not text: NUL bytes (the first at byte 0) and other control bytes, which no text holds (an image, an archive or a program's own format under a .csv name?); " + export, 0},
		{renamed, "", 5},
		{asCSV, "", 5},
	}
	for _, tt := range tests {
		if tt.err != "" {
			_, err := file.Import(context.Background(), s, institutions(t), tt.path, file.ImportOptions{})
			if err == nil || err.Error() != tt.err || !errors.Is(err, file.ErrFormat) && !errors.Is(err, file.ErrNoTable) {
				t.Errorf("%s: error %v\nwant %s", tt.path, err, tt.err)
			}
			continue
		}
		// Each workbook into a store of its own: the same bytes again
		// would be a repeated import, not read.
		res, err := file.Import(context.Background(), storetest.OpenMigrated(t), institutions(t), tt.path, file.ImportOptions{})
		if err != nil || res.Loaded != tt.loaded {
			t.Errorf("%s: loaded %d, %v; want %d", tt.path, res.Loaded, err, tt.loaded)
		}
	}
}

// A hidden sheet (last year's data, a draft) is not read unless asked for
// by name; it is reported as skipped, and a workbook whose only table is
// hidden says so.
func TestHiddenSheetsAreReadOnlyByName(t *testing.T) {
	ctx := context.Background()
	list, _ := contract.Lookup("penalties")
	header := []any{"决定书文号", "统一社会信用代码", "企业名称", "决定日期", "决定机关", "处罚内容"}
	record := func(id, day string) []any {
		return []any{id, "", "许昌市甲人力资源服务有限公司", day, "许昌市人力资源和社会保障局", "未按规定明示有关事项"}
	}
	dir := t.TempDir()
	both := filepath.Join(dir, "both.xlsx")
	x := excelize.NewFile()
	for _, sh := range []struct {
		name string
		row  []any
	}{{"Sheet1", record("许人社罚决字〔2026〕1号", "2026-03-01")}, {"旧数据", record("许人社罚决字〔2020〕9号", "2020-03-01")}} {
		if sh.name != "Sheet1" {
			if _, err := x.NewSheet(sh.name); err != nil {
				t.Fatal(err)
			}
		}
		if err := x.SetSheetRow(sh.name, "A1", &header); err != nil {
			t.Fatal(err)
		}
		if err := x.SetSheetRow(sh.name, "A2", &sh.row); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.SetSheetVisible("旧数据", false); err != nil {
		t.Fatal(err)
	}
	if err := x.SaveAs(both); err != nil {
		t.Fatal(err)
	}

	s := storetest.OpenMigrated(t)
	res, err := file.Import(ctx, s, list, both, file.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Sheets) != 1 || res.Sheets[0].Sheet != "Sheet1" || res.Loaded != 1 || len(res.Others) != 1 || res.Others[0].Sheet != "旧数据" || !strings.Contains(res.Others[0].Reason, "hidden") {
		t.Fatalf("sheets %+v, others %+v; want Sheet1 read and 旧数据 skipped as hidden", res.Sheets, res.Others)
	}
	if n, err := store.Count(ctx, s, "SELECT count() FROM penalties WHERE decided_on < '2026-01-01'", nil); err != nil || n != 0 {
		t.Errorf("%d records of the hidden sheet stored (%v)", n, err)
	}
	if res, err := file.Import(ctx, s, list, both, file.ImportOptions{Sheet: "旧数据"}); err != nil || res.Loaded != 1 {
		t.Errorf("the hidden sheet named: loaded %d, %v", res.Loaded, err)
	}

	onlyHidden := filepath.Join(dir, "only-hidden.xlsx")
	y := excelize.NewFile()
	if _, err := y.NewSheet("说明"); err != nil {
		t.Fatal(err)
	}
	if err := y.SetCellValue("说明", "A1", "本表数据见隐藏工作表"); err != nil {
		t.Fatal(err)
	}
	row := record("许人社罚决字〔2026〕2号", "2026-03-02")
	if err := y.SetSheetRow("Sheet1", "A1", &header); err != nil {
		t.Fatal(err)
	}
	if err := y.SetSheetRow("Sheet1", "A2", &row); err != nil {
		t.Fatal(err)
	}
	y.SetActiveSheet(1)
	if err := y.SetSheetVisible("Sheet1", false); err != nil {
		t.Fatal(err)
	}
	if err := y.SaveAs(onlyHidden); err != nil {
		t.Fatal(err)
	}
	_, err = file.Import(ctx, storetest.OpenMigrated(t), list, onlyHidden, file.ImportOptions{})
	if !errors.Is(err, file.ErrNoTable) || !strings.Contains(err.Error(), "hidden, not read: [\"Sheet1\"]") {
		t.Errorf("only a hidden table: %v; want ErrNoTable naming the hidden sheet", err)
	}
}

// A workbook that unpacks to more than the bound (a zip bomb: kilobytes
// inflating to gigabytes) is refused before it is unpacked, naming the
// file; OpenSheet of a sheet the workbook lacks names the sheets it has.
func TestWorkbookBounds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "附件2.xlsx")
	f := excelize.NewFile()
	if err := f.SetSheetRow("Sheet1", "A1", &[]any{"机构名称", "统一社会信用代码", "信用等级"}); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellValue("Sheet1", "XFD2", strings.Repeat(" ", 32767)); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := file.OpenSheet(path, "附件2"); err == nil || !strings.Contains(err.Error(), `no sheet "附件2"; the sheets are ["Sheet1"]`) {
		t.Errorf("an absent sheet: %v", err)
	}
	r, err := file.OpenSheet(path, "Sheet1")
	if err != nil {
		t.Fatalf("the workbook within the bound: %v", err)
	}
	r.Close()
	defer func(old int64) { *file.MaxUnzipped = old }(*file.MaxUnzipped)
	*file.MaxUnzipped = 1 << 14 // the one value is 32,767 characters, the most a cell holds
	_, err = file.OpenSheet(path, "Sheet1")
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "limit") {
		t.Errorf("a workbook unpacking past the bound: %v", err)
	}
}

// A row that begins like a note (注1) but holds a key is skipped as a note
// and named among the skipped rows, in case it is a record; a note written
// across cells (备注： | 本表数据截至…) is skipped without a word.
func TestNoteRowWithAKeyIsNamed(t *testing.T) {
	s := storetest.OpenMigrated(t)
	path := filepath.Join(t.TempDir(), "names.csv")
	writeFile(t, path, "序号,机构名称,统一社会信用代码,许可日期\n1,乙人力资源有限公司,91411002MA4000002X,2020-05-06\n注1,甲人力资源有限公司,91411002MA4000001T,2020-01-01\n备注：,本表数据截至2026年6月30日,,\n")
	res, err := file.Import(context.Background(), s, institutions(t), path, file.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkSheet(t, res.Sheets[0], sheetWant{ref: path, read: 1, loaded: 1, headerFirst: 1, headerLast: 1,
		skipped:     map[string]int64{file.SkipNote: 2},
		skippedRows: []string{"3: begins like a note (注/说明/备注) though 统一社会信用代码 (uscc) holds a value, so not read as a record; if it is one, change its first cell"}})
}
