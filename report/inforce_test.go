package report_test

import (
	"context"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/report/reporttest"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/storetest"
)

// Institutions of publicityStore: two graded A in 2025, exemplary chosen
// among them, and lowered, whose 2026 evaluation gives B.
const (
	exemplaryA = "914403001922038216"
	lowered    = "91440300708461136T"
)

// publicityStore records the 2025 evaluation (A for both, confirmed, one
// chosen exemplary) and the 2026 evaluation publicized from 2026-07-31
// until 2026-08-06: exemplaryA is publicized A again, lowered B (a
// violation of 2026-07-01), while the 2025 A is in force beside each.
func publicityStore(t *testing.T) store.Store {
	t.Helper()
	ctx := context.Background()
	day := reporttest.Day
	s := storetest.OpenMigrated(t)
	importRows(t, s, "institutions", [][]string{
		{"uscc", "name", "county_code", "licensed_on", "commitment_signed_on"},
		{exemplaryA, "许昌典型人力资源有限公司", "411002", "2024-06-01", "2024-06-01"},
		{lowered, "许昌公示人力资源有限公司", "411002", "2024-06-01", "2024-06-01"},
	})
	reports := [][]string{{"uscc", "year", "submitted_on"}}
	for _, u := range []string{exemplaryA, lowered} {
		reports = append(reports, []string{u, "2024", "2025-01-15"}, []string{u, "2025", "2026-01-15"})
	}
	importRows(t, s, "annual_reports", reports)
	r := grade.DefaultRules()
	generous := *r
	generous.Exemplary.SharePercent = 100 // one of the two A institutions
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2025, day("2025-07-31"), day("2025-07-31")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.Confirm(ctx, s, r, day("2025-08-07")); err != nil {
		t.Fatal(err)
	}
	if _, err := lifecycle.Nominate(ctx, s, &generous, 2025, []string{exemplaryA}, "服务规范，群众满意", day("2025-08-20")); err != nil {
		t.Fatal(err)
	}
	importRows(t, s, "inspections", [][]string{
		{"record_id", "uscc", "kind", "severity", "handled_on", "authority", "measure"},
		{"WD-9", lowered, "violation", "minor", "2026-07-01", "魏都区人社局", "责令限期整改"},
	})
	if _, _, err := lifecycle.Evaluate(ctx, s, r, 2026, day("2026-07-31"), day("2026-07-31")); err != nil {
		t.Fatal(err)
	}
	return s
}

// While a newer grade is publicized, the A in force stays what makes an
// institution exemplary (docs/rules.md §5): the 典型名单 keeps it, with
// the grade in force, and the grades on the day mark it.
func TestExemplaryWhileANewGradeIsPublicized(t *testing.T) {
	ctx := context.Background()
	day := reporttest.Day
	s := publicityStore(t)
	src := &report.HistorySource{Store: s, Rules: grade.DefaultRules()}
	cases := []struct {
		day       string
		state     string // the state of exemplaryA's grade shown
		exemplary bool
	}{
		{"2026-07-30", "", true},    // before the publicity: the 2025 A alone
		{"2026-08-03", "公示中", true}, // the 2026 A publicized, the 2025 A in force
	}
	for _, c := range cases {
		t.Run(c.day, func(t *testing.T) {
			gs, err := src.GradesOn(ctx, day(c.day))
			if err != nil {
				t.Fatal(err)
			}
			g := byUSCC(gs)[exemplaryA]
			if report.StateName(g) != c.state || g.Exemplary != c.exemplary {
				t.Errorf("state %q exemplary %v; want %q %v", report.StateName(g), g.Exemplary, c.state, c.exemplary)
			}
			ty, err := report.BuildTypical(ctx, src, unit(t, "411002"), 2025, day(c.day))
			if err != nil {
				t.Fatal(err)
			}
			if len(ty.Rows) != 1 || ty.Rows[0].USCC != exemplaryA || ty.Rows[0].Grade != "A 级" {
				t.Errorf("典型名单 %+v; want %s, A 级", ty.Rows, exemplaryA)
			}
		})
	}
}

// On a day of publicity an institution has the grade publicized and the
// grade in force beside it, and every listing shows both, labelled
// (docs/rules.md §4.7): 附件2 and the public list printed the publicized
// B alone, and the A in force showed nowhere.
func TestListsShowTheGradeInForceBesideThePublicized(t *testing.T) {
	ctx := context.Background()
	day := reporttest.Day
	s := publicityStore(t)
	src := &report.HistorySource{Store: s, Rules: grade.DefaultRules()}
	u := unit(t, "411002")
	inForce := "现行有效等级A 级（有效期2025年8月7日至2026年8月6日）"
	for _, c := range []struct {
		day  string
		want string // what lowered's row says of the A in force; "" none
	}{
		{"2026-08-03", inForce}, // B publicized, the 2025 A in force
		{"2026-07-30", ""},      // before the publicity: the A alone, in its own row
	} {
		t.Run(c.day, func(t *testing.T) {
			sum, err := report.BuildSummary(ctx, src, u, day(c.day), day(c.day))
			if err != nil {
				t.Fatal(err)
			}
			pub, err := report.BuildPublicList(ctx, src, u, day(c.day), day(c.day))
			if err != nil {
				t.Fatal(err)
			}
			var note, state string
			for _, r := range sum.Rows {
				if r.USCC == lowered {
					note = r.Note
				}
			}
			for _, r := range pub.Rows {
				if r.USCC == lowered {
					state = r.InForce
				}
			}
			if c.want == "" {
				if strings.Contains(note, "现行有效等级") || state != "" {
					t.Errorf("附件2 备注 %q, public list %q: no grade is publicized beside the one in force", note, state)
				}
				return
			}
			if !strings.Contains(note, "公示中") || !strings.Contains(note, c.want) {
				t.Errorf("附件2 备注 %q; want the state and %q", note, c.want)
			}
			if state != c.want {
				t.Errorf("public list: %q; want %q", state, c.want)
			}
			if html := string(render(t, pub, "html")); !strings.Contains(html, "公示中；"+c.want) {
				t.Errorf("the public list's 状态 does not print %q", c.want)
			}
		})
	}
}
