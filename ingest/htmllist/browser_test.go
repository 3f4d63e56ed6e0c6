package htmllist_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/ingest/fetch"
	"github.com/xuchang-hrss/creditsync/ingest/htmllist"
)

// TestReadAsABrowserShowsIt reads the list pages of testdata/browser,
// laid out as a site probe found government sites lay them out (a
// comment at the top of each says what it holds), and wants the records
// a browser shows: rows the page hides by the CSS cascade are not read,
// cells it does not display hold no column, a pager split over cells is
// no record, and rowspan="0" spans to the end of its row group.
func TestReadAsABrowserShowsIt(t *testing.T) {
	list, err := contract.Lookup("abnormal")
	if err != nil {
		t.Fatal(err)
	}
	c, err := htmllist.New(htmllist.Config{Name: "abn", URL: "http://127.0.0.1/", Policy: quick, NextSelector: "a.next",
		RowSelector: "table.list tr:not(.title)", HeaderSelector: "table.list tr.title th"}, list)
	if err != nil {
		t.Fatal(err)
	}
	const reason, xuchang, zhengzhou = "未按规定期限公示年度报告", "许昌市市场监督管理局", "郑州市市场监督管理局"
	rec := map[string][]string{
		"甲": {"9141100200010001X9", "魏都区甲人力资源服务有限公司", reason, "2025-06-01", xuchang, "", ""},
		"乙": {"91411003000100028P", "建安区乙人力资源服务有限公司", reason, "2025-06-01", xuchang, "", ""},
		"丙": {"914110240001000360", "鄢陵县丙人力资源服务有限公司", reason, "2025-06-01", xuchang, "", ""},
		"戊": {"91410100007770016Y", "郑州某某1公司", reason, "2024-03-05", zhengzhou, "", ""},
		// Names holding a pager's words, 共3条 too: records, not pagers.
		"共": {"91411081000100053X", "禹州市共创页岩砖有限公司", reason, "2025-06-01", xuchang, "", ""},
		"页": {"91411082000100061L", "长葛市第1页面设计工作室（共3条生产线）", reason, "2025-06-01", xuchang, "", ""},
	}
	header := []string{"统一社会信用代码", "企业名称", "列入原因", "列入日期", "作出决定机关", "移出原因", "移出日期"}
	tests := []struct {
		file    string
		want    []string // the records read, by rec's keys
		claimed int      // the record count the page states
		err     string   // the error wanted instead
	}{
		{file: "important.html", want: []string{"甲", "乙", "丙"}, claimed: 3},
		{file: "visibility.html", want: []string{"甲", "乙", "丙", "戊"}, claimed: 4},
		{file: "cascade.html", want: []string{"甲", "乙", "丙", "戊"}, claimed: 4},
		{file: "hidden_cells.html", want: []string{"甲", "乙", "丙"}, claimed: 3},
		{file: "hidden_column.html", want: []string{"甲", "乙", "丙"}, claimed: 3},
		{file: "pager_split.html", want: []string{"甲", "共", "页"}, claimed: 3},
		{file: "pager_split_notpager.html", err: "row 3: expected 7 cells as in the header, got 2"},
		{file: "rowspan0.html", want: []string{"甲", "乙", "丙", "戊"}, claimed: 4},
	}
	for _, tt := range tests {
		t.Run(strings.TrimSuffix(tt.file, ".html"), func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", "browser", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			p, err := c.Parse(1, body, "text/html; charset=utf-8")
			if tt.err != "" {
				if !errors.Is(err, fetch.ErrLayout) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want a layout change saying %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(p.Header, header) {
				t.Errorf("header %q, want %q", p.Header, header)
			}
			var want [][]string
			for _, k := range tt.want {
				want = append(want, rec[k])
			}
			if !slices.EqualFunc(p.Records, want, slices.Equal[[]string]) {
				t.Errorf("records\n%q\nwant\n%q", p.Records, want)
			}
			if p.Claimed != tt.claimed || p.Total != 1 || p.Current != 1 {
				t.Errorf("claims %d records, page %d of %d; want %d, page 1 of 1", p.Claimed, p.Current, p.Total, tt.claimed)
			}
		})
	}
}
