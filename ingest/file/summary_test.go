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

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/ingest/file"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
	"github.com/xuchang-hrss/creditsync/zone"
	"github.com/xuri/excelize/v2"
)

func submitted(t *testing.T, s store.Store) string {
	t.Helper()
	// Each unit's latest finished filing per date, as reconcile reads it.
	rows, err := s.Query(context.Background(), `SELECT unit_code, toString(as_of), uscc, grade, exemplary FROM submissions FINAL
		WHERE (unit_code, as_of, filing) IN (SELECT unit_code, as_of, max(filing) FROM submissions FINAL
			WHERE filing IN (SELECT filing FROM submission_filings) GROUP BY unit_code, as_of)
		ORDER BY unit_code, uscc`, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var unit, day, code, grade, exemplary string
		if err := rows.Scan(&unit, &day, &code, &grade, &exemplary); err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.Join([]string{unit, day, code, grade, exemplary}, " "))
	}
	return strings.Join(out, "\n")
}

// A county's 附件2 in the notice's layout: the unit and the date come from
// the line above the table; A级, A 级 and A all mean A. Its grade that is
// none (优) refuses the table whole, naming the row; corrected, it is
// filed.
func TestImportSummaryNoticeLayout(t *testing.T) {
	s := storetest.OpenMigrated(t)
	fixture := filepath.Join("testdata", "workbooks", "附件2-禹州市.xlsx")
	abs, err := filepath.Abs(fixture)
	if err != nil {
		t.Fatal(err)
	}
	_, err = file.ImportSummary(context.Background(), s, fixture, file.SummaryOptions{})
	if want := abs + `:8: column 信用等级: unknown value: "优" is not among the accepted values: A, A 级, A级, B, B 级, B级, C, C 级, C级, D, D 级, D级`; !errors.Is(err, file.ErrRowsRejected) || !strings.Contains(err.Error(), want) {
		t.Fatalf("import: %v\nwant ErrRowsRejected naming %s", err, want)
	}
	if got := submitted(t, s); got != "" {
		t.Errorf("submissions after the refusal:\n%s\nwant none", got)
	}
	path := hideIn(t, t.TempDir(), fixture, "附件2-禹州市.xlsx", func(f *excelize.File, sheet string) error {
		return f.SetCellValue(sheet, "D8", "B 级")
	})
	res, err := file.ImportSummary(context.Background(), s, path, file.SummaryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	refs, err := store.Count(context.Background(), s, "SELECT count() FROM submissions WHERE source_ref = {ref:String}", store.Params{"ref": path})
	if err != nil || refs != 4 {
		t.Errorf("rows recorded from %s: %d (%v), want 4", path, refs, err)
	}
	checkSheet(t, res.Sheets[0], sheetWant{
		ref: path, read: 4, loaded: 4, rejected: 0, headerFirst: 4, headerLast: 4, above: 3,
		skipped: map[string]int64{file.SkipBlank: 1, file.SkipNote: 1, file.SkipSignature: 1},
	})
	want := strings.Join([]string{
		"411081 2026-07-31 " + uscc("411081", 1) + " B 否",
		"411081 2026-07-31 " + uscc("411081", 2) + " A 是",
		"411081 2026-07-31 " + uscc("411081", 3) + " A 否",
		"411081 2026-07-31 " + uscc("411081", 4) + " B 否",
	}, "\n")
	if got := submitted(t, s); got != want {
		t.Errorf("submissions\n%s\nwant\n%s", got, want)
	}
	// The same table again is the unit's latest filing for the date: its
	// rows written again, with the new filing, and the same submission.
	res, err = file.ImportSummary(context.Background(), s, path, file.SummaryOptions{})
	if err != nil || res.Loaded != 4 || res.Unchanged != 0 {
		t.Errorf("again: loaded %d unchanged %d (%v)", res.Loaded, res.Unchanged, err)
	}
	if got := submitted(t, s); got != want {
		t.Errorf("submissions after the same table again\n%s\nwant\n%s", got, want)
	}
}

// The table `report summary` writes reads back as it was written.
func TestImportSummaryAsReportWritesIt(t *testing.T) {
	s := storetest.OpenMigrated(t)
	u, err := report.LookupUnit("411002")
	if err != nil {
		t.Fatal(err)
	}
	sum := &report.Summary{Unit: u, Day: day("2026-07-31"), Filed: day("2026-08-03"), Rows: []report.SummaryRow{
		{Name: "许昌英才人力资源服务有限公司", USCC: uscc("411002", 1), Grade: "A", Dishonesty: "无", Measures: "无", Exemplary: "否", Evaluator: u.Bureau()},
		{Name: "许昌聚才人力资源有限公司", USCC: uscc("411002", 2), Grade: "C", Dishonesty: "C5 连续3年以上未进行年度报告\nB1 未履行信用承诺", Measures: "无", Exemplary: "否", Evaluator: u.Bureau()},
	}}
	path := filepath.Join(t.TempDir(), "附件2.xlsx")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := sum.WriteXLSX(f); err != nil {
		t.Fatal(err)
	}
	f.Close()

	// Its 填报时间 is the day it was written, not the date of its grades:
	// the date is given.
	res, err := file.ImportSummary(context.Background(), s, path, file.SummaryOptions{AsOf: day("2026-07-31")})
	if err != nil {
		t.Fatal(err)
	}
	// The lines under the table follow the notice's layout: its three
	// signature lines (单位负责人, 填表人, 联系电话) and its 注.
	if res.Loaded != 2 || res.Rejected != 0 || res.Sheets[0].Skipped[file.SkipSignature] != 3 || res.Sheets[0].Skipped[file.SkipNote] != 1 {
		t.Errorf("loaded %d rejected %d skipped %v; want 2, 0, the three signature lines and the note", res.Loaded, res.Rejected, res.Sheets[0].Skipped)
	}
	want := "411002 2026-07-31 " + uscc("411002", 1) + " A 否\n411002 2026-07-31 " + uscc("411002", 2) + " C 否"
	if got := submitted(t, s); got != want {
		t.Errorf("submissions\n%s\nwant\n%s", got, want)
	}
	// Without a date the 填报时间 stands.
	if _, err := file.ImportSummary(context.Background(), s, path, file.SummaryOptions{}); err != nil {
		t.Fatal(err)
	}
	n, err := store.Count(context.Background(), s, "SELECT count() FROM submissions WHERE as_of = '2026-08-03'", nil)
	if err != nil || n != 2 {
		t.Errorf("rows as of 填报时间: %d (%v), want 2", n, err)
	}
}

// A table that says neither who filed it nor when asks for both.
func TestImportSummaryWithoutUnitOrDate(t *testing.T) {
	s := storetest.OpenMigrated(t)
	path := filepath.Join(t.TempDir(), "附件2.csv")
	writeFile(t, path, "机构名称,统一社会信用代码,信用等级\n许昌英才人力资源服务有限公司,"+uscc("411002", 1)+",A级\n")
	_, err := file.ImportSummary(context.Background(), s, path, file.SummaryOptions{})
	if !errors.Is(err, file.ErrSubmission) || !strings.Contains(err.Error(), "give the unit with --unit CODE") {
		t.Errorf("no unit: %v", err)
	}
	_, err = file.ImportSummary(context.Background(), s, path, file.SummaryOptions{Unit: "411002"})
	if !errors.Is(err, file.ErrSubmission) || !strings.Contains(err.Error(), "--as-of YYYY-MM-DD") {
		t.Errorf("no date: %v", err)
	}
	res, err := file.ImportSummary(context.Background(), s, path, file.SummaryOptions{Unit: "411002", AsOf: time.Date(2026, 7, 31, 0, 0, 0, 0, time.UTC)})
	if err != nil || res.Loaded != 1 {
		t.Errorf("with both: loaded %d (%v)", res.Loaded, err)
	}
	if _, err := file.ImportSummary(context.Background(), s, path, file.SummaryOptions{Unit: "410100"}); err == nil || !strings.Contains(err.Error(), `unit "410100": want 411000 (市本级) or a county of Xuchang`) {
		t.Errorf("unknown unit: %v", err)
	}
}

// A 填报时间 typed into a cell of its own is a date cell: Excel's day
// number, in the workbook's date system.
func TestImportSummaryDateCell(t *testing.T) {
	for _, system1904 := range []bool{false, true} {
		s := storetest.OpenMigrated(t)
		f := excelize.NewFile()
		if system1904 {
			if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &system1904}); err != nil {
				t.Fatal(err)
			}
		}
		for i, row := range [][]any{
			{"附件2"},
			{"人力资源服务机构信用等级评价汇总表"},
			{"填报单位（盖章）：禹州市人力资源和社会保障局", nil, nil, "填报时间：", day("2026-07-31")},
			{"机构名称", "统一社会信用代码", "信用等级", "失信情况", "查处情况", "是否选树为诚信机构典型", "选树原因", "评价单位", "备注"},
			{"禹州鼎盛劳务派遣有限公司", uscc("411081", 1), "B 级", "未签订信用承诺书。", "无", "", "", "许昌市禹州市人力资源和社会保障局"},
		} {
			if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &row); err != nil {
				t.Fatal(err)
			}
		}
		path := filepath.Join(t.TempDir(), "附件2.xlsx")
		if err := f.SaveAs(path); err != nil {
			t.Fatal(err)
		}
		f.Close()
		if _, err := file.ImportSummary(context.Background(), s, path, file.SummaryOptions{}); err != nil {
			t.Fatalf("1904 system %v: %v", system1904, err)
		}
		if got, want := submitted(t, s), "411081 2026-07-31 "+uscc("411081", 1)+" B "; got != want {
			t.Errorf("1904 system %v: submissions %q, want %q", system1904, got, want)
		}
	}
}

// A table that says the wrong unit or date is refused whole, naming why,
// and nothing of it is stored: --unit against its 填报单位 line, a unit
// fewer than half of whose institutions (of those the register lists)
// are its own, a 填报时间 to come. A unit may list a few institutions of
// other counties, and institutions the register lacks say nothing.
func TestImportSummaryRefusesWrongUnitOrDate(t *testing.T) {
	register := "统一社会信用代码,机构名称,区县代码,许可日期\n"
	for i := 1; i <= 3; i++ {
		register += fmt.Sprintf("%s,魏都机构%d,411002,2020-01-01\n", uscc("411002", i), i)
	}
	register += uscc("411081", 1) + ",禹州机构1,411081,2020-01-01\n"
	table := func(unit, filed string, codes ...string) string {
		text := "附件2\n人力资源服务机构信用等级评价汇总表\n填报单位（盖章）：" + unit + "人力资源和社会保障局,,填报时间：" + filed + "\n机构名称,统一社会信用代码,信用等级\n"
		for i, c := range codes {
			text += fmt.Sprintf("机构%d,%s,A级\n", i, c)
		}
		return text + "合计：共" + fmt.Sprint(len(codes)) + "家\n"
	}
	weidu := []string{uscc("411002", 1), uscc("411002", 2), uscc("411002", 3)}
	for _, c := range []struct {
		name, text string
		unit       string
		want       string // "" when the table is stored
	}{
		{name: "its own", text: table("禹州市", "2026年7月31日", uscc("411081", 1))},
		{name: "unit repeated", text: table("禹州市", "2026年7月31日", uscc("411081", 1)), unit: "411081"},
		{name: "another county's besides its own", text: table("禹州市", "2026年7月31日", uscc("411081", 1), uscc("411002", 1))},
		{name: "institutions the register lacks", text: table("禹州市", "2026年7月31日", uscc("411081", 7), uscc("411002", 9))},
		{name: "today", text: table("禹州市", time.Now().In(zone.Shanghai).Format("2006年1月2日"), uscc("411081", 1))},
		// A time after the date is dropped, however it is written.
		{name: "a time after the date", text: table("禹州市", "2026-07-31 23:30", uscc("411081", 1))},
		{name: "a time after a date with slashes", text: table("禹州市", "2026/7/31 9:00", uscc("411081", 1))},
		{name: "上午 after the date", text: table("禹州市", "2026年7月31日 上午", uscc("411081", 1))},
		{name: "another county's table", text: table("禹州市", "2026年7月31日", weidu...),
			want: "it is filed as 禹州市 411081's, but 3 of the 3 institutions of the register it lists belong to other units (line 5 " + weidu[0] + " is 魏都区's (411002); line 6 " + weidu[1] + " is 魏都区's (411002); line 7 " + weidu[2] + " is 魏都区's (411002))"},
		{name: "mostly another county's", text: table("禹州市", "2026年7月31日", uscc("411081", 1), weidu[0], weidu[1]),
			want: "2 of the 3 institutions of the register it lists belong to other units (line 6 " + weidu[0] + " is 魏都区's (411002); line 7 " + weidu[1] + " is 魏都区's (411002))"},
		// Two units on one 填报单位 line: the first county in code order
		// was taken, whichever the rows were.
		{name: "two units in 填报单位", text: table("禹州市人力资源和社会保障局、魏都区", "2026年7月31日", weidu...),
			want: "its 填报单位 line (禹州市人力资源和社会保障局、魏都区人力资源和社会保障局) names 魏都区 411002 and 禹州市 411081: a table is filed by the one unit that signs it"},
		{name: "--unit against 填报单位", text: table("禹州市", "2026年7月31日", uscc("411081", 1)), unit: "411002",
			want: "its 填报单位 line names 禹州市 411081 (禹州市人力资源和社会保障局), but --unit says 魏都区 411002"},
		{name: "填报时间 to come", text: table("禹州市", "2030年7月31日", uscc("411081", 1)),
			want: "its 填报时间 (2030年7月31日) is 2030-07-31, after today ("},
		// The text is quoted as it was typed, its space kept.
		{name: "填报时间 with a time to come", text: table("禹州市", "2030-07-31 23:30", uscc("411081", 1)),
			want: "its 填报时间 (2030-07-31 23:30) is 2030-07-31, after today ("},
		{name: "填报时间 unreadable", text: table("禹州市", "2026-07-31 晚些时候", uscc("411081", 1)),
			want: `填报时间 "2026-07-31 晚些时候": invalid date: "2026-07-31 晚些时候" has an unreadable time part`},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := storetest.OpenMigrated(t)
			dir := t.TempDir()
			institutions, err := contract.Lookup("institutions")
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(dir, "register.csv"), register)
			if _, err := file.Import(context.Background(), s, institutions, filepath.Join(dir, "register.csv"), file.ImportOptions{}); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "附件2.csv")
			writeFile(t, path, c.text)
			res, err := file.ImportSummary(context.Background(), s, path, file.SummaryOptions{Unit: c.unit})
			if c.want == "" {
				if err != nil || res.Loaded == 0 {
					t.Fatalf("loaded %d (%v), want the table stored", res.Loaded, err)
				}
				return
			}
			if !errors.Is(err, file.ErrSubmission) || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), path+": ") {
				t.Errorf("got %v\nwant %s: … %s", err, path, c.want)
			}
			if got := submitted(t, s); got != "" {
				t.Errorf("stored:\n%s", got)
			}
		})
	}
}

// A value with a control character is rejected, the row named by file,
// line and column, in a 附件2 as in a register: stored, it would act on
// the terminal printing it and break the 附件2 written from it.
func TestImportRefusesControlCharacters(t *testing.T) {
	s := storetest.OpenMigrated(t)
	dir := t.TempDir()
	fake := "\x1b[2J\x1b[31m禹州假机构\x07"
	register := filepath.Join(dir, "register.csv")
	writeFile(t, register, "统一社会信用代码,机构名称,区县代码,许可日期\n"+uscc("411081", 1)+",禹州机构,411081,2020-01-01\n"+uscc("411081", 2)+","+fake+",411081,2020-01-01\n")
	institutions, err := contract.Lookup("institutions")
	if err != nil {
		t.Fatal(err)
	}
	res, err := file.Import(context.Background(), s, institutions, register, file.ImportOptions{})
	if err != nil || res.Loaded != 1 || len(res.Rejects) != 1 {
		t.Fatalf("register: loaded %d, rejects %v (%v)", res.Loaded, res.Rejects, err)
	}
	if got, want := fmt.Sprintf("%d: %v", res.Rejects[0].Line, res.Rejects[0].Errors[0]), "3: column 机构名称: control character: holds a control character (U+001B), which no text of a list has; remove it"; got != want {
		t.Errorf("register reject %q, want %q", got, want)
	}

	summary := filepath.Join(dir, "附件2.csv")
	writeFile(t, summary, "填报单位（盖章）：禹州市人力资源和社会保障局,,填报时间：2026年7月31日\n机构名称,统一社会信用代码,信用等级\n禹州机构,"+uscc("411081", 1)+",A级\n"+fake+","+uscc("411081", 2)+",B级\n")
	// A 附件2 with a rejected row is refused whole (file.ErrRowsRejected).
	_, err = file.ImportSummary(context.Background(), s, summary, file.SummaryOptions{})
	if want := summary + ":4: column 机构名称: control character: holds a control character (U+001B), which no text of a list has; remove it"; !errors.Is(err, file.ErrRowsRejected) || !strings.Contains(err.Error(), want) {
		t.Errorf("附件2: %v, want ErrRowsRejected naming %q", err, want)
	}
	n, err := store.Count(context.Background(), s, "SELECT count() FROM (SELECT name FROM institutions UNION ALL SELECT name FROM submissions) WHERE match(name, '[\\x00-\\x08\\x0b-\\x1f\\x7f]')", nil)
	if err != nil || n != 0 {
		t.Errorf("names stored with a control character: %d (%v)", n, err)
	}
}

// filedGrades is the unit's latest 附件2 as reconcile reads it: the
// filing imports/submitted_filings chooses, its rows "USCC GRADE" by
// imports/submitted_grades; "" for a table filed empty, "none" for no
// filing.
func filedGrades(t *testing.T, s store.Store, unit string) string {
	t.Helper()
	ctx := context.Background()
	rows, err := s.Query(ctx, sql.MustQuery(sql.Target{}, "imports/submitted_filings"), store.Params{"unit": unit, "latest": true, "day": time.Time{}})
	if err != nil {
		t.Fatal(err)
	}
	var day time.Time
	var filing string
	found := false
	for rows.Next() {
		var u string
		var refs []string
		if err := rows.Scan(&u, &day, &filing, &refs); err != nil {
			t.Fatal(err)
		}
		found = true
	}
	rows.Close()
	if !found {
		return "none"
	}
	rows, err = s.Query(ctx, sql.MustQuery(sql.Target{}, "imports/submitted_grades"), store.Params{"unit": unit, "day": day, "filing": filing})
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var uscc, name, grade, exemplary string
		if err := rows.Scan(&uscc, &name, &grade, &exemplary); err != nil {
			t.Fatal(err)
		}
		out = append(out, uscc+" "+grade)
	}
	return strings.Join(out, ", ")
}

// A filing counts once its command finished (FinishFiling): one left
// unfinished (a process that died between its files) or withdrawn never
// replaces the unit's table, and the earlier filing's rows stay whole
// though the later one listed the same institutions (the key holds the
// filing: they replaced them for good once merged).
func TestUnfinishedFilingDoesNotCount(t *testing.T) {
	ctx := context.Background()
	s := storetest.OpenMigrated(t)
	dir := t.TempDir()
	page := func(name string, rows ...string) string {
		p := filepath.Join(dir, name)
		writeFile(t, p, "机构名称,统一社会信用代码,信用等级\n"+strings.Join(rows, "\n")+"\n")
		return p
	}
	full := page("全表.csv", "甲,91411081MA40000018,A", "乙,91411081MA4000002B,B")
	part := page("第1页.csv", "甲,91411081MA40000018,C")
	opt := file.SummaryOptions{Unit: "411081", AsOf: time.Date(2026, 7, 31, 0, 0, 0, 0, time.UTC)}
	if _, err := file.ImportSummary(ctx, s, full, opt); err != nil {
		t.Fatal(err)
	}
	grades := func() string {
		t.Helper()
		return filedGrades(t, s, "411081")
	}
	const whole = "91411081MA40000018 A, 91411081MA4000002B B"
	// A second filing whose command never finished, then one withdrawn;
	// the store merged in between.
	unfinished, withdrawn := opt, opt
	unfinished.Filing, withdrawn.Filing = file.NewFiling(time.Now()), file.NewFiling(time.Now().Add(time.Second))
	for _, o := range []file.SummaryOptions{unfinished, withdrawn} {
		if _, err := file.ImportSummary(ctx, s, part, o); err != nil {
			t.Fatal(err)
		}
	}
	if err := file.WithdrawFiling(ctx, s, withdrawn.Filing); err != nil {
		t.Fatal(err)
	}
	if err := s.Exec(ctx, "OPTIMIZE TABLE submissions FINAL", nil); err != nil {
		t.Fatal(err)
	}
	if got := grades(); got != whole {
		t.Errorf("with a filing unfinished and one withdrawn: %q, want the whole earlier table %q", got, whole)
	}
	if err := file.FinishFiling(ctx, s, unfinished.Filing); err != nil {
		t.Fatal(err)
	}
	if got := grades(); got != "91411081MA40000018 C" {
		t.Errorf("once the later filing finished: %q, want its one row", got)
	}
}

// A 附件2 that lists a USCC twice is not refused: the import keeps the
// later line (reconcile compares it, and reports the repeat). What it
// says of the repeat is what happened, in a CSV file and in a sheet of
// a workbook: the lines, whether they differ and in which columns, and
// that the later line is the one kept.
func TestSummaryRepeatsAreNamed(t *testing.T) {
	s := storetest.OpenMigrated(t)
	rows := [][]string{
		{"机构名称", "统一社会信用代码", "评价等级", "备注"},
		{"长葛甲人力资源有限公司", uscc("411082", 1), "A级", ""},
		{"长葛乙人力资源有限公司", uscc("411082", 2), "B 级", ""},
		{"长葛甲人力资源有限公司", uscc("411082", 1), "B级", "复查"},
		{"长葛乙人力资源有限公司", uscc("411082", 2), "B级", ""},
	}
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "附件2.csv")
	var text strings.Builder
	for _, r := range rows {
		text.WriteString(strings.Join(r, ",") + "\n")
	}
	if err := os.WriteFile(csvPath, []byte(text.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	xlsxPath := filepath.Join(dir, "附件2.xlsx")
	wb := excelize.NewFile()
	for i, r := range rows {
		if err := wb.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &r); err != nil {
			t.Fatal(err)
		}
	}
	if err := wb.SaveAs(xlsxPath); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, at string }{
		{csvPath, ""},
		{xlsxPath, "[Sheet1] "},
	} {
		t.Run(filepath.Ext(c.path), func(t *testing.T) {
			opt := file.SummaryOptions{Unit: "411082", AsOf: time.Date(2026, 7, 31, 0, 0, 0, 0, time.UTC)}
			res, err := file.ImportSummary(context.Background(), s, c.path, opt)
			if err != nil || res.Rejected != 0 || res.Duplicates != 2 || !res.Sheets[0].KeepsLater {
				t.Fatalf("import: %+v %v; want 2 repeated keys, none rejected, the later kept", res.Result, err)
			}
			reps, err := file.Repeats(context.Background(), contract.Submissions(), res, opt.ImportOptions)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range reps {
				got = append(got, r.String())
			}
			want := []string{
				c.path + ": 统一社会信用代码 " + uscc("411082", 1) + " is on " + c.at + "lines 2 and 4 with different values (they differ in 评价等级, 备注): " + c.at + `line 4, the last, is kept; dropped from ` + c.at + `line 2: 评价等级 "A级" (kept: "B级"), 备注 empty (kept: "复查")`,
				c.path + ": 统一社会信用代码 " + uscc("411082", 2) + " is on " + c.at + "lines 3 and 5, with the same values: " + c.at + "line 5 is kept",
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("repeats:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}
