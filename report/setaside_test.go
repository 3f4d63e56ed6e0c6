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

// A review may set aside clauses the rules found (the rules gave C for a
// serious violation; the reviewer decided A), and a later downgrade lowers
// such a grade only as far as its new evidence goes (docs/rules.md §4.4):
// the C clause stays stored with the lowered grade, weighed, but the B it
// was lowered to rests on the new record alone. 附件2's 失信情况 and
// 查处情况, and the trends' reasons, tell what the grade rests on — not a
// fact worse than the grade printed beside it, which the review set aside.
// A review's own B over the rules' C tells the records it weighed: the
// reviewer decided their grade, not that they did not happen.
func TestClausesSetAsideAreNotTold(t *testing.T) {
	day := reporttest.Day
	const uscc, county = "91411025MA0000107L", "411025"
	tests := []struct {
		name     string
		reviewed grade.Grade
		// later adds a general violation after the review and regrades.
		later          bool
		wantGrade      string
		wantDishonesty string // the sentences of 失信情况, joined by " | "
		wantMeasures   string
		wantTrend      string // the downgrade of the trends after the review, with its clauses
	}{
		{name: "reviewed B over the rules' C", reviewed: grade.B, wantGrade: "B 级",
			wantDishonesty: "2026年3月，因情节严重的劳动保障违法违规行为被查处。",
			wantMeasures:   "2026年3月，由许昌市襄城县人力资源和社会保障局责令限期整改。"},
		{name: "reviewed A over the rules' C, then a new compliance failure", reviewed: grade.A, later: true, wantGrade: "B 级",
			wantDishonesty: "2026年9月，因未按规定开展行政许可、备案、年度报告、书面报告、统计或接受监督检查被查处。",
			wantMeasures:   "2026年9月，由许昌市襄城县人力资源和社会保障局责令改正。",
			wantTrend:      "A→B B3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s := storetest.OpenMigrated(t)
			rules := grade.DefaultRules()
			importRows(t, s, "institutions", [][]string{
				{"uscc", "name", "county_code", "licensed_on", "commitment_signed_on"},
				{uscc, "复评搁置人力资源有限公司", county, "2022-01-10", "2022-02-01"},
			})
			importRows(t, s, "annual_reports", [][]string{{"uscc", "year", "submitted_on"},
				{uscc, "2024", "2025-03-01"}, {uscc, "2025", "2026-03-01"}})
			importRows(t, s, "inspections", [][]string{
				{"record_id", "uscc", "kind", "severity", "handled_on", "authority", "measure"},
				{"R-1", uscc, "violation", "serious", "2026-03-05", "许昌市襄城县人力资源和社会保障局", "责令限期整改"},
			})
			_, es, err := lifecycle.Evaluate(ctx, s, rules, 2026, day("2026-07-31"), day("2026-08-01"))
			if err != nil || len(es) != 1 || es[0].Grade != grade.C {
				t.Fatalf("2026 evaluation: %+v %v; want C", es, err)
			}
			if _, err := lifecycle.FileObjection(ctx, s, uscc, "情节认定有误", day("2026-08-02")); err != nil {
				t.Fatal(err)
			}
			if _, err := lifecycle.ResolveObjection(ctx, s, rules, uscc, tt.reviewed, "复评：情节认定有误", day("2026-08-10")); err != nil {
				t.Fatal(err)
			}
			on := day("2026-08-10")
			if tt.later {
				importRows(t, s, "inspections", [][]string{
					{"record_id", "uscc", "kind", "severity", "handled_on", "authority", "measure"},
					{"R-1", uscc, "violation", "serious", "2026-03-05", "许昌市襄城县人力资源和社会保障局", "责令限期整改"},
					{"R-2", uscc, "compliance_failure", "", "2026-09-01", "许昌市襄城县人力资源和社会保障局", "责令改正"},
				})
				on = day("2026-09-02")
				res, err := lifecycle.Regrade(ctx, s, rules, on)
				if err != nil {
					t.Fatal(err)
				}
				// The rules give C (C2); only B3's record is new to the
				// review.
				if len(res.Downgrades) != 1 || res.Downgrades[0].To != grade.B {
					t.Fatalf("regrade: %+v; want one downgrade to B", res.Downgrades)
				}
				if got := strings.Join(grade.Result{Clauses: res.Downgrades[0].Clauses}.ClauseIDs(), " "); got != "B3" {
					t.Errorf("the downgrade's clauses: %s; want B3, the clause its grade rests on", got)
				}
				// C2 stays weighed with the lowered grade: the next night
				// does not find it new.
				again, err := lifecycle.Regrade(ctx, s, rules, day("2026-09-03"))
				if err != nil {
					t.Fatal(err)
				}
				if len(again.Downgrades) != 0 {
					t.Errorf("the next regrade lowered again: %+v; C2 was weighed by the review", again.Downgrades)
				}
			}

			src := &report.HistorySource{Store: s, Rules: rules}
			sum, err := report.BuildSummary(ctx, src, unit(t, county), on, on)
			if err != nil {
				t.Fatal(err)
			}
			if len(sum.Rows) != 1 {
				t.Fatalf("附件2: %+v; want one row", sum.Rows)
			}
			r := sum.Rows[0]
			if r.Grade != tt.wantGrade {
				t.Errorf("信用等级 %q; want %q", r.Grade, tt.wantGrade)
			}
			if got := strings.ReplaceAll(r.Dishonesty, "\n", " | "); got != tt.wantDishonesty {
				t.Errorf("失信情况 %q; want %q", got, tt.wantDishonesty)
			}
			if got := strings.ReplaceAll(r.Measures, "\n", " | "); got != tt.wantMeasures {
				t.Errorf("查处情况 %q; want %q", got, tt.wantMeasures)
			}

			if tt.later {
				chs, err := src.Downgrades(ctx, day("2026-08-11"), on)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, ch := range chs {
					ids := make([]string, len(ch.Clauses))
					for i, c := range ch.Clauses {
						ids[i] = c.ID
					}
					got = append(got, string(ch.From)+"→"+string(ch.To)+" "+strings.Join(ids, " "))
				}
				if strings.Join(got, "; ") != tt.wantTrend {
					t.Errorf("downgrades: %v; want %q", got, tt.wantTrend)
				}
			}
		})
	}
}
