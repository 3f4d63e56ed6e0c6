package report_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/report/reporttest"
	"github.com/xuchang-hrss/creditsync/storetest"
)

// The public list on a day holds every institution with a grade: a
// cancelled licence leaves it, a revoked one stays with its D (D3); during publicity it states the period, how, by when and to which
// bureau to object (the one that made the grade) and the contact; it has no English heading and no internal detail.
func TestPublicListOnTheLifecycle(t *testing.T) {
	ctx := context.Background()
	day := reporttest.Day
	s := storetest.OpenMigrated(t)
	const valid, cancelled, revoked, revokedLongAgo = "914403001922038216", "91440300708461136T", "9144030071526726XG", "91620105L015101280"
	header := []string{"uscc", "name", "county_code", "licensed_on", "license_status", "license_status_on", "commitment_signed_on"}
	importRows(t, s, "institutions", [][]string{header,
		{valid, "许昌德信人力资源服务有限公司", "411002", "2020-01-01", "", "", "2020-02-01"},
		{cancelled, "许昌注销人力资源有限公司", "411002", "2020-01-01", "", "", "2020-02-01"},
		{revoked, "许昌吊销人力资源有限公司", "411002", "2020-01-01", "", "", "2020-02-01"},
		{revokedLongAgo, "许昌旧吊销人力资源有限公司", "411002", "2019-01-01", "revoked", "2023-05-01", "2020-02-01"},
	})
	r := grade.DefaultRules()
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2026, day("2026-07-31"), day("2026-07-31")); err != nil {
		t.Fatal(err)
	}
	h := &report.HistorySource{Store: s, Rules: r}
	contacts := report.PublicContacts{City: report.PublicContact{Person: "王科长", Phone: "0374-1234567"}}
	list := func(on string) (*report.PublicList, string) {
		l, err := report.BuildPublicList(ctx, h, report.City(), day(on), day(on))
		if err != nil {
			t.Fatal(err)
		}
		l.Contact = contacts.For(l.Unit)
		var b bytes.Buffer
		if err := l.WriteHTML(&b); err != nil {
			t.Fatal(err)
		}
		return l, b.String()
	}
	l, html := list("2026-08-03")
	if len(l.Rows) != 4 || l.Rows[3].USCC != revokedLongAgo || l.Rows[3].Grade != "D" {
		t.Errorf("during publicity: %+v, want all 4, the one revoked in 2023 last at D", l.Rows)
	}
	for _, want := range []string{"公示期：2026年7月31日至2026年8月6日。", "请于2026年8月6日前（含当日）以书面形式向该机构的评价单位（表中“评价单位”栏）提出", "联系人：王科长；联系电话：0374-1234567。", "公示中"} {
		if !strings.Contains(html, want) {
			t.Errorf("public list during publicity lacks %q", want)
		}
	}
	// A county's list without its own contact names whose it prints: the
	// city bureau's, while it tells objectors to write to the county's
	// (TestPublicListPrintsItsBureausContact has the other lists).
	county, err := report.BuildPublicList(ctx, h, unit(t, "411002"), day("2026-08-03"), day("2026-08-03"))
	if err != nil {
		t.Fatal(err)
	}
	county.Contact = contacts.For(county.Unit)
	if got := strings.Join(county.Notice(), "\n"); !strings.Contains(got, "向许昌市魏都区人力资源和社会保障局提出") ||
		!strings.Contains(got, "许昌市人力资源和社会保障局联系方式：联系人：王科长；联系电话：0374-1234567。") {
		t.Errorf("county list's notice:\n%s\nwant the contact named as the city bureau's", got)
	}
	// The city's list holds 魏都区's grades: objections go to the bureau
	// that made them, which the row names, not to the city's.
	if strings.Contains(html, "向许昌市人力资源和社会保障局提出") {
		t.Errorf("the city's list sends objections to 魏都区's grades to the city bureau")
	}
	for _, bad := range []string{"Public list", "B1", "D3"} {
		if strings.Contains(html, bad) {
			t.Errorf("public list shows %q", bad)
		}
	}
	if _, err := lifecycle.Confirm(ctx, s, r, day("2026-08-07")); err != nil {
		t.Fatal(err)
	}
	importRows(t, s, "institutions", [][]string{header,
		{cancelled, "许昌注销人力资源有限公司", "411002", "2020-01-01", "cancelled", "2026-08-10", "2020-02-01"},
		{revoked, "许昌吊销人力资源有限公司", "411002", "2020-01-01", "revoked", "2026-09-01", "2020-02-01"},
	})
	// The nightly run of 2026-09-02 sees the revocation: D3 lowers it to D.
	// (The others are C: they never filed an annual report.)
	if _, err := lifecycle.Regrade(ctx, s, r, day("2026-09-02")); err != nil {
		t.Fatal(err)
	}
	h = &report.HistorySource{Store: s, Rules: r} // nothing cached
	for _, c := range []struct {
		on   string
		want []string
	}{
		{"2026-08-09", []string{valid + " C", cancelled + " C", revoked + " C", revokedLongAgo + " D"}},
		{"2026-08-10", []string{valid + " C", revoked + " C", revokedLongAgo + " D"}},
		{"2026-09-01", []string{valid + " C", revoked + " C", revokedLongAgo + " D"}},
		{"2026-09-02", []string{valid + " C", revoked + " D", revokedLongAgo + " D"}},
	} {
		l, html := list(c.on)
		var got []string
		for _, row := range l.Rows {
			got = append(got, row.USCC+" "+string(row.Grade))
		}
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("public list on %s: %v, want %v", c.on, got, c.want)
		}
		if strings.Contains(html, "公示期") || !strings.Contains(html, "有效的信用等级") {
			t.Errorf("public list on %s, after publicity, speaks of a publicity period or not of validity", c.on)
		}
	}
}

// Each bureau publishes its own results (评价结果通过本级人社部门官方网站
// 公开): a county's list prints its own bureau's contact when it has one,
// as its own, with only the fields it gives (none of the city's beside
// them); a county without one prints the city bureau's, named as the
// city's; the city's list and 市本级's print the city bureau's as theirs.
// Every county's list printed the city's, prefixed.
func TestPublicListPrintsItsBureausContact(t *testing.T) {
	contacts := report.PublicContacts{
		City: report.PublicContact{Person: "王科长", Phone: "0374-1234567", Address: "许昌市魏文路"},
		Counties: map[string]report.PublicContact{
			"411002": {Phone: "0374-7654321"},
			"411081": {Person: "李股长", Phone: "0374-8888888", Email: "rs@yuzhou.example"},
		},
	}
	for _, tt := range []struct {
		unit, bureau, contact string
	}{
		{report.CityCode, "许昌市人力资源和社会保障局", "联系人：王科长；联系电话：0374-1234567；通讯地址：许昌市魏文路。"},
		{"411000", "许昌市人力资源和社会保障局", "联系人：王科长；联系电话：0374-1234567；通讯地址：许昌市魏文路。"},
		{"411002", "许昌市魏都区人力资源和社会保障局", "联系电话：0374-7654321。"},
		{"411081", "许昌市禹州市人力资源和社会保障局", "联系人：李股长；联系电话：0374-8888888；电子邮箱：rs@yuzhou.example。"},
		{"411003", "许昌市人力资源和社会保障局", "许昌市人力资源和社会保障局联系方式：联系人：王科长；联系电话：0374-1234567；通讯地址：许昌市魏文路。"},
	} {
		l := publicList(t, tt.unit)
		l.Contact = contacts.For(l.Unit)
		if l.Contact.Bureau != tt.bureau {
			t.Errorf("%s: the contact is %s's, want %s's", tt.unit, l.Contact.Bureau, tt.bureau)
		}
		notice := l.Notice()
		if got := notice[len(notice)-1]; got != tt.contact {
			t.Errorf("%s: the contact line is %q, want %q", tt.unit, got, tt.contact)
		}
	}
}

// The public list's footer, when no publicity is under way, says what its
// grades are on its day: in force for a year only those that are. A
// grade past its publicity and not confirmed (公示期满，待确认) or under
// objection is not in force (docs/rules.md §4.7), nor is an expired one
// any longer; the footer said "以上为…有效的信用等级，有效期一年" of them
// all.
func TestPublicListFooterSaysWhatIsInForce(t *testing.T) {
	ctx := context.Background()
	day := reporttest.Day
	s := storetest.OpenMigrated(t)
	r := grade.DefaultRules()
	const confirmed, objected = "914403001922038216", "91440300708461136T"
	importRows(t, s, "institutions", [][]string{
		{"uscc", "name", "county_code", "licensed_on", "commitment_signed_on"},
		{confirmed, "许昌德信人力资源服务有限公司", "411002", "2023-01-01", "2023-02-01"},
		{objected, "许昌异议人力资源有限公司", "411002", "2023-01-01", "2023-02-01"},
	})
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2023, day("2023-07-31"), day("2023-08-01")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.FileObjection(ctx, s, objected, "材料已补", day("2023-08-03")); err != nil {
		t.Fatal(err)
	}
	const (
		awaiting = "状态为“公示期满，待确认”的公示期已满，尚未确认，确认后生效，有效期一年"
		review   = "状态为“异议复核中”的正在异议复核，复核后确定的信用等级自复核之日起生效，有效期一年"
		object   = "对评价结果有异议的，可以书面形式向许昌市魏都区人力资源和社会保障局反映。"
	)
	tests := []struct {
		step, on, want string
	}{
		{"", "2023-08-10", "以上" + awaiting + "；" + review + "。" + object},
		{"confirm", "2023-08-10", "以上状态为“有效”的为2023年8月10日有效的信用等级，有效期一年；" + review + "。" + object},
		{"review", "2023-08-20", "以上为2023年8月20日有效的信用等级，有效期一年。" + object},
		{"", "2024-09-01", "以上状态为“已过期”的已超过一年有效期，为机构最近一次评定的信用等级。" + object},
	}
	for _, tt := range tests {
		switch tt.step {
		case "confirm":
			if _, err := lifecycle.Confirm(ctx, s, r, day(tt.on)); err != nil {
				t.Fatal(err)
			}
		case "review":
			if _, err := lifecycle.ResolveObjection(ctx, s, r, objected, "", "已核实", day("2023-08-15")); err != nil {
				t.Fatal(err)
			}
		}
		l, err := report.BuildPublicList(ctx, &report.HistorySource{Store: s, Rules: r}, unit(t, "411002"), day(tt.on), day(tt.on))
		if err != nil {
			t.Fatal(err)
		}
		if got := l.Notice(); len(l.Rows) != 2 || len(got) == 0 || got[0] != tt.want {
			t.Errorf("after %q, the public list of %s (%d rows) says\n%q\nwant\n%q", tt.step, tt.on, len(l.Rows), got, tt.want)
		}
	}
}
