package listsync_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/ingest/listsync"
	"github.com/xuchang-hrss/creditsync/storetest"
)

// endlessSite serves a penalty listing whose pages never end: page n
// (its p parameter) holds perPage records and links to page n+1, as
// HTML (a 下一页 link) or JSON (next_url). record(n, i) numbers the
// i-th record of page n; claim is the record count every page states,
// "" for none. It counts the pages it served. Page 100 is the last (no
// link on): a fetch that does not stop ends there rather than hang.
func endlessSite(t *testing.T, asJSON bool, perPage int, claim string, record func(n, i int) int, served *int) *httptest.Server {
	t.Helper()
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*served++
		n, _ := strconv.Atoi(r.FormValue("p"))
		n = max(n, 1)
		next := fmt.Sprintf("%s?p=%d", r.URL.Path, n+1)
		type rec struct {
			ID   string `json:"cf_wsh"`
			Name string `json:"cf_xdr_mc"`
			USCC string `json:"cf_xdr_shxym"`
			Date string `json:"cf_jdrq"`
			Org  string `json:"cf_cfjg"`
			Text string `json:"cf_nr"`
		}
		var recs []rec
		for i := range perPage {
			k := record(n, i)
			recs = append(recs, rec{fmt.Sprintf("许市监罚〔2026〕%d号", k), "许昌丁人才服务有限公司", "91411002MA4000047H", "2026-06-02", "许昌市市场监督管理局", fmt.Sprintf("罚款%d元", 1000+k)})
		}
		if asJSON {
			data := map[string]any{"list": recs}
			if n < 100 {
				data["next"] = "http://" + r.Host + next
			}
			if claim != "" {
				data["total"], _ = strconv.Atoi(claim)
			}
			w.Header().Set("Content-Type", "application/json;charset=utf-8")
			json.NewEncoder(w).Encode(map[string]any{"code": 0, "msg": "成功", "data": data})
			return
		}
		var b strings.Builder
		b.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>行政处罚公示</title></head><body><table class="list">` +
			`<tr class="title"><th>决定书文号</th><th>企业名称</th><th>统一社会信用代码</th><th>决定日期</th><th>处罚内容</th></tr>`)
		for _, r := range recs {
			fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>", r.ID, r.Name, r.USCC, r.Date, r.Text)
		}
		b.WriteString(`</table><div class="pager">`)
		if claim != "" {
			b.WriteString("共" + claim + "条记录 ")
		}
		if n < 100 {
			fmt.Fprintf(&b, `<a class="next" href="%s">下一页</a>`, next)
		}
		b.WriteString(`</div></body></html>`)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(b.String()))
	}))
	t.Cleanup(site.Close)
	return site
}

const (
	endlessHTMLTOML = `
[[source]]
name = "city-penalties"
list = "penalties"
kind = "html"
url = "{site}/xzcf/list.html"
row_selector = "table.list tr:not(.title)"
header_selector = "table.list tr.title th"
next_selector = "a.next"
rate = 0
retries = 0
`
	endlessAPITOML = `
[[source]]
name = "city-penalties"
list = "penalties"
kind = "api"
url = "{site}/api/sgs/xzcf/list"
pagination = "next_url"
next_path = "data.next"
records_path = "data.list"
status_path = "code"
status_ok = ["0"]
message_path = "msg"
rate = 0
retries = 0
[source.fields]
record_id = "cf_wsh"
uscc = "cf_xdr_shxym"
name = "cf_xdr_mc"
decided_on = "cf_jdrq"
authority = "cf_cfjg"
content = "cf_nr"
`
)

// A listing whose pages never end (a next link or next_url always
// leading to new records) was read until the process was killed, every
// page stored in raw_pages: its stated total was long passed and
// max_rows checked only after a last page that never came, and
// max_pages set no cap by default. The fetch now fails as soon as the
// distinct records read pass the count the pages claim or max_rows, or
// the pages pass what the claim takes: the error names the source, the
// pages read and the bound; nothing is loaded, and the snapshot is not
// resumed.
func TestEndlessListingFails(t *testing.T) {
	t.Parallel()
	newRecords := func(perPage int) func(n, i int) int { return func(n, i int) int { return (n-1)*perPage + i + 1 } }
	tests := []struct {
		name      string
		asJSON    bool
		perPage   int
		claim     string
		extra     string // config lines
		record    func(n, i int) int
		want      []string // in the error
		sentinel  error
		pagesRead int // the page the fetch stops at
	}{
		{"HTML next links past 共15条", false, 3, "15", "", newRecords(3),
			[]string{"city-penalties: page 6 ", "6 pages read hold 18 distinct records, more than the 15 the source claims (page 1)"}, listsync.ErrNotProven, 6},
		{"HTML next links without a count past max_rows", false, 3, "", "max_rows = 30\n", newRecords(3),
			[]string{"city-penalties: page 11 ", "11 pages read hold 33 distinct records, more than max_rows 30"}, listsync.ErrAssertion, 11},
		{"next_url past total 4", true, 2, "4", "total_path = \"data.total\"\n", newRecords(2),
			[]string{"city-penalties: page 3 ", "3 pages read hold 6 distinct records, more than the 4 the source claims (page 1)"}, listsync.ErrNotProven, 3},
		// The same 20 records in a window moving one record a page: the
		// distinct records never pass the claim, and no page repeats
		// one before it until page 21.
		{"HTML pages circling within 共20条", false, 3, "20", "", func(n, i int) int { return (n+i-1)%20 + 1 },
			[]string{"city-penalties: page 17 ", "17 pages read, more than the 16 its count takes twice over and two (20 records claimed on page 1, at the 3 a page of the first page read)"}, listsync.ErrNotProven, 17},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			served := 0
			site := endlessSite(t, tt.asJSON, tt.perPage, tt.claim, tt.record, &served)
			toml := endlessHTMLTOML
			if tt.asJSON {
				toml = endlessAPITOML
			}
			toml = strings.Replace(toml, "rate = 0", tt.extra+"rate = 0", 1)
			cfg, err := listsync.ParseConfig(strings.ReplaceAll(toml, "{site}", site.URL))
			if err != nil {
				t.Fatal(err)
			}
			e := &env{t: t, s: storetest.OpenMigrated(t), cfg: cfg, log: &bytes.Buffer{}}
			for range 2 { // the second starts over: a snapshot that went on is not resumed
				served = 0
				res, err := e.sync(listsync.Options{})
				r := result(t, res, "city-penalties")
				if !errors.Is(err, tt.sentinel) || r.Status != listsync.StatusFailed {
					t.Fatalf("sync: status %s, %d pages, error %v; want failed with %v", r.Status, r.Pages, err, tt.sentinel)
				}
				for _, w := range tt.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				if served != tt.pagesRead || r.Resumed != 0 {
					t.Errorf("the site served %d pages (resumed from %d); want %d from the start", served, r.Resumed, tt.pagesRead)
				}
			}
			for _, q := range []string{"SELECT count() FROM penalties", "SELECT count() FROM external_records", "SELECT count() FROM import_batches"} {
				if n := e.count(q, nil); n != 0 {
					t.Errorf("%s: %d from the refused snapshot", q, n)
				}
			}
		})
	}
}

// The bound counts records as validation keys them: a record a page
// repeats from an earlier page in another spelling (a text mark before
// its 文号, spaces around it) is one record, not two. Counted by its
// own folding, the bound took the listing of 共5条 for one going on past
// its count; with the overlap check switched off the snapshot proves
// and loads its five records.
func TestBoundCountsRecordsAsValidationKeysThem(t *testing.T) {
	t.Parallel()
	pages := [][]string{
		{"许市监罚〔2026〕1号", "许市监罚〔2026〕2号", "许市监罚〔2026〕3号"},
		{"'许市监罚〔2026〕3号", " 许市监罚〔2026〕4号", "许市监罚〔2026〕5号"},
	}
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.FormValue("p"))
		n = max(n, 1)
		var b strings.Builder
		b.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>行政处罚公示</title></head><body><table class="list">` +
			`<tr class="title"><th>决定书文号</th><th>企业名称</th><th>统一社会信用代码</th><th>决定日期</th><th>处罚内容</th></tr>`)
		if n <= len(pages) {
			for _, id := range pages[n-1] {
				fmt.Fprintf(&b, "<tr><td>%s</td><td>许昌丁人才服务有限公司</td><td>91411002MA4000047H</td><td>2026-06-02</td><td>罚款1000元</td></tr>", id)
			}
		}
		b.WriteString(`</table><div class="pager">共5条记录 `)
		if n < len(pages) {
			fmt.Fprintf(&b, `<a class="next" href="%s?p=%d">下一页</a>`, r.URL.Path, n+1)
		}
		b.WriteString(`</div></body></html>`)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(b.String()))
	}))
	t.Cleanup(site.Close)
	toml := strings.Replace(endlessHTMLTOML, "rate = 0", "skip_checks = [{check = \"overlap\", reason = \"the site repeats a page's last record on the next\"}]\nrate = 0", 1)
	cfg, err := listsync.ParseConfig(strings.ReplaceAll(toml, "{site}", site.URL))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, s: storetest.OpenMigrated(t), cfg: cfg, log: &bytes.Buffer{}}
	res, err := e.sync(listsync.Options{})
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	if r := result(t, res, "city-penalties"); r.Status == listsync.StatusFailed || r.Rows != 5 {
		t.Errorf("status %s, %d records; want the five", r.Status, r.Rows)
	}
	if n := e.count("SELECT count() FROM penalties", nil); n != 5 {
		t.Errorf("penalties holds %d records, want 5", n)
	}
}
