package report_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/report/reporttest"
	"github.com/xuchang-hrss/creditsync/storetest"
	"github.com/xuchang-hrss/creditsync/transform"
)

// A trend counts each state as what it is: on the day an evaluation is
// publicized, its grades are counted as publicized, and the grades in
// force beside them stay in the distribution. The headline number of
// downgrades is the sum of the monthly column and the rows of 降级明细,
// even when one institution is lowered twice in a month (A→B→C, which a
// month-end comparison sees as one A→C).
func TestTrendCountsStatesAndHeadlineIsTheSum(t *testing.T) {
	ctx := context.Background()
	day := reporttest.Day
	s := storetest.OpenMigrated(t)
	const x, y, z = "914403001922038216", "91440300708461136T", "9144030071526726XG"
	importRows(t, s, "institutions", [][]string{
		{"uscc", "name", "county_code", "licensed_on", "commitment_signed_on"},
		{x, "许昌两降人力资源有限公司", "411002", "2024-06-01", "2024-06-01"},
		{y, "许昌公示人力资源有限公司", "411002", "2024-06-01", "2024-06-01"},
		{z, "许昌平稳人力资源有限公司", "411002", "2024-06-01", "2024-06-01"},
	})
	reports := [][]string{{"uscc", "year", "submitted_on"}}
	for _, u := range []string{x, y, z} {
		reports = append(reports, []string{u, "2024", "2025-01-15"}, []string{u, "2025", "2026-01-15"})
	}
	importRows(t, s, "annual_reports", reports)
	r := grade.DefaultRules()
	ins := []string{"record_id", "uscc", "kind", "severity", "handled_on", "authority", "measure"}
	steps := []func() error{
		func() error {
			_, _, err := lifecycle.Evaluate(ctx, s, r, 2025, day("2025-07-31"), day("2025-07-31"))
			return err
		},
		func() error { _, err := lifecycle.Confirm(ctx, s, r, day("2025-08-07")); return err },
		func() error {
			importRows(t, s, "inspections", [][]string{ins, {"WD-1", x, "violation", "minor", "2025-09-10", "魏都区人社局", "责令限期整改"}})
			_, err := lifecycle.Regrade(ctx, s, r, day("2025-09-11"))
			return err
		},
		func() error {
			importRows(t, s, "inspections", [][]string{ins, {"WD-2", x, "violation", "serious", "2025-09-20", "魏都区人社局", "行政处罚"}})
			_, err := lifecycle.Regrade(ctx, s, r, day("2025-09-21"))
			return err
		},
		func() error {
			importRows(t, s, "inspections", [][]string{ins, {"WD-3", y, "violation", "minor", "2026-07-01", "魏都区人社局", "责令限期整改"}})
			_, _, err := lifecycle.Evaluate(ctx, s, r, 2026, day("2026-07-31"), day("2026-07-31"))
			return err
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
	}
	src := &report.HistorySource{Store: s, Rules: r}
	tr, err := report.CountyTrend(ctx, src, unit(t, "411002"), months(t, "2025-07", "2026-07"), now)
	if err != nil {
		t.Fatal(err)
	}
	byEnd := map[string]report.Period{}
	for _, p := range tr.Periods {
		byEnd[transform.FormatDate(p.End)] = p
	}
	cases := []struct {
		end                              string
		inForce, publicized, underReview report.Dist
	}{
		// The first evaluation is only publicized: nothing in force yet.
		{"2025-07-31", report.Dist{}, report.Dist{3, 0, 0, 0}, report.Dist{}},
		{"2025-08-31", report.Dist{3, 0, 0, 0}, report.Dist{}, report.Dist{}},
		{"2025-09-30", report.Dist{2, 0, 1, 0}, report.Dist{}, report.Dist{}},
		// The second is publicized beside the grades of the first.
		{"2026-07-31", report.Dist{2, 0, 1, 0}, report.Dist{1, 1, 1, 0}, report.Dist{}},
	}
	for _, c := range cases {
		p := byEnd[c.end]
		if p.Dist != c.inForce || p.Publicized != c.publicized || p.UnderReview != c.underReview {
			t.Errorf("%s: in force %v publicized %v under review %v, want %v %v %v", c.end, p.Dist, p.Publicized, p.UnderReview, c.inForce, c.publicized, c.underReview)
		}
	}

	// The headline, the monthly column and the detail agree.
	sum := 0
	for _, st := range tr.Steps {
		sum += st.Downgrades
	}
	if len(tr.Downgrades) != 2 || sum != len(tr.Downgrades) {
		t.Errorf("headline %d, monthly sum %d, want 2 and 2 (A→B and B→C in September)", len(tr.Downgrades), sum)
	}
	csvText := string(render(t, tr, "csv"))
	steps2 := csvSection(t, csvText, "各月等级变动（降级为当月记录的降级；A→B 等为相邻月末有效等级的对比）")
	col := -1
	for i, h := range steps2[0] {
		if h == "降级（家次）" {
			col = i
		}
	}
	total := 0
	for _, rec := range steps2[1:] {
		n, err := strconv.Atoi(rec[col])
		if err == nil {
			total += n
		}
	}
	detail := csvSection(t, csvText, "降级明细")
	if col < 0 || total != len(tr.Downgrades) || len(detail)-1 != len(tr.Downgrades) {
		t.Errorf("降级（家次） column sums to %d, 降级明细 has %d rows, headline %d", total, len(detail)-1, len(tr.Downgrades))
	}
	html := string(render(t, tr, "html"))
	if !strings.Contains(html, `<span class="n">2</span><span class="l">降级（家次，期间合计）</span>`) || !strings.Contains(html, "公示中") {
		t.Errorf("HTML headline or state labels missing")
	}
}
