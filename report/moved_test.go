package report_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/report/reporttest"
	"github.com/xuchang-hrss/creditsync/storetest"
	"github.com/xuchang-hrss/creditsync/transform"
)

// A form for a past day shows what the evaluating unit graded then
// (docs/rules.md §4.9): an institution graded by 魏都区 that later moves to
// 鄢陵县 and is renamed stays in 魏都区's 附件2 — during its publicity and
// once confirmed — under the name it was graded with, 评价单位 魏都区's
// bureau, and is not in 鄢陵县's, which has graded nothing of it. The
// pages get the register's new name beside (RegisterName).
func TestFormsKeepTheUnitAndNameAsGraded(t *testing.T) {
	ctx := context.Background()
	day := reporttest.Day
	s := storetest.OpenMigrated(t)
	rules := grade.DefaultRules()
	const uscc = "91411002MA00000100"
	importRows(t, s, "institutions", [][]string{
		{"uscc", "name", "county_code", "licensed_on", "commitment_signed_on"},
		{uscc, "时区人力资源有限公司", "", "2019-01-01", ""},
	})
	if _, _, err := lifecycle.Evaluate(ctx, s, rules, 2023, day("2023-07-31"), day("2023-08-01")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.Confirm(ctx, s, rules, day("2023-08-08")); err != nil {
		t.Fatal(err)
	}
	importRows(t, s, "institutions", [][]string{
		{"uscc", "name", "county_code", "licensed_on", "commitment_signed_on"},
		{uscc, "时区新名人力资源有限公司", "411024", "2019-01-01", ""},
	})

	for _, on := range []string{"2023-08-03", "2023-08-08"} {
		src := &report.HistorySource{Store: s, Rules: rules}
		wei, err := report.BuildSummary(ctx, src, unit(t, "411002"), day(on), day(on))
		if err != nil {
			t.Fatal(err)
		}
		if len(wei.Rows) != 1 || wei.Rows[0].Name != "时区人力资源有限公司" || wei.Rows[0].Evaluator != "许昌市魏都区人力资源和社会保障局" {
			t.Errorf("魏都区's 附件2 of %s: %+v; want the row as graded: 时区人力资源有限公司, 评价单位 许昌市魏都区人力资源和社会保障局", on, wei.Rows)
		}
		yan, err := report.BuildSummary(ctx, src, unit(t, "411024"), day(on), day(on))
		if err != nil {
			t.Fatal(err)
		}
		if len(yan.Rows) != 0 {
			t.Errorf("鄢陵县's 附件2 of %s lists %+v; it graded nothing", on, yan.Rows)
		}
		gs, err := src.GradesOn(ctx, day(on))
		if err != nil {
			t.Fatal(err)
		}
		if g := byUSCC(gs)[uscc]; g.Name != "时区人力资源有限公司" || g.CountyCode != "411002" || g.RegisterName != "时区新名人力资源有限公司" {
			t.Errorf("grade on %s: name %q county %s register name %q; want the name and county as graded, the new name beside", on, g.Name, g.CountyCode, g.RegisterName)
		}
	}
}

// 动态调整情况 lists each change under the unit that made it (docs/rules.md
// §4.9): 鄢陵县's downgrade of an institution that moved there from 魏都区
// is 鄢陵县's row, its 原等级 魏都区's A as it was, with 魏都区 named as the
// unit that graded it; 魏都区 lists the end of its own grade (迁出) and the
// institution leaving its 典型名单; the cancelled licence ends 鄢陵县's C,
// so it is 鄢陵县's row. Every row was filed under 魏都区, the county of the
// institution's first grade.
func TestAdjustmentsListEachChangeUnderTheUnitThatMadeIt(t *testing.T) {
	ctx := context.Background()
	day := reporttest.Day
	s := storetest.OpenMigrated(t)
	rules := grade.DefaultRules()
	const uscc = "91411002MA6UPT270A"
	register := func(name, county, status, on string) [][]string {
		return [][]string{
			{"uscc", "name", "county_code", "licensed_on", "license_status", "license_status_on", "commitment_signed_on"},
			{uscc, name, county, "2017-03-28", status, on, "2017-03-28"},
		}
	}
	importRows(t, s, "institutions", register("许昌众诚人力资源服务有限公司", "411002", "", ""))
	importRows(t, s, "annual_reports", [][]string{{"uscc", "year", "submitted_on"}, {uscc, "2025", "2026-01-15"}})
	if _, _, err := lifecycle.Evaluate(ctx, s, rules, 2026, day("2026-07-31"), day("2026-07-31")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.Confirm(ctx, s, rules, day("2026-08-07")); err != nil {
		t.Fatal(err)
	}
	generous := *rules
	generous.Exemplary.SharePercent = 100 // the one A institution
	if _, err := lifecycle.Nominate(ctx, s, &generous, 2026, []string{uscc}, "服务规范", day("2026-08-20")); err != nil {
		t.Fatal(err)
	}
	importRows(t, s, "institutions", register("鄢陵众诚人力资源服务有限公司", "411024", "", ""))
	importRows(t, s, "inspections", [][]string{
		{"record_id", "uscc", "kind", "severity", "handled_on", "authority", "measure"},
		{"MV-1", uscc, "violation", "serious", "2026-12-05", "许昌市鄢陵县人力资源和社会保障局", "行政处罚"},
	})
	if res, err := lifecycle.Regrade(ctx, s, rules, day("2026-12-07")); err != nil || len(res.Downgrades) != 1 {
		t.Fatalf("鄢陵县's downgrade: %+v %v", res.Downgrades, err)
	}
	importRows(t, s, "institutions", register("鄢陵众诚人力资源服务有限公司", "411024", "cancelled", "2026-12-20"))

	const (
		weidu   = "许昌市魏都区人力资源和社会保障局"
		yanling = "许昌市鄢陵县人力资源和社会保障局"
		oldName = "许昌众诚人力资源服务有限公司"
		newName = "鄢陵众诚人力资源服务有限公司"
	)
	moved := "2026-12-07 " + newName + " A 级→C 级 依规降级 " + yanling
	movedOut := "2026-12-07 " + oldName + " A 级→— 迁出 " + weidu
	removed := "2026-12-07 " + oldName + " A 级（诚信机构典型）→C 级 移出诚信机构典型名单 " + weidu
	ended := "2026-12-20 " + newName + " C 级→— 许可注销 " + yanling
	tests := []struct {
		unit string
		want []string
	}{
		{"411002", []string{movedOut, removed}},
		{"411024", []string{moved, ended}},
		{report.CityCode, []string{moved, movedOut, removed, ended}},
	}
	for _, tt := range tests {
		adj, err := report.ReadAdjustments(ctx, s, unit(t, tt.unit), day("2026-07-31"), day("2026-12-31"))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range adj.Rows {
			got = append(got, strings.Join([]string{transform.FormatDate(r.Day), r.Name, r.From + "→" + r.To, r.Kind, r.Evaluator}, " "))
			if r.Kind == "依规降级" && !strings.Contains(r.Reason, "原等级为"+weidu+"评定") {
				t.Errorf("%s: the reason of the change does not name the unit of the grade it replaced: %q", tt.unit, r.Reason)
			}
			if r.Kind == "迁出" && (!strings.Contains(r.Reason, "自2026年12月7日起由"+yanling+"评定的信用等级取代") || strings.Contains(r.Reason, "C 级")) {
				t.Errorf("%s: the reason of the end of its grade: %q", tt.unit, r.Reason)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("动态调整情况 of %s:\n%s\nwant\n%s", tt.unit, strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
		}
	}
}
