package file_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/ingest/file"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
	"github.com/xuri/excelize/v2"
)

// summaryXLSX writes unit's 附件2 as report summary does, its 填报时间
// filed, listing one institution of grade g.
func summaryXLSX(t *testing.T, path, unit, filed, g string) {
	t.Helper()
	u, err := report.LookupUnit(unit)
	if err != nil {
		t.Fatal(err)
	}
	writeForm(t, path, (&report.Summary{Unit: u, Day: day(filed), Filed: day(filed), Rows: []report.SummaryRow{
		{Name: u.Name + "甲人力资源有限公司", USCC: uscc(unit, 1), Grade: g + " 级", Evaluator: u.Bureau()},
	}}).WriteXLSX)
}

// The sheets of one import summary command are pages of one table, one
// unit's for one date. Each sheet was filed under the date its own
// 填报时间 gave, so last year's draft left in this year's workbook
// replaced last year's real filing, and the import said nothing. Sheets
// of different dates or units are refused whole, naming each sheet with
// its unit and date; the filings stored before stay as they were.
func TestImportSummaryRefusesSheetsOfAnotherTable(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	dir := t.TempDir()
	y2025 := filepath.Join(dir, "附件2-2025.xlsx")
	summaryXLSX(t, y2025, "411081", "2025-07-31", "A")
	if _, err := file.ImportSummary(ctx, s, y2025, file.SummaryOptions{}); err != nil {
		t.Fatal(err)
	}
	want := "411081 2025-07-31 " + uscc("411081", 1) + " A "
	if got := submitted(t, s); got != want {
		t.Fatalf("the 2025 filing: %q, want %q", got, want)
	}

	draft := filepath.Join(dir, "2025初稿.xlsx")
	summaryXLSX(t, draft, "411081", "2025-07-31", "B")
	other := filepath.Join(dir, "长葛市.xlsx")
	summaryXLSX(t, other, "411082", "2026-07-31", "A")
	for _, c := range []struct {
		name, sheet, from, what string
		carries                 []string
	}{
		{"a 2025 draft beside the 2026 table", "2025年（初稿）", draft, "different dates",
			[]string{"[附件2] is 禹州市 411081's of 2026-07-31 (填报时间 2026年7月31日)", "[2025年（初稿）] is 禹州市 411081's of 2025-07-31 (填报时间 2025年7月31日)"}},
		{"another unit's table beside it", "长葛市", other, "different units",
			[]string{"[附件2] is 禹州市 411081's of 2026-07-31", "[长葛市] is 长葛市 411082's of 2026-07-31"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "附件2-禹州市.xlsx")
			summaryXLSX(t, path, "411081", "2026-07-31", "A")
			copySheet(t, path, c.from, c.sheet)
			_, err := file.ImportSummary(ctx, s, path, file.SummaryOptions{})
			if !errors.Is(err, file.ErrMixedTables) {
				t.Fatalf("imported: %v; want it refused", err)
			}
			for _, w := range append(c.carries, c.what, "Nothing was filed", "--sheet NAME") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the refusal lacks %q:\n%v", w, err)
				}
			}
			if got := submitted(t, s); got != want {
				t.Errorf("after the refusal: %q, want the 2025 filing alone, unchanged: %q", got, want)
			}
		})
	}

	// A later file of the same command (a page) of another date is
	// refused before any of it is stored.
	page := filepath.Join(dir, "第2页.xlsx")
	summaryXLSX(t, page, "411081", "2026-07-31", "C")
	earlier := []file.FiledTable{{Ref: "/第1页.xlsx", Unit: "411081", Day: day("2025-07-31"), From: "填报时间 2025年7月31日"}}
	_, err := file.ImportSummary(ctx, s, page, file.SummaryOptions{Earlier: earlier})
	if !errors.Is(err, file.ErrMixedTables) || !strings.Contains(err.Error(), "/第1页.xlsx is 禹州市 411081's of 2025-07-31") {
		t.Errorf("a page of another date: %v; want it refused, naming the earlier page", err)
	}
	if got := submitted(t, s); got != want {
		t.Errorf("after the page refused: %q, want %q", got, want)
	}
	// Pages of one table are one filing.
	earlier[0].Day = day("2026-07-31")
	if _, err := file.ImportSummary(ctx, s, page, file.SummaryOptions{Earlier: earlier}); err != nil {
		t.Errorf("a page of the same unit and date: %v", err)
	}
}

// A table filed for a unit and date that already has a filing replaces
// it whole (a correction); the import says under which unit and date it
// filed the table, from where it read the date, and which filing it
// replaced: a table whose 填报时间 was left at last year's replaced last
// year's real filing without a word.
func TestImportSummarySaysWhatItReplaces(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	dir := t.TempDir()
	real := filepath.Join(dir, "附件2-2025.xlsx")
	summaryXLSX(t, real, "411081", "2025-07-31", "A")
	res, err := file.ImportSummary(ctx, s, real, file.SummaryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(real)
	f := res.Sheets[0].Filed
	if f == nil || f.Unit != "411081" || !f.Day.Equal(day("2025-07-31")) || f.From != "填报时间 2025年7月31日" || f.Ref != abs || f.Replaces != nil {
		t.Fatalf("the first filing: %+v, want 411081 2025-07-31 from its 填报时间, replacing none", f)
	}
	// This year's table, its 填报时间 not updated.
	stale := filepath.Join(dir, "附件2-2026.xlsx")
	summaryXLSX(t, stale, "411081", "2025-07-31", "B")
	res, err = file.ImportSummary(ctx, s, stale, file.SummaryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f = res.Sheets[0].Filed
	if f == nil || !f.Day.Equal(day("2025-07-31")) || f.Replaces == nil || !slices.Equal(f.Replaces.Refs, []string{abs}) || f.Replaces.At == "" {
		t.Fatalf("the stale table: %+v (replaces %+v), want it to name the filing of %s it replaced", f, f.Replaces, abs)
	}
	// --as-of is where the date came from when given.
	res, err = file.ImportSummary(ctx, s, stale, file.SummaryOptions{AsOf: day("2026-07-31")})
	if err != nil {
		t.Fatal(err)
	}
	if f = res.Sheets[0].Filed; f == nil || f.From != "--as-of" || f.Replaces != nil {
		t.Errorf("with --as-of: %+v, want the date from --as-of, replacing none", f)
	}
}

// A workbook whose 附件2 sheet is hidden beside a visible sheet of
// another form: the refusal named the visible sheet's reason but not the
// hidden sheet, which is what the person wanted read. Both are named,
// and the lists' imports name a hidden sheet beside a visible one of
// headings alone too.
func TestNoTableNamesHiddenSheets(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	dir := t.TempDir()
	summary := filepath.Join(dir, "附件2-禹州市.xlsx")
	summaryXLSX(t, summary, "411081", "2026-07-31", "A")
	u, err := report.LookupUnit("411081")
	if err != nil {
		t.Fatal(err)
	}
	typical := filepath.Join(dir, "典型名单.xlsx")
	writeForm(t, typical, (&report.Typical{Unit: u, Year: 2026, Day: day("2026-07-31"), Rows: []report.TypicalRow{
		{Name: "禹州甲人力资源有限公司", USCC: uscc("411081", 1), Grade: "A 级", Reason: "热心公益", Evaluator: u.Bureau(), NominatedOn: day("2025-08-20")},
	}}).WriteXLSX)
	copySheet(t, summary, typical, "诚信机构典型名单")
	hide(t, summary, "附件2")
	_, err = file.ImportSummary(ctx, s, summary, file.SummaryOptions{})
	for _, w := range []string{`[诚信机构典型名单]: not a 附件2: its heading "禹州市2026年度诚信机构典型名单"`, `hidden, not read: ["附件2"] (unhide the sheet, or import it with --sheet)`} {
		if !errors.Is(err, file.ErrNoTable) || err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("a hidden 附件2 beside a 典型名单: %v; want ErrNoTable naming %q", err, w)
		}
	}

	list := institutions(t)
	wb := excelize.NewFile()
	header := []string{"统一社会信用代码", "机构名称", "许可日期"}
	if err := wb.SetSheetRow("Sheet1", "A1", &header); err != nil {
		t.Fatal(err)
	}
	if _, err := wb.NewSheet("名录"); err != nil {
		t.Fatal(err)
	}
	for i, r := range [][]string{header, {uscc("411002", 1), "许昌甲人力资源有限公司", "2020-01-01"}} {
		if err := wb.SetSheetRow("名录", "A"+string(rune('1'+i)), &r); err != nil {
			t.Fatal(err)
		}
	}
	if err := wb.SetSheetVisible("名录", false); err != nil {
		t.Fatal(err)
	}
	register := filepath.Join(dir, "名录.xlsx")
	if err := wb.SaveAs(register); err != nil {
		t.Fatal(err)
	}
	_, err = file.Import(ctx, s, list, register, file.ImportOptions{})
	if !errors.Is(err, file.ErrNoRecords) || !strings.Contains(err.Error(), `hidden, not read: ["名录"]`) {
		t.Errorf("a hidden register beside a sheet of headings: %v; want it to name the hidden sheet", err)
	}
}

// hide hides the sheet of the workbook at path.
func hide(t *testing.T, path, sheet string) {
	t.Helper()
	wb, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	// A workbook's active sheet cannot be hidden.
	for i, name := range wb.GetSheetList() {
		if name != sheet {
			wb.SetActiveSheet(i)
			break
		}
	}
	if err := wb.SetSheetVisible(sheet, false); err != nil {
		t.Fatal(err)
	}
	if err := wb.Save(); err != nil {
		t.Fatal(err)
	}
}

// A 附件2 table with a rejected row is refused whole: nothing of it is
// filed, the unit's earlier filing for the date stands, and the refusal
// names every rejected row with its file, line, column and reason. The
// rows that could be read were filed and the filing replaced the earlier
// one whole, so a table whose every 信用等级 was a formula saved without
// its value (as scripts' exports often are) replaced the unit's complete
// filing with one of no institution.
func TestImportSummaryRefusesRejectedRows(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	u, err := report.LookupUnit("411081")
	if err != nil {
		t.Fatal(err)
	}
	// table writes the unit's 附件2 of 2026-07-31 listing three
	// institutions of grade A, then edits the grade cells.
	table := func(name string, grade func(f *excelize.File, sheet, cell string, n int) error) string {
		path := filepath.Join(dir, name)
		var rows []report.SummaryRow
		for n := 1; n <= 3; n++ {
			rows = append(rows, report.SummaryRow{Name: fmt.Sprintf("%s%d人力资源有限公司", u.Name, n), USCC: uscc("411081", n), Grade: "A 级", Evaluator: u.Bureau()})
		}
		writeForm(t, path, (&report.Summary{Unit: u, Day: day("2026-07-31"), Filed: day("2026-07-31"), Rows: rows}).WriteXLSX)
		if grade == nil {
			return path
		}
		wb, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		defer wb.Close()
		sheet := wb.GetSheetList()[0]
		cells, err := wb.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for r, row := range cells {
			for c, v := range row {
				if v == "A 级" {
					n++
					cell, err := excelize.CoordinatesToCellName(c+1, r+1)
					if err != nil {
						t.Fatal(err)
					}
					if err := grade(wb, sheet, cell, n); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		if n != 3 {
			t.Fatalf("%d grade cells, want 3", n)
		}
		if err := wb.Save(); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good := table("附件2.xlsx", nil)
	formulas := table("附件2-公式.xlsx", func(f *excelize.File, sheet, cell string, _ int) error {
		// No cached value: the cell's text cleared first.
		if err := f.SetCellDefault(sheet, cell, ""); err != nil {
			return err
		}
		return f.SetCellFormula(sheet, cell, `="A 级"`)
	})
	one := table("附件2-优.xlsx", func(f *excelize.File, sheet, cell string, n int) error {
		if n != 2 {
			return nil
		}
		return f.SetCellValue(sheet, cell, "优")
	})
	earlier := uscc("411081", 1) + " A, " + uscc("411081", 2) + " A, " + uscc("411081", 3) + " A"
	for _, c := range []struct {
		name, path string
		rows       int // rejected rows the refusal names
		want       string
	}{
		{"every grade a formula without its value", formulas, 3, ":6: column 信用等级: Excel error value"},
		{"one grade of three", one, 1, `:7: column 信用等级: unknown value: "优"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := storetest.OpenMigrated(t)
			if _, err := file.ImportSummary(ctx, s, good, file.SummaryOptions{}); err != nil {
				t.Fatal(err)
			}
			if got := filedGrades(t, s, "411081"); got != earlier {
				t.Fatalf("the earlier filing: %s, want %s", got, earlier)
			}
			_, err := file.ImportSummary(ctx, s, c.path, file.SummaryOptions{})
			if !errors.Is(err, file.ErrRowsRejected) || !strings.Contains(err.Error(), c.path+c.want) ||
				strings.Count(err.Error(), "\n  "+c.path+":") != c.rows || !strings.Contains(err.Error(), "nothing of the table was filed") {
				t.Fatalf("import: %v\nwant ErrRowsRejected naming its %d rejected row(s), %s%s among them", err, c.rows, c.path, c.want)
			}
			if got := filedGrades(t, s, "411081"); got != earlier {
				t.Errorf("the unit's filing after the refusal: %s, want the earlier one: %s", got, earlier)
			}
			for _, table := range []string{"submissions", "submission_tables"} {
				if n, err := store.Count(ctx, s, "SELECT count() FROM "+table+" WHERE source_ref = {ref:String}", store.Params{"ref": c.path}); err != nil || n != 0 {
					t.Errorf("%s holds %d row(s) of the refused table (%v), want none", table, n, err)
				}
			}
		})
	}
	// A table sent as two files: the second refused, the first is
	// withdrawn with it, and the earlier filing stands.
	s := storetest.OpenMigrated(t)
	if _, err := file.ImportSummary(ctx, s, good, file.SummaryOptions{}); err != nil {
		t.Fatal(err)
	}
	page := file.SummaryOptions{Filing: file.NewFiling(time.Now())}
	res, err := file.ImportSummary(ctx, s, good, page)
	if err != nil {
		t.Fatal(err)
	}
	for _, sr := range res.Sheets {
		page.Earlier = append(page.Earlier, *sr.Filed)
	}
	if _, err := file.ImportSummary(ctx, s, one, page); !errors.Is(err, file.ErrRowsRejected) {
		t.Fatalf("the second page: %v, want ErrRowsRejected", err)
	}
	if n, err := store.Count(ctx, s, "SELECT count() FROM submissions WHERE filing = {f:String}", store.Params{"f": page.Filing}); err != nil || n != 0 {
		t.Errorf("the filing's first page left %d row(s) (%v), want none", n, err)
	}
	if got := filedGrades(t, s, "411081"); got != earlier {
		t.Errorf("the unit's filing after the refusal: %s, want the earlier one: %s", got, earlier)
	}
}

// A table is recorded with what reconcile checks in it (its 合计 line,
// its rows) read once more after its import, and with the digest of its
// file: a file saved while it was imported would record the rows of one
// table and the checks of another, so it is refused, and nothing filed.
func TestImportSummaryRefusesAFileChangedWhileRead(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "附件2.xlsx")
	summaryXLSX(t, good, "411081", "2026-07-31", "A")
	if _, err := file.ImportSummary(ctx, s, good, file.SummaryOptions{}); err != nil {
		t.Fatal(err)
	}
	earlier := filedGrades(t, s, "411081")
	path := filepath.Join(dir, "附件2-B.xlsx")
	summaryXLSX(t, path, "411081", "2026-07-31", "B")
	opt := file.SummaryOptions{}
	saved := false
	opt.Progress = func(done, total int64) {
		if !saved {
			// The clerk saves the table again while it is read.
			summaryXLSX(t, path, "411081", "2026-07-31", "C")
			saved = true
		}
	}
	_, err := file.ImportSummary(ctx, s, path, opt)
	if err == nil || !strings.Contains(err.Error(), "the file changed while it was being imported") || !strings.Contains(err.Error(), "nothing of it was filed") {
		t.Fatalf("import of a file saved while read: %v, want it refused", err)
	}
	if got := filedGrades(t, s, "411081"); got != earlier {
		t.Errorf("the unit's filing: %s, want the earlier one: %s", got, earlier)
	}
	if n, err := store.Count(ctx, s, "SELECT count() FROM submissions WHERE source_ref = {ref:String}", store.Params{"ref": path}); err != nil || n != 0 {
		t.Errorf("submissions holds %d row(s) of the refused file (%v), want none", n, err)
	}
}
