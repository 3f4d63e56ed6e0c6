package report

import (
	"context"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/store"
)

// Watch is what a unit has to act on at a day: institutions the rules now
// grade better than their grade in force (they may apply for an upgrade),
// institutions licensed but not yet evaluated, and grades that expire
// within ExpiryDays.
type Watch struct {
	Unit        Unit
	Day         time.Time
	Upgradable  []WatchRow
	Unevaluated []WatchRow
	Expiring    []WatchRow
}

// ExpiryDays is how far ahead Watch looks for grades that expire.
const ExpiryDays = 30

// WatchRow is one institution of a watch list.
type WatchRow struct {
	Name, USCC        string
	Grade, RulesGrade grade.Grade // the grade in force; what the rules give on the day
	Since, Until      time.Time   // validity of the grade in force
	Licensed          time.Time
}

// BuildWatch builds the watch lists of unit u on day from the recorded
// grades and the rules' grades on day.
func BuildWatch(ctx context.Context, s store.Store, rules *grade.Rules, u Unit, day time.Time) (*Watch, error) {
	day = grade.Date(day)
	states, err := lifecycle.StatesOn(ctx, s, day)
	if err != nil {
		return nil, fmt.Errorf("watch lists of %s: %w", u.Name, err)
	}
	now, err := grade.Compute(ctx, s, rules, day)
	if err != nil {
		return nil, fmt.Errorf("watch lists of %s: %w", u.Name, err)
	}
	rulesGrade := make(map[string]grade.Result, len(now))
	for _, r := range now {
		rulesGrade[r.USCC] = r
	}
	known := map[string]bool{}
	w := &Watch{Unit: u, Day: day}
	until := day.AddDate(0, 0, ExpiryDays-1)
	for _, st := range states {
		known[st.USCC] = true
		if !u.Contains(st.CountyCode) || st.InForce == nil {
			continue
		}
		e := *st.InForce
		row := WatchRow{Name: e.Name, USCC: e.USCC, Grade: e.Grade, Since: e.ValidFrom, Until: e.ValidUntil}
		if r, ok := rulesGrade[e.USCC]; ok && e.StatusOn(day) == lifecycle.StatusConfirmed && grade.Worse(e.Grade, r.Grade) {
			row.RulesGrade = r.Grade
			w.Upgradable = append(w.Upgradable, row)
		}
		if st.Pending == nil && !e.ValidUntil.IsZero() && !e.ValidUntil.Before(day) && !e.ValidUntil.After(until) {
			w.Expiring = append(w.Expiring, row)
		}
	}
	for _, r := range now {
		// Graded by the rules (licensed, licence not cancelled), with no
		// grade recorded: new since the last evaluation. A revoked licence
		// is among them: its D (D3) is recorded like any grade.
		if known[r.USCC] || !u.Contains(r.CountyCode) {
			continue
		}
		w.Unevaluated = append(w.Unevaluated, WatchRow{Name: r.Name, USCC: r.USCC, RulesGrade: r.Grade})
	}
	for _, l := range [][]WatchRow{w.Upgradable, w.Unevaluated, w.Expiring} {
		sort.Slice(l, func(i, j int) bool { return l[i].USCC < l[j].USCC })
	}
	sort.SliceStable(w.Expiring, func(i, j int) bool { return w.Expiring[i].Until.Before(w.Expiring[j].Until) })
	return w, nil
}

func (w *Watch) tables() []table {
	up := table{Sheet: "可申请上调", Title: "可申请上调信用等级的机构（" + dayCN(w.Day) + "，依规则已达更高等级）",
		Header: []string{"机构名称", "统一社会信用代码", "现等级", "依规则等级", "现等级生效日"}, Widths: []float64{34, 22, 8, 10, 14}}
	for _, r := range w.Upgradable {
		up.Rows = append(up.Rows, []cell{text(r.Name), uscc(r.USCC), gradeCell(r.Grade), gradeCell(r.RulesGrade), dateCell(r.Since)})
	}
	ne := table{Sheet: "尚未评价", Title: "已取得许可、尚未评价的机构（" + dayCN(w.Day) + "）",
		Header: []string{"机构名称", "统一社会信用代码", "依规则等级（参考）"}, Widths: []float64{34, 22, 18}}
	for _, r := range w.Unevaluated {
		ne.Rows = append(ne.Rows, []cell{text(r.Name), uscc(r.USCC), gradeCell(r.RulesGrade)})
	}
	ex := table{Sheet: "30日内到期", Title: fmt.Sprintf("信用等级%d日内到期的机构（%s起）", ExpiryDays, dayCN(w.Day)),
		Header: []string{"机构名称", "统一社会信用代码", "信用等级", "有效期至"}, Widths: []float64{34, 22, 8, 14}}
	for _, r := range w.Expiring {
		ex.Rows = append(ex.Rows, []cell{text(r.Name), uscc(r.USCC), gradeCell(r.Grade), dateCell(r.Until)})
	}
	return []table{up, ne, ex}
}

// WriteXLSX writes the three lists, one sheet each.
func (w *Watch) WriteXLSX(out io.Writer) error { return writeXLSX(out, w.tables()...) }

// WriteCSV writes the three lists as sections of one CSV file.
func (w *Watch) WriteCSV(out io.Writer) error { return writeCSV(out, w.tables()...) }

// WriteHTML writes the three lists as one page.
func (w *Watch) WriteHTML(out io.Writer) error {
	return writeDoc(out, w.Unit.Name+"待办名单（"+dayCN(w.Day)+"）", "tables-body", struct {
		Title  string
		Tables []table
	}{w.Unit.Name + "待办名单（" + dayCN(w.Day) + "）", w.tables()})
}
