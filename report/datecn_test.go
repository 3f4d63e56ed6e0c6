package report_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/report/reporttest"
)

// Dates inside the Chinese the forms print are written as the notice
// and 附件2 write them (2026年12月7日), never 2026-12-07: 附件1's sentence
// when all have signed, the public list's lines around its table (its
// 日期 sat above 以上为2026年12月7日有效的…), the watch lists' titles. The
// date cells and CSV columns keep the ISO form.
func TestPrintedChineseWritesChineseDates(t *testing.T) {
	day := reporttest.Day
	iso := regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)
	jianan := unit(t, "411003")
	pub := publicList(t, "411002")
	watch := openXLSX(t, render(t, &report.Watch{Unit: jianan, Day: day("2026-12-07")}, "xlsx"))
	var titles []string
	for _, sheet := range watch.GetSheetList() {
		titles = append(titles, rows(t, watch, sheet)[0][0])
	}
	tests := []struct {
		name, text, want string
	}{
		{"附件1, all signed", string(render(t, &report.Commitments{Unit: jianan, Day: day("2026-12-07"), Operating: 3}, "html")),
			"2026年12月7日：建安区所有机构均已签订诚信承诺书。"},
		{"附件1, none licensed", string(render(t, &report.Commitments{Unit: jianan, Day: day("2026-12-07")}, "html")),
			"2026年12月7日：建安区没有持证的人力资源服务机构。"},
		{"public list, under the title", pub.Sub(), "日期：2026年7月31日 · 共"},
		{"public list, notice", strings.Join(pub.Notice(), "\n"), "2026年7月31日"},
		{"public list, footer", pub.Footer(), "生成时间 2026年8月3日 17:30。"},
		{"watch lists, titles", strings.Join(titles, "\n"), "（2026年12月7日起）"},
		{"watch lists, page", string(render(t, &report.Watch{Unit: jianan, Day: day("2026-12-07")}, "html")), "建安区待办名单（2026年12月7日）"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The HTML's stylesheet and markup hold no dates; its text does.
			if d := iso.FindString(tt.text); d != "" || !strings.Contains(tt.text, tt.want) {
				t.Errorf("printed %q, want %q and no ISO date:\n%s", d, tt.want, tt.text)
			}
		})
	}
	// The data keep the ISO form: a CSV of the public list, its dates.
	if csv := string(render(t, pub, "csv")); !iso.MatchString(csv) {
		t.Errorf("the public list's CSV lost its ISO dates:\n%s", csv)
	}
}
