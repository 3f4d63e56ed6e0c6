package report_test

import (
	"context"
	"testing"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/report/reporttest"
	"github.com/xuchang-hrss/creditsync/storetest"
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
