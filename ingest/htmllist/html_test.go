package htmllist_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/ingest/fetch"
	"github.com/xuchang-hrss/creditsync/ingest/fixture"
	"github.com/xuchang-hrss/creditsync/ingest/htmllist"
)

var quick = fetch.Policy{Timeout: time.Second, Retries: 2, BackoffMin: time.Millisecond, BackoffMax: 2 * time.Millisecond}

func start(t *testing.T, opt fixture.Options) *fixture.Server {
	t.Helper()
	d, err := fixture.ReadDir(filepath.Join("..", "fixture", "testdata", "small"))
	if err != nil {
		t.Fatal(err)
	}
	if opt.PageSize == 0 {
		opt.PageSize = 3
	}
	s := fixture.Start(d, opt)
	t.Cleanup(s.Close)
	return s
}

func evalList(t *testing.T) *contract.List {
	l, err := contract.Lookup("public_eval")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func evaluations(s *fixture.Server) htmllist.Config {
	return htmllist.Config{
		Name: "evaluations", URL: s.URL(fixture.PublicEval), Policy: quick,
		RowSelector: "table.pjjg-list tbody tr", HeaderSelector: "table.pjjg-list thead th",
		NextSelector: "a.next", PageCountSelector: ".pagination .page-count", EmptyText: "暂无数据",
	}
}

func collect(t *testing.T, cfg htmllist.Config, from string) ([]htmllist.Page, error) {
	t.Helper()
	c, err := htmllist.New(cfg, evalList(t))
	if err != nil {
		t.Fatal(err)
	}
	var pages []htmllist.Page
	err = c.Fetch(context.Background(), from, func(p htmllist.Page) error {
		pages = append(pages, p)
		return nil
	})
	return pages, err
}

func records(pages []htmllist.Page) [][]string {
	var out [][]string
	for _, p := range pages {
		out = append(out, p.Records...)
	}
	return out
}

func TestGBKListPages(t *testing.T) {
	for _, opt := range []fixture.Options{{}, {CharsetHeader: true}} {
		t.Run(fmt.Sprintf("charset in header %v", opt.CharsetHeader), func(t *testing.T) {
			s := start(t, opt)
			pages, err := collect(t, evaluations(s), "")
			if err != nil {
				t.Fatal(err)
			}
			recs := records(pages)
			if len(pages) != 3 || len(recs) != 8 || pages[0].Total != 3 {
				t.Fatalf("%d pages, %d records", len(pages), len(recs))
			}
			if pages[0].Encoding != "GB18030" {
				t.Errorf("encoding %s", pages[0].Encoding)
			}
			if want := []string{"序号", "主体名称", "统一社会信用代码", "评价结果", "评价日期"}; !slices.Equal(pages[0].Header, want) {
				t.Errorf("header %q", pages[0].Header)
			}
			if !slices.Equal(pages[0].Unused, []string{"序号"}) {
				t.Errorf("unused %q, want 序号", pages[0].Unused)
			}
			want := map[int][]string{
				0: {"1", "许昌堃元人力资源有限公司", "91411002MA112356X9", "差", "2026年08月05日"}, // 堃 is GBK, not GB2312
				// As the page writes them: the contract folds the code
				// (below), and keeps the name's full-width brackets.
				2: {"3", "禹州喆诚职业介绍有限公司", "９１４１１０８１ＭＡ３１２３５６Ｘ３", "中", "2026年08月05日"}, // full-width code on the page
				5: {"6", "鄢陵花木（集团）有限公司", "９１４１１０２４ＭＡ６１２３５６Ｘ４", "优", "2026年08月05日"},
				7: {"8", "许昌市建安区（东城）人力资源服务有限公司", "91411003MA912356X9", "D", "2026年07月29日"}, // cut short on the page
			}
			for i, w := range want {
				if !slices.Equal(recs[i], w) {
					t.Errorf("record %d: %q, want %q", i, recs[i], w)
				}
			}
			m, err := evalList(t).Map(pages[0].Header)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range recs {
				if _, errs := m.Parse(r); errs != nil {
					t.Errorf("%q rejected: %v", r, errs[0])
				}
			}
			// The contract reads the full-width code as the code, and
			// stores the name as written.
			row, errs := m.Parse(recs[5])
			if errs != nil {
				t.Fatal(errs[0])
			}
			if got, _ := row.Get("uscc").(string); got != "91411024MA612356X4" {
				t.Errorf("stored code %q", got)
			}
			if got, _ := row.Get("name").(string); got != "鄢陵花木（集团）有限公司" {
				t.Errorf("stored name %q", got)
			}
		})
	}
}

func TestPageTemplateAndCells(t *testing.T) {
	s := start(t, fixture.Options{})
	cfg := evaluations(s)
	cfg.URL, cfg.NextSelector, cfg.HeaderSelector = "", "", ""
	cfg.PageTemplate = s.URL(fixture.PublicEval) + "?page={page}"
	cfg.Cells = map[string]string{"name": "td.mc a", "uscc": "td:nth-child(3)", "grade": "td:nth-child(4)", "evaluated_on": "td:nth-child(5)"}
	pages, err := collect(t, cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(records(pages)) != 8 || s.Requests(fixture.PublicEval) != 3 {
		t.Fatalf("%d records in %d requests", len(records(pages)), s.Requests(fixture.PublicEval))
	}
	if h := pages[0].Header; !slices.Equal(h, []string{"uscc", "name", "grade", "evaluated_on"}) {
		t.Errorf("header %q", h)
	}
	// Without a page count selector, the page count the pages print
	// (共3页) is read by default, and the listing ends there: its last
	// page is not full.
	cfg.PageCountSelector = ""
	pages, err = collect(t, cfg, "")
	if err != nil || len(records(pages)) != 8 || len(pages) != 3 {
		t.Errorf("without a page count: %d pages, %d records, %v", len(pages), len(records(pages)), err)
	}
}

func TestBrokenPages(t *testing.T) {
	tests := []struct {
		name      string
		fault     fixture.Fault
		want      error
		pagesRead int
		message   string
	}{
		{"CAPTCHA served with 200", fixture.Fault{Kind: fixture.Captcha, Page: 2}, fetch.ErrChallenge, 1, "CAPTCHA"},
		{"521 challenge", fixture.Fault{Kind: fixture.JSChallenge}, fetch.ErrChallenge, 0, "challenge"},
		{"layout changed", fixture.Fault{Kind: fixture.LayoutChanged, Page: 1}, fetch.ErrLayout, 0, `expected at least 1 element matching "table.pjjg-list tbody tr", got 0`},
		{"truncated page", fixture.Fault{Kind: fixture.Truncated, Page: 2}, fetch.ErrIncomplete, 1, "cut short"},
		{"empty page mid-run", fixture.Fault{Kind: fixture.EmptyPage, Page: 2}, fetch.ErrIncomplete, 1, "empty"},
		{"repeated page", fixture.Fault{Kind: fixture.RepeatPage, Page: 2}, fetch.ErrIncomplete, 1, "repeats"},
		// Read as a page, an empty body matched no row, and failed at
		// once as a layout change whose hint sent people to the selectors.
		{"empty body for good", fixture.Fault{Kind: fixture.EmptyBody, Page: 2}, fetch.ErrMalformed, 1, "HTTP 200: malformed response: the site answered 200 with an empty body (after 3 attempts)\nhint: the site answered with nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t, fixture.Options{})
			s.Inject(fixture.PublicEval, tt.fault)
			pages, err := collect(t, evaluations(s), "")
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.message) {
				t.Fatalf("error %v, want %v mentioning %q", err, tt.want, tt.message)
			}
			if len(pages) != tt.pagesRead {
				t.Errorf("%d pages delivered, want %d", len(pages), tt.pagesRead)
			}
		})
	}
}

// An empty answer is asked for again, on any page, the first and the
// last too.
func TestEmptyBodyIsRetried(t *testing.T) {
	for _, page := range []int{1, 2, 3} {
		t.Run(fmt.Sprint("page ", page), func(t *testing.T) {
			s := start(t, fixture.Options{})
			s.Inject(fixture.PublicEval, fixture.Fault{Kind: fixture.EmptyBody, Page: page, Times: 1})
			pages, err := collect(t, evaluations(s), "")
			if err != nil || len(records(pages)) != 8 || s.Requests(fixture.PublicEval) != 4 {
				t.Errorf("%d records in %d requests, want 8 in 4: %v", len(records(pages)), s.Requests(fixture.PublicEval), err)
			}
		})
	}
}

// A listing that consistently stops half-way looks complete page by
// page; only the sync's row-count assertions can catch it.
func TestHalfListingLooksComplete(t *testing.T) {
	s := start(t, fixture.Options{})
	s.Inject(fixture.PublicEval, fixture.Fault{Kind: fixture.StopHalfway})
	pages, err := collect(t, evaluations(s), "")
	if err != nil || len(records(pages)) != 4 {
		t.Errorf("%d records, %v", len(records(pages)), err)
	}
}

func TestStrictCells(t *testing.T) {
	s := start(t, fixture.Options{})
	cfg := evaluations(s)
	cfg.HeaderSelector = ""
	cfg.Cells = map[string]string{"name": "td", "grade": "td:nth-child(4)", "evaluated_on": "td:nth-child(5)"}
	_, err := collect(t, cfg, "")
	if !errors.Is(err, fetch.ErrLayout) || !strings.Contains(err.Error(), `row 1: expected 1 element matching "td" (name), got 5`) {
		t.Errorf("error %v", err)
	}
}

func TestResume(t *testing.T) {
	s := start(t, fixture.Options{})
	cfg := evaluations(s)
	cfg.MaxPages = 1
	first, err := collect(t, cfg, "")
	if !errors.Is(err, fetch.ErrPageCap) || len(first) != 1 {
		t.Fatalf("%d pages, %v", len(first), err)
	}
	cfg.MaxPages = 0
	rest, err := collect(t, cfg, first[0].Next)
	if err != nil || len(records(first))+len(records(rest)) != 8 || s.Requests(fixture.PublicEval) != 3 {
		t.Errorf("resumed: %d records, %d requests, %v", len(records(first))+len(records(rest)), s.Requests(fixture.PublicEval), err)
	}
}

func TestDecode(t *testing.T) {
	gbk := func(s string) []byte {
		b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name, ct string
		body     []byte
		want     string
		enc      string
	}{
		{"meta gb2312 with a GBK-only character", "text/html", gbk(`<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><p>许昌堃元 昇 喆 镕</p>`), "许昌堃元 昇 喆 镕", "GB18030"},
		{"header beats meta", "text/html; charset=GBK", gbk(`<meta charset="utf-8"><p>许昌</p>`), "许昌", "GB18030"},
		{"utf-8 meta", "text/html", []byte(`<meta charset="UTF-8"><p>许昌</p>`), "许昌", "UTF-8"},
		{"BOM", "text/html; charset=gbk", []byte("\xEF\xBB\xBF<p>许昌</p>"), "许昌", "UTF-8"},
		{"no label, GBK bytes", "text/html", gbk(`<p>许昌市魏都区</p>`), "许昌市魏都区", "GB18030"},
		{"unknown label", "text/html", gbk(`<meta charset="x-unknown"><p>许昌</p>`), "许昌", "GB18030"},
	}
	for _, tt := range tests {
		got, enc, err := fetch.DecodeText(tt.body, tt.ct)
		if err != nil || !strings.Contains(got, tt.want) || enc != tt.enc {
			t.Errorf("%s: %q %s %v; want %q in %s", tt.name, got, enc, err, tt.want, tt.enc)
		}
	}
}

// A rare character a government system added in GB18030's user-defined
// areas (bytes AAA1, F8A1, A140) is read as the private-use character
// GB18030 maps it to, as browsers, Java and Python read it: every such
// page failed as "labelled gbk, but not valid GB18030".
func TestUserDefinedCharactersOfGBK(t *testing.T) {
	page, err := simplifiedchinese.GBK.NewEncoder().String(`<html><head><meta charset="gbk"></head><body><table class="list">` +
		`<tr><th>主体名称</th><th>统一社会信用代码</th><th>评价结果</th><th>评价日期</th></tr>` +
		`<tr><td>许昌@元人力资源有限公司</td><td>91411002MA00000011</td><td>A</td><td>2026-07-31</td></tr>` +
		`<tr><td>许昌#$人力资源有限公司</td><td>91411002MA00000022</td><td>B</td><td>2026-07-31</td></tr>` +
		`</table><p>共2条记录 当前第1/1页</p></body></html>`)
	if err != nil {
		t.Fatal(err)
	}
	page = strings.NewReplacer("@", "\xAA\xA1", "#", "\xF8\xA1", "$", "\xA1\x40").Replace(page)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=gbk")
		io.WriteString(w, page)
	}))
	defer srv.Close()
	cfg := htmllist.Config{Name: "x", URL: srv.URL, Policy: quick, RowSelector: "table.list tr:not(:first-child)", HeaderSelector: "table.list th", NextSelector: "a.next"}
	wantListing(t, cfg, [][]string{
		{"许昌\uE000元人力资源有限公司", "91411002MA00000011", "A", "2026-07-31"},
		{"许昌\uE234\uE4C6人力资源有限公司", "91411002MA00000022", "B", "2026-07-31"},
	}, 2)
}

func TestGBKCaptchaPage(t *testing.T) {
	page, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(`<html><head><meta charset="gbk"></head><body><p>请输入验证码</p><img src="/code.jpg"></body></html>`))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(page) }))
	defer srv.Close()
	cfg := htmllist.Config{Name: "x", URL: srv.URL, Policy: quick, RowSelector: "tr", HeaderSelector: "th", NextSelector: "a.next"}
	if _, err := collect(t, cfg, ""); !errors.Is(err, fetch.ErrChallenge) {
		t.Errorf("error %v, want ErrChallenge", err)
	}
}

func TestConfigErrors(t *testing.T) {
	base := htmllist.Config{Name: "x", URL: "http://127.0.0.1/", RowSelector: "tr", HeaderSelector: "th", NextSelector: "a.next"}
	if _, err := htmllist.New(base, evalList(t)); err != nil {
		t.Fatal(err)
	}
	for name, mutate := range map[string]func(*htmllist.Config){
		"bad selector":          func(c *htmllist.Config) { c.RowSelector = "tr[" },
		"no columns":            func(c *htmllist.Config) { c.HeaderSelector = "" },
		"no way to paginate":    func(c *htmllist.Config) { c.NextSelector = "" },
		"template without end":  func(c *htmllist.Config) { c.PageTemplate = "http://x/?p={page}" },
		"template without page": func(c *htmllist.Config) { c.PageTemplate, c.EmptyText = "http://x/", "无" },
		"unknown cell column":   func(c *htmllist.Config) { c.Cells = map[string]string{"nonsense": "td"} },
		"required cell missing": func(c *htmllist.Config) { c.Cells = map[string]string{"name": "td"} },
	} {
		c := base
		mutate(&c)
		if _, err := htmllist.New(c, evalList(t)); !errors.Is(err, htmllist.ErrConfig) {
			t.Errorf("%s: %v, want ErrConfig", name, err)
		}
	}
}

func TestMain(m *testing.M) { os.Exit(m.Run()) }

// A cell's white space collapses as strings.Fields and a join would, with
// or without the shortcut for cells that need nothing.
func TestCollapseSpace(t *testing.T) {
	for _, s := range []string{
		"", " ", "许昌市魏都区", "a b c", " a", "a ", "a  b", "a\tb", "a\nb", "a\u3000b", "a\u00a0b", "a \u2028 b",
		"许昌 人力资源 有限公司", "  许昌\t\t人力  ",
	} {
		if got, want := htmllist.CollapseSpace(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Errorf("%q: got %q, want %q", s, got, want)
		}
	}
}

// Many list pages print their pager as the table's last row, one cell
// spanning every column, under the row selector; some put empty spacer
// rows between records. Neither is a record: the records are read, the
// pager's claims too. A row of a single cell that does not span the
// table is still refused.
// fourRecords are the records of the listings of two pages below.
var fourRecords = [][]string{
	{"许昌甲人力资源有限公司", "91411002MA00000011", "A", "2026-07-31"},
	{"许昌乙人力资源有限公司", "91411002MA00000022", "B", "2026-07-31"},
	{"许昌丙人力资源有限公司", "91411002MA00000033", "A", "2026-07-31"},
	{"许昌丁人力资源有限公司", "91411002MA00000044", "C", "2026-07-31"},
}

// wantListing collects cfg's listing and checks that it reads recs and
// that its first page claims claimed records.
func wantListing(t *testing.T, cfg htmllist.Config, recs [][]string, claimed int) {
	t.Helper()
	pages, err := collect(t, cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := records(pages); !slices.EqualFunc(got, recs, slices.Equal[[]string]) {
		t.Errorf("records %q, want %q", got, recs)
	}
	if pages[0].Claimed != claimed {
		t.Errorf("the first page claims %d records, want %d", pages[0].Claimed, claimed)
	}
}

func TestPagerRowInTheTable(t *testing.T) {
	recs := fourRecords
	odd, spanned := "", false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page := 1
		fmt.Sscan(r.URL.Query().Get("page"), &page)
		if page > 2 {
			http.NotFound(w, r) // asked for one more, the last page being full
			return
		}
		var b strings.Builder
		b.WriteString(`<html><head><meta charset="utf-8"></head><body><table class="list"><tr><th>主体名称</th><th>统一社会信用代码</th><th>评价结果</th><th>评价日期</th></tr>`)
		for _, rec := range recs[(page-1)*2 : page*2] {
			if spanned {
				fmt.Fprintf(&b, "<tr><td colspan=\"4\">%s</td></tr>\n", strings.Join(rec, " "))
				continue
			}
			fmt.Fprintf(&b, "<tr><td>%s</td></tr>\n<tr></tr>\n", strings.Join(rec, "</td><td>"))
		}
		b.WriteString(odd)
		fmt.Fprintf(&b, `<tr><td colspan="4">共4条记录 每页2条 当前第%d/2页`, page)
		if page == 1 {
			b.WriteString(` <a class="next" href="?page=2">下一页</a>`)
		}
		b.WriteString("</td></tr></table></body></html>")
		io.WriteString(w, b.String())
	}))
	defer srv.Close()
	cfg := htmllist.Config{Name: "x", URL: srv.URL + "/?page=1", Policy: quick, RowSelector: "table.list tr:not(:first-child)", HeaderSelector: "table.list th", NextSelector: "a.next"}
	wantListing(t, cfg, recs, 4)
	// A page whose every row is a note is a changed layout (records as
	// one cell each), not an empty list.
	spanned = true
	if _, err := collect(t, cfg, ""); !errors.Is(err, fetch.ErrLayout) || !strings.Contains(err.Error(), "hold no record, only notes") {
		t.Errorf("a page of note rows only: %v", err)
	}
	spanned = false
	odd = `<tr><td>备注：以上为评价结果</td></tr>`
	if _, err := collect(t, cfg, ""); !errors.Is(err, fetch.ErrLayout) || !strings.Contains(err.Error(), "expected 4 cells as in the header, got 1") {
		t.Errorf("a one-cell row not spanning the table: %v", err)
	}
}

// TestTableShapes reads tables shaped as government list pages write
// them, each case one page of the same two records, as a browser shows
// it.
func TestTableShapes(t *testing.T) {
	const head = `<tr><th>主体名称</th><th>统一社会信用代码</th><th>评价结果</th><th>评价日期</th></tr>`
	want := [][]string{
		{"许昌甲人力资源服务有限责任公司", "91411002MA00000011", "A", "2026-07-31"},
		{"许昌甲人力资源服务有限责任公司", "91411002MA00000011", "B", "2025-07-31"},
	}
	tests := []struct {
		name, thead, tbody string
		style              string     // the page's <style>
		headers            string     // the header selector; "" for table.list th
		want               [][]string // nil: want
		err                string
	}{
		{name: "plain", thead: head, tbody: `<tr><td>许昌甲人力资源服务有限责任公司</td><td>91411002MA00000011</td><td>A</td><td>2026-07-31</td></tr>
			<tr><td>许昌甲人力资源服务有限责任公司</td><td>91411002MA00000011</td><td>B</td><td>2025-07-31</td></tr>`},
		// One institution's decisions under its name written once.
		{name: "rowspan", thead: head, tbody: `<tr><td rowspan="2">许昌甲人力资源服务有限责任公司</td><td rowspan=" 2 ">91411002MA00000011</td><td>A</td><td>2026-07-31</td></tr>
			<tr><td>B</td><td>2025-07-31</td></tr>`},
		{name: "rowspan in a middle column", thead: head, tbody: `<tr><td>许昌甲人力资源服务有限责任公司</td><td rowspan="2">91411002MA00000011</td><td>A</td><td>2026-07-31</td></tr>
			<tr><td>许昌甲人力资源服务有限责任公司</td><td>B</td><td>2025-07-31</td></tr>`},
		// Long names cut short, whole in the title shown on pointing.
		{name: "ellipsis with a title", thead: head, tbody: `<tr><td title="许昌甲人力资源服务有限责任公司">许昌甲人力资源服务…</td><td>91411002MA00000011</td><td>A</td><td>2026-07-31</td></tr>
			<tr><td><a href="/d/1" title=" 许昌甲人力资源服务有限责任公司 ">许昌甲人力资源服务...</a></td><td>91411002MA00000011</td><td>B</td><td>2025-07-31</td></tr>`},
		// A title that is not the value cut short is not the value.
		{name: "ellipsis with another title", thead: head, tbody: `<tr><td><a title="查看详情">许昌甲人力资源服务…</a></td><td>91411002MA00000011</td><td>A</td><td>2026-07-31</td></tr>`,
			want: [][]string{{"许昌甲人力资源服务…", "91411002MA00000011", "A", "2026-07-31"}}},
		// Pages filled by script keep a hidden template row.
		{name: "hidden rows", thead: head, tbody: `<tr style="DISPLAY: none;"><td>{{name}}</td><td>{{uscc}}</td><td>{{result}}</td><td>{{date}}</td></tr>
			<tr><td>许昌甲人力资源服务有限责任公司</td><td>91411002MA00000011</td><td>A</td><td>2026-07-31</td></tr>
			<tr hidden><td>x</td></tr>
			<tr><td>许昌甲人力资源服务有限责任公司</td><td>91411002MA00000011</td><td>B</td><td>2025-07-31</td></tr>`},
		{name: "only a template row", thead: head, tbody: `<tr style="display:none"><td>{{name}}</td><td>{{uscc}}</td><td>{{result}}</td><td>{{date}}</td></tr>`,
			err: "sync the API the page calls"},
		// Characters hidden in a value to spoil copying, a script in a
		// cell: what a reader sees is the value.
		{name: "hidden characters and scripts", thead: head, tbody: `<tr><td>许昌甲人力<span style="display:none">混</span>资源服务<i hidden>淆</i>有限责任公司<script>var x = "甲";</script></td><td>91411002MA00000011</td><td>A</td><td>2026-07-31</td></tr>
			<tr><td>许昌甲人力资源服务有限责任公司<style>td{color:red}</style></td><td>91411002MA00000011</td><td>B<template>C</template></td><td>2025-07-31</td></tr>`},
		// The same, hidden by the page's own style sheet; a rule for
		// printing only, or one cascadia cannot match, hides nothing.
		{name: "characters hidden by the page's style sheet", thead: head,
			style: `@import url(print.css); /* .x { display: none } */ .hd, span.zz { DISPLAY : none !important } .inv{visibility:hidden}
				@media print { .pr { display: none } } td::before { display: none } a:hover { display: none }`,
			tbody: `<tr><td>许昌甲人力<span class="hd">混</span>资源服务<b class="inv">淆</b>有限责任公司</td><td>91411002MA00000011</td><td>A</td><td>2026-07-31</td></tr>
			<tr><td>许昌甲人力资源服务<span class="pr">有限</span><a href="#">责任公司</a></td><td>91411002MA00000011</td><td>B<span class="zz">C</span></td><td>2025-07-31</td></tr>`},
		// Style sheets for print or for narrow screens only hide nothing
		// on the page as read (a print sheet's .Noprint hides the pager
		// on paper; a mobile sheet hides a column).
		{name: "style sheets for another medium", thead: head,
			tbody: `<tr><td>许昌甲人力资源服务<span class="Noprint">有限</span>责任公司<style media="print">.Noprint{display:none}</style></td><td>91411002MA00000011</td><td>A</td><td>2026-07-31</td></tr>
			<tr><td>许昌甲人力资源服务有限责任公司<style media="(max-width:768px)">.m-hide{display:none}</style><style media=" Screen ">.hd2{display:none}</style></td><td class="m-hide">91411002MA00000011</td><td>B<i class="hd2">C</i></td><td>2025-07-31</td></tr>`},
		// Sheets and blocks for every screen hide on the page as read.
		{name: "style sheets for the screen", thead: head,
			tbody: `<tr><td>许昌甲人力<span class="hd3">乱</span>资源服务有限责任公司<style media="screen, projection">.hd3{display:none}</style></td><td>91411002MA00000011</td><td>A</td><td>2026-07-31</td></tr>
			<tr><td>许昌甲人力资源服务<b class="hd4">乱</b>有限责任公司<style>@media screen { .hd4 { display: none } } @media only screen and (max-width: 600px) { .x { display: none } }</style></td><td>91411002MA00000011</td><td>B</td><td>2025-07-31</td></tr>`},
		// A later rule shows again what an earlier one hid (a tab's
		// active pane), and an element's own style wins over a sheet's.
		{name: "shown again", thead: head,
			style: `.tab-pane { display: none } .tab-pane.active { display: table-row } .con{display:none}`,
			tbody: `<tr class="tab-pane active"><td>许昌甲人力资源服务有限责任公司</td><td>91411002MA00000011</td><td>A</td><td>2026-07-31</td></tr>
			<tr class="con" style="display: table-row"><td>许昌甲人力资源服务有限责任公司</td><td>91411002MA00000011</td><td>B</td><td>2025-07-31</td></tr>
			<tr class="tab-pane"><td>许昌乙人力资源有限公司</td><td>91411002MA00000022</td><td>C</td><td>2024-07-31</td></tr>`},
		// Rows inside a hidden container (a hidden tab's table of
		// 已移出 records) are not listed.
		{name: "rows in a hidden container", thead: head, tbody: `<tr><td>许昌甲人力资源服务有限责任公司</td><td>91411002MA00000011</td><td>A</td><td>2026-07-31</td></tr>
			<tr><td>许昌甲人力资源服务有限责任公司</td><td>91411002MA00000011</td><td>B</td><td>2025-07-31</td></tr></tbody><tbody style="display:none"><tr><td>许昌乙人力资源有限公司</td><td>91411002MA00000022</td><td>C</td><td>2024-07-31</td></tr>`},
		// Rows of blank cells pad the last page to the page size.
		{name: "filler rows", thead: head, tbody: `<tr><td>许昌甲人力资源服务有限责任公司</td><td>91411002MA00000011</td><td>A</td><td>2026-07-31</td></tr>
			<tr><td>许昌甲人力资源服务有限责任公司</td><td>91411002MA00000011</td><td>B</td><td>2025-07-31</td></tr>
			<tr><td>&nbsp;</td><td>&nbsp;</td><td> </td><td></td></tr><tr><td>&nbsp;</td><td>&nbsp;</td><td>&nbsp;</td><td>&nbsp;</td></tr>`},
		// Long tables repeat their header every so many rows.
		{name: "header repeated", thead: head, tbody: `<tr><td>许昌甲人力资源服务有限责任公司</td><td>91411002MA00000011</td><td>A</td><td>2026-07-31</td></tr>
			` + head + `<tr><td>许昌甲人力资源服务有限责任公司</td><td>91411002MA00000011</td><td>B</td><td>2025-07-31</td></tr>`},
		{name: "too few cells", thead: head, tbody: `<tr><td>许昌甲人力资源服务有限责任公司</td><td>A</td><td>2026-07-31</td></tr>`,
			err: "row 1: expected 4 cells as in the header, got 3"},
		// A selector matching the document's root is a configuration
		// error, reported, never a panic.
		{name: "header selector matching the root", thead: head, tbody: `<tr><td>x</td></tr>`, headers: "html, table th",
			err: "expected 4 cells as in the header"},
		{name: "too many cells", thead: head, tbody: `<tr><td>许昌甲人力资源服务有限责任公司</td><td>91411002MA00000011</td><td>A</td><td>2026-07-31</td><td>x</td></tr>`,
			err: "row 1: expected 4 cells as in the header, got 5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, `<html><head><meta charset="utf-8"><style>`+tt.style+`</style></head><body><table class="list"><thead>`+tt.thead+`</thead><tbody>`+tt.tbody+`</tbody></table></body></html>`)
			}))
			defer srv.Close()
			// The header selector matches the repeated header too.
			cfg := htmllist.Config{Name: "x", URL: srv.URL + "/", Policy: quick, NextSelector: "a.next",
				RowSelector: "table.list tbody tr", HeaderSelector: cmp.Or(tt.headers, "table.list th")}
			pages, err := collect(t, cfg, "")
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one saying %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			w := tt.want
			if w == nil {
				w = want
			}
			if got := records(pages); !slices.EqualFunc(got, w, slices.Equal[[]string]) {
				t.Errorf("records %q, want %q", got, w)
			}
		})
	}
}

// TestClaimsWithThousands reads counts written with thousands
// separators, as some pagers print them past 999.
func TestClaimsWithThousands(t *testing.T) {
	c, err := htmllist.New(htmllist.Config{Name: "x", URL: "http://127.0.0.1/", Policy: quick, NextSelector: "a.next",
		RowSelector: "table tbody tr", HeaderSelector: "table thead th"}, evalList(t))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		pager          string
		claimed, total int
	}{
		{"共1,234条记录 共13页", 1234, 13},
		{"共１，２３４条 每页100条 第1/13页", 1234, 13}, // full-width, folded by NFKC
		{"共1234条 共13页", 1234, 13},
		{"共12,34条", -1, -1}, // not a number as pagers write one
		// Counts that are not the listing's: this page's rows, today's
		// additions, the site's visits; text no browser shows.
		{"本页共10条 共1234条 共13页", 1234, 13},
		{"本页共有 10 条，当前页记录数：10 第1/13页", -1, 13},
		{"今日新增3条 共1234条 第1/13页", 1234, 13},
		{"网站访问总数：1234567 共1234条 共13页", 1234, 13},
		{"<noscript>共0条 共0页</noscript>共1234条 共13页", 1234, 13},
		// A page-size drop-down shows its chosen option only.
		{`共1234条 每页显示<select><option>10</option><option selected>100</option><option>200</option></select>条 第1/13页`, 1234, 13},
		{`共1234条 每页<select name="ps"><optgroup label="x"><option>100</option><option>200</option></optgroup></select>条 共13页`, 1234, 13},
	}
	for _, tt := range tests {
		body := `<html><head><meta charset="utf-8"></head><body><table><thead><tr><th>主体名称</th><th>统一社会信用代码</th><th>评价结果</th><th>评价日期</th></tr></thead><tbody>
			<tr><td>许昌甲人力资源服务有限责任公司</td><td>91411002MA00000011</td><td>A</td><td>2026-07-31</td></tr></tbody></table><div>` + tt.pager + `</div></body></html>`
		p, err := c.Parse(1, []byte(body), "text/html")
		if err != nil {
			t.Errorf("%s: %v", tt.pager, err)
			continue
		}
		if p.Claimed != tt.claimed || p.Total != tt.total {
			t.Errorf("%s: claimed %d of %d pages, want %d of %d", tt.pager, p.Claimed, p.Total, tt.claimed, tt.total)
		}
		if strings.Contains(tt.pager, "<select") && p.Size != 100 {
			t.Errorf("%s: a page of %d, want the chosen option's 100", tt.pager, p.Size)
		}
	}
}

// TestHiddenTemplatesSayNothing: pages filled by script keep hidden
// templates of their empty-list row and their pager. What they say is
// not what the page shows: neither ends the listing nor claims a count.
func TestHiddenTemplatesSayNothing(t *testing.T) {
	recs := fourRecords
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page := 1
		fmt.Sscan(r.URL.Query().Get("page"), &page)
		var b strings.Builder
		b.WriteString(`<html><head><meta charset="utf-8"></head><body><table class="list"><thead><tr><th>主体名称</th><th>统一社会信用代码</th><th>评价结果</th><th>评价日期</th></tr></thead><tbody>`)
		b.WriteString(`<tr style="display: none"><td colspan="4">暂无数据</td></tr>`)
		if page <= 2 {
			for _, rec := range recs[(page-1)*2 : page*2] {
				fmt.Fprintf(&b, "<tr><td>%s</td></tr>\n", strings.Join(rec, "</td><td>"))
			}
		} else {
			b.WriteString(`<tr><td colspan="4">暂无数据</td></tr>`)
		}
		b.WriteString(`</tbody></table><div class="pager" hidden>共0条 共0页</div><div class="pager">共4条</div></body></html>`)
		io.WriteString(w, b.String())
	}))
	defer srv.Close()
	cfg := htmllist.Config{Name: "x", URL: srv.URL + "/?page=1", PageTemplate: srv.URL + "/?page={page}", Policy: quick, EmptyText: "暂无数据",
		RowSelector: "table.list tbody tr", HeaderSelector: "table.list thead th"}
	wantListing(t, cfg, recs, 4)
}

// TestEmptyTextInARecord: a record whose 备注 reads 暂无数据 (a site's
// placeholder for an empty field) is a record; only a row that cannot
// be one — the text in one cell at most — says the list is empty. Read
// as the empty marker, the record was lost and the listing ended there:
// a complete-looking snapshot without it, and its listing removed.
func TestEmptyTextInARecord(t *testing.T) {
	recs := [][]string{
		{"许昌甲人力资源有限公司", "91411002MA00000011", "A", "2026-07-31", ""},
		{"许昌乙人力资源有限公司", "91411002MA00000022", "B", "2026-07-31", "暂无数据"},
		{"许昌丙人力资源有限公司", "91411002MA00000033", "A", "2026-07-31", ""},
		{"许昌丁人力资源有限公司", "91411002MA00000044", "C", "2026-07-31", ""},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page := 1
		fmt.Sscan(r.URL.Query().Get("page"), &page)
		var b strings.Builder
		b.WriteString(`<html><head><meta charset="utf-8"></head><body><table class="list"><thead><tr><th>主体名称</th><th>统一社会信用代码</th><th>评价结果</th><th>评价日期</th><th>备注</th></tr></thead><tbody>`)
		if page <= 2 {
			for _, rec := range recs[(page-1)*2 : page*2] {
				fmt.Fprintf(&b, "<tr><td>%s</td></tr>\n", strings.Join(rec, "</td><td>"))
			}
		} else {
			b.WriteString(`<tr><td colspan="5"> 暂无数据！</td></tr>`)
		}
		b.WriteString(`</tbody></table></body></html>`)
		io.WriteString(w, b.String())
	}))
	defer srv.Close()
	cfg := htmllist.Config{Name: "x", URL: srv.URL + "/?page=1", PageTemplate: srv.URL + "/?page={page}", Policy: quick, EmptyText: "暂无数据",
		RowSelector: "table.list tbody tr", HeaderSelector: "table.list thead th"}
	wantListing(t, cfg, recs, -1)
}

// TestNextLinkBackToItself: a pager clamped at its end keeps its 下一页
// on the last page, leading back to that page (href="#", or the page's
// own address). That links nowhere further: the listing ends there and
// agrees with the page count. The same link on a page before the last
// claimed one is a listing broken off.
func TestNextLinkBackToItself(t *testing.T) {
	for _, tt := range []struct {
		name, last string // the next link on page 2 of 2
		pages      int    // the page count the pager claims
		err        string
	}{
		{name: "hash", last: `<a class="next" href="#">下一页</a>`, pages: 2},
		{name: "itself", last: `<a class="next" href="?page=2">下一页</a>`, pages: 2},
		{name: "itself with a fragment", last: `<a class="next" href="?page=2#list">下一页</a>`, pages: 2},
		{name: "before the last claimed", last: `<a class="next" href="#">下一页</a>`, pages: 3, err: "no next link on page 2 of 3"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				page := 1
				fmt.Sscan(r.URL.Query().Get("page"), &page)
				var b strings.Builder
				b.WriteString(`<html><head><meta charset="utf-8"></head><body><table class="list"><thead><tr><th>主体名称</th><th>统一社会信用代码</th><th>评价结果</th><th>评价日期</th></tr></thead><tbody>`)
				for _, rec := range fourRecords[(page-1)*2 : min(page*2, len(fourRecords))] {
					fmt.Fprintf(&b, "<tr><td>%s</td></tr>\n", strings.Join(rec, "</td><td>"))
				}
				fmt.Fprintf(&b, `</tbody></table><div class="pager">共%d页 `, tt.pages)
				if page == 1 {
					b.WriteString(`<a class="next" href="?page=2">下一页</a>`)
				} else {
					b.WriteString(tt.last)
				}
				b.WriteString(`</div></body></html>`)
				io.WriteString(w, b.String())
			}))
			defer srv.Close()
			cfg := htmllist.Config{Name: "x", URL: srv.URL + "/?page=1", Policy: quick, NextSelector: "a.next",
				RowSelector: "table.list tbody tr", HeaderSelector: "table.list thead th"}
			pages, err := collect(t, cfg, "")
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one saying %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := records(pages); !slices.EqualFunc(got, fourRecords, slices.Equal[[]string]) {
				t.Errorf("records %q", got)
			}
		})
	}
}

// A listing that states no page count ends where its pages end, however
// the site answers past the last page: a 404, the last page again (a
// clamped page number, or a 下一页 still linking on the last page), a
// 暂无数据 page without the pager. They failed every sync. (Without a
// stated record count such a listing removes nothing: docs/sync.md §4.)
func TestEndsWithoutAPageCount(t *testing.T) {
	recs := fourRecords
	for _, end := range []string{"404", "clamped", "empty", "next link to a repeat", "next link to an empty page"} {
		t.Run(end, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				page := 1
				fmt.Sscan(r.URL.Query().Get("page"), &page)
				if page > 2 {
					switch end {
					case "404":
						http.NotFound(w, r)
						return
					case "clamped", "next link to a repeat":
						page = 2
					}
				}
				var b strings.Builder
				b.WriteString(`<html><head><meta charset="utf-8"></head><body><table class="list"><tr><th>主体名称</th><th>统一社会信用代码</th><th>评价结果</th><th>评价日期</th></tr>`)
				if page <= 2 {
					for _, rec := range recs[(page-1)*2 : page*2] {
						fmt.Fprintf(&b, "<tr><td>%s</td></tr>\n", strings.Join(rec, "</td><td>"))
					}
				} else {
					b.WriteString(`<tr><td colspan="4">暂无数据</td></tr>`)
				}
				b.WriteString(`</table>`)
				if page <= 2 {
					fmt.Fprintf(&b, `<div class="pager">第%d页 <a class="next" href="?page=%d">下一页</a></div>`, page, page+1)
				}
				b.WriteString(`</body></html>`)
				io.WriteString(w, b.String())
			}))
			defer srv.Close()
			cfg := htmllist.Config{Name: "x", URL: srv.URL + "/?page=1", Policy: quick, EmptyText: "暂无数据",
				RowSelector: "table.list tr:not(:first-child)", HeaderSelector: "table.list th"}
			if strings.HasPrefix(end, "next link") {
				cfg.NextSelector = "a.next"
			} else {
				cfg.PageTemplate = srv.URL + "/?page={page}"
			}
			wantListing(t, cfg, recs, -1)
		})
	}
}

// A site that serves a page number past the end as page 1 answers the
// probe after a full last page with page 1 again: the listing ended there.
func TestProbeAnsweredWithPageOne(t *testing.T) {
	recs := fourRecords
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page := 1
		fmt.Sscan(r.URL.Query().Get("page"), &page)
		if page > 2 {
			page = 1
		}
		var b strings.Builder
		b.WriteString(`<html><head><meta charset="utf-8"></head><body><table class="list"><tr><th>主体名称</th><th>统一社会信用代码</th><th>评价结果</th><th>评价日期</th></tr>`)
		for _, rec := range recs[(page-1)*2 : page*2] {
			fmt.Fprintf(&b, "<tr><td>%s</td></tr>\n", strings.Join(rec, "</td><td>"))
		}
		fmt.Fprintf(&b, `</table><div class="pager">共4条 第%d/2页</div></body></html>`, page)
		io.WriteString(w, b.String())
	}))
	defer srv.Close()
	cfg := htmllist.Config{Name: "x", URL: srv.URL + "/?page=1", PageTemplate: srv.URL + "/?page={page}", Policy: quick, EmptyText: "暂无数据",
		RowSelector: "table.list tr:not(:first-child)", HeaderSelector: "table.list th"}
	wantListing(t, cfg, recs, 4)
}

// The probe past a full last page ends the listing only on an answer in
// the listing's layout (its header with no rows, 暂无数据, a 404, a page
// again): a home page the site redirects to, or a maintenance notice,
// says nothing of where the listing ends and fails the fetch — with a
// pager that understates the listing by a page, such answers cut the
// last page off and its records were removed. So does the listing's own
// page, without rows, saying the site is busy (系统繁忙，请稍后再试), while
// words every page shows (a footer's 网站维护) say nothing.
func TestProbeAnsweredWithAnotherPage(t *testing.T) {
	recs := fourRecords
	for _, answer := range []string{"header without rows", "redirect home", "maintenance notice", "header, no rows, busy notice"} {
		t.Run(answer, func(t *testing.T) {
			var srv *httptest.Server
			srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/index.html" {
					io.WriteString(w, `<html><head><meta charset="utf-8"></head><body><h1>许昌市人力资源和社会保障局</h1><a href="/list">信用公示</a></body></html>`)
					return
				}
				page := 1
				fmt.Sscan(r.URL.Query().Get("page"), &page)
				var b strings.Builder
				switch {
				case page > 2 && answer == "redirect home":
					http.Redirect(w, r, srv.URL+"/index.html", http.StatusFound)
					return
				case page > 2 && answer == "maintenance notice":
					io.WriteString(w, `<html><head><meta charset="utf-8"></head><body><p>系统维护中，请稍后访问</p></body></html>`)
					return
				}
				b.WriteString(`<html><head><meta charset="utf-8"></head><body><table class="list"><tr><th>主体名称</th><th>统一社会信用代码</th><th>评价结果</th><th>评价日期</th></tr>`)
				if page <= 2 {
					for _, rec := range recs[(page-1)*2 : page*2] {
						fmt.Fprintf(&b, "<tr><td>%s</td></tr>\n", strings.Join(rec, "</td><td>"))
					}
				}
				fmt.Fprintf(&b, `</table><div class="pager">共4条 第%d/2页</div>`, page)
				if page > 2 && answer == "header, no rows, busy notice" {
					b.WriteString(`<div class="tip">系统繁忙，请稍后再试</div>`)
				}
				b.WriteString(`<div class="footer">主办：许昌市人力资源和社会保障局 网站维护：许昌市信息中心</div></body></html>`)
				io.WriteString(w, b.String())
			}))
			defer srv.Close()
			cfg := htmllist.Config{Name: "x", URL: srv.URL + "/list?page=1", PageTemplate: srv.URL + "/list?page={page}", Policy: quick,
				RowSelector: "table.list tr:not(:first-child)", HeaderSelector: "table.list th",
				PageCountSelector: "div.pager", PageCountPattern: `/(\d+)页`, RecordCountSelector: "div.pager"}
			switch answer {
			case "header without rows": // its footer's 网站维护 is on every page
				wantListing(t, cfg, recs, 4)
				return
			case "header, no rows, busy notice":
				if _, err := collect(t, cfg, ""); !errors.Is(err, fetch.ErrIncomplete) || !strings.Contains(err.Error(), "繁忙") {
					t.Errorf("the probe answered by the listing's page saying the site is busy: %v, want the listing incomplete", err)
				}
				return
			}
			if _, err := collect(t, cfg, ""); !errors.Is(err, fetch.ErrLayout) {
				t.Errorf("the probe answered by a %s: %v, want a layout failure", answer, err)
			}
		})
	}
}

// Sites print the pager over records only: past a full last page, the
// listing's page with its header and a 暂无数据 row but no pager ends
// the listing, as the page with the header alone does. A listing whose
// count was a multiple of the page size failed every sync on it ("expected
// the page count … got 0 elements"). A page the pager counts still must
// show the pager, and a busy notice past the end still fails. A pager
// whose text the pattern does not read is quoted with the pattern, not
// counted as missing ("got 1 elements").
func TestEmptyPageWithoutThePager(t *testing.T) {
	recs := fourRecords
	for _, tt := range []struct {
		name    string
		empty   int    // the page that shows 暂无数据 without the pager
		extra   string // more text on that page
		pager   string // the pager's text on the other pages, %d the page
		wantErr string // "" = the listing's 4 records
	}{
		{"past the full last page", 3, "", "共4条 第%d/2页", ""},
		{"past the end, busy", 3, `<div class="tip">系统繁忙，请稍后再试</div>`, "共4条 第%d/2页", "繁忙"},
		{"the last page the pager counts", 2, "", "共4条 第%d/2页", `expected the page count at "div.pager", got 0 elements: a truncated or changed page`},
		{"a pager in other words", 0, "", "4条记录 第%d/2页", `the record count at "div.pager" reads "4条记录 第1/2页", which 共`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				page := 1
				fmt.Sscan(r.URL.Query().Get("page"), &page)
				var b strings.Builder
				b.WriteString(`<html><head><meta charset="utf-8"></head><body><table class="list"><tr><th>主体名称</th><th>统一社会信用代码</th><th>评价结果</th><th>评价日期</th></tr>`)
				if page == tt.empty || page > 2 {
					b.WriteString(`<tr><td colspan="4">暂无数据</td></tr></table>` + tt.extra)
				} else {
					for _, rec := range recs[(page-1)*2 : page*2] {
						fmt.Fprintf(&b, "<tr><td>%s</td></tr>\n", strings.Join(rec, "</td><td>"))
					}
					fmt.Fprintf(&b, `</table><div class="pager">`+tt.pager+`</div>`, page)
				}
				b.WriteString(`</body></html>`)
				io.WriteString(w, b.String())
			}))
			defer srv.Close()
			cfg := htmllist.Config{Name: "x", URL: srv.URL + "/list?page=1", PageTemplate: srv.URL + "/list?page={page}", Policy: quick, EmptyText: "暂无数据",
				RowSelector: "table.list tr:not(:first-child)", HeaderSelector: "table.list th",
				PageCountSelector: "div.pager", PageCountPattern: `/(\d+)页`, RecordCountSelector: "div.pager"}
			if tt.wantErr == "" {
				wantListing(t, cfg, recs, 4)
				return
			}
			if _, err := collect(t, cfg, ""); !errors.Is(err, fetch.ErrIncomplete) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%v; want the listing incomplete, saying %s", err, tt.wantErr)
			}
		})
	}
}

// An HTML source's credential (auth_header, auth_query) is sent with
// every page, as an API source's: a site behind a gateway that wants a
// key answered 401, the configuration's key silently left out. It goes
// to the configured host only: a next link to another host fails the
// page, nothing sent there; and a next link repeating the query key is
// followed, the key in no page's URL or resume token.
func TestCredentialsSent(t *testing.T) {
	const key = "html-key-3Jw9zQ"
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	defer other.Close()
	otherHost := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
	header := fetch.Auth{Header: "X-Api-Token", Secret: fetch.NewSecret(key)}
	query := fetch.Auth{Query: "key", Secret: fetch.NewSecret(key)}
	for _, tt := range []struct {
		name string
		auth fetch.Auth
		next string // page 1's next link, %s the site's address
		want error  // nil = the listing's 4 records
	}{
		{"in a header", header, "%s/list?page=2", nil},
		{"in the query, the next link repeating it", query, "%s/list?page=2&key=" + key, nil},
		{"in a header, a next link to another host", header, otherHost + "/list?page=2", fetch.ErrRedirect},
		{"in the query, a next link to another host", query, otherHost + "/list?page=2", fetch.ErrRedirect},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var srv *httptest.Server
			srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("X-Api-Token") != key && r.URL.Query().Get("key") != key {
					http.Error(w, "401 未授权", http.StatusUnauthorized)
					return
				}
				page := 1
				fmt.Sscan(r.URL.Query().Get("page"), &page)
				var b strings.Builder
				b.WriteString(`<html><head><meta charset="utf-8"></head><body><table class="list"><tr><th>主体名称</th><th>统一社会信用代码</th><th>评价结果</th><th>评价日期</th></tr>`)
				for _, rec := range fourRecords[min(page-1, 2)*2 : min(page, 2)*2] { // past page 2, the header alone
					fmt.Fprintf(&b, "<tr><td>%s</td></tr>\n", strings.Join(rec, "</td><td>"))
				}
				b.WriteString(`</table>`)
				if page == 1 {
					fmt.Fprintf(&b, `<a class="next" href="`+tt.next+`">下一页</a>`, srv.URL)
				}
				fmt.Fprintf(&b, `<div class="pager">共4条 第%d/2页</div></body></html>`, page)
				io.WriteString(w, b.String())
			}))
			defer srv.Close()
			cfg := htmllist.Config{Name: "x", URL: srv.URL + "/list?page=1", NextSelector: "a.next", Policy: quick, Auth: tt.auth,
				RowSelector: "table.list tr:not(:first-child)", HeaderSelector: "table.list th", RecordCountSelector: "div.pager"}
			pages, err := collect(t, cfg, "")
			if tt.want != nil {
				if !errors.Is(err, tt.want) || elsewhere.Load() != 0 {
					t.Errorf("%v, %d requests to the other host; want %v and none", err, elsewhere.Load(), tt.want)
				}
				return
			}
			if err != nil || len(records(pages)) != 4 {
				t.Fatalf("%d records, %v", len(records(pages)), err)
			}
			for _, p := range pages {
				if strings.Contains(p.Next+p.URL, key) {
					t.Errorf("page %d keeps the key: url %s, next %s", p.Number, p.URL, p.Next)
				}
			}
		})
	}
}

// A pager that understates the listing to fit one page (共3条 当前第1/1页
// over 3 rows while 4 are listed, 3 a page) agrees with its rows, and
// states no page size: nothing told that page 1 was full, so the 4th
// record, on page 2, was removed. When the last complete snapshot held
// more records than that lone page, page 2 is asked for: rows there fail
// the fetch, an empty page ends the listing (the site really delisted
// one). Without a snapshot to compare, or when the page holds as many,
// the listing ends at page 1 as before.
func TestLonePageProbedWhenTheListingShrank(t *testing.T) {
	for _, tt := range []struct {
		name     string
		listed   int // records the site lists, 3 a page
		previous int // records of the last complete snapshot
		asks     int32
		wantErr  bool
	}{
		{"understated, a larger snapshot before", 4, 4, 2, true},
		{"understated, no snapshot before", 4, 0, 1, false},
		{"really shrank", 3, 4, 2, false},
		{"as many as before", 3, 3, 1, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var asks atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				asks.Add(1)
				page := 1
				fmt.Sscan(r.URL.Query().Get("page"), &page)
				var b strings.Builder
				b.WriteString(`<html><head><meta charset="utf-8"></head><body><table class="list"><tr><th>主体名称</th><th>统一社会信用代码</th><th>评价结果</th><th>评价日期</th></tr>`)
				shown := fourRecords[min((page-1)*3, tt.listed):min(page*3, tt.listed)]
				for _, rec := range shown {
					fmt.Fprintf(&b, "<tr><td>%s</td></tr>\n", strings.Join(rec, "</td><td>"))
				}
				if len(shown) == 0 {
					b.WriteString(`<tr><td colspan="4">暂无数据</td></tr>`)
				}
				fmt.Fprintf(&b, `</table><div class="page">共3条记录 当前第%d/1页 共1页</div></body></html>`, page)
				io.WriteString(w, b.String())
			}))
			defer srv.Close()
			cfg := htmllist.Config{Name: "x", URL: srv.URL + "/?page=1", PageTemplate: srv.URL + "/?page={page}", Policy: quick, EmptyText: "暂无数据",
				RowSelector: "table.list tr:not(:first-child)", HeaderSelector: "table.list th", Previous: tt.previous}
			pages, err := collect(t, cfg, "")
			if tt.wantErr {
				if !errors.Is(err, fetch.ErrClaims) {
					t.Errorf("%d records, %v; want the row on page 2 to contradict the pager", len(records(pages)), err)
				}
			} else if err != nil || len(records(pages)) != 3 {
				t.Errorf("%d records, %v; want the 3 of page 1", len(records(pages)), err)
			}
			if asks.Load() != tt.asks {
				t.Errorf("%d requests, want %d", asks.Load(), tt.asks)
			}
		})
	}
}

// TestGroupedHeader reads a header of several rows as a browser lays it
// out: each cell covers the columns and rows its colspan and rowspan say,
// and each column is named by its leaf heading, or by its group and leaf
// where the list needs both (contract.List.GroupedHeader, as an import
// reads a workbook's). Every heading of both rows read as a column made
// the header seven wide over rows of six.
func TestGroupedHeader(t *testing.T) {
	l, err := contract.Lookup("abnormal")
	if err != nil {
		t.Fatal(err)
	}
	c, err := htmllist.New(htmllist.Config{Name: "x", URL: "http://127.0.0.1/", Policy: quick, NextSelector: "a.next",
		RowSelector: "table.list tr", HeaderSelector: "table.list tr.title th"}, l)
	if err != nil {
		t.Fatal(err)
	}
	const row = `<tr><td>1</td><td>许昌甲人力资源有限公司</td><td>91411002MA4000012Y</td><td>未按规定期限公示年度报告</td><td>2026-07-01</td><td>许昌市市场监督管理局</td></tr>`
	grouped := `<tr class="title"><th rowspan="2">序号</th><th rowspan="2">企业名称</th><th rowspan="2">统一社会信用代码</th><th colspan="3">列入信息</th></tr>
		<tr class="title"><th>列入原因</th><th>列入日期</th><th>作出决定机关</th></tr>`
	six := []string{"序号", "企业名称", "统一社会信用代码", "列入原因", "列入日期", "作出决定机关"}
	tests := []struct {
		name, table string
		header      []string
	}{
		{"one row", `<tr class="title"><th>序号</th><th>企业名称</th><th>统一社会信用代码</th><th>列入原因</th><th>列入日期</th><th>作出决定机关</th></tr>` + row, six},
		{"a group over three columns", grouped + row, six},
		{"the grouped header repeated further down", grouped + row + grouped + row, six},
		{"a group whose name the leaves complete (列入 over 原因, 日期)",
			`<tr class="title"><th rowspan="2">序号</th><th rowspan="2">企业名称</th><th rowspan="2">统一社会信用代码</th><th colspan="2">列入</th><th rowspan="2">作出决定机关</th></tr>
			<tr class="title"><th>原因</th><th>日期</th></tr>` + row,
			[]string{"序号", "企业名称", "统一社会信用代码", "列入原因", "列入日期", "作出决定机关"}},
		{"a leaf no column of the list, kept with its group",
			`<tr class="title"><th rowspan="2">企业名称</th><th rowspan="2">统一社会信用代码</th><th colspan="3">列入信息</th><th>其他</th></tr>
			<tr class="title"><th>列入原因</th><th>列入日期</th><th>作出决定机关</th><th>备注</th></tr>
			<tr><td>许昌甲人力资源有限公司</td><td>91411002MA4000012Y</td><td>未按规定期限公示年度报告</td><td>2026-07-01</td><td>许昌市市场监督管理局</td><td>已整改</td></tr>`,
			[]string{"企业名称", "统一社会信用代码", "列入原因", "列入日期", "作出决定机关", "其他/备注"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `<html><head><meta charset="utf-8"></head><body><table class="list"><caption>许昌市经营异常名录公示</caption>` + tt.table + `</table></body></html>`
			p, err := c.Parse(1, []byte(body), "text/html; charset=utf-8")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(p.Header, tt.header) {
				t.Errorf("header %q, want %q", p.Header, tt.header)
			}
			if len(p.Records) == 0 || slices.ContainsFunc(p.Records, func(r []string) bool { return len(r) != len(tt.header) }) {
				t.Errorf("records %q, want rows of %d cells", p.Records, len(tt.header))
			}
		})
	}
}
