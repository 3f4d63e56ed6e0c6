package workflows

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/ingest/file"
	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
)

// demoHistory records the annual evaluations from demoFirstYear to the
// sample's year on the sample's records, and what happens between them,
// as the bureau would have: each year an evaluation as of 31 July
// publicized for the rules' days, one objection reviewed (the reviewer
// finds the commitment was signed and sets A), confirmation; then the
// nightly regrade replayed at every month-end up to the next evaluation
// (or today), one upgrade application a quarter by an institution the
// rules make eligible, and expiry. The 2026 exemplary institutions of
// county are nominated up to the cap. Trends then have four years to
// show.
func (m *demo) demoHistory(ctx context.Context, s store.Store, rules *grade.Rules, county report.Unit, today time.Time) error {
	days := rules.Lifecycle.PublicityDays
	for y := demoFirstYear; y <= DemoAsOf.Year(); y++ {
		asOf := time.Date(y, 7, 31, 0, 0, 0, 0, time.UTC)
		if asOf.After(today) {
			break
		}
		_, entries, err := lifecycle.Evaluate(ctx, s, rules, y, asOf, asOf)
		if err != nil {
			return err
		}
		objector := ""
		for _, e := range entries {
			if e.Grade == grade.B && len(e.Clauses) == 1 && e.Clauses[0].ID == "B1" {
				objector = e.USCC
				break
			}
		}
		if objector != "" {
			if _, err := lifecycle.FileObjection(ctx, s, objector, "承诺书已签订，系录入遗漏", asOf.AddDate(0, 0, 2)); err != nil {
				return err
			}
		}
		confirmed, err := lifecycle.Confirm(ctx, s, rules, asOf.AddDate(0, 0, days))
		if err != nil {
			return err
		}
		lowerAtConfirm := 0
		for _, e := range confirmed {
			if e.RunKind == lifecycle.RunRegrade {
				lowerAtConfirm++
			}
		}
		if objector != "" {
			if _, err := lifecycle.ResolveObjection(ctx, s, rules, objector, grade.A, "复评：承诺书原件已核实", asOf.AddDate(0, 0, days+3)); err != nil {
				return err
			}
		}
		if y == DemoAsOf.Year() {
			if err := m.demoNominate(ctx, s, rules, county, y, asOf.AddDate(0, 0, days+5)); err != nil {
				return err
			}
		}
		lowered, raised := 0, 0
		next := time.Date(y+1, 7, 31, 0, 0, 0, 0, time.UTC)
		for m := monthEnd(asOf.AddDate(0, 1, 0)); m.Before(next) && !m.After(today); m = monthEnd(m.AddDate(0, 0, 1)) {
			res, err := lifecycle.Regrade(ctx, s, rules, m)
			if err != nil {
				return err
			}
			lowered += len(res.Downgrades)
			if m.Month()%3 == 2 && len(res.Eligible) > 0 {
				up, err := lifecycle.ApplyUpgrade(ctx, s, rules, res.Eligible[0].USCC, m.AddDate(0, 0, 1))
				if err != nil {
					return err
				}
				if up.Granted {
					raised++
				}
			}
			if _, err := lifecycle.Expire(ctx, s, m); err != nil {
				return err
			}
		}
		objected := "no objection"
		if objector != "" {
			objected = "1 objection reviewed"
		}
		fmt.Fprintf(m.w, "%d: %d graded as of %s (%s), publicized %s–%s; %d confirmed (%d lower than publicized), %s; then %d lowered by the nightly regrade, %d raised on application\n",
			y, len(entries), transform.FormatDate(asOf), distribution(entryGrades(entries)), transform.FormatDate(asOf), transform.FormatDate(asOf.AddDate(0, 0, days-1)),
			len(confirmed), lowerAtConfirm, objected, lowered, raised)
	}
	return nil
}

// demoNominate nominates the exemplary institutions of county for year:
// confirmed A institutions, as many as the cap allows.
func (m *demo) demoNominate(ctx context.Context, s store.Store, rules *grade.Rules, county report.Unit, year int, day time.Time) error {
	on, err := lifecycle.GradesOn(ctx, s, day)
	if err != nil {
		return err
	}
	var as []string
	for _, e := range on {
		if e.Grade == grade.A && e.StatusOn(day) == lifecycle.StatusConfirmed && county.Contains(e.CountyCode) {
			as = append(as, e.USCC)
		}
	}
	n := int(math.Floor(rules.Exemplary.SharePercent*float64(len(as))/100 + 1e-9))
	if n == 0 {
		return nil
	}
	noms, err := lifecycle.Nominate(ctx, s, rules, year, as[:n], "年度评价为A级，全年无违法违规记录，服务规范", day)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.w, "%d: %d exemplary institutions of %s nominated (at most %.0f%% of its %d A)\n", year, len(noms), county.Name, rules.Exemplary.SharePercent, len(as))
	return nil
}

// monthEnd is the last day of d's month.
func monthEnd(d time.Time) time.Time {
	return time.Date(d.Year(), d.Month()+1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
}

// demoFreshViolation imports a serious violation handled yesterday by an
// institution of county with grade A in force, as an inspection file the
// bureau sends: new evidence the nightly run lowers the grade on.
func (m *demo) demoFreshViolation(ctx context.Context, s store.Store, dir string, county report.Unit, today time.Time) error {
	on, err := lifecycle.GradesOn(ctx, s, today)
	if err != nil {
		return err
	}
	uscc, name := "", ""
	for _, e := range on {
		if e.Grade == grade.A && e.StatusOn(today) == lifecycle.StatusConfirmed && county.Contains(e.CountyCode) {
			uscc, name = e.USCC, e.Name
			break
		}
	}
	if uscc == "" {
		return nil
	}
	yesterday := today.AddDate(0, 0, -1)
	path := filepath.Join(dir, "inspections_new.csv")
	rows := "record_id,uscc,kind,severity,handled_on,authority,measure,description\n" +
		fmt.Sprintf("DEMO-%s-001,%s,violation,serious,%s,%s,行政处罚,以招聘为名收取求职者押金\n",
			yesterday.Format("20060102"), uscc, transform.FormatDate(yesterday), county.Bureau())
	if err := os.WriteFile(path, []byte(rows), 0o644); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintf(m.w, "A serious violation of %s %s, handled %s, arrives in an inspection file:\n", uscc, name, transform.FormatDate(yesterday))
	return m.demoImport(ctx, s, "inspections", path)
}

// demoReconcile plays a county sending its 附件2 to the city: the table
// report summary writes for 禹州市 with the grades of day, one grade made
// more lenient, recorded and reconciled.
func (m *demo) demoReconcile(ctx context.Context, s store.Store, rules *grade.Rules, dir string, day time.Time) error {
	u, err := report.LookupUnit("411081")
	if err != nil {
		return err
	}
	// The county's table holds the grades the rules give at the date of
	// the evaluation, as the county computed them.
	src := &report.ComputeSource{Store: s, Rules: rules}
	sum, err := report.BuildSummary(ctx, src, u, day, day)
	if err != nil {
		return err
	}
	changed := ""
	for _, want := range []grade.Grade{grade.D, grade.C, grade.B} {
		for i, r := range sum.Rows {
			// The table may print a grade as the notice does: "C 级".
			if strings.HasPrefix(r.Grade, string(want)) && changed == "" {
				sum.Rows[i].Grade = strings.Replace(r.Grade, string(want), string(grade.Grades[grade.Rank(want)-1]), 1)
				changed = fmt.Sprintf("%s %s: graded %s, written %s", r.USCC, r.Name, r.Grade, sum.Rows[i].Grade)
			}
		}
	}
	path := filepath.Join(dir, "附件2-"+u.Code+"-submitted.xlsx")
	if err := report.WriteFile(path, sum.WriteXLSX); err != nil {
		return err
	}
	fmt.Fprintf(m.w, "%s's 附件2 as the county sent it, with one grade made more lenient (%s):\n", u.Name, changed)
	start := time.Now()
	res, err := file.ImportSummary(ctx, s, path, file.SummaryOptions{})
	if err != nil {
		return err
	}
	m.n.Imported(res, time.Since(start))
	fmt.Fprintln(m.w)
	return report.Reconcile(ctx, m.w, s, rules, u.Code, day)
}
