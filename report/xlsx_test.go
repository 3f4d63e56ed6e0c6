package report_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/report/reporttest"
	"github.com/xuchang-hrss/creditsync/zone"
)

func openXLSX(t *testing.T, b []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func rows(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rs, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func summary(t *testing.T, code string) *report.Summary {
	t.Helper()
	s, err := report.BuildSummary(context.Background(), reporttest.Fixture(), unit(t, code), reporttest.Day("2026-07-31"), reporttest.Day("2026-07-31"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The 附件2 table reads back as the notice prints it: the label and
// title, 填报单位（盖章） and 填报时间, the nine columns in the order of
// docs/rules.md §6, one row per institution in plain Chinese, the
// signature lines and the 注 line; A4 landscape, the header repeated on
// every page, USCCs as text.
func TestSummaryXLSX(t *testing.T) {
	f := openXLSX(t, render(t, summary(t, "411003"), "xlsx"))
	if got := f.GetSheetList(); !slices.Equal(got, []string{"附件2"}) {
		t.Fatalf("sheets %v, want [附件2]", got)
	}
	// The frame is the notice's, cell by cell (TestSummaryFormIsTheNotices);
	// here the content and the sheet's layout.
	rs := rows(t, f, "附件2")
	if len(rs) != 10 {
		t.Fatalf("%d rows, want label, title, unit, date, header, one institution, three signatures, note: %q", len(rs), rs)
	}
	// 建安区 on 2026-07-31: only the D institution; the A one was cancelled in April.
	d := rs[5]
	if d[0] != reporttest.FormulaName || d[1] != reporttest.FormulaD || d[2] != "D 级" || d[5] != "" || d[6] != "" || d[7] != "许昌市建安区人力资源和社会保障局" {
		t.Errorf("row %q", d)
	}
	for _, want := range []string{"2025年10月，被列入严重失信主体名单。", "2025年6月，在国家企业信用信息公示系统中有行政处罚记录（发布虚假招聘信息，罚款5000元）。"} {
		if !strings.Contains(d[3], want) {
			t.Errorf("失信情况 %q lacks %q", d[3], want)
		}
	}
	for _, code := range []string{"D5", "B6"} {
		if strings.Contains(d[3], code) {
			t.Errorf("失信情况 %q shows the internal clause code %s", d[3], code)
		}
	}
	if d[4] != "2025年6月，由许昌市建安区市场监督管理局给予行政处罚。" {
		t.Errorf("查处情况 %q", d[4])
	}
	if !strings.Contains(d[8], "有效期2025年10月20日至2026年10月19日") {
		t.Errorf("备注 %q", d[8])
	}
	// A formula-looking name stays a string, never a formula; the USCC
	// is a text cell formatted as text.
	if formula, _ := f.GetCellFormula("附件2", "A6"); formula != "" {
		t.Errorf("A6 holds the formula %q", formula)
	}
	if typ, _ := f.GetCellType("附件2", "B6"); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
		t.Errorf("USCC cell B6 has type %v, want text", typ)
	}
	if id, _ := f.GetCellStyle("附件2", "B6"); true {
		st, err := f.GetStyle(id)
		if err != nil || st.NumFmt != 49 {
			t.Errorf("USCC cell B6 number format %v (%v), want 49 (text)", st, err)
		}
	}
	panes, err := f.GetPanes("附件2")
	if err != nil || !panes.Freeze || panes.YSplit != 5 {
		t.Errorf("panes %+v (%v), want the first five rows frozen", panes, err)
	}
	layout, err := f.GetPageLayout("附件2")
	if err != nil || layout.Size == nil || *layout.Size != 9 || layout.Orientation == nil || *layout.Orientation != "landscape" {
		t.Errorf("page layout %+v (%v), want A4 (9) landscape", layout, err)
	}
	names := f.GetDefinedName()
	if !slices.ContainsFunc(names, func(n excelize.DefinedName) bool {
		return n.Name == "_xlnm.Print_Titles" && strings.Contains(n.RefersTo, "$5:$5")
	}) {
		t.Errorf("defined names %+v, want the header row 5 as print titles", names)
	}
	for col, min := range map[string]float64{"A": 20, "D": 40, "E": 20} {
		if w, _ := f.GetColWidth("附件2", col); w < min {
			t.Errorf("column %s width %v, want at least %v", col, w, min)
		}
	}
}

// The city's table holds every institution, each with its own evaluating
// unit named one way, the exemplary one marked with its reason.
func TestSummaryOfTheCity(t *testing.T) {
	s := summary(t, report.CityCode)
	if len(s.Rows) != 8 {
		t.Fatalf("%d rows, want the 8 institutions graded on 2026-07-31", len(s.Rows))
	}
	by := map[string]report.SummaryRow{}
	for _, r := range s.Rows {
		by[r.USCC] = r
	}
	if r := by[reporttest.CityA]; r.Exemplary != "是" || r.ExemplaryReason == "" || r.Evaluator != "许昌市人力资源和社会保障局" || r.Dishonesty != "无" || r.Measures != "无" {
		t.Errorf("city bureau's exemplary institution: %+v", r)
	}
	if r := by[reporttest.OutsideB]; r.Evaluator != "许昌市人力资源和社会保障局" || !strings.Contains(r.Note, "410100") || r.Measures != "2026年1月，由许昌市人力资源和社会保障局给予警告。" {
		t.Errorf("institution registered outside Xuchang: %+v", r)
	}
	if r := by[reporttest.ImageB]; r.Dishonesty != "未签订信用承诺书。" {
		t.Errorf("B1 without a commitment: %q", r.Dishonesty)
	}
	// 是否选树 is asked of an A only; the notice's B row leaves it empty.
	if a, b := by[reporttest.PlainA], by[reporttest.ImageB]; a.Exemplary != "否" || b.Exemplary != "" || b.ExemplaryReason != "" {
		t.Errorf("是否选树: A %q, B %q %q; want 否 and empty", a.Exemplary, b.Exemplary, b.ExemplaryReason)
	}
	// The record names the bureau without the city; the table names it
	// as the 评价单位 column does.
	if r := by[reporttest.ScriptC]; r.Dishonesty != "2025年度，未按规定报送年度报告。" || r.Measures != "2026年3月，由许昌市魏都区人力资源和社会保障局责令限期整改。" || r.Evaluator != "许昌市魏都区人力资源和社会保障局" {
		t.Errorf("upgraded institution: %+v", r)
	}
	var grades []string
	for _, r := range s.Rows {
		grades = append(grades, r.Grade)
	}
	if got := strings.Join(grades, ","); got != "A 级,A 级,A 级,B 级,B 级,B 级,C 级,D 级" {
		t.Errorf("rows in grade order %q", got)
	}
}

// The trend workbook has one sheet a table, with numbers as numbers.
func TestTrendXLSX(t *testing.T) {
	f := openXLSX(t, render(t, countyTrend(t), "xlsx"))
	want := []string{"月度分布", "对比全市", "等级变动", "降级明细", "常见条款", "机构名单"}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Fatalf("sheets %v, want %v", got, want)
	}
	rs := rows(t, f, "月度分布")
	if rs[1][0] != "月末" || len(rs) != 13 || rs[12][0] != "2026-07-31" {
		t.Errorf("distribution sheet %q", rs)
	}
	if typ, _ := f.GetCellType("月度分布", "B3"); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("count cell B3 is text (%v), want a number", typ)
	}
	if rs := rows(t, f, "降级明细"); len(rs) != 3 || rs[2][1] != reporttest.ScriptName || rs[2][5] != "C2 因严重劳动保障违法违规行为被查处" {
		t.Errorf("downgrade sheet %q", rs)
	}
	// The drill-down to the institutions keeps USCCs as text.
	if rs := rows(t, f, "机构名单"); len(rs) != 6 || rs[1][1] != "统一社会信用代码" || rs[2][1] != reporttest.PlainA {
		t.Errorf("institutions sheet %q", rs)
	}
	if id, _ := f.GetCellStyle("机构名单", "B3"); true {
		if st, err := f.GetStyle(id); err != nil || st.NumFmt != 49 {
			t.Errorf("USCC cell of the institutions sheet: number format %v (%v), want text", st, err)
		}
	}
	o := openXLSX(t, render(t, overview(t), "xlsx"))
	if got := o.GetSheetList(); len(got) != 6 || got[0] != "各单位概况" {
		t.Errorf("overview sheets %v", got)
	}
}

// A row stored with the retired county code 411023 (许昌县) belongs to
// 建安区 (411003): it is in 建安区's 附件2, evaluated by 建安区's bureau, and
// not marked as registered outside Xuchang.
func TestRetiredCountyCodeIsJianan(t *testing.T) {
	src := &reporttest.Source{Institutions: []reporttest.Institution{{
		USCC: "91411023174430174N", Name: "许昌县老字号人力资源有限公司", CountyCode: "411023",
		Graded: reporttest.Day("2025-08-01"), Spells: []reporttest.Spell{{From: reporttest.Day("2025-08-01"), Grade: "A"}},
	}}}
	s, err := report.BuildSummary(context.Background(), src, unit(t, "411003"), reporttest.Day("2026-07-31"), reporttest.Day("2026-07-31"))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Rows) != 1 || s.Rows[0].Evaluator != "许昌市建安区人力资源和社会保障局" || strings.Contains(s.Rows[0].Note, "不在许昌市辖区内") {
		t.Errorf("建安区's 附件2 rows %+v, want the 411023 institution evaluated by 建安区", s.Rows)
	}
}

// The retired code names 建安区 as a unit too, wherever a unit is asked for
// (report summary 411023, a page's /counties/411023): docs/data.md reads
// 411023 as 411003 wherever it appears.
func TestRetiredCountyCodeNamesJiananAsAUnit(t *testing.T) {
	for _, code := range []string{"411023", " 411023 ", "411003"} {
		u, err := report.LookupUnit(code)
		if err != nil || u.Code != "411003" || u.Name != "建安区" {
			t.Errorf("LookupUnit(%q) = %+v, %v; want 411003 建安区", code, u, err)
		}
	}
	if _, err := report.LookupUnit("411099"); !errors.Is(err, report.ErrUnit) {
		t.Errorf("LookupUnit(411099): %v, want ErrUnit", err)
	}
}

// Every sheet written states its used range: a reader that trusts the
// dimension element (openpyxl read-only, pandas through it) reads the
// whole table, not the one cell excelize leaves there.
func TestXLSXStatesItsUsedRange(t *testing.T) {
	for _, tt := range []struct {
		name  string
		doc   any
		sheet string
	}{
		{"附件2", summary(t, "411003"), "附件2"},
		{"county trend", countyTrend(t), ""},
		{"city overview", overview(t), ""},
	} {
		f := openXLSX(t, render(t, tt.doc, "xlsx"))
		for _, sheet := range f.GetSheetList() {
			rs := rows(t, f, sheet)
			cols := 0
			for _, r := range rs {
				cols = max(cols, len(r))
			}
			merged, err := f.GetMergeCells(sheet)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range merged {
				c, _, _ := excelize.CellNameToCoordinates(m.GetEndAxis())
				cols = max(cols, c)
			}
			end, _ := excelize.CoordinatesToCellName(cols, len(rs))
			got, err := f.GetSheetDimension(sheet)
			if err != nil {
				t.Fatal(err)
			}
			if want := "A1:" + end; got != want || len(rs) < 2 {
				t.Errorf("%s, sheet %s: dimension %q, want %q (%d rows)", tt.name, sheet, got, want, len(rs))
			}
		}
	}
}

// Every workbook names creditsync as its author, its report as its title
// and the time it was written: excelize's defaults ("xuri", 2006-09-16)
// showed in Excel's 信息 pane and the file lists of those who receive it.
func TestXLSXPropertiesAreCreditsyncs(t *testing.T) {
	before := time.Now().UTC().Truncate(time.Second)
	for _, tt := range []struct {
		name  string
		doc   any
		title string
	}{
		{"附件2", summary(t, "411003"), "建安区人力资源服务机构信用等级评价汇总表"},
		{"county trend", countyTrend(t), "月度等级分布"},
		{"city overview", overview(t), "各单位最新分布及较上月变化"},
	} {
		props, err := openXLSX(t, render(t, tt.doc, "xlsx")).GetDocProps()
		if err != nil {
			t.Fatal(err)
		}
		created, errC := time.Parse(time.RFC3339, props.Created)
		modified, errM := time.Parse(time.RFC3339, props.Modified)
		if props.Creator != "creditsync" || !strings.Contains(props.Title, tt.title) || errC != nil || errM != nil ||
			created.Before(before) || modified.Before(before) {
			t.Errorf("%s: creator %q, title %q, created %q, modified %q; want creditsync, %q, written now",
				tt.name, props.Creator, props.Title, props.Created, props.Modified, tt.title)
		}
	}
}

// Dates in the XLSX reports are dates — a number formatted yyyy-mm-dd,
// which Excel sorts and filters as days — not text in General format;
// every column holding days, on every sheet that has one.
func TestXLSXDatesAreDates(t *testing.T) {
	day := reporttest.Day("2026-08-12")
	dateHeaders := []string{"月末", "日期", "调整日期", "选树日期", "有效期起", "有效期至"}
	for _, tt := range []struct {
		name   string
		doc    any
		sheets []string // each must have a date column with a date in it
	}{
		{"county trend", countyTrend(t), []string{"月度分布", "降级明细"}},
		{"city overview", overview(t), []string{"C+D占比", "全市月度分布"}},
		{"public list", publicList(t, "411002"), []string{"公示名单"}},
		{"typical", &report.Typical{Unit: unit(t, "411002"), Year: 2026, Day: day,
			Rows: []report.TypicalRow{{Name: "许昌守信人力资源有限公司", USCC: reporttest.ImageB, Grade: "A 级", NominatedOn: day}}}, []string{"诚信机构典型名单"}},
		{"adjustments", &report.Adjustments{Unit: unit(t, "411002"), From: day.AddDate(0, -1, 0), To: day,
			Rows: []report.AdjustmentRow{{Day: day, Name: "许昌守信人力资源有限公司", USCC: reporttest.ImageB, From: "A 级", To: "B 级"}}}, []string{"动态调整情况"}},
	} {
		f := openXLSX(t, render(t, tt.doc, "xlsx"))
		for _, sheet := range tt.sheets {
			rs := rows(t, f, sheet)
			dates := 0
			for c, h := range rs[1] {
				if !slices.Contains(dateHeaders, h) {
					continue
				}
				for r := 2; r < len(rs); r++ {
					if c >= len(rs[r]) || rs[r][c] == "" || rs[r][c] == "无数据" {
						continue
					}
					ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
					raw, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
					if err != nil {
						t.Fatal(err)
					}
					if _, err := strconv.ParseFloat(raw, 64); err != nil || !regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`).MatchString(rs[r][c]) {
						t.Errorf("%s, %s!%s (%s): %q stored as %q, want a date shown yyyy-mm-dd", tt.name, sheet, ref, h, rs[r][c], raw)
					}
					dates++
				}
			}
			if dates == 0 {
				t.Errorf("%s, sheet %s: no date found under %v in %q", tt.name, sheet, dateHeaders, rs[1])
			}
		}
	}
}

// The public list's XLSX says what its HTML says around the table — the
// unit, day and count, the publicity period, how and by when to object,
// the contact and the footer — which it left out; the CSV keeps the rows
// only, for programs.
func TestPublicListXLSXSaysWhatTheHTMLSays(t *testing.T) {
	l := publicList(t, "411002")
	l.Contact = report.PublicContacts{Counties: map[string]report.PublicContact{"411002": {Person: "张科长", Phone: "0374-1234567"}}}.For(l.Unit)
	lines := append(append([]string{l.Sub()}, l.Notice()...), l.Footer())
	html := string(render(t, l, "html"))
	f := openXLSX(t, render(t, l, "xlsx"))
	rs := rows(t, f, "公示名单")
	var below []string
	for _, r := range rs[2+len(l.Rows):] {
		if len(r) > 0 && r[0] != "" {
			below = append(below, r[0])
		}
	}
	if !slices.Equal(below, lines) {
		t.Errorf("under the XLSX table:\n%q\nwant\n%q", below, lines)
	}
	for _, line := range lines {
		if !strings.Contains(html, line) {
			t.Errorf("the HTML does not say %q", line)
		}
	}
	if !strings.Contains(strings.Join(lines, ""), "联系电话：0374-1234567") {
		t.Errorf("no contact in %q", lines)
	}
	csvText := string(render(t, l, "csv"))
	if strings.Count(csvText, "\n") != len(l.Rows)+1 || strings.Contains(csvText, "生成时间") {
		t.Errorf("the CSV is no longer rows only:\n%s", csvText)
	}
}

// An empty 动态调整情况 or 诚信机构典型名单 is still a form a unit sends:
// under its header it says that nothing changed or no one was chosen,
// where a bare header read as a broken export. The CSV, read by
// programs, stays its header alone.
func TestEmptyFormsSaySoUnderTheHeader(t *testing.T) {
	u := unit(t, "411024")
	from, to := time.Date(2026, 7, 31, 0, 0, 0, 0, zone.Shanghai), time.Date(2026, 11, 30, 0, 0, 0, 0, zone.Shanghai)
	for _, tt := range []struct {
		name, sheet, says string
		doc               interface {
			WriteXLSX(io.Writer) error
			WriteCSV(io.Writer) error
		}
	}{
		{"adjustments", "动态调整情况", "2026年8月1日至2026年11月30日，本单位无信用等级动态调整。", &report.Adjustments{Unit: u, From: from, To: to}},
		{"typical", "诚信机构典型名单", "2026年度本单位无在有效期内的诚信机构典型。", &report.Typical{Unit: u, Year: 2026, Day: to}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var x, c bytes.Buffer
			if err := tt.doc.WriteXLSX(&x); err != nil {
				t.Fatal(err)
			}
			var found bool
			for _, r := range rows(t, openXLSX(t, x.Bytes()), tt.sheet) {
				found = found || slices.Contains(r, tt.says)
			}
			if !found {
				t.Errorf("the sheet does not say %q: %q", tt.says, rows(t, openXLSX(t, x.Bytes()), tt.sheet))
			}
			if err := tt.doc.WriteCSV(&c); err != nil {
				t.Fatal(err)
			}
			if lines := strings.Count(strings.TrimPrefix(c.String(), "\uFEFF"), "\n"); lines != 1 || strings.Contains(c.String(), tt.says) {
				t.Errorf("the CSV is not its header alone: %q", c.String())
			}
		})
	}
}
