package report_test

import (
	"context"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/report/reporttest"
	"github.com/xuchang-hrss/creditsync/storetest"
)

// A review after an objection changes the grade under review — the one
// the unit's last 附件2 printed with 异议复核中 — not the grade in force
// beside it: A in force, B publicized, reviewed A is B 级→A 级 (it read
// A 级→A 级), reviewed D B 级→D 级 in 动态调整情况. The trends count
// grades in force: a review lower than the A in force is a downgrade from
// A, whatever was publicized (reviewed B: A→B, as the same B confirmed
// without an objection would be). The reviewer's note keeps one 复评意见：
// label when the reviewer wrote 复评： in front of it.
func TestReviewChangesTheGradeUnderReview(t *testing.T) {
	day := reporttest.Day
	const uscc, county = "91411025MA0000107L", "411025"
	tests := []struct {
		name       string
		reviewed   grade.Grade
		note       string
		wantFrom   grade.Grade
		wantTrend  string // the trends' downgrade, "" for none
		wantReason string
	}{
		{name: "reviewed better than publicized", reviewed: grade.A, note: "复评：承诺书原件已核实",
			wantFrom: grade.B, wantReason: "对公示结果提出异议，经复评确定为 A 级。复评意见：承诺书原件已核实。"},
		{name: "reviewed as publicized", reviewed: grade.B, note: "整改材料不足",
			wantFrom: grade.B, wantTrend: "A→B", wantReason: "对公示结果提出异议，经复评确定为 B 级。复评意见：整改材料不足。"},
		{name: "reviewed worse than publicized", reviewed: grade.D, note: "现场核查发现扣押劳动者身份证",
			wantFrom: grade.B, wantTrend: "A→D", wantReason: "对公示结果提出异议，经复评确定为 D 级。复评意见：现场核查发现扣押劳动者身份证。"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s := storetest.OpenMigrated(t)
			rules := grade.DefaultRules()
			importRows(t, s, "institutions", [][]string{
				{"uscc", "name", "county_code", "licensed_on", "commitment_signed_on"},
				{uscc, "异议复评人力资源有限公司", county, "2022-01-10", "2022-02-01"},
			})
			importRows(t, s, "annual_reports", [][]string{{"uscc", "year", "submitted_on"},
				{uscc, "2024", "2025-03-01"}, {uscc, "2025", "2026-03-01"}})
			_, es, err := lifecycle.Evaluate(ctx, s, rules, 2025, day("2025-07-31"), day("2025-08-01"))
			if err != nil || len(es) != 1 || es[0].Grade != grade.A {
				t.Fatalf("2025 evaluation: %+v %v; want A", es, err)
			}
			if _, err := lifecycle.Confirm(ctx, s, rules, es[0].PublicityEndsOn.AddDate(0, 0, 1)); err != nil {
				t.Fatal(err)
			}
			importRows(t, s, "inspections", [][]string{
				{"record_id", "uscc", "kind", "severity", "handled_on", "authority", "measure"},
				{"R-1", uscc, "violation", "general", "2026-03-05", "许昌市襄城县人力资源和社会保障局", "责令限期整改"},
			})
			_, es, err = lifecycle.Evaluate(ctx, s, rules, 2026, day("2026-07-31"), day("2026-08-01"))
			if err != nil || len(es) != 1 || es[0].Grade != grade.B {
				t.Fatalf("2026 evaluation: %+v %v; want B", es, err)
			}
			if _, err := lifecycle.FileObjection(ctx, s, uscc, "整改已完成", day("2026-08-02")); err != nil {
				t.Fatal(err)
			}
			if _, err := lifecycle.ResolveObjection(ctx, s, rules, uscc, tt.reviewed, tt.note, day("2026-08-10")); err != nil {
				t.Fatal(err)
			}

			adj, err := report.ReadAdjustments(ctx, s, unit(t, county), day("2026-07-31"), day("2026-08-10"))
			if err != nil {
				t.Fatal(err)
			}
			if len(adj.Rows) != 1 {
				t.Fatalf("动态调整情况: %+v; want the one review", adj.Rows)
			}
			r := adj.Rows[0]
			if r.From != report.GradeLabel(tt.wantFrom) || r.To != report.GradeLabel(tt.reviewed) || r.Kind != "异议复评" || r.Reason != tt.wantReason {
				t.Errorf("动态调整情况: %s→%s %s %q; want %s→%s 异议复评 %q",
					r.From, r.To, r.Kind, r.Reason, report.GradeLabel(tt.wantFrom), report.GradeLabel(tt.reviewed), tt.wantReason)
			}

			src := &report.HistorySource{Store: s, Rules: rules}
			chs, err := src.Downgrades(ctx, day("2026-07-31"), day("2026-08-10"))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, ch := range chs {
				got = append(got, string(ch.From)+"→"+string(ch.To))
			}
			if strings.Join(got, " ") != tt.wantTrend {
				t.Errorf("downgrades: %v; want %q", got, tt.wantTrend)
			}
		})
	}
}
