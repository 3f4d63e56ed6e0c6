package file_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/ingest/file"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
	"github.com/xuri/excelize/v2"
)

// writeForm writes a report's XLSX to path.
func writeForm(t *testing.T, path string, write func(io.Writer) error) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := write(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// copySheet adds the first sheet of the workbook from to the workbook
// at path as sheet name, row by row.
func copySheet(t *testing.T, path, from, name string) {
	t.Helper()
	src, err := excelize.OpenFile(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	rows, err := src.GetRows(src.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	dst, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if _, err := dst.NewSheet(name); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := dst.SetSheetRow(name, cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	if err := dst.Save(); err != nil {
		t.Fatal(err)
	}
}

// The notice asks a county to send its 附件2 and its 诚信机构典型名单
// together, and one workbook holding both is what comes. The 典型名单's
// table has 机构名称, 统一社会信用代码 and 信用等级 too: read as 附件2 rows,
// its row of an institution on both replaced the 附件2's, grade, 失信情况
// and all. Only the 附件2 is recorded; the sheet beside it is named with
// the reason, whether its title says what it is (as creditsync writes
// it) or, without one, its sheet's name. A file holding only a 典型名单
// is no 附件2.
func TestImportSummaryLeavesOtherFormsOut(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	dir := t.TempDir()
	u, err := report.LookupUnit("411081")
	if err != nil {
		t.Fatal(err)
	}
	a, d := uscc("411081", 1), uscc("411081", 2)
	const dishonesty = "2025年10月，因情节重大的劳动保障违法违规行为被查处。"
	summary := filepath.Join(dir, "附件2-禹州市.xlsx")
	writeForm(t, summary, (&report.Summary{Unit: u, Day: day("2026-07-31"), Filed: day("2026-07-31"), Rows: []report.SummaryRow{
		{Name: "禹州甲人力资源有限公司", USCC: a, Grade: "A 级", Dishonesty: "无", Measures: "无", Exemplary: "是", ExemplaryReason: "热心公益", Evaluator: u.Bureau()},
		{Name: "禹州乙人力资源有限公司", USCC: d, Grade: "D 级", Dishonesty: dishonesty, Measures: "2025年10月，由禹州市人社局给予行政处罚。", Evaluator: u.Bureau()},
	}}).WriteXLSX)
	// The 典型名单 as creditsync writes it, listing 乙 as A (a county's
	// mistake, or last year's list).
	typical := filepath.Join(dir, "典型名单-禹州市.xlsx")
	writeForm(t, typical, (&report.Typical{Unit: u, Year: 2026, Day: day("2026-07-31"), Rows: []report.TypicalRow{
		{Name: "禹州甲人力资源有限公司", USCC: a, Grade: "A 级", Reason: "热心公益", Evaluator: u.Bureau(), NominatedOn: day("2025-08-20")},
		{Name: "禹州乙人力资源有限公司", USCC: d, Grade: "A 级", Reason: "服务规范", Evaluator: u.Bureau(), NominatedOn: day("2025-08-20")},
	}}).WriteXLSX)
	copySheet(t, summary, typical, "诚信机构典型名单")
	// The same list without its title row, on a sheet that names it.
	untitled := filepath.Join(dir, "无标题.xlsx")
	wb := excelize.NewFile()
	for i, r := range [][]string{{"序号", "机构名称", "统一社会信用代码", "信用等级", "选树原因"}, {"1", "禹州乙人力资源有限公司", d, "A级", "服务规范"}} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := wb.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	if err := wb.SaveAs(untitled); err != nil {
		t.Fatal(err)
	}
	copySheet(t, summary, untitled, "典型名单")

	// The unit and date given, as the 典型名单 sheets have no 填报单位 or
	// 填报时间 line.
	res, err := file.ImportSummary(ctx, s, summary, file.SummaryOptions{Unit: "411081", AsOf: day("2026-07-31")})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Sheets) != 1 || res.Sheets[0].Sheet != "附件2" || res.Loaded != 2 {
		t.Errorf("read %d sheet(s), %d rows loaded; want the 附件2 sheet alone, 2 rows", len(res.Sheets), res.Loaded)
	}
	left := map[string]string{}
	for _, o := range res.Others {
		left[o.Sheet] = o.Reason
	}
	for sheet, why := range map[string]string{
		"诚信机构典型名单": `not a 附件2: its heading "禹州市2026年度诚信机构典型名单" names the 诚信机构典型名单`,
		"典型名单":     `not a 附件2: the sheet's name "典型名单" names the 诚信机构典型名单`,
	} {
		if !strings.HasPrefix(left[sheet], why) {
			t.Errorf("sheet %s: left out with %q, want %q…", sheet, left[sheet], why)
		}
	}
	want := "411081 2026-07-31 " + a + " A 是\n411081 2026-07-31 " + d + " D "
	if got := submitted(t, s); got != want {
		t.Errorf("submissions\n%s\nwant\n%s", got, want)
	}
	n, err := store.Count(ctx, s, "SELECT count() FROM submissions WHERE uscc = {u:String} AND dishonesty = {d:String}", store.Params{"u": d, "d": dishonesty})
	if err != nil || n != 1 {
		t.Errorf("乙's 失信情况 as the 附件2 gives it: %d row(s) (%v), want 1", n, err)
	}

	_, err = file.ImportSummary(ctx, s, typical, file.SummaryOptions{})
	if !errors.Is(err, file.ErrNoTable) || !strings.Contains(err.Error(), "names the 诚信机构典型名单") {
		t.Errorf("a 典型名单 alone imported as a 附件2: %v", err)
	}
}

// Every unit sends its 附件2, and one without institutions to grade
// sends it empty: the table creditsync itself writes for it was refused
// ("no records under the header"), so reconcile could not tell a unit
// that filed an empty table from one that filed none. It is a filing
// that lists none, and as such replaces the unit's earlier filing for
// the date whole.
func TestImportSummaryEmptyTable(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	dir := t.TempDir()
	if got := filedGrades(t, s, "411024"); got != "none" {
		t.Fatalf("before any filing: %q, want none", got)
	}
	u, err := report.LookupUnit("411024")
	if err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "附件2-鄢陵县.xlsx")
	writeForm(t, empty, (&report.Summary{Unit: u, Day: day("2026-07-31"), Filed: day("2026-07-31")}).WriteXLSX)
	res, err := file.ImportSummary(ctx, s, empty, file.SummaryOptions{})
	if err != nil || res.Read != 0 || len(res.Sheets) != 1 {
		t.Fatalf("the empty 附件2: %+v (%v), want it read as a table of no rows", res.Result, err)
	}
	if got := filedGrades(t, s, "411024"); got != "" {
		t.Errorf("after the empty 附件2: %q, want a filing of no rows", got)
	}

	// A table of rows, then the same unit and date filed again empty.
	rows := filepath.Join(dir, "附件2.csv")
	writeFile(t, rows, "机构名称,统一社会信用代码,信用等级\n鄢陵甲人力资源有限公司,"+uscc("411024", 1)+",A级\n")
	opt := file.SummaryOptions{Unit: "411024", AsOf: day("2026-07-31")}
	if _, err := file.ImportSummary(ctx, s, rows, opt); err != nil {
		t.Fatal(err)
	}
	if got := filedGrades(t, s, "411024"); got != uscc("411024", 1)+" A" {
		t.Fatalf("after a table of one row: %q", got)
	}
	header := filepath.Join(dir, "附件2-更正.csv")
	writeFile(t, header, "机构名称,统一社会信用代码,信用等级\n")
	if _, err := file.ImportSummary(ctx, s, header, opt); err != nil {
		t.Fatal(err)
	}
	if got := filedGrades(t, s, "411024"); got != "" {
		t.Errorf("after the table filed again empty: %q, want no rows", got)
	}
}

// 填报时间 written as the notice's blank 年 月 日 is filled in by hand, or
// as official documents date: with spaces around 年 月 日, in Chinese
// numerals, with 号. Each was refused, and the whole table with it.
func TestImportSummaryFiledDateAsWritten(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	for _, filed := range []string{
		"2026年7月31日",
		"2026 年 7 月 31 日",
		"2026年 7月 31日",
		"2026年07月31号",
		"二〇二六年七月三十一日",
		"二0二六年七月三十一日",
		"二零二六年七月三十一日",
		"２０２６年７月３１日",
		"2026 年 7 月 31 日 上午",
	} {
		t.Run(filed, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "附件2.csv")
			writeFile(t, path, "填报单位（盖章）：禹州市人力资源和社会保障局\n填报时间："+filed+"\n机构名称,统一社会信用代码,信用等级\n禹州甲人力资源有限公司,"+uscc("411081", 1)+",A 级\n")
			if _, err := file.ImportSummary(ctx, s, path, file.SummaryOptions{}); err != nil {
				t.Fatal(err)
			}
			abs, _ := filepath.Abs(path)
			n, err := store.Count(ctx, s, "SELECT count() FROM submissions WHERE source_ref = {ref:String} AND as_of = '2026-07-31'", store.Params{"ref": abs})
			if err != nil || n != 1 {
				t.Errorf("rows as of 2026-07-31: %d (%v), want 1", n, err)
			}
		})
	}
	// Refused, telling what is wrong with the date as written, and the
	// spellings this line takes.
	for _, c := range []struct{ filed, says string }{
		{"二〇二六年十三月一日", `"二〇二六年十三月一日": month 13 does not exist`},
		{"二〇二五年二月二十九日", `"二〇二五年二月二十九日": 2025-02 has no day 29`},
		{"2025 年 2 月 29 日", `"2025 年 2 月 29 日": 2025-02 has no day 29`},
		{"2026年7月32日", `"2026年7月32日": 2026-07 has no day 32`},
		{"年 月 日", `"年 月 日" is not in a known format`},
	} {
		path := filepath.Join(t.TempDir(), "附件2.csv")
		writeFile(t, path, "填报单位（盖章）：禹州市人力资源和社会保障局\n填报时间："+c.filed+"\n机构名称,统一社会信用代码,信用等级\n禹州甲人力资源有限公司,"+uscc("411081", 1)+",A 级\n")
		_, err := file.ImportSummary(ctx, s, path, file.SummaryOptions{})
		if !errors.Is(err, file.ErrSubmission) || !strings.Contains(fmt.Sprint(err), c.says) || !strings.Contains(fmt.Sprint(err), "二〇二三年七月三十一日") {
			t.Errorf("填报时间 %s: %v, want it refused saying %s and the spellings taken", c.filed, err, c.says)
		}
	}
}
