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
	"github.com/xuchang-hrss/creditsync/transform"
)

// The watch lists: who may apply for an upgrade, who is licensed but not
// yet evaluated, whose grade expires within 30 days.
func TestWatchLists(t *testing.T) {
	ctx := context.Background()
	day := reporttest.Day
	s := storetest.OpenMigrated(t)
	const signsLater, calm, newcomer = "914403001922038216", "91440300708461136T", "9144030071526726XG"
	header := []string{"uscc", "name", "county_code", "licensed_on", "commitment_signed_on"}
	importRows(t, s, "institutions", [][]string{header,
		{signsLater, "许昌后签承诺人力资源有限公司", "411002", "2024-06-01", ""},
		{calm, "许昌平稳人力资源有限公司", "411002", "2024-06-01", "2024-07-01"},
	})
	importRows(t, s, "annual_reports", [][]string{{"uscc", "year", "submitted_on"},
		{signsLater, "2025", "2026-01-15"}, {calm, "2025", "2026-01-15"}, {signsLater, "2026", "2027-01-15"}, {calm, "2026", "2027-01-15"}})
	r := grade.DefaultRules()
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2026, day("2026-07-31"), day("2026-07-31")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.Confirm(ctx, s, r, day("2026-08-07")); err != nil {
		t.Fatal(err)
	}
	importRows(t, s, "institutions", [][]string{header,
		{signsLater, "许昌后签承诺人力资源有限公司", "411002", "2024-06-01", "2026-09-10"},
		{newcomer, "许昌新设人力资源有限公司", "411002", "2026-09-01", "2026-09-01"},
	})
	w, err := report.BuildWatch(ctx, s, r, unit(t, "411002"), day("2026-10-01"))
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Upgradable) != 1 || w.Upgradable[0].USCC != signsLater || w.Upgradable[0].Grade != "B" || w.Upgradable[0].RulesGrade != "A" {
		t.Errorf("upgradable %+v", w.Upgradable)
	}
	if len(w.Unevaluated) != 1 || w.Unevaluated[0].USCC != newcomer {
		t.Errorf("not yet evaluated %+v", w.Unevaluated)
	}
	if len(w.Expiring) != 0 {
		t.Errorf("expiring on 2026-10-01: %+v", w.Expiring)
	}
	later, err := report.BuildWatch(ctx, s, r, unit(t, "411002"), day("2027-07-20"))
	if err != nil {
		t.Fatal(err)
	}
	if len(later.Expiring) != 2 || transform.FormatDate(later.Expiring[0].Until) != "2027-08-06" {
		t.Errorf("expiring within 30 days of 2027-07-20: %+v", later.Expiring)
	}
	f := openXLSX(t, render(t, later, "xlsx"))
	if got := strings.Join(f.GetSheetList(), ","); got != "可申请上调,尚未评价,30日内到期" {
		t.Errorf("sheets %s", got)
	}
	if html := string(render(t, later, "html")); !strings.Contains(html, "许昌平稳人力资源有限公司") || !strings.Contains(html, "2027-08-06") {
		t.Errorf("watch page lacks the expiring grade")
	}
}
