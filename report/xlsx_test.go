package report_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/report/reporttest"
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

// The 附件2 table reads back with its header block, the nine columns in
// the order of docs/rules.md §6, one row per institution and the signature
// lines under it.
func TestSummaryXLSX(t *testing.T) {
	f := openXLSX(t, render(t, summary(t, "411003"), "xlsx"))
	if got := f.GetSheetList(); !slices.Equal(got, []string{"附件2"}) {
		t.Fatalf("sheets %v, want [附件2]", got)
	}
	rs := rows(t, f, "附件2")
	if rs[0][0] != "2026年度人力资源服务机构诚信评价情况汇总表" {
		t.Errorf("title %q", rs[0][0])
	}
	if rs[1][0] != "填报单位：建安区人力资源和社会保障局" || rs[1][5] != "填报时间：2026年7月31日" {
		t.Errorf("header block %q", rs[1])
	}
	want := []string{"机构名称", "统一社会信用代码", "信用等级", "失信情况", "查处情况", "是否选树为诚信机构典型", "选树原因", "评价单位", "备注"}
	if !slices.Equal(rs[2], want) {
		t.Errorf("columns %q, want %q", rs[2], want)
	}
	// 建安区 on 2026-07-31: only the D institution; the A one was cancelled in April.
	if len(rs) != 6 {
		t.Fatalf("%d rows, want title, unit, header, one institution, blank, signatures: %q", len(rs), rs)
	}
	d := rs[3]
	if d[0] != reporttest.FormulaName || d[1] != reporttest.FormulaD || d[2] != "D" || d[5] != "否" || d[7] != "建安区人力资源和社会保障局" {
		t.Errorf("row %q", d)
	}
	for _, want := range []string{"D5 被列入严重失信主体名单（2025-10-20 列入）", "B6 国家企业信用信息公示系统中有行政处罚记录（2025-06-02 行政处罚：发布虚假招聘信息，罚款5000元）"} {
		if !strings.Contains(d[3], want) {
			t.Errorf("失信情况 %q lacks %q", d[3], want)
		}
	}
	if d[4] != "2025-06-02 许昌市建安区市场监督管理局 行政处罚" {
		t.Errorf("查处情况 %q", d[4])
	}
	if !strings.Contains(d[8], "有效期 2025-10-20 至 2026-10-19") {
		t.Errorf("备注 %q", d[8])
	}
	if sig := strings.Join(rs[5], "|"); !strings.Contains(sig, "单位负责人：") || !strings.Contains(sig, "填表人：") || !strings.Contains(sig, "联系电话：") {
		t.Errorf("signature line %q", rs[5])
	}
	// A formula-looking name stays a string, never a formula.
	if formula, _ := f.GetCellFormula("附件2", "A4"); formula != "" {
		t.Errorf("A4 holds the formula %q", formula)
	}
	panes, err := f.GetPanes("附件2")
	if err != nil || !panes.Freeze || panes.YSplit != 3 {
		t.Errorf("panes %+v (%v), want the first three rows frozen", panes, err)
	}
	for col, min := range map[string]float64{"A": 20, "D": 40, "E": 20} {
		if w, _ := f.GetColWidth("附件2", col); w < min {
			t.Errorf("column %s width %v, want at least %v", col, w, min)
		}
	}
}

// The city's table holds every institution, each with its own evaluating
// unit, the exemplary one marked with its reason.
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
	if r := by[reporttest.OutsideB]; r.Evaluator != "许昌市人力资源和社会保障局" || !strings.Contains(r.Note, "410100") || r.Measures != "2026-01-12 许昌市人力资源和社会保障局 警告" {
		t.Errorf("institution registered outside Xuchang: %+v", r)
	}
	if r := by[reporttest.ImageB]; r.Dishonesty != "B1 未履行信用承诺（未签订信用承诺书）" {
		t.Errorf("B1 without a commitment: %q", r.Dishonesty)
	}
	if r := by[reporttest.ScriptC]; !strings.HasPrefix(r.Dishonesty, "B3 未按规定开展") || r.Measures != "2026-03-10 魏都区人力资源和社会保障局 责令限期整改" {
		t.Errorf("upgraded institution: %+v", r)
	}
	var grades string
	for _, r := range s.Rows {
		grades += r.Grade
	}
	if grades != "AAABBBCD" {
		t.Errorf("rows in grade order %q, want AAABBBCD", grades)
	}
}

// The trend workbook has one sheet a table, with numbers as numbers.
func TestTrendXLSX(t *testing.T) {
	f := openXLSX(t, render(t, countyTrend(t), "xlsx"))
	want := []string{"月度分布", "对比全市", "等级变动", "降级明细", "常见条款"}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Fatalf("sheets %v, want %v", got, want)
	}
	rs := rows(t, f, "月度分布")
	if rs[1][0] != "月末 Month-end" || len(rs) != 13 || rs[12][0] != "2026-07-31" {
		t.Errorf("distribution sheet %q", rs)
	}
	if typ, _ := f.GetCellType("月度分布", "B3"); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("count cell B3 is text (%v), want a number", typ)
	}
	if rs := rows(t, f, "降级明细"); len(rs) != 3 || rs[2][1] != reporttest.ScriptName || rs[2][5] != "C2 因严重劳动保障违法违规行为被查处" {
		t.Errorf("downgrade sheet %q", rs)
	}
	o := openXLSX(t, render(t, overview(t), "xlsx"))
	if got := o.GetSheetList(); len(got) != 6 || got[0] != "各单位概况" {
		t.Errorf("overview sheets %v", got)
	}
}
