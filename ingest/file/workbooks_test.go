package file_test

import (
	"archive/zip"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/ingest/file"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
	"github.com/xuchang-hrss/creditsync/transform"
)

// The workbooks under testdata/workbooks are laid out like the registers
// county bureaus keep for printing. They are written by this file;
// `go test ./ingest/file -run TestWorkbookFixtures -update` rewrites them.
var update = flag.Bool("update", false, "rewrite the workbooks under testdata/workbooks")

// uscc returns a valid code of a county with serial n.
func uscc(county string, n int) string {
	first := fmt.Sprintf("91%sMA4%06d", county, n)
	c, err := transform.USCCCheckChar(first)
	if err != nil {
		panic(err)
	}
	return first + string(c)
}

// numericUSCC is an all-digit valid code, the kind Excel turns into a
// number, and what Excel writes for it in a General cell.
var numericUSCC, numericUSCCExcel = func() (string, string) {
	for n := 0; ; n++ {
		first := fmt.Sprintf("91411002317054%03d", n)
		c, _ := transform.USCCCheckChar(first)
		if c >= '0' && c <= '9' {
			code := first + string(c)
			return code, code[:1] + "." + code[1:15] + "E+17"
		}
	}
}()

// excelNumber is a cell Excel stored as a number, written as Excel
// writes it in the sheet's XML.
type excelNumber string

type sheetSpec struct {
	name   string
	rows   [][]any // from row 1; nil is a blank row
	merges [][2]string
}

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// workbooks are the fixtures by file name.
var workbooks = map[string][]sheetSpec{
	// Signature and note lines laid out in cells, labels and values
	// apart or together, a value under a key column; names that begin
	// like a label (审核人才…, 负责人力…) are institutions.
	"signatures.xlsx": {{
		name: "名册",
		rows: [][]any{
			{"许昌市人力资源服务机构名册（2026年）"},
			{"机构名称", "统一社会信用代码", "许可日期", "许可证编号", "备注"},
			{"许昌英才人力资源服务有限公司", uscc("411002", 1), day("2019-03-15"), "豫人社许〔2019〕1号"},
			{"审核人才服务中心", uscc("411002", 2), day("2019-06-01"), "豫人社许〔2019〕2号"},
			{"负责人力资源咨询有限公司", uscc("411002", 3), day("2020-05-06"), "豫人社许〔2020〕3号", "联系人：王敏"},
			{"填表人：", "张三", nil, "联系电话：", "0374-0000000"},
			{"审核人", "李四"},
			{"负责人（签字）：", "王五", "填报日期：", day("2026-07-31")},
			{"填报单位：许昌市人力资源和社会保障局", nil, "联系人：赵六"},
			{"备注：", "本表数据截至2026年6月30日"},
			{"注", "许可日期以许可证为准"},
		},
	}},
	// A register as printed: title, blank row, two-row header with a
	// group (许可情况), a remark merged over two records, a code Excel
	// turned into a number, a blank row, 合计, a footnote and signatures.
	"register.xlsx": {{
		name: "名册",
		rows: [][]any{
			{"许昌市人力资源服务机构名册（2026年）"},
			nil,
			{"序号", "机构名称", "统一社会信用代码", "许可情况", nil, "承诺书签订日期", "联系人", "备注"},
			{nil, nil, nil, "许可证编号", "许可日期"},
			{1, "许昌英才人力资源服务有限公司", uscc("411002", 1), "豫人社许〔2019〕1号", day("2019-03-15"), day("2023-01-05"), "王敏", "同址办公"},
			{2, "许昌聚才人力资源有限公司", uscc("411002", 2), "豫人社许〔2020〕2号", day("2020-05-06"), nil, "李强"},
			{3, "许昌金桥劳务派遣有限公司", excelNumber(numericUSCCExcel), "豫人社许〔2020〕3号", day("2020-06-01"), nil, "赵磊"},
			nil,
			{4, "许昌众诚人才服务有限公司", uscc("411002", 4), "豫人社许〔2021〕4号", "2021/7/1", nil, "孙丽"},
			{5, "许昌鑫源人力资源服务有限公司", uscc("411002", 5), "豫人社许〔2022〕5号", "2022.03.10", "2023年1月5日", "周涛"},
			{"合计", "共5家"},
			nil,
			{"注：本表由各县（市、区）人社局填报，许可日期以许可证为准。"},
			{"单位负责人：", nil, nil, "填表人：张三", nil, "联系电话：0374-1234567"},
			{"填报时间：2026年7月31日"},
		},
		merges: [][2]string{{"A1", "H1"}, {"A3", "A4"}, {"B3", "B4"}, {"C3", "C4"}, {"D3", "E3"}, {"F3", "F4"}, {"G3", "G4"}, {"H3", "H4"}, {"H5", "H6"}, {"A13", "H13"}},
	}},
	// A county's 附件2 in the notice's layout: label, title, the unit and
	// date line, a header with 序号, grades written three ways, a grade
	// that is none, a footnote and signatures.
	"附件2-禹州市.xlsx": {{
		name: "Sheet1",
		rows: [][]any{
			{"附件2"},
			{"人力资源服务机构信用等级评价汇总表"},
			{"填报单位（盖章）：禹州市人力资源和社会保障局", nil, nil, nil, nil, nil, "填报时间：2026年7月31日"},
			{"序号", "机构名称", "统一社会信用代码", "信用等级", "失信情况", "查处情况", "是否选树为诚信机构典型", "选树原因", "评价单位", "备注"},
			{1, "禹州鼎盛劳务派遣有限公司", uscc("411081", 1), "B级", "未签订信用承诺书", "无", "否", nil, "禹州市人力资源和社会保障局"},
			{2, "禹州钧才人力资源有限公司", uscc("411081", 2), "A", "无", "无", "是", "连续三年无违法记录", "禹州市人力资源和社会保障局"},
			{3, "禹州启航人才服务有限公司", uscc("411081", 3), "A 级", "无", "无", "否", nil, "禹州市人力资源和社会保障局"},
			{4, "禹州同心人力资源有限公司", uscc("411081", 4), "优", "无", "无", "否", nil, "禹州市人力资源和社会保障局"},
			nil,
			{"注：信用等级分为A、B、C、D四个等级。"},
			{"单位负责人：", nil, nil, "填表人：", nil, nil, "联系电话："},
		},
		merges: [][2]string{{"A2", "J2"}, {"A3", "E3"}, {"G3", "J3"}, {"A10", "J10"}},
	}},
	// A register kept on a Mac since old Excel's days: the workbook counts
	// its dates from 1904, so 许可日期 2019-03-15 is stored as 42077, which
	// in the usual 1900 system is 2015-03-14. One date typed as text.
	"mac1904.xlsx": {{
		name: "名册",
		rows: [][]any{
			{"机构名称", "统一社会信用代码", "许可日期", "承诺书签订日期"},
			{"许昌英才人力资源服务有限公司", uscc("411002", 1), day("2019-03-15"), day("2023-01-05")},
			{"许昌聚才人力资源有限公司", uscc("411002", 2), day("2020-02-29"), "2023-01-06"},
		},
	}},
	// Cells merged across columns in records: a name written over the
	// licence number's empty cell, a date over the next date's.
	"merged-across.xlsx": {{
		name: "名册",
		rows: [][]any{
			{"机构名称", "许可证编号", "统一社会信用代码", "许可日期", "许可状态", "状态变更日期", "承诺书签订日期"},
			{"许昌英才人力资源服务有限公司", nil, uscc("411002", 1), day("2019-03-15"), "有效", nil, day("2023-01-05")},
			{"许昌聚才人力资源有限公司", "豫人社许〔2020〕2号", uscc("411002", 2), day("2020-05-06"), "注销", day("2024-01-01")},
		},
		merges: [][2]string{{"A2", "B2"}, {"F3", "G3"}},
	}},
	// One sheet per county, behind a sheet of instructions.
	"counties.xlsx": {
		{name: "填表说明", rows: [][]any{
			{"填表说明"},
			{"1. 每个县（市、区）填写一个工作表。"},
			{"2. 统一社会信用代码请设置为文本格式。"},
		}},
		{name: "魏都区", rows: [][]any{
			{"魏都区人力资源服务机构名册"},
			{"序号", "机构名称", "统一社会信用代码", "许可日期"},
			{1, "许昌英才人力资源服务有限公司", uscc("411002", 1), day("2019-03-15")},
			{2, "许昌聚才人力资源有限公司", uscc("411002", 2), day("2020-05-06")},
		}},
		{name: "禹州市", rows: [][]any{
			{"禹州市人力资源服务机构名册"},
			{"序号", "机构名称", "统一社会信用代码", "许可日期"},
			{1, "禹州鼎盛劳务派遣有限公司", uscc("411081", 1), day("2020-05-06")},
			{2, "禹州钧才人力资源有限公司", uscc("411081", 2), "2021-13-01"},
			{3, "禹州启航人才服务有限公司", uscc("411081", 3), day("2022-08-08")},
			{"合计", "3家"},
		}},
		{name: "长葛市", rows: [][]any{
			{"长葛市人力资源服务机构名册"},
			{"序号", "机构名称", "统一社会信用代码", "许可日期"},
			{1, "长葛智联人才服务中心", uscc("411082", 1), day("2021-07-01")},
			{2, "长葛金桥人才服务有限公司", nil, day("2020-01-01")},
			{3},
			{"填表人：李四", nil, "联系电话：0374-7654321"},
		}},
	},
	// Number cells as programs save them (pandas, openpyxl: a whole
	// number as a float, a sum with its binary error), a text cell that
	// looks like one, and a code Excel turned into a number.
	"numbers.xlsx": {{
		name: "Sheet1",
		rows: [][]any{
			{"记录编号", "统一社会信用代码", "类型", "情节", "查处日期"},
			{excelNumber("2026100.0"), uscc("411002", 1), "违法违规", "一般", day("2026-01-04")},
			{excelNumber("1.0000000000000002"), uscc("411002", 1), "违法违规", "一般", day("2026-01-05")},
			{"7.0", uscc("411002", 1), "违法违规", "一般", day("2026-01-06")},
			{excelNumber("411002202100001.0"), uscc("411002", 1), "违法违规", "一般", day("2026-01-07")},
			{excelNumber("914110020000000000.0"), uscc("411002", 1), "违法违规", "一般", day("2026-01-08")},
			{excelNumber("4.11002202100001E+17"), uscc("411002", 1), "违法违规", "一般", day("2026-01-09")},
		},
	}},
}

// date1904 are the workbooks saved in the 1904 date system.
var date1904 = map[string]bool{"mac1904.xlsx": true}

func writeWorkbook(path string, sheets []sheetSpec) error {
	f := excelize.NewFile()
	defer f.Close()
	if date1904[filepath.Base(path)] {
		// Before any cell: excelize writes a date's serial in the
		// workbook's system.
		yes := true
		if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}); err != nil {
			return err
		}
	}
	for i, sh := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sh.name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(sh.name); err != nil {
			return err
		}
		for r, cells := range sh.rows {
			for c, v := range cells {
				if v == nil {
					continue
				}
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				var err error
				switch v := v.(type) {
				case excelNumber:
					err = f.SetCellDefault(sh.name, ref, string(v))
				default:
					err = f.SetCellValue(sh.name, ref, v)
				}
				if err != nil {
					return err
				}
			}
		}
		for _, m := range sh.merges {
			if err := f.MergeCell(sh.name, m[0], m[1]); err != nil {
				return err
			}
		}
	}
	return f.SaveAs(path)
}

func TestWorkbookFixtures(t *testing.T) {
	for name, sheets := range workbooks {
		path := filepath.Join("testdata", "workbooks", name)
		if *update {
			if err := writeWorkbook(path, sheets); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if _, err := os.Stat(path); err != nil {
			t.Errorf("%s: %v (run with -update to write it)", path, err)
		}
	}
}

// A sheet whose XML breaks off or goes wrong anywhere is refused whole,
// naming the row where it goes wrong, not read to where the XML reader
// gave up: its rows (or a row's cells) after that point were lost without
// a word. A break in the last row (its 许可状态 lost: a revoked licence
// stored as valid) and one in a sheet whose rows carry no number (r is
// optional) were missed when the last row read was compared with the last
// number in the bytes. A sheet in another encoding than UTF-8 is refused
// as such, not as cut short. Rows left out of a sheet (a gap between
// numbered rows) are no damage.
func TestDamagedSheetIsRefused(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	x := excelize.NewFile()
	// A good sheet first: nothing of it is stored either.
	if err := x.SetSheetName("Sheet1", "禹州市"); err != nil {
		t.Fatal(err)
	}
	if _, err := x.NewSheet("长葛市"); err != nil {
		t.Fatal(err)
	}
	good := [][]any{{"统一社会信用代码", "机构名称", "许可日期"}, {validUSCC("411081", 1), "禹州人力资源有限公司", "2020-01-01"}}
	for i, r := range good {
		if err := x.SetSheetRow("禹州市", fmt.Sprintf("A%d", i+1), &r); err != nil {
			t.Fatal(err)
		}
	}
	rows := [][]any{{"统一社会信用代码", "机构名称", "许可日期", "许可状态"}}
	for i := 1; i <= 30; i++ {
		rows = append(rows, []any{validUSCC("411002", i), fmt.Sprintf("许昌%d人力资源有限公司", i), "2020-01-01", "有效"})
	}
	for i, r := range rows {
		n := i + 1
		if i > 10 {
			n += 5 // a gap of five empty rows: the last row is 36
		}
		cell, _ := excelize.CoordinatesToCellName(1, n)
		if err := x.SetSheetRow("长葛市", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	whole := filepath.Join(dir, "whole.xlsx")
	if err := x.SaveAs(whole); err != nil {
		t.Fatal(err)
	}
	l, _ := contract.Lookup("institutions")
	res, err := file.Import(ctx, storetest.OpenMigrated(t), l, whole, file.ImportOptions{})
	if err != nil || res.Loaded != 31 {
		t.Fatalf("the whole workbook: loaded %d, %v", res.Loaded, err)
	}
	// cell spoils the n-th cell of a row (the first <c of <row r="…">).
	cell := func(s, row string, n int) string {
		i := strings.Index(s, `<row r="`+row+`"`)
		for ; n > 0; n-- {
			i += strings.Index(s[i:], "</c>")
			if n > 1 {
				i += len("</c>")
			}
		}
		return s[:i] + "</x>" + s[i+len("</c>"):]
	}
	unnumbered := regexp.MustCompile(` r="[A-Z]*[0-9]+"`)
	s := storetest.OpenMigrated(t) // nothing is stored, whatever the case
	// The same workbook with its sheet's XML spoilt.
	for _, c := range []struct {
		name  string
		spoil func(string) string
		want  string
	}{
		{"malformed after row 20", func(s string) string {
			return strings.Replace(s, `<row r="21"`, `<row r="21"><c r="A21" t="s"><v>1</v></x></row><row r="22"`, 1)
		}, "the sheet's XML is malformed in row 21"},
		{"cut short after row 20", func(s string) string { return s[:strings.Index(s, `<row r="21"`)] },
			"the sheet's XML breaks off after row 20"},
		{"cut short in row 21", func(s string) string { return s[:strings.Index(s, `<row r="22"`)-10] },
			"the sheet's XML breaks off in row 21"},
		{"malformed in the last row's last cell", func(s string) string { return cell(s, "36", 4) },
			"the sheet's XML is malformed in row 36"},
		{"malformed in the last row's name", func(s string) string { return cell(s, "36", 2) },
			"the sheet's XML is malformed in row 36"},
		{"malformed, rows not numbered", func(s string) string {
			s = unnumbered.ReplaceAllString(s, "")
			i := 0
			for n := 0; n < 21; n++ { // the 21st row, row 21 to the reader
				i += strings.Index(s[i:], "<row") + 1
			}
			return s[:i-1] + strings.Replace(s[i-1:], "</c>", "</x>", 2)
		}, "the sheet's XML is malformed in row 21"},
		{"text after its end", func(s string) string { return s + "</row>" }, "the sheet's XML is malformed after the sheet's end"},
		{"UTF-16", func(s string) string {
			s = strings.Replace(s, `encoding="UTF-8"`, `encoding="UTF-16"`, 1)
			b := []byte{0xFF, 0xFE}
			for _, u := range utf16.Encode([]rune(s)) {
				b = append(b, byte(u), byte(u>>8))
			}
			return string(b)
		}, "the sheet's XML is written in UTF-16, not UTF-8"},
		{"declared GBK", func(s string) string {
			return strings.Replace(s, `encoding="UTF-8"`, `encoding="GBK"`, 1)
		}, "the sheet's XML is written in GBK, not UTF-8"},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".xlsx")
			rewriteZip(t, whole, path, "xl/worksheets/sheet2.xml", c.spoil)
			_, err := file.Import(ctx, s, l, path, file.ImportOptions{})
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "save it again") {
				t.Errorf("%v, want the file refused: %q", err, c.want)
			}
			if n, err := store.Count(ctx, s, "SELECT count() FROM institutions FINAL", nil); err != nil || n != 0 {
				t.Errorf("%d stored (%v), want none", n, err)
			}
		})
	}
}

// rewriteZip copies the zip at from to to, with the entry name changed
// by edit.
func rewriteZip(t *testing.T, from, to, name string, edit func(string) string) {
	t.Helper()
	zr, err := zip.OpenReader(from)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	zw := zip.NewWriter(out)
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == name {
			b = []byte(edit(string(b)))
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}

// A number cell is read as Excel shows it in the General format: a
// whole number that a program saved as a float (pandas, openpyxl:
// 2026100.0) without its ".0", a value with a binary error in its 17th
// digit (1.0000000000000002) to 15 significant digits. Record
// 2026100.0 was a second record beside the CSV's 2026100, counted
// twice. A text cell keeps what was typed (7.0); a code Excel turned
// into a number of more than 15 digits, written out or in scientific
// notation, is refused as before.
func TestNumberCellsReadAsExcelShowsThem(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	l, err := contract.Lookup("inspections")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := file.Import(ctx, s, l, filepath.Join("testdata", "numbers", "inspections.csv"), file.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	res, err := file.Import(ctx, s, l, filepath.Join("testdata", "workbooks", "numbers.xlsx"), file.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		line   int
		reason string // "" for stored
		id     string
	}{
		{2, "", "2026100"},
		{3, "", "1"},
		{4, "", "7.0"},
		{5, "", "411002202100001"},
		{6, contract.ReasonNumber, ""},
		{7, contract.ReasonNumber, ""},
	} {
		var rejected string
		for _, rj := range res.Rejects {
			if rj.Line == c.line {
				rejected = rj.Errors[0].Reason
			}
		}
		if rejected != c.reason {
			t.Errorf("line %d rejected for %q, want %q", c.line, rejected, c.reason)
		}
		if c.id == "" {
			continue
		}
		n, err := store.Count(ctx, s, "SELECT count() FROM inspections FINAL WHERE record_id = {id:String}", store.Params{"id": c.id})
		if err != nil || n != 1 {
			t.Errorf("line %d: %d record(s) %q stored (%v), want 1", c.line, n, c.id, err)
		}
	}
	if n, err := store.Count(ctx, s, "SELECT count() FROM inspections FINAL", nil); err != nil || n != 4 {
		t.Errorf("%d records stored (%v), want 4: 2026100 once, 1, 7.0, 411002202100001", n, err)
	}
}
