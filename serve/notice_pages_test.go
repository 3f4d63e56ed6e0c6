package serve

import (
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/report/reporttest"
)

// The reports page offers every item the notice's §十 asks a county to
// send — 附件2, 诚信机构典型名单, 动态调整情况 — and 附件1, each of which
// downloads; 动态调整情况 needs the recorded history, which the scripted
// source has not, so it says so instead of offering a link.
func TestReportsPageOffersTheNoticeItems(t *testing.T) {
	h := newServer(t, testConfig()).Handler()
	page := get(t, h, "/reports?date=2026-07-31", weiduToken)
	if page.status != 200 {
		t.Fatalf("reports page: %d", page.status)
	}
	for _, want := range []string{"附件2 汇总表", "诚信机构典型名单", "动态调整情况", "附件1 诚信承诺书", "尚无评价记录"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("reports page lacks %q", want)
		}
	}
	cases := []struct {
		path, contentType, want string
	}{
		{"/reports/summary/411002.xlsx?date=2026-07-31", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ""},
		{"/reports/typical/411002.csv?date=2026-07-31", "text/csv; charset=utf-8", "选树原因"},
		{"/reports/commitments/411002.html?date=2026-07-31", "text/html; charset=utf-8", "坚持以人为本 保障客户权益"},
	}
	for _, c := range cases {
		r := get(t, h, c.path, weiduToken)
		if r.status != 200 || r.header.Get("Content-Type") != c.contentType || !strings.Contains(r.body, c.want) {
			t.Errorf("%s: %d %s\n%.300s", c.path, r.status, r.header.Get("Content-Type"), r.body)
		}
		if !strings.Contains(page.body, strings.SplitN(c.path, "?", 2)[0]) {
			t.Errorf("the reports page does not link %s", c.path)
		}
	}
	// The note on 附件1 says what the download holds: the sentence that
	// all have signed, never a blank form (it promised one).
	if strings.Contains(page.body, "空白表") || !strings.Contains(page.body, "所有机构均已签订诚信承诺书") {
		t.Errorf("the reports page's note on 附件1 does not say what it holds:\n%s", page.body[strings.LastIndex(page.body, `<p class="note">`):])
	}
	if r := get(t, h, "/reports/adjustments/411002.csv?date=2026-07-31", weiduToken); r.status != 404 {
		t.Errorf("动态调整情况 without a history: %d, want 404", r.status)
	}
}

// Names on the county and city pages link to the institutions' pages; an
// institution's evidence is told in Chinese, not in the rules' notation.
func TestNamesLinkAndEvidenceIsChinese(t *testing.T) {
	h := newServer(t, testConfig()).Handler()
	for _, c := range []struct{ path, token string }{
		{"/counties/411002?from=2026-01&to=2026-07", weiduToken},
		{"/city?from=2026-01&to=2026-07", cityToken},
	} {
		r := get(t, h, c.path, c.token)
		if r.status != 200 || !strings.Contains(r.body, `<a href="/institutions/`+reporttest.ScriptC+`">`) {
			t.Errorf("%s: %d, no link to %s", c.path, r.status, reporttest.ScriptC)
		}
	}
	r := get(t, h, "/institutions/"+reporttest.ScriptC+"?date=2026-04-01", weiduToken)
	if r.status != 200 {
		t.Fatalf("institution page: %d", r.status)
	}
	for _, bad := range []string{"W(T)", "handled in", "severity"} {
		if strings.Contains(r.body, bad) {
			t.Errorf("institution page shows %q", bad)
		}
	}
	for _, want := range []string{"评价期内因严重劳动保障违法违规行为被查处", "因情节严重的劳动保障违法违规行为被查处", "评价期："} {
		if !strings.Contains(r.body, want) {
			t.Errorf("institution page lacks %q", want)
		}
	}
}
