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

// A night replayed after the next one (docs/rules.md §4.8) records the
// lowering it finds from its own day, ending where the later night's
// grade began. 动态调整情况 lists the change once, on the earlier day: the
// later night's grade, the same grade, is not a change of grade (it was a
// B→B 依规降级 row before).
func TestAdjustmentsOfANightReplayedAfterTheNext(t *testing.T) {
	ctx := context.Background()
	day := reporttest.Day
	s := storetest.OpenMigrated(t)
	const lowered = "914403001922038216"
	importRows(t, s, "institutions", [][]string{
		{"uscc", "name", "county_code", "license_no", "licensed_on", "license_status", "license_status_on", "commitment_signed_on"},
		{lowered, "许昌补跑人力资源有限公司", "411002", "豫人服证001", "2024-06-01", "", "", "2020-02-01"},
	})
	importRows(t, s, "annual_reports", [][]string{{"uscc", "year", "submitted_on"}, {lowered, "2025", "2026-01-15"}})
	r := grade.DefaultRules()
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2026, day("2026-07-31"), day("2026-07-31")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.Confirm(ctx, s, r, day("2026-08-07")); err != nil {
		t.Fatal(err)
	}
	importRows(t, s, "inspections", [][]string{
		{"record_id", "uscc", "kind", "severity", "handled_on", "authority", "measure", "description"},
		{"WD-2026-0901", lowered, "violation", "minor", "2026-09-01", "魏都区人社局", "警告", "未按规定建立求职者信息台账"}})
	// The night of 09-03 ran; the night of 09-02 is replayed after it.
	for _, on := range []string{"2026-09-03", "2026-09-02"} {
		if _, err := lifecycle.Regrade(ctx, s, r, day(on)); err != nil {
			t.Fatal(err)
		}
	}
	history, err := lifecycle.History(ctx, s, "")
	if err != nil {
		t.Fatal(err)
	}
	adj := report.BuildAdjustments(history, nil, unit(t, report.CityCode), day("2026-07-31"), day("2026-12-31"))
	if len(adj.Rows) != 1 {
		t.Fatalf("%d rows, want the one lowering: %+v", len(adj.Rows), adj.Rows)
	}
	if got := adj.Rows[0]; !got.Day.Equal(day("2026-09-02")) || got.From != report.GradeLabel(grade.A) || got.To != report.GradeLabel(grade.B) || got.Kind != "依规降级" {
		t.Errorf("row %+v, want A → B 依规降级 on 2026-09-02", got)
	}
}

// An upgrade application recorded with a day before an upgrade already
// recorded (docs/rules.md §4.8) grants its grade until the later one
// began. 动态调整情况 lists the raise once, on the earlier day: the later
// application's grade, the same grade, is no change (it was listed as an
// A→A 申请上调 the day after the B→A).
func TestAdjustmentsOfAnUpgradeBackdatedBeforeAnother(t *testing.T) {
	ctx := context.Background()
	day := reporttest.Day
	s := storetest.OpenMigrated(t)
	const raised = "914403001922038216"
	register := func(signed string) {
		importRows(t, s, "institutions", [][]string{
			{"uscc", "name", "county_code", "license_no", "licensed_on", "license_status", "license_status_on", "commitment_signed_on"},
			{raised, "许昌补签人力资源有限公司", "411002", "豫人服证001", "2024-06-01", "", "", signed},
		})
	}
	register("")
	importRows(t, s, "annual_reports", [][]string{{"uscc", "year", "submitted_on"}, {raised, "2025", "2026-01-15"}})
	r := grade.DefaultRules()
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2026, day("2026-07-31"), day("2026-07-31")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.Confirm(ctx, s, r, day("2026-08-07")); err != nil {
		t.Fatal(err)
	}
	register("2026-12-01") // the commitment signed: B1 no longer holds
	for _, on := range []string{"2026-12-03", "2026-12-02"} {
		if up, err := lifecycle.ApplyUpgrade(ctx, s, r, raised, day(on)); err != nil || !up.Granted {
			t.Fatalf("upgrade on %s: %+v %v", on, up, err)
		}
	}
	history, err := lifecycle.History(ctx, s, "")
	if err != nil {
		t.Fatal(err)
	}
	adj := report.BuildAdjustments(history, nil, unit(t, report.CityCode), day("2026-07-31"), day("2026-12-31"))
	if len(adj.Rows) != 1 {
		t.Fatalf("%d rows, want the one raise: %+v", len(adj.Rows), adj.Rows)
	}
	if got := adj.Rows[0]; !got.Day.Equal(day("2026-12-02")) || got.From != report.GradeLabel(grade.B) || got.To != report.GradeLabel(grade.A) || got.Kind != "申请上调" {
		t.Errorf("row %+v, want B → A 申请上调 on 2026-12-02", got)
	}
}
