package report_test

import (
	"bytes"
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/report/reporttest"
	"github.com/xuchang-hrss/creditsync/storetest"
	"github.com/xuchang-hrss/creditsync/transform"
)

// The reports the notice asks for besides 附件2, on a small city whose
// grades change by every route: a downgrade, a review, an upgrade, a
// confirmation lower than publicized, a cancelled licence; an exemplary
// institution; one without a commitment.
func TestNoticeReports(t *testing.T) {
	ctx := context.Background()
	day := reporttest.Day
	s := storetest.OpenMigrated(t)
	const (
		lowered   = "914403001922038216"
		reviewed  = "91440300708461136T"
		unsigned  = "9144030071526726XG"
		cancelled = "91620105L015101280"
		atConfirm = "91411023174430174N"
	)
	header := []string{"uscc", "name", "county_code", "license_no", "licensed_on", "license_status", "license_status_on", "commitment_signed_on"}
	register := func(status, on string) [][]string {
		return [][]string{header,
			{lowered, "许昌降级人力资源有限公司", "411002", "豫人服证001", "2024-06-01", "", "", "2020-02-01"},
			{reviewed, "许昌复评人力资源有限公司", "411002", "豫人服证002", "2024-06-01", "", "", ""},
			{unsigned, "许昌未承诺人力资源有限公司", "411002", "豫人服证003", "2024-06-01", "", "", ""},
			{cancelled, "许昌注销人力资源有限公司", "411002", "豫人服证004", "2024-06-01", status, on, "2020-02-01"},
			{atConfirm, "许昌公示期违规人力资源有限公司", "411023", "豫人服证005", "2024-06-01", "", "", "2020-02-01"},
		}
	}
	importRows(t, s, "institutions", register("", ""))
	reports := [][]string{{"uscc", "year", "submitted_on"}}
	for _, u := range []string{lowered, reviewed, unsigned, cancelled, atConfirm} {
		reports = append(reports, []string{u, "2025", "2026-01-15"})
	}
	importRows(t, s, "annual_reports", reports)
	r := grade.DefaultRules()
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2026, day("2026-07-31"), day("2026-07-31")); err != nil {
		t.Fatal(err)
	}
	ins := []string{"record_id", "uscc", "kind", "severity", "handled_on", "authority", "measure", "description"}
	importRows(t, s, "inspections", [][]string{ins,
		{"JA-2026-0803", atConfirm, "violation", "serious", "2026-08-03", "建安区人社局", "行政处罚", "扣押劳动者身份证"}})
	if _, err := lifecycle.FileObjection(ctx, s, reviewed, "承诺书已签订", day("2026-08-02")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.Confirm(ctx, s, r, day("2026-08-07")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.ResolveObjection(ctx, s, r, reviewed, "A", "承诺书原件已核实", day("2026-08-12")); err != nil {
		t.Fatal(err)
	}
	importRows(t, s, "inspections", [][]string{ins,
		{"WD-2026-0901", lowered, "violation", "major", "2026-09-01", "魏都区人社局", "行政处罚；责令停业整顿", "以招聘为名牟取不正当利益"}})
	if _, err := lifecycle.Regrade(ctx, s, r, day("2026-09-02")); err != nil {
		t.Fatal(err)
	}
	importRows(t, s, "institutions", register("cancelled", "2026-10-01"))
	generous := *r
	generous.Exemplary.SharePercent = 100 // two of the three A institutions
	if _, err := lifecycle.Nominate(ctx, s, &generous, 2026, []string{cancelled, lowered}, "服务规范，群众满意", day("2026-08-20")); err != nil {
		t.Fatal(err)
	}

	history, err := lifecycle.History(ctx, s, "")
	if err != nil {
		t.Fatal(err)
	}
	noms, err := report.AllNominations(ctx, s, history)
	if err != nil {
		t.Fatal(err)
	}
	adj := report.BuildAdjustments(history, noms, unit(t, report.CityCode), day("2026-07-31"), day("2026-12-31"))
	var got []string
	for _, row := range adj.Rows {
		got = append(got, transform.FormatDate(row.Day)+" "+row.USCC+" "+row.From+"→"+row.To+" "+row.Kind)
	}
	want := []string{
		"2026-08-07 " + atConfirm + " A 级→C 级 公示期满确认时降级",
		"2026-08-12 " + reviewed + " B 级→A 级 异议复评",
		"2026-09-02 " + lowered + " A 级→D 级 依规降级",
		"2026-09-02 " + lowered + " A 级（诚信机构典型）→D 级 移出诚信机构典型名单",
		"2026-10-01 " + cancelled + " A 级→— 许可注销",
		"2026-10-01 " + cancelled + " A 级（诚信机构典型）→— 移出诚信机构典型名单",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("动态调整情况:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, row := range adj.Rows {
		// A grade in a sentence is spaced as the notice writes it (评为 A 级).
		if row.Reason == "" || strings.ContainsAny(row.Reason, "ABCD") && !regexp.MustCompile(`为 [ABCD] 级`).MatchString(row.Reason) {
			t.Errorf("reason of %s: %q", row.USCC, row.Reason)
		}
	}
	f := openXLSX(t, render(t, adj, "xlsx"))
	rs := rows(t, f, "动态调整情况")
	if !strings.HasPrefix(rs[0][0], "许昌市（全市）人力资源服务机构信用等级动态调整情况") || rs[1][7] != "调整原因" || len(rs) != 2+len(want) {
		t.Errorf("动态调整情况 sheet %q", rs)
	}
	if !strings.Contains(rs[4][7], "以招聘为名牟取不正当利益") && !strings.Contains(rs[4][7], "重大劳动保障违法违规行为") {
		t.Errorf("the downgrade's reason %q does not say what was found", rs[4][7])
	}

	// The 典型名单 holds only institutions A and in force on its date, and
	// says what 附件2's 是否选树 column says, on every day: chosen on
	// 08-20, lowered lost it on 09-02, cancelled on 10-01.
	src := &report.HistorySource{Store: s, Rules: r}
	for _, c := range []struct {
		on   string
		want []string
	}{
		{"2026-08-19", nil},
		{"2026-08-20", []string{lowered, cancelled}},
		{"2026-09-01", []string{lowered, cancelled}},
		{"2026-09-02", []string{cancelled}},
		{"2026-10-01", nil},
	} {
		typ, err := report.BuildTypical(ctx, src, unit(t, "411002"), 2026, day(c.on))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, row := range typ.Rows {
			got = append(got, row.USCC)
			if row.Grade != "A 级" {
				t.Errorf("典型名单 on %s: %s at %s", c.on, row.USCC, row.Grade)
			}
		}
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("典型名单 on %s: %v, want %v", c.on, got, c.want)
		}
		sum, err := report.BuildSummary(ctx, src, unit(t, "411002"), day(c.on), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		var marked []string
		for _, row := range sum.Rows {
			if row.Exemplary == "是" {
				marked = append(marked, row.USCC)
			}
		}
		slices.Sort(marked)
		if strings.Join(marked, ",") != strings.Join(got, ",") {
			t.Errorf("on %s 附件2 marks %v exemplary, the 典型名单 lists %v", c.on, marked, got)
		}
	}
	// An empty list is written for a year evaluated and publicized (a
	// year may name none); for a year never evaluated, or not publicized
	// by the day, it said nothing and was written all the same.
	for _, c := range []struct {
		year int
		on   string
		why  string // "" = written
	}{
		{2026, "2026-08-19", ""},
		{2027, "2026-12-31", "no evaluation of 2027 is recorded (recorded: 2026)"},
		{2025, "2026-12-31", "no evaluation of 2025 is recorded (recorded: 2026)"},
	} {
		typ, err := report.BuildTypical(ctx, src, unit(t, "411025"), c.year, day(c.on))
		if err != nil {
			t.Fatal(err)
		}
		why, err := report.Nothing(ctx, src, typ)
		if err != nil {
			t.Fatal(err)
		}
		if len(typ.Rows) != 0 || !strings.HasPrefix(why, c.why) || (c.why == "") != (why == "") {
			t.Errorf("empty 典型名单 of %d on %s: %d rows, why %q, want %q", c.year, c.on, len(typ.Rows), why, c.why)
		}
	}
	typ, err := report.BuildTypical(ctx, src, unit(t, "411002"), 2026, day("2026-08-20"))
	if err != nil {
		t.Fatal(err)
	}
	tf := openXLSX(t, render(t, typ, "xlsx"))
	trs := rows(t, tf, "诚信机构典型名单")
	if trs[0][0] != "魏都区2026年度诚信机构典型名单" || len(trs) != 4 || trs[3][2] != cancelled || trs[3][3] != "A 级" || trs[3][4] != "服务规范，群众满意" || trs[3][5] != "2026-08-20" {
		t.Errorf("诚信机构典型名单 %q", trs)
	}

	letters, err := report.UnsignedCommitments(ctx, s, unit(t, "411002"), day("2026-09-01"))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := letters.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	if len(letters.Letters) != 2 || strings.Count(html, "人力资源服务机构诚信承诺书</h1>") != 2 || !strings.Contains(html, "许昌未承诺人力资源有限公司") ||
		strings.Contains(html, "许昌降级人力资源有限公司") {
		t.Errorf("附件1 letters: %d\n%.600s", len(letters.Letters), html)
	}
	// A unit without institutions has not "all signed".
	none, err := report.UnsignedCommitments(ctx, s, unit(t, "411025"), day("2026-09-01"))
	if err != nil {
		t.Fatal(err)
	}
	b.Reset()
	if err := none.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	if none.Operating != 0 || !strings.Contains(b.String(), "襄城县没有持证的人力资源服务机构") || strings.Contains(b.String(), "均已签订") {
		t.Errorf("附件1 of a unit without institutions (%d operating):\n%.600s", none.Operating, b.String())
	}
}
