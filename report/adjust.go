package report

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/lifecycle"
	"github.com/xuchang-hrss/creditsync/sql"
	"github.com/xuchang-hrss/creditsync/store"
	"github.com/xuchang-hrss/creditsync/transform"
)

// Typical is the 诚信机构典型名单 of a unit and year: the institutions
// chosen as exemplary (docs/rules.md §5), as counties send it to the city.
type Typical struct {
	Unit Unit
	Year int
	Day  time.Time
	Rows []TypicalRow
}

// TypicalRow is one exemplary institution.
type TypicalRow struct {
	Name, USCC, Grade, Reason, Evaluator string
	NominatedOn                          time.Time
}

// BuildTypical lists the exemplary institutions of unit u on day: those
// the grades on day mark exemplary — A in force (beside a newer grade
// publicized, too), chosen while that grade was in force (InstitutionGrade.Exemplary). The list is read from the
// same flag as 附件2's 是否选树 column, so the two cannot disagree; year
// names the evaluation year in the title.
func BuildTypical(ctx context.Context, src Source, u Unit, year int, day time.Time) (*Typical, error) {
	day = grade.Date(day)
	gs, err := src.GradesOn(ctx, day)
	if err != nil {
		return nil, fmt.Errorf("诚信机构典型名单 of %s: %w", u.Name, err)
	}
	t := &Typical{Unit: u, Year: year, Day: day}
	for _, g := range inUnit(gs, u) {
		// The grade in force, also while a newer one is publicized or
		// under objection beside it (docs/rules.md §5).
		c, ok := g.Current()
		if !ok || !c.Exemplary || c.Grade != grade.A || c.Expired {
			continue
		}
		t.Rows = append(t.Rows, TypicalRow{Name: g.Name, USCC: g.USCC, Grade: GradeLabel(c.Grade), Reason: g.ExemplaryReason,
			Evaluator: unitOf(g.CountyCode).Bureau(), NominatedOn: g.ExemplaryOn})
	}
	sort.Slice(t.Rows, func(i, j int) bool { return t.Rows[i].USCC < t.Rows[j].USCC })
	return t, nil
}

func (t *Typical) table() table {
	tb := table{Sheet: "诚信机构典型名单", Title: fmt.Sprintf("%s%d年度诚信机构典型名单", t.Unit.Name, t.Year),
		Header: []string{"序号", "机构名称", "统一社会信用代码", "信用等级", "选树原因", "选树日期", "评价单位"},
		Widths: []float64{6, 34, 22, 10, 40, 14, 28}}
	for i, r := range t.Rows {
		tb.Rows = append(tb.Rows, []cell{num(i + 1), text(r.Name), uscc(r.USCC), text(r.Grade), text(r.Reason), dateCell(r.NominatedOn), text(r.Evaluator)})
	}
	if len(t.Rows) == 0 {
		// A year may name none; the form sent says so, not a bare
		// header that reads as a broken export.
		tb.Notes = []string{fmt.Sprintf("%d年度本单位无在有效期内的诚信机构典型。", t.Year)}
	}
	return tb
}

// WriteXLSX writes the list on one sheet, USCCs as text.
func (t *Typical) WriteXLSX(w io.Writer) error { return writeXLSX(w, t.table()) }

// WriteCSV writes the list as a CSV file for Excel.
func (t *Typical) WriteCSV(w io.Writer) error { return writeCSV(w, t.table()) }

// Adjustments is the 动态调整情况 of a unit: every change of an
// institution's grade in force after From up to To — lowered by the
// nightly regrade or at confirmation, changed by a review, raised on
// application, or ended with the licence — with its reason and date.
type Adjustments struct {
	Unit     Unit
	From, To time.Time
	Rows     []AdjustmentRow
}

// AdjustmentRow is one change.
type AdjustmentRow struct {
	Day          time.Time
	Name, USCC   string
	From, To     string // "A 级" …; To is "—" when the licence ended or another unit's grade replaced it
	Kind, Reason string
	Evaluator    string
	// county is the county of the grade the row is about — the new
	// grade of a change, the grade that ended otherwise — whose unit
	// lists the row (docs/rules.md §4.9).
	county string
}

// movedOutKind is the 调整类型 of a grade a unit made that ended because
// another unit, to which the institution moved, recorded a grade of it.
const movedOutKind = "迁出"

// BuildAdjustments lists the changes in unit u after from up to to, from
// the whole grade history (lifecycle.History with an empty USCC) and the
// nominations of every year. Annual evaluations are not changes: they are
// the 附件2 table itself. An exemplary institution whose A ends — lowered,
// or its licence cancelled — leaves the 诚信机构典型名单 that day, and
// that removal is a row of its own.
//
// Each row is listed by the unit that made its grade (docs/rules.md
// §4.9): a change by the county that recorded the new grade, a licence's
// end or a removal from the 典型名单 by the county whose grade ended. A
// change that replaced another unit's grade — the institution moved —
// shows that grade as it was in 原等级 and names its unit in the reason;
// the other unit lists the end of its own grade then (迁出, to —), naming
// the unit whose grade replaced it but not that grade, which is the other
// unit's to report.
func BuildAdjustments(history []lifecycle.Entry, noms []lifecycle.Nomination, u Unit, from, to time.Time) *Adjustments {
	from, to = grade.Date(from), grade.Date(to)
	a := &Adjustments{Unit: u, From: from, To: to}
	byUSCC := map[string][]lifecycle.Entry{}
	for _, e := range history {
		byUSCC[e.USCC] = append(byUSCC[e.USCC], e)
	}
	in := func(d time.Time) bool { return !d.IsZero() && d.After(from) && !d.After(to) }
	var rows []AdjustmentRow
	for uscc, es := range byUSCC {
		for _, e := range es {
			if e.RunKind == lifecycle.RunEvaluate || !inEffectSome(e) || !in(e.ValidFrom) {
				continue
			}
			// 原等级 is the grade the change is from — for a
			// confirmation lower than publicized, the publicized grade
			// (changedFrom); the 迁出 row and the 典型名单 follow the grade
			// in force that ended (replaced).
			old, ok := changedFrom(es, e)
			ended, hadEnded := replaced(es, e)
			was := "—"
			if ok {
				was = GradeLabel(old.Grade)
			}
			// A lowering or a raise to the grade already in force is no
			// change: the later night's grade after a night replayed after
			// it, or the later application's after one backdated before it
			// (docs/rules.md §4.8), which moved to the same grade first.
			// Regrades record only lowerings and upgrades only raises, so
			// nothing else of theirs is equal; a review may confirm the
			// grade in force, and that decision is listed.
			same := ok && old.Grade == e.Grade && (e.RunKind == lifecycle.RunRegrade || e.RunKind == lifecycle.RunUpgrade)
			if !same {
				kind, reason := adjustmentReason(e, old, ok)
				if ok && unitOf(old.CountyCode) != unitOf(e.CountyCode) {
					reason += "原等级为" + unitOf(old.CountyCode).Bureau() + "评定。"
				}
				rows = append(rows, AdjustmentRow{Day: e.ValidFrom, Name: e.Name, USCC: uscc, From: was, To: GradeLabel(e.Grade),
					Kind: kind, Reason: reason, Evaluator: unitOf(e.CountyCode).Bureau(), county: e.CountyCode})
			}
			if hadEnded && unitOf(ended.CountyCode) != unitOf(e.CountyCode) {
				rows = append(rows, AdjustmentRow{Day: e.ValidFrom, Name: ended.Name, USCC: uscc, From: GradeLabel(ended.Grade), To: "—", Kind: movedOutKind,
					Reason:    fmt.Sprintf("机构已迁出，本单位评定的信用等级自%s起由%s评定的信用等级取代。", dayCN(e.ValidFrom), unitOf(e.CountyCode).Bureau()),
					Evaluator: unitOf(ended.CountyCode).Bureau(), county: ended.CountyCode})
			}
			if hadEnded && e.Grade != grade.A {
				rows = appendRemoval(rows, noms, ended, e.ValidFrom, GradeLabel(e.Grade))
			}
		}
		// A licence cancelled in the period ends the grade then in force.
		// A revoked one ends nothing: its D3 is a downgrade, listed above.
		last := es[len(es)-1]
		if in(last.LicenceEndedOn) {
			day := last.LicenceEndedOn
			var was *lifecycle.Entry
			for i := range es {
				if es[i].InEffectOn(day.AddDate(0, 0, -1)) {
					was = &es[i]
				}
			}
			if was != nil {
				rows = append(rows, AdjustmentRow{Day: day, Name: was.Name, USCC: uscc, From: GradeLabel(was.Grade), To: "—",
					Kind: "许可注销", Reason: "人力资源服务许可于" + dayCN(day) + "注销，信用等级自当日终止。", Evaluator: unitOf(was.CountyCode).Bureau(), county: was.CountyCode})
				rows = appendRemoval(rows, noms, *was, day, "—")
			}
		}
	}
	for _, r := range rows {
		if u.Contains(r.county) {
			a.Rows = append(a.Rows, r)
		}
	}
	// Stable: a removal from the 典型名单 follows the change that caused it.
	sort.SliceStable(a.Rows, func(i, j int) bool {
		if !a.Rows[i].Day.Equal(a.Rows[j].Day) {
			return a.Rows[i].Day.Before(a.Rows[j].Day)
		}
		return a.Rows[i].USCC < a.Rows[j].USCC
	})
	return a
}

// LastEvaluation is the as-of date of the latest evaluation on or before
// end: the grades of the last 附件2 sent, from which 动态调整情况 counts.
func LastEvaluation(ctx context.Context, s store.Store, end time.Time) (time.Time, error) {
	evs, err := lifecycle.Evaluations(ctx, s)
	if err != nil {
		return time.Time{}, err
	}
	var last time.Time
	for _, e := range evs {
		if !e.AsOf.After(end) && e.AsOf.After(last) {
			last = e.AsOf
		}
	}
	if last.IsZero() {
		return time.Time{}, fmt.Errorf("%w on or before %s to count changes from", ErrNoEvaluation, transform.FormatDate(end))
	}
	return last, nil
}

// ErrPeriod marks a period of 动态调整情况 that ends before it begins.
var ErrPeriod = errors.New("invalid period")

// CheckPeriod refuses a period whose start is after its end: its table
// would be headed (2027年1月1日至2026年1月1日) and list nothing.
func CheckPeriod(from, to time.Time) error {
	if from.After(to) {
		return fmt.Errorf("%w: from %s is after to %s", ErrPeriod, transform.FormatDate(from), transform.FormatDate(to))
	}
	return nil
}

// ErrNoEvaluation: no evaluation is recorded on or before the day asked
// for, so there is nothing to count the 动态调整情况 from.
var ErrNoEvaluation = errors.New("no evaluation")

// Adjustments is the 动态调整情况 of unit u from the latest evaluation on
// or before to, up to to: what the web offers beside 附件2.
func (h *HistorySource) Adjustments(ctx context.Context, u Unit, to time.Time) (*Adjustments, error) {
	from, err := LastEvaluation(ctx, h.Store, to)
	if err != nil {
		return nil, err
	}
	history, err := h.history(ctx)
	if err != nil {
		return nil, err
	}
	noms, err := AllNominations(ctx, h.Store, history)
	if err != nil {
		return nil, err
	}
	return BuildAdjustments(history, noms, u, from, to), nil
}

// Commitments are the 附件1 letters of unit u on day, pre-filled for the
// institutions without a signed commitment (UnsignedCommitments).
func (h *HistorySource) Commitments(ctx context.Context, u Unit, day time.Time) (*Commitments, error) {
	return UnsignedCommitments(ctx, h.Store, u, day)
}

// Commitments are the 附件1 letters of unit u on day, read from the
// register as HistorySource's are: they do not depend on grades.
func (c *ComputeSource) Commitments(ctx context.Context, u Unit, day time.Time) (*Commitments, error) {
	return UnsignedCommitments(ctx, c.Store, u, day)
}

// ReadAdjustments reads the whole grade history and every year's
// nominations from s and lists the changes in unit u after from up to to
// (BuildAdjustments).
func ReadAdjustments(ctx context.Context, s store.Store, u Unit, from, to time.Time) (*Adjustments, error) {
	if err := CheckPeriod(from, to); err != nil {
		return nil, err
	}
	history, err := lifecycle.History(ctx, s, "")
	if err != nil {
		return nil, err
	}
	noms, err := AllNominations(ctx, s, history)
	if err != nil {
		return nil, err
	}
	return BuildAdjustments(history, noms, u, from, to), nil
}

// AllNominations returns the nominations of every evaluation year in
// history, for BuildAdjustments.
func AllNominations(ctx context.Context, s store.Store, history []lifecycle.Entry) ([]lifecycle.Nomination, error) {
	seen := map[int]bool{}
	var out []lifecycle.Nomination
	for _, e := range history {
		if e.Year == 0 || seen[e.Year] {
			continue
		}
		seen[e.Year] = true
		ns, err := lifecycle.Nominations(ctx, s, e.Year)
		if err != nil {
			return nil, fmt.Errorf("nominations of %d: %w", e.Year, err)
		}
		out = append(out, ns...)
	}
	return out, nil
}

// removalKind is the 调整类型 of an institution leaving the 诚信机构典型名单.
const removalKind = "移出诚信机构典型名单"

// appendRemoval adds the removal from the 诚信机构典型名单 of an
// institution whose grade old ended on day, when old was an A it had been
// chosen under (the rule of InstitutionGrade.Exemplary).
func appendRemoval(rows []AdjustmentRow, noms []lifecycle.Nomination, old lifecycle.Entry, day time.Time, to string) []AdjustmentRow {
	if old.Grade != grade.A {
		return rows
	}
	for _, n := range noms {
		if n.USCC != old.USCC || n.NominatedOn.After(day) || old.ValidFrom.After(n.NominatedOn) {
			continue
		}
		return append(rows, AdjustmentRow{Day: day, Name: old.Name, USCC: old.USCC, From: "A 级（诚信机构典型）", To: to, Kind: removalKind,
			Reason:    fmt.Sprintf("%d年度诚信机构典型（%s选树）须为 A 级，信用等级调整后不再符合，自%s起移出诚信机构典型名单。", n.Year, dayCN(n.NominatedOn), dayCN(day)),
			Evaluator: unitOf(old.CountyCode).Bureau(), county: old.CountyCode})
	}
	return rows
}

// adjustmentReason says in Chinese why e replaced old.
func adjustmentReason(e, old lifecycle.Entry, hadOld bool) (kind, reason string) {
	clauses := clauseRefs(e.Told())
	if hadOld {
		clauses = worseThan(clauses, old.Grade)
	}
	var texts []string
	for _, c := range clauses {
		texts = append(texts, c.Text)
	}
	found := strings.Join(texts, "；")
	switch e.RunKind {
	case lifecycle.RunReview:
		return "异议复评", "对公示结果提出异议，经复评确定为" + gradeInProse(e.Grade) + "。" + reviewNote(e.Note)
	case lifecycle.RunUpgrade:
		return "申请上调", "机构申请上调信用等级，经重新评价上调为" + gradeInProse(e.Grade) + "。"
	case lifecycle.RunRegrade:
		kind = "依规降级"
		if strings.Contains(e.Note, "publicized") {
			kind = "公示期满确认时降级"
		}
		if found == "" {
			return kind, "经重新评价调整为" + gradeInProse(e.Grade) + "。"
		}
		return kind, "新出现失信情形（" + found + "），调整为" + gradeInProse(e.Grade) + "。"
	}
	return "调整", "调整为" + gradeInProse(e.Grade) + "。"
}

// gradeInProse is a grade inside a sentence, spaced as the notice writes
// it there (评为 A 级): the form's cell alone starts with the letter.
func gradeInProse(g grade.Grade) string { return " " + GradeLabel(g) }

// reviewNote is the reviewer's own note on a review run, without the
// run reference the lifecycle adds in front.
func reviewNote(note string) string {
	_, text, ok := strings.Cut(note, ": ")
	if !ok || text == "" {
		return ""
	}
	if i := strings.Index(text, " (grade set by the reviewer"); i >= 0 {
		text = text[:i]
	}
	// Reviewers often write the label themselves (复评：…): print it once.
	for _, label := range []string{"复评意见：", "复评意见:", "复评：", "复评:"} {
		text = strings.TrimSpace(strings.TrimPrefix(text, label))
	}
	return "复评意见：" + strings.TrimRight(text, "。") + "。"
}

func (a *Adjustments) table() table {
	tb := table{Sheet: "动态调整情况", Title: fmt.Sprintf("%s人力资源服务机构信用等级动态调整情况（%s至%s）", a.Unit.Name, dayCN(a.From.AddDate(0, 0, 1)), dayCN(a.To)),
		Header: []string{"序号", "调整日期", "机构名称", "统一社会信用代码", "原等级", "调整后等级", "调整类型", "调整原因", "评价单位"},
		Widths: []float64{6, 12, 32, 22, 8, 10, 16, 50, 28}}
	for i, r := range a.Rows {
		tb.Rows = append(tb.Rows, []cell{num(i + 1), dateCell(r.Day), text(r.Name), uscc(r.USCC), text(r.From), text(r.To), text(r.Kind), text(r.Reason), text(r.Evaluator)})
	}
	if len(a.Rows) == 0 {
		// "No change" is itself what the unit reports (及时报送评价结果
		// 动态调整情况); said under the header, not left to a bare one.
		tb.Notes = []string{fmt.Sprintf("%s至%s，本单位无信用等级动态调整。", dayCN(a.From.AddDate(0, 0, 1)), dayCN(a.To))}
	}
	return tb
}

// WriteXLSX writes the changes on one sheet, USCCs as text.
func (a *Adjustments) WriteXLSX(w io.Writer) error { return writeXLSX(w, a.table()) }

// WriteCSV writes the changes as a CSV file for Excel.
func (a *Adjustments) WriteCSV(w io.Writer) error { return writeCSV(w, a.table()) }

// Commitments are pre-filled 附件1 诚信承诺书, one for each institution of
// a unit without a signed commitment on file on Day (clause B1).
type Commitments struct {
	Unit Unit
	Day  time.Time
	// Operating is how many institutions of the unit hold a licence on
	// Day: with no letter, all of them have signed, or there are none.
	Operating int
	Letters   []CommitmentLetter
}

// CommitmentLetter is one institution's letter; the zero letter is the
// blank form.
type CommitmentLetter struct {
	Name, USCC string
}

// UnsignedCommitments finds the institutions of u licensed and not ended
// on day with no commitment signed on or before it.
func UnsignedCommitments(ctx context.Context, s store.Store, u Unit, day time.Time) (*Commitments, error) {
	day = grade.Date(day)
	rows, err := s.Query(ctx, sql.MustQuery(sql.Target{Cluster: s.Cluster()}, "report/unsigned_commitments"), store.Params{"day": day})
	if err != nil {
		return nil, fmt.Errorf("institutions without a commitment on %s: %w", transform.FormatDate(day), err)
	}
	defer rows.Close()
	c := &Commitments{Unit: u, Day: day}
	for rows.Next() {
		var l CommitmentLetter
		var county string
		var signed bool
		if err := rows.Scan(&l.USCC, &l.Name, &county, &signed); err != nil {
			return nil, fmt.Errorf("institutions without a commitment: %w", err)
		}
		if !u.Contains(county) {
			continue
		}
		c.Operating++
		if !signed {
			c.Letters = append(c.Letters, l)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("institutions without a commitment: %w", err)
	}
	return c, nil
}

// WriteHTML writes every letter on its own printed page: the notice's
// 附件1 (templates/commitments.tmpl) with the institution's name in its
// blank.
func (c *Commitments) WriteHTML(w io.Writer) error {
	return writeDoc(w, c.Unit.Name+" 附件1 诚信承诺书", "commitments-body", c)
}

// BlankCommitment is the notice's 附件1 as printed, with its blank for
// the institution's name: the form for an institution to sign that
// creditsync does not know yet.
func BlankCommitment(u Unit, day time.Time) *Commitments {
	return &Commitments{Unit: u, Day: grade.Date(day), Letters: []CommitmentLetter{{}}}
}
