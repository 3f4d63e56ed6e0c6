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

// A confirmation lower than publicized (docs/rules.md §4.3) changes the
// publicized grade, never in force, to the worse one: 动态调整情况 gives
// that grade as 原等级 and names the clauses found against it, and the
// trends count the downgrade from it — also when a worse grade was in
// force before (C, then A publicized, then B: not a rise from C, and B2
// named) and when no grade was (a licence revoked during the first
// publicity: A→D, not —→D).
func TestConfirmationLowerChangesThePublicizedGrade(t *testing.T) {
	day := reporttest.Day
	register := func(uscc, county, status, on string) [][]string {
		return [][]string{
			{"uscc", "name", "county_code", "licensed_on", "license_status", "license_status_on", "commitment_signed_on"},
			{uscc, "公示期违规人力资源有限公司", county, "2022-01-10", status, on, "2022-02-01"},
		}
	}
	reports := func(uscc string) [][]string {
		return [][]string{{"uscc", "year", "submitted_on"},
			{uscc, "2023", "2024-03-01"}, {uscc, "2024", "2025-03-01"}, {uscc, "2025", "2026-03-01"}}
	}
	tests := []struct {
		name, uscc, county string
		// earlier: a C in force, from the 2025 evaluation, before the 2026 one
		earlier bool
		// during the 2026 publicity: an inspection, or a revoked licence
		violation, revokedOn string
		wantFrom, wantTo     grade.Grade
		wantClause           string
	}{
		{name: "C in force, A publicized, confirmed B", uscc: "91411025MA0000107L", county: "411025",
			earlier: true, violation: "2026-08-05", wantFrom: grade.A, wantTo: grade.B, wantClause: "情节较轻"},
		{name: "no grade before, A publicized, revoked, confirmed D", uscc: "91411024MA00001063", county: "411024",
			revokedOn: "2026-08-05", wantFrom: grade.A, wantTo: grade.D, wantClause: "被吊销人力资源服务许可"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s := storetest.OpenMigrated(t)
			rules := grade.DefaultRules()
			importRows(t, s, "institutions", register(tt.uscc, tt.county, "", ""))
			importRows(t, s, "annual_reports", reports(tt.uscc))
			if tt.earlier {
				importRows(t, s, "inspections", [][]string{
					{"record_id", "uscc", "kind", "severity", "handled_on", "rectified_on", "authority", "measure"},
					{"R-0", tt.uscc, "violation", "serious", "2024-09-01", "2024-10-01", "许昌市襄城县人力资源和社会保障局", "行政处罚"},
				})
				_, es, err := lifecycle.Evaluate(ctx, s, rules, 2025, day("2025-06-30"), day("2025-07-01"))
				if err != nil || len(es) != 1 || es[0].Grade != grade.C {
					t.Fatalf("2025 evaluation: %+v %v; want C", es, err)
				}
				if _, err := lifecycle.Confirm(ctx, s, rules, es[0].PublicityEndsOn.AddDate(0, 0, 1)); err != nil {
					t.Fatal(err)
				}
			}
			_, es, err := lifecycle.Evaluate(ctx, s, rules, 2026, day("2026-07-31"), day("2026-08-01"))
			if err != nil || len(es) != 1 || es[0].Grade != grade.A {
				t.Fatalf("2026 evaluation: %+v %v; want A", es, err)
			}
			confirmOn := es[0].PublicityEndsOn.AddDate(0, 0, 1)
			if tt.violation != "" {
				importRows(t, s, "inspections", [][]string{
					{"record_id", "uscc", "kind", "severity", "handled_on", "authority", "measure"},
					{"R-1", tt.uscc, "violation", "general", tt.violation, "许昌市襄城县人力资源和社会保障局", "责令限期整改"},
				})
			}
			if tt.revokedOn != "" {
				importRows(t, s, "institutions", register(tt.uscc, tt.county, "revoked", tt.revokedOn))
			}
			if _, err := lifecycle.Confirm(ctx, s, rules, confirmOn); err != nil {
				t.Fatal(err)
			}

			adj, err := report.ReadAdjustments(ctx, s, unit(t, tt.county), day("2026-07-31"), confirmOn)
			if err != nil {
				t.Fatal(err)
			}
			if len(adj.Rows) != 1 {
				t.Fatalf("动态调整情况: %+v; want the one confirmation lower", adj.Rows)
			}
			r := adj.Rows[0]
			if r.From != report.GradeLabel(tt.wantFrom) || r.To != report.GradeLabel(tt.wantTo) || r.Kind != "公示期满确认时降级" || !strings.Contains(r.Reason, tt.wantClause) {
				t.Errorf("动态调整情况: %s→%s %s %q; want %s→%s 公示期满确认时降级 naming %q",
					r.From, r.To, r.Kind, r.Reason, report.GradeLabel(tt.wantFrom), report.GradeLabel(tt.wantTo), tt.wantClause)
			}

			src := &report.HistorySource{Store: s, Rules: rules}
			chs, err := src.Downgrades(ctx, day("2026-07-31"), confirmOn)
			if err != nil {
				t.Fatal(err)
			}
			if len(chs) != 1 || chs[0].From != tt.wantFrom || chs[0].To != tt.wantTo {
				t.Errorf("downgrades: %+v; want one %s→%s, as 动态调整情况 says", chs, tt.wantFrom, tt.wantTo)
			}
		})
	}
}
