package report_test

import (
	"context"
	"testing"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/grade/gradetest"
	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/report/reporttest"
	"github.com/xuchang-hrss/creditsync/storetest"
)

// A grade confirmed and lowered on the same day — a nomination on the
// confirmation day, then a violation and a regrade as of that day — was
// in force for no whole day; the lowering replaced it all the same.
// 动态调整情况 showed 原等级 "—" (the confirmed A, superseded on its
// first day, counted as never in force) and left out the removal from
// the 诚信机构典型名单.
func TestAdjustmentsOfAGradeLoweredOnItsFirstDay(t *testing.T) {
	ctx := context.Background()
	day := reporttest.Day
	s := storetest.OpenMigrated(t)
	u := gradetest.NewUSCC(t)
	importRows(t, s, "institutions", [][]string{
		{"uscc", "name", "county_code", "license_no", "licensed_on", "license_status", "license_status_on", "commitment_signed_on"},
		{u, "许昌同日人力资源有限公司", "411002", "豫人服证002", "2024-06-01", "", "", "2020-02-01"},
	})
	importRows(t, s, "annual_reports", [][]string{{"uscc", "year", "submitted_on"}, {u, "2025", "2026-01-15"}})
	r := grade.DefaultRules()
	r.Exemplary.SharePercent = 100
	// Publicized 2026-11-30 to 12-06, confirmed from 12-07.
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2026, day("2026-11-29"), day("2026-11-30")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.Confirm(ctx, s, r, day("2026-12-07")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.Nominate(ctx, s, r, 2026, []string{u}, "服务质量优", day("2026-12-07")); err != nil {
		t.Fatal(err)
	}
	importRows(t, s, "inspections", [][]string{
		{"record_id", "uscc", "kind", "severity", "handled_on", "authority", "measure", "description"},
		{"LP-102", u, "violation", "serious", "2026-12-07", "魏都区人社局", "行政处罚", "违规收取费用"}})
	if res, err := lifecycle.Regrade(ctx, s, r, day("2026-12-07")); err != nil || len(res.Downgrades) != 1 {
		t.Fatalf("regrade: %+v %v", res, err)
	}
	history, err := lifecycle.History(ctx, s, "")
	if err != nil {
		t.Fatal(err)
	}
	noms, err := report.AllNominations(ctx, s, history)
	if err != nil {
		t.Fatal(err)
	}
	adj := report.BuildAdjustments(history, noms, unit(t, report.CityCode), day("2026-11-29"), day("2026-12-31"))
	if len(adj.Rows) != 2 {
		t.Fatalf("%d rows, want the lowering and the removal from the 典型名单: %+v", len(adj.Rows), adj.Rows)
	}
	if got := adj.Rows[0]; !got.Day.Equal(day("2026-12-07")) || got.From != report.GradeLabel(grade.A) || got.Kind != "依规降级" {
		t.Errorf("row %+v, want A → lower 依规降级 on 2026-12-07", got)
	}
	if got := adj.Rows[1]; !got.Day.Equal(day("2026-12-07")) || got.Kind != "移出诚信机构典型名单" {
		t.Errorf("row %+v, want the removal from the 诚信机构典型名单 on 2026-12-07", got)
	}
}
