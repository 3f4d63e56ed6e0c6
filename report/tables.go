package report

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/transform"
)

// table is one table of a report as HTML, CSV and XLSX all show it: an
// XLSX sheet, a CSV section, an HTML <table>.
type table struct {
	Sheet  string // XLSX sheet name: at most 31 characters, none of []:*?/\
	Title  string
	Header []string
	Rows   [][]cell
	Widths []float64 // XLSX column widths, in characters
	// Notes are lines under the table in XLSX, one a row across its
	// width, after an empty row; HTML prints them from its template and a
	// CSV leaves them out, its rows read by programs.
	Notes []string
}

// cell is a table cell. XLSX writes Value when set (so numbers stay
// numbers), else Text; Class styles it in HTML.
type cell struct {
	Text  string
	Value any
	Class string
	// Code marks an identifier that must stay text: an all-digit USCC
	// (40 of 297 in Xuchang) is otherwise read by Excel as a number,
	// shown as 1.24E+17 and rounded once saved.
	Code bool
	// Link is the web page the cell names (an institution's), shown as a
	// link on the server's pages only: a report file is read offline,
	// where the link would lead nowhere (withoutLinks).
	Link string
	// Date is the day a date cell holds (dateCell); XLSX writes it as a
	// date, HTML and CSV write Text.
	Date time.Time
}

// dateCell is a day: 2026-08-12 as text in HTML and CSV, a real date
// formatted yyyy-mm-dd in XLSX, which a spreadsheet sorts, filters and
// counts as dates (as text in General format it did not). Every table's
// dates are written by it; the zero day is an empty cell.
func dateCell(d time.Time) cell {
	if d.IsZero() {
		return text("")
	}
	return cell{Text: transform.FormatDate(d), Date: time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)}
}

// InstitutionPath is the web page of an institution.
func InstitutionPath(uscc string) string { return "/institutions/" + uscc }

// nameCell is an institution's name, linked to its page.
func nameCell(name, uscc string) cell { return cell{Text: name, Link: InstitutionPath(uscc)} }

// withoutLinks returns the tables with no cell linked, for report files.
func withoutLinks(ts []table) []table {
	out := make([]table, len(ts))
	for i, t := range ts {
		t.Rows = make([][]cell, len(ts[i].Rows))
		for r, row := range ts[i].Rows {
			t.Rows[r] = slices.Clone(row)
			for c := range t.Rows[r] {
				t.Rows[r][c].Link = ""
			}
		}
		out[i] = t
	}
	return out
}

func text(s string) cell { return cell{Text: s} }

// uscc is a USCC cell: text in every format (see Code).
func uscc(s string) cell { return cell{Text: s, Code: true} }

// num is a count; zeros are greyed in HTML so that the few changes in a
// table of mostly zeros stand out.
func num(n int) cell {
	c := cell{Text: strconv.Itoa(n), Value: n, Class: "num"}
	if n == 0 {
		c.Class += " zero"
	}
	return c
}

func share(v float64) cell {
	return cell{Text: percent(v), Value: tenths(v), Class: "num"}
}

// cdShare is the C+D share of d, or a dash when nobody is graded: 0% would
// claim a unit without institutions is spotless.
func cdShare(d Dist) cell {
	if d.Total() == 0 {
		return cell{Text: "—", Class: "num"}
	}
	return share(d.CDShare())
}

// tenths is a share in percent rounded to one decimal, as XLSX holds it.
func tenths(v float64) float64 { return float64(int(v*1000+0.5)) / 10 }

// noData fills a cell of a month before any evaluation: not zero, which
// would read as "no institutions".
func noData() cell { return cell{Text: "无数据", Class: "num nodata"} }

// noDataRow is the row of a month before the first grade: its month-end,
// then 无数据 in each of the table's other columns.
func noDataRow(end time.Time, columns int) []cell {
	row := []cell{dateCell(end)}
	for range columns - 1 {
		row = append(row, noData())
	}
	return row
}

func gradeCell(g grade.Grade) cell { return cell{Text: string(g), Class: "grade g-" + string(g)} }

// delta writes a change with its sign: +2, -1, 0.
func delta(n int) cell {
	c := num(n)
	switch {
	case n > 0:
		c.Text = "+" + c.Text
	case n < 0:
		c.Text = strconv.Itoa(n) // ASCII minus: a spreadsheet reads "−1" as text
	}
	return c
}

// deltaPoints writes a change of share in percentage points.
func deltaPoints(v float64) cell {
	pp := tenths(v)
	if v < 0 {
		pp = -tenths(-v)
	}
	if pp == 0 {
		pp = 0 // not −0, which would print as "−0.0"
	}
	s := strconv.FormatFloat(pp, 'f', 1, 64)
	if pp > 0 {
		s = "+" + s
	}
	return cell{Text: s, Value: pp, Class: "num"} // in percentage points, as the header says
}

// gradeSuffix is gradeHeader with a label after each grade: A（有效）.
func gradeSuffix(suffix string) []string {
	out := make([]string, len(grade.Grades))
	for i, g := range grade.Grades {
		out[i] = string(g) + suffix
	}
	return out
}

func gradeHeader(prefix string) []string {
	out := make([]string, len(grade.Grades))
	for i, g := range grade.Grades {
		out[i] = prefix + string(g)
	}
	return out
}

// stateHeaders label the counts of grades not in force, beside the grades
// in force: each state is counted as what it is (docs/rules.md §4.7).
var stateHeaders = []string{"公示中（家）", "异议复核中（家）"}

// distTable is the month-by-month distribution of a unit against the
// city: the grades in force, then those publicized and under objection.
func (t *Trend) distTable() table {
	tb := table{Sheet: "月度分布", Title: "月度等级分布（有效等级；公示中、异议复核中另计）",
		Header: append(append(append([]string{"月末"}, gradeSuffix("（有效）")...), "有效合计（家）"), append(stateHeaders, "C+D占比（%）", "全市C+D占比（%）", "C+D占比环比（百分点）", "C+D占比同比（百分点）")...),
		Widths: []float64{14, 10, 10, 10, 10, 14, 12, 16, 14, 16, 18, 18}}
	for i, p := range t.Periods {
		if p.NoData {
			tb.Rows = append(tb.Rows, noDataRow(p.End, len(tb.Header)))
			continue
		}
		row := []cell{dateCell(p.End)}
		for r := range grade.Grades {
			row = append(row, num(p.Dist[r]))
		}
		row = append(row, num(p.Dist.Total()), num(p.Publicized.Total()), num(p.UnderReview.Total()), cdShare(p.Dist), cdShare(p.City), t.shareChange(i, 1), t.shareChange(i, 12))
		tb.Rows = append(tb.Rows, row)
	}
	return tb
}

// shareChange is the change of the C+D share of period i against the
// period back months before (1: month on month, 12: year on year), in
// percentage points; a dash when either has no data or nobody graded.
func (t *Trend) shareChange(i, back int) cell {
	if i-back < 0 {
		return cell{Text: "—", Class: "num"}
	}
	p, q := t.Periods[i], t.Periods[i-back]
	if p.NoData || q.NoData || p.Dist.Total() == 0 || q.Dist.Total() == 0 {
		return cell{Text: "—", Class: "num"}
	}
	return deltaPoints(p.Dist.CDShare() - q.Dist.CDShare())
}

// stepTable counts the changes of each month: the downgrades recorded in
// it (their sum is the report's headline, and each is a row of 降级明细),
// then the month-end comparison of the grades in force.
func (t *Trend) stepTable() table {
	moves := t.moves()
	tb := table{Sheet: "等级变动", Title: "各月等级变动（降级为当月记录的降级；A→B 等为相邻月末有效等级的对比）",
		Header: []string{"期间", "降级（家次）"}, Widths: []float64{26, 12}}
	for _, m := range moves {
		tb.Header = append(tb.Header, "月末对比"+m.label())
		tb.Widths = append(tb.Widths, 12)
	}
	tb.Header = append(tb.Header, "月末对比升级（家）", "新纳入（家）", "退出（家）")
	tb.Widths = append(tb.Widths, 16, 14, 10)
	for _, s := range t.Steps {
		row := []cell{text(transform.FormatDate(s.From) + " → " + transform.FormatDate(s.To))}
		if s.NoData {
			// A downgrade is counted even here, so the column always sums
			// to the headline; none is no data, not zero.
			if s.Downgrades > 0 {
				row = append(row, num(s.Downgrades))
			} else {
				row = append(row, noData())
			}
			for range len(tb.Header) - 2 {
				row = append(row, noData())
			}
			tb.Rows = append(tb.Rows, row)
			continue
		}
		row = append(row, num(s.Downgrades))
		for _, m := range moves {
			n := s.Moves[m.from][m.to]
			c := num(n)
			if m.down() && n > 0 {
				c.Class += " down"
			}
			row = append(row, c)
		}
		row = append(row, num(s.ups()), num(s.Entered), num(s.Left))
		tb.Rows = append(tb.Rows, row)
	}
	return tb
}

// downgradeTable lists each downgrade with the clauses that caused it.
func (t *Trend) downgradeTable(withUnit bool) table {
	tb := table{Sheet: "降级明细", Title: "降级明细",
		Header: []string{"日期", "机构名称", "统一社会信用代码", "原等级", "新等级", "导致降级的条款"},
		Widths: []float64{12, 32, 22, 8, 8, 60}}
	if withUnit {
		tb.Header = append(tb.Header[:1:1], append([]string{"单位"}, tb.Header[1:]...)...)
		tb.Widths = append(tb.Widths[:1:1], append([]float64{12}, tb.Widths[1:]...)...)
	}
	for _, ch := range t.Downgrades {
		row := []cell{dateCell(ch.Day)}
		if withUnit {
			row = append(row, text(unitOf(ch.CountyCode).Name))
		}
		row = append(row, nameCell(ch.Name, ch.USCC), uscc(ch.USCC), gradeCell(ch.From), gradeCell(ch.To), text(clauseList(ch.Clauses)))
		tb.Rows = append(tb.Rows, row)
	}
	return tb
}

// clauseList writes clauses as "C2 因严重…；B1 未履行信用承诺".
func clauseList(cls []ClauseRef) string {
	parts := make([]string, len(cls))
	for i, c := range cls {
		parts[i] = c.ID + " " + c.Text
	}
	return strings.Join(parts, "；")
}

// clauseTable ranks the clauses by how many institutions they held for.
func (t *Trend) clauseTable() table {
	tb := table{Sheet: "常见条款", Title: "常见失信条款",
		Header: []string{"条款", "通知原文", "期间内涉及机构（家）", "期末仍适用机构（家）"},
		Widths: []float64{8, 60, 14, 16}}
	for _, c := range t.Clauses {
		tb.Rows = append(tb.Rows, []cell{{Text: c.ID, Class: "grade g-" + c.ID[:1]}, text(c.Text), num(c.Institutions), num(c.Latest)})
	}
	return tb
}

// cityTable sets the unit's latest distribution beside the city's.
func (t *Trend) cityTable() table {
	p := t.Latest()
	tb := table{Sheet: "对比全市", Title: "与全市对比（" + dayCN(p.End) + "）",
		Header: []string{"等级", "本单位（家）", "本单位占比（%）", "全市（家）", "全市占比（%）", "占比差（百分点）"},
		Widths: []float64{10, 10, 14, 10, 14, 14}}
	ut, ct := p.Dist.Total(), p.City.Total()
	for r, g := range grade.Grades {
		us, cs := frac(p.Dist[r], ut), frac(p.City[r], ct)
		tb.Rows = append(tb.Rows, []cell{gradeCell(g), num(p.Dist[r]), share(us), num(p.City[r]), share(cs), deltaPoints(us - cs)})
	}
	tb.Rows = append(tb.Rows, []cell{text("C+D"), num(p.Dist.CD()), share(p.Dist.CDShare()), num(p.City.CD()), share(p.City.CDShare()), deltaPoints(p.Dist.CDShare() - p.City.CDShare())})
	return tb
}

func frac(n, total int) float64 {
	if total == 0 {
		return 0
	}
	return float64(n) / float64(total)
}

// tables are the trend report's tables in reading order.
func (t *Trend) tables() []table {
	return []table{t.distTable(), t.cityTable(), t.stepTable(), t.downgradeTable(false), t.clauseTable(), t.institutionTable()}
}

// institutionTable is the drill-down from the unit to its institutions:
// each one's grade and state at the last month-end, what was found, and
// until when the grade is valid.
func (t *Trend) institutionTable() table {
	end := t.Latest().End
	tb := table{Sheet: "机构名单", Title: "期末机构名单（" + dayCN(end) + "）",
		Header: []string{"机构名称", "统一社会信用代码", "信用等级", "状态", "有效期至", "失信情况"},
		Widths: []float64{34, 22, 8, 12, 14, 60}}
	for _, g := range t.Institutions {
		state, until := "有效", dateCell(g.ValidUntil)
		switch {
		case g.State != StateInForce:
			state, until = StateName(g), text("")
		case g.Expired:
			state = "已过期"
		}
		tb.Rows = append(tb.Rows, []cell{nameCell(g.Name, g.USCC), uscc(g.USCC), gradeCell(g.Grade), text(state), until, text(Dishonesty(g))})
	}
	return tb
}

// summaryTable is the overview's first table: every unit's latest
// distribution and its change since the month before.
func (o *Overview) summaryTable() table {
	tb := table{Sheet: "各单位概况", Title: "各单位最新分布及较上月变化",
		Header: append(append(append([]string{"单位"}, gradeHeader("")...), "合计（家）", "C+D占比（%）"), append(gradeHeader("Δ"), "ΔC+D环比（百分点）", "ΔC+D同比（百分点）")...),
		Widths: []float64{16, 8, 8, 8, 8, 10, 14, 8, 8, 8, 8, 18, 18}}
	for _, t := range append(append([]Trend(nil), o.Units...), o.City) {
		p := t.Latest()
		row := []cell{text(t.Unit.Name)}
		for r := range grade.Grades {
			row = append(row, num(p.Dist[r]))
		}
		row = append(row, num(p.Dist.Total()), cdShare(p.Dist))
		prev, ok := t.Previous()
		for r := range grade.Grades {
			if ok {
				row = append(row, delta(p.Dist[r]-prev.Dist[r]))
			} else {
				row = append(row, text(""))
			}
		}
		if ok && p.Dist.Total() > 0 && prev.Dist.Total() > 0 {
			row = append(row, deltaPoints(p.Dist.CDShare()-prev.Dist.CDShare()))
		} else {
			row = append(row, cell{Text: "—", Class: "num"})
		}
		row = append(row, t.shareChange(len(t.Periods)-1, 12))
		tb.Rows = append(tb.Rows, row)
	}
	return tb
}

// shareTable is the C+D share of every unit, month by month.
func (o *Overview) shareTable() table {
	tb := table{Sheet: "C+D占比", Title: "各单位逐月C+D占比（%）",
		Header: []string{"月末"}, Widths: []float64{14}}
	for _, t := range o.Units {
		tb.Header = append(tb.Header, t.Unit.Name)
		tb.Widths = append(tb.Widths, 12)
	}
	tb.Header = append(tb.Header, "全市")
	tb.Widths = append(tb.Widths, 12)
	for i, p := range o.City.Periods {
		if p.NoData {
			// Before the first grade, as every other table says it: 无数据,
			// not the dash of a unit without institutions.
			tb.Rows = append(tb.Rows, noDataRow(p.End, len(tb.Header)))
			continue
		}
		row := []cell{dateCell(p.End)}
		for _, t := range o.Units {
			row = append(row, cdShare(t.Periods[i].Dist))
		}
		tb.Rows = append(tb.Rows, append(row, cdShare(p.Dist)))
	}
	return tb
}

// tables are the overview's tables in reading order.
func (o *Overview) tables() []table {
	dist := o.City.distTable()
	dist.Sheet, dist.Title = "全市月度分布", "全市月度等级分布"
	// The city against itself says nothing: drop 全市C+D占比.
	col := slices.Index(dist.Header, "全市C+D占比（%）")
	dist.Header, dist.Widths = slices.Delete(dist.Header, col, col+1), slices.Delete(dist.Widths, col, col+1)
	for i := range dist.Rows {
		dist.Rows[i] = slices.Delete(dist.Rows[i], col, col+1)
	}
	return []table{o.summaryTable(), o.shareTable(), dist, o.City.stepTable(), o.City.downgradeTable(true), o.City.clauseTable()}
}
