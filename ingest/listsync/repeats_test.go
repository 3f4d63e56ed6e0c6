package listsync_test

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/ingest/listsync"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
)

// siteEnv is a store and a config syncing one source, sourceTOML with
// {site} standing for the address of a site on loopback that answers
// page n (its page or pageNo parameter, 1 when none) with the file
// testdata/<pageOf(n)>, and with 404 where pageOf says "".
func siteEnv(t *testing.T, pageOf func(n int) string, sourceTOML string) *env {
	t.Helper()
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := 1
		for _, param := range []string{"page", "pageNo"} {
			if v, err := strconv.Atoi(r.FormValue(param)); err == nil {
				n = v
			}
		}
		name := pageOf(n)
		if name == "" {
			http.NotFound(w, r)
			return
		}
		body, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if strings.HasSuffix(name, ".json") {
			w.Header().Set("Content-Type", "application/json;charset=utf-8")
		}
		w.Write(body)
	}))
	t.Cleanup(site.Close)
	cfg, err := listsync.ParseConfig(strings.ReplaceAll(sourceTOML, "{site}", site.URL))
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, s: storetest.OpenMigrated(t), cfg: cfg, log: &bytes.Buffer{}}
}

// every answers every page number with one page, as a site without a
// pager does.
func every(page string) func(int) string { return func(int) string { return page } }

// Sources of one penalty listing: list pages without a pager (every page
// number answers the same page), and an interface paged by number.
const (
	penaltyPagesTOML = `
[[source]]
name = "city-penalties"
list = "penalties"
kind = "html"
page_template = "{site}/xzcf/list.html?page={page}"
row_selector = "table.list tr:not(.title)"
header_selector = "table.list tr.title th"
empty_text = "暂无数据"
rate = 0
retries = 0
`
	penaltyAPITOML = `
[[source]]
name = "city-penalties"
list = "penalties"
kind = "api"
url = "{site}/api/sgs/xzcf/list"
pagination = "page"
page_param = "pageNo"
size_param = "pageSize"
page_size = 5
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

// Two records under one 决定书文号 with different parties — a decision
// naming several, or a fault of the site — were resolved by keeping the
// later one: the run ended ok with 3 rows from a page of 4, and the
// registered institution's penalty was lost without a word (its grade
// kept A). Whatever the source states and whatever checks are off, such
// a snapshot fails, naming the key, both records and whom they name,
// and stores and removes nothing. The same record listed twice alike is
// stored once, and the run says so.
func TestOneKeyTwoRecords(t *testing.T) {
	t.Parallel()
	skipCount := "skip_checks = [{ check = \"record_count\", reason = \"the site counts each party\" }]\n"
	conflict := []string{"决定书文号 许市监罚〔2026〕2号 is on page 1 record 2 (许昌丁人才服务有限公司, 91411002MA4000047H) and page 1 record 3 (河南测试03商贸有限公司, 91410100MA90000469), with different values",
		`处罚内容 "罚款2000元" and "没收违法所得"`, "docs/sync.md"}
	tests := []struct {
		name, page, toml string
		want             []string // in the error; none: the sync succeeds
		repeated         string   // the run's note of a record listed twice alike
	}{
		{"pages without a count", "repeats/two_parties.html", penaltyPagesTOML, conflict, ""},
		{"pages with a count", "repeats/two_parties_counted.html", penaltyPagesTOML, conflict, ""},
		{"pages with the count check off", "repeats/two_parties_counted.html", penaltyPagesTOML + skipCount, conflict, ""},
		{"an interface without a total", "repeats/two_parties.json", penaltyAPITOML, conflict, ""},
		{"an interface with the count check off", "repeats/two_parties_total.json",
			strings.Replace(penaltyAPITOML, "rate = 0", "total_path = \"data.total\"\n"+skipCount+"rate = 0", 1), conflict, ""},
		{"pages listing one record twice alike", "repeats/same_twice.html", penaltyPagesTOML, nil,
			"决定书文号 许市监罚〔2026〕2号 is on page 1 records 2 and 3, with the same values: stored once"},
		{"an interface listing one record twice alike", "repeats/same_twice.json", penaltyAPITOML, nil,
			"决定书文号 许市监罚〔2026〕2号 is on page 1 records 2 and 3, with the same values: stored once"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := siteEnv(t, every(tt.page), tt.toml)
			res, err := e.sync(listsync.Options{})
			r := result(t, res, "city-penalties")
			if tt.want == nil {
				if err != nil || r.Rows != 3 || len(r.Repeated) != 1 || r.Repeated[0] != tt.repeated {
					t.Fatalf("sync: rows %d, repeated %q, error %v; want 3 rows and the note %q", r.Rows, r.Repeated, err, tt.repeated)
				}
				if !strings.Contains(e.log.String(), "stored once") {
					t.Errorf("the log does not say a record was listed twice:\n%s", e.log)
				}
				return
			}
			if !errors.Is(err, listsync.ErrKeyConflict) || r.Status != listsync.StatusFailed || r.Complete {
				t.Fatalf("sync: status %s, complete %v, error %v; want failed with ErrKeyConflict", r.Status, r.Complete, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if n := e.count("SELECT count() FROM penalties", nil); n != 0 {
				t.Errorf("%d penalties stored from the refused snapshot", n)
			}
			if n := e.count("SELECT count() FROM external_records", nil); n != 0 {
				t.Errorf("%d records seen in the refused snapshot", n)
			}
			if n := e.count("SELECT count() FROM sync_runs FINAL WHERE status = 'failed' AND position(error, '许市监罚〔2026〕2号') > 0", store.Params{}); n != 1 {
				t.Errorf("sync_runs does not record the failure naming the key")
			}
		})
	}
}
