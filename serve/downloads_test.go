package serve

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/xuchang-hrss/creditsync/report"
)

// The public list downloads as XLSX from the web, written as the command
// line writes it — with the lines under the table the CSV lacks (how to
// object, the contact) — and the reports page links it: it answered 404
// for every unit. The watch lists and 数据矛盾 download too, in the command
// line's formats, and like every download a county token gets its own
// county's only.
func TestEveryListDownloads(t *testing.T) {
	_, _, srv := evaluatedServer(t)
	srv.contacts = report.PublicContacts{City: report.PublicContact{Person: "信用科", Phone: "0374-1234567"}}
	h := srv.Handler()
	page := get(t, h, "/reports?date=2026-10-08", weiduToken)
	if page.status != http.StatusOK {
		t.Fatalf("reports page: %d", page.status)
	}
	cases := []struct {
		path, contentType, want string
	}{
		{"/reports/public/411002.xlsx", report.ContentType("xlsx"), ""},
		{"/reports/watch/411002.html", report.ContentType("html"), "待办名单"},
		{"/reports/watch/411002.csv", report.ContentType("csv"), "可申请上调"},
		{"/reports/watch/411002.xlsx", report.ContentType("xlsx"), ""},
		{"/reports/conflicts/411002.csv", report.ContentType("csv"), "记录来源"},
		{"/reports/conflicts/411002.xlsx", report.ContentType("xlsx"), ""},
	}
	for _, c := range cases {
		if !strings.Contains(page.body, `href="`+c.path+`?date=2026-10-08"`) {
			t.Errorf("the reports page does not link %s", c.path)
		}
		for _, tk := range []struct {
			token string
			want  int
		}{{weiduToken, http.StatusOK}, {cityToken, http.StatusOK}, {jiananToken, http.StatusNotFound}} {
			r := get(t, h, c.path+"?date=2026-10-08", tk.token)
			if r.status != tk.want {
				t.Errorf("%s: %d, want %d\n%.300s", c.path, r.status, tk.want, r.body)
				continue
			}
			if r.status == http.StatusOK && (r.header.Get("Content-Type") != c.contentType || !strings.Contains(r.body, c.want)) {
				t.Errorf("%s: %s, want %s holding %q\n%.300s", c.path, r.header.Get("Content-Type"), c.contentType, c.want, r.body)
			}
		}
	}
	if strings.Contains(page.body, "/411003.") {
		t.Error("the reports page of 魏都区 links 建安区's reports")
	}

	r := get(t, h, "/reports/public/411002.xlsx?date=2026-10-08", weiduToken)
	f, err := excelize.OpenReader(bytes.NewReader([]byte(r.body)))
	if err != nil {
		t.Fatalf("public list XLSX: %v", err)
	}
	defer f.Close()
	rs, err := f.GetRows("公示名单")
	if err != nil {
		t.Fatal(err)
	}
	// The page says what the list holds: every column of its heading
	// (it named four of the seven).
	for _, row := range rs {
		if len(row) > 0 && row[0] == "序号" {
			for _, col := range row[1:] {
				if !strings.Contains(page.body, col) {
					t.Errorf("the reports page's note on the public list does not name its column %s", col)
				}
			}
		}
	}
	var all strings.Builder
	for _, row := range rs {
		all.WriteString(strings.Join(row, " ") + "\n")
	}
	for _, want := range []string{"许昌守信人力资源有限公司", "有异议", "0374-1234567"} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("public list XLSX lacks %q:\n%s", want, all.String())
		}
	}
}
