package report_test

import (
	"slices"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/report/reporttest"
)

// Every workbook prints on A4 fitted to the page's width — landscape when
// its columns are wider than portrait holds — with its header row
// repeated on each page. Only 附件2 had a page setup: 动态调整情况 (nine
// columns, 184 wide) printed across two portrait pages, its header on the
// first only, and so did the 典型名单, the public list, 数据矛盾, the watch
// lists and the trends.
func TestEveryWorkbookPrints(t *testing.T) {
	day := reporttest.Day
	wd := unit(t, "411002")
	tests := []struct {
		name      string
		doc       any
		headerRow int
		// landscape, by sheet: the forms whose width is known; the
		// trends' sheets are checked against their columns' width.
		landscape map[string]bool
	}{
		{"附件2", summary(t, "411003"), 5, map[string]bool{"附件2": true}},
		{"诚信机构典型名单", &report.Typical{Unit: wd, Year: 2026, Day: day("2026-08-20"),
			Rows: []report.TypicalRow{{Name: "许昌守信人力资源有限公司", USCC: "914403001922038216", Grade: "A 级", Reason: "服务规范", NominatedOn: day("2026-08-20")}}},
			2, map[string]bool{"诚信机构典型名单": true}},
		{"动态调整情况", &report.Adjustments{Unit: wd, From: day("2026-07-31"), To: day("2026-12-07"),
			Rows: []report.AdjustmentRow{{Day: day("2026-08-10"), Name: "许昌守信人力资源有限公司", USCC: "914403001922038216", From: "B 级", To: "A 级", Kind: "异议复评", Reason: "对公示结果提出异议，经复评确定为 A 级。"}}},
			2, map[string]bool{"动态调整情况": true}},
		{"公示名单", publicList(t, "411002"), 2, map[string]bool{"公示名单": true}},
		{"数据矛盾", &report.Conflicts{Unit: wd, Day: day("2026-12-07"),
			Rows: []report.ConflictRow{{Name: "许昌守信人力资源有限公司", USCC: "914403001922038216", RegisterStatus: "valid", List: "inspections", RecordID: "R-1", On: day("2026-09-01"), Text: "吊销许可证"}}},
			2, map[string]bool{"数据矛盾": true}},
		{"待办名单", &report.Watch{Unit: wd, Day: day("2026-12-07")}, 2, map[string]bool{"可申请上调": false, "尚未评价": false, "30日内到期": false}},
		{"趋势", countyTrend(t), 2, nil},
		{"全市总览", overview(t), 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := openXLSX(t, render(t, tt.doc, "xlsx"))
			names := f.GetDefinedName()
			for _, sheet := range f.GetSheetList() {
				layout, err := f.GetPageLayout(sheet)
				if err != nil {
					t.Fatal(err)
				}
				want, known := tt.landscape[sheet]
				if !known {
					if tt.landscape != nil {
						t.Errorf("sheet %s not expected", sheet)
					}
					want = columnsWidth(t, f, sheet) > 95
				}
				orientation := map[bool]string{true: "landscape", false: "portrait"}[want]
				if layout.Size == nil || *layout.Size != 9 || layout.Orientation == nil || *layout.Orientation != orientation ||
					layout.FitToWidth == nil || *layout.FitToWidth != 1 || layout.FitToHeight == nil || *layout.FitToHeight != 0 {
					t.Errorf("%s: page layout %s, want A4 (9) %s, fit to 1 page wide and any number tall", sheet, describe(layout), orientation)
				}
				props, err := f.GetSheetProps(sheet)
				if err != nil || props.FitToPage == nil || !*props.FitToPage {
					t.Errorf("%s: not fitted to the page (%v)", sheet, err)
				}
				h := strconv.Itoa(tt.headerRow)
				if !slices.ContainsFunc(names, func(n excelize.DefinedName) bool {
					return n.Name == "_xlnm.Print_Titles" && n.Scope == sheet && n.RefersTo == "'"+sheet+"'!$"+h+":$"+h
				}) {
					t.Errorf("%s: defined names %+v, want row %s repeated on each page", sheet, names, h)
				}
			}
		})
	}
}

// columnsWidth is the width of a sheet's used columns.
func columnsWidth(t *testing.T, f *excelize.File, sheet string) float64 {
	t.Helper()
	cols, err := f.GetCols(sheet)
	if err != nil {
		t.Fatal(err)
	}
	total := 0.0
	for i := range cols {
		name, _ := excelize.ColumnNumberToName(i + 1)
		w, err := f.GetColWidth(sheet, name)
		if err != nil {
			t.Fatal(err)
		}
		total += w
	}
	return total
}

func describe(l excelize.PageLayoutOptions) string {
	s := ""
	for _, p := range []struct {
		name string
		v    *int
	}{{"size", l.Size}, {"fitToWidth", l.FitToWidth}, {"fitToHeight", l.FitToHeight}} {
		if p.v != nil {
			s += p.name + "=" + strconv.Itoa(*p.v) + " "
		}
	}
	if l.Orientation != nil {
		s += "orientation=" + *l.Orientation
	}
	return s
}
