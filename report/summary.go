package report

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/transform"
	"github.com/xuchang-hrss/creditsync/zone"
)

// SummaryColumns are the columns of the 附件2 summary table, in the order
// the notice prints them (docs/rules.md §6), read from the form.
var SummaryColumns = summaryForm.columns()

// SummaryTitle is the title of 附件2 as the notice prints it.
var SummaryTitle = summaryForm.line("人力资源服务机构")

// SummaryNote is the notice's 注 line under the 附件2 table.
var SummaryNote = summaryForm.line("注：")

// Summary is the 附件2 table of an evaluating unit: every institution it
// grades, with the dishonest conduct found and the measures taken.
type Summary struct {
	Unit  Unit
	Day   time.Time // the grades are those on Day
	Filed time.Time // 填报时间; zero leaves the notice's blank 年 月 日
	Rows  []SummaryRow
}

// SummaryRow is one institution of the 附件2 table, one field a column.
type SummaryRow struct {
	Name, USCC, Grade string // Grade as printed: "A 级"
	Dishonesty        string // 失信情况
	Measures          string // 查处情况
	Exemplary         string // 是 / 否 for an A; empty for the others
	ExemplaryReason   string
	Evaluator         string // 评价单位
	Note              string // 备注
}

// BuildSummary builds the 附件2 table of unit u from the grades on day,
// filed on filed (zero: not said, the date is written by hand). Rows go by grade, then USCC. A grade still publicized
// or under objection on day is listed with that state in 备注, and the grade
// in force beside it (InForceLabel).
func BuildSummary(ctx context.Context, src Source, u Unit, day, filed time.Time) (*Summary, error) {
	day = grade.Date(day)
	gs, err := src.GradesOn(ctx, day)
	if err != nil {
		return nil, fmt.Errorf("附件2 of %s: %w", u.Name, err)
	}
	s := &Summary{Unit: u, Day: day, Filed: filed}
	for _, g := range inUnit(gs, u) {
		s.Rows = append(s.Rows, summaryRow(g))
	}
	return s, nil
}

// inUnit returns the grades of a unit's institutions, by grade then USCC,
// in a new slice (a Source's result is shared).
func inUnit(gs []InstitutionGrade, u Unit) []InstitutionGrade {
	var out []InstitutionGrade
	for _, g := range gs {
		if u.Contains(g.CountyCode) {
			out = append(out, g)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Grade != out[j].Grade {
			return grade.Rank(out[i].Grade) < grade.Rank(out[j].Grade)
		}
		return out[i].USCC < out[j].USCC
	})
	return out
}

// GradeLabel writes a grade as the notice does: "A 级".
func GradeLabel(g grade.Grade) string {
	if g == "" {
		return ""
	}
	return string(g) + " 级"
}

func summaryRow(g InstitutionGrade) SummaryRow {
	r := SummaryRow{
		Name: g.Name, USCC: g.USCC, Grade: GradeLabel(g.Grade),
		Dishonesty: Dishonesty(g), Measures: Measures(g),
		Evaluator: unitOf(g.CountyCode).Bureau(),
	}
	// Only an A institution can be chosen (docs/rules.md §5): the notice's
	// B row leaves 是否选树 and 选树原因 empty, and so do we for B, C and D.
	// The row's grade decides: during a publicity an institution chosen
	// under the A in force may show a publicized B, whose row is empty
	// there too.
	switch {
	case g.Grade != grade.A:
	case g.Exemplary:
		r.Exemplary, r.ExemplaryReason = "是", g.ExemplaryReason
	default:
		r.Exemplary = "否"
	}
	var notes []string
	if st := StateLabel(g); st != "" {
		notes = append(notes, st)
	}
	if f := InForceLabel(g); f != "" {
		notes = append(notes, f)
	}
	if !g.ValidFrom.IsZero() {
		notes = append(notes, "有效期"+dayCN(g.ValidFrom)+"至"+dayCN(g.ValidUntil))
	}
	if g.Expired {
		notes = append(notes, "已过有效期，尚未重新评价")
	}
	if transform.CountyName(g.CountyCode) == "" {
		notes = append(notes, "注册地区划代码"+g.CountyCode+"，不在许昌市辖区内")
	}
	r.Note = strings.Join(notes, "；")
	return r
}

// monthCN writes a date as the notice dates facts: 2022年4月.
func monthCN(t time.Time) string { return fmt.Sprintf("%d年%d月", t.Year(), t.Month()) }

// dayCN writes a full date in Chinese: 2026年7月31日.
func dayCN(t time.Time) string { return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day()) }

// clockCN is a moment in a printed Chinese line (2026年8月3日 17:30): the
// wall clock in Xuchang, as zone.Clock shows it, with the day as dayCN
// writes it. Data cells and CSV columns keep the ISO form.
func clockCN(t time.Time) string {
	return dayCN(zone.Day(t)) + " " + t.In(zone.Shanghai).Format("15:04")
}

// Dishonesty writes the 失信情况 of an institution in plain Chinese, one
// sentence a fact, as the notice's example does ("2022年度，未按规定报送
// 年度报告。"): when, then what was found, from the clauses and the records
// behind them. Clause codes are internal and never printed. An A
// institution has none: 无.
func Dishonesty(g InstitutionGrade) string {
	// An A has none by definition (不存在评为B、C、D级的情形), also one a
	// review raised to A over the clauses the rules found: the review
	// decided they do not stand.
	if len(g.Clauses) == 0 || g.Grade == grade.A {
		return "无"
	}
	records := recordsOf(g)
	var lines []string
	seen := map[string]bool{}
	add := func(line string) {
		if line != "" && !seen[line] {
			seen[line] = true
			lines = append(lines, line)
		}
	}
	// A record behind several clauses (a refused minor violation is C3
	// and B2; the missing report of C5 is also B3's) is told once, under
	// the first, worst clause.
	told := map[recordKey]bool{}
	for _, c := range g.Clauses {
		for _, line := range clauseSentences(c, records, told) {
			add(line)
		}
	}
	return strings.Join(lines, "\n")
}

// recordsOf indexes an institution's records by the key evidence names
// them with.
func recordsOf(g InstitutionGrade) map[recordKey]Record {
	records := map[recordKey]Record{}
	for _, r := range g.Records {
		src := "inspection"
		if r.Kind == "penalty" {
			src = "penalty"
		}
		records[recordKey{src, r.ID}] = r
	}
	return records
}

// EvidenceText tells one piece of evidence of clause in plain Chinese, as
// 附件2's 失信情况 tells it: for the evidence column of the web pages.
func EvidenceText(g InstitutionGrade, clause string, e Evidence) string {
	return evidenceSentence(clause, e, recordsOf(g))
}

// clauseSentences are the sentences of one clause that holds.
func clauseSentences(c ClauseRef, records map[recordKey]Record, told map[recordKey]bool) []string {
	var out []string
	switch c.ID {
	case "C1":
		// The count is the fact; each violation is told under its own
		// severity's clause.
		var months []string
		for _, e := range c.Evidence {
			months = append(months, monthCN(e.Date))
		}
		return []string{fmt.Sprintf("一年内因劳动保障违法违规行为被查处%d次（%s）。", len(c.Evidence), strings.Join(months, "、"))}
	case "C5":
		var years []string
		for _, e := range c.Evidence {
			told[recordKey{e.Kind, e.ID}] = true
			years = append(years, e.ID+"年度")
		}
		return []string{strings.Join(years, "、") + "，连续" + strconv.Itoa(len(years)) + "年未报送年度报告。"}
	}
	for _, e := range c.Evidence {
		k := recordKey{e.Kind, e.ID}
		if e.Kind != "institution" && told[k] {
			continue
		}
		told[k] = true
		out = append(out, evidenceSentence(c.ID, e, records))
	}
	// A clause whose every record was told under a worse one adds nothing:
	// its own wording (B2's 情节较轻且能及时改正 beside C3's 拒不整改) could
	// contradict what was told. Only a clause without evidence is told by
	// its wording.
	if len(out) == 0 && len(c.Evidence) == 0 {
		out = append(out, c.Text+"。")
	}
	return out
}

// evidenceSentence describes one piece of evidence as a sentence of the
// 附件2 table: the record's own kind and description where there is one,
// else what the evidence means under its clause.
func evidenceSentence(clause string, e Evidence, records map[recordKey]Record) string {
	when := ""
	if !e.Date.IsZero() {
		when = monthCN(e.Date) + "，"
	}
	switch e.Kind {
	case "inspection", "penalty":
		r, ok := records[recordKey{e.Kind, e.ID}]
		if !ok {
			break
		}
		if r.Kind == "penalty" {
			s := when + "在国家企业信用信息公示系统中有行政处罚记录"
			if r.Description != "" {
				s += "（" + r.Description + "）"
			}
			return s + "。"
		}
		what := "因" + kindName(r.Kind, r.Severity) + "被查处"
		if clause == "C3" {
			what += "，拒不整改"
		}
		if r.Description != "" {
			what += "：" + strings.TrimRight(r.Description, "。")
		}
		return when + what + "。"
	case "annual_report":
		return e.ID + "年度，未按规定报送年度报告。"
	case "public_eval":
		return when + "公共信用综合评价为D级。"
	default:
		// Being on any other external list: 经营异常名录, 严重失信主体名单,
		// and whatever list is added to the contract.
		if l, ok := contract.ByEvidence(e.Kind); ok && l.External {
			return when + "被列入" + l.Title + "。"
		}
	}
	switch clause {
	case "D3":
		return when + "被吊销人力资源服务许可。"
	case "C4":
		return "自" + monthCN(e.Date) + "起失联，已满1年。"
	case "B1":
		// On file or not at the table's day; a later signing is not
		// known then (and grades stored before that rule may carry it).
		return "未签订信用承诺书。"
	}
	return strings.TrimSuffix(when, "，") + strings.TrimSuffix(clauseText(clause), "。") + "。"
}

// clauseText is the notice's wording of a clause, the last resort of a
// sentence.
func clauseText(id string) string {
	if d, ok := grade.LookupClause(id); ok {
		return "，" + d.Text
	}
	return ""
}

// kindNames are the Chinese names of the record kinds of the inspection
// list.
var kindNames = map[string]string{
	"violation":          "劳动保障违法违规行为",
	"fund_fraud":         "骗取就业补助资金、社会保险基金或职业技能培训评价补贴资金",
	"false_materials":    "隐瞒有关情况或提供虚假材料",
	"conditions_unmet":   "从业人员、场所等变化未达到设立条件",
	"compliance_failure": "未按规定开展行政许可、备案、年度报告、书面报告、统计或接受监督检查",
	"commitment_breach":  "未履行信用承诺",
	"penalty":            "行政处罚",
}

var severityNames = map[string]string{"minor": "较轻", "general": "一般", "serious": "严重", "major": "重大"}

func kindName(kind, severity string) string {
	name := kindNames[kind]
	if name == "" {
		name = kind
	}
	if s := severityNames[severity]; s != "" {
		name = "情节" + s + "的" + name
	}
	return name
}

// Measures writes the 查处情况 of an institution in the notice's style,
// one sentence a record: "2022年4月，由许昌市魏都区人力资源和社会保障局责令
// 整改。" The authority is named as Authority names it. A record behind a
// clause was 查处 (失信情况 says so) even when its measure or authority
// was not typed: its sentence says what is known and that the measure is
// not on record, never 无 beside 失信情况's 被查处. 无 when the grade has
// no record and no revocation.
func Measures(g InstitutionGrade) string {
	if g.Grade == grade.A {
		return "无" // as Dishonesty: the records behind clauses a review set aside
	}
	var lines []string
	seen := map[string]bool{}
	for _, r := range g.Records {
		line := measureSentence(r)
		if !seen[line] {
			seen[line] = true
			lines = append(lines, line)
		}
	}
	// A revoked licence is itself the measure taken (吊销许可证, an
	// administrative penalty the notice's 注 counts among 查处情况),
	// though no record's measure field says so.
	for _, c := range g.Clauses {
		if c.ID != "D3" {
			continue
		}
		for _, e := range c.Evidence {
			line := "吊销人力资源服务许可证。"
			if !e.Date.IsZero() {
				line = monthCN(e.Date) + "，" + line
			}
			if !seen[line] {
				seen[line] = true
				lines = append(lines, line)
			}
		}
	}
	if len(lines) == 0 {
		return "无"
	}
	return strings.Join(lines, "\n")
}

func measureSentence(r Record) string {
	var acts []string
	for _, m := range strings.FieldsFunc(r.Measure, func(c rune) bool { return c == '；' || c == ';' || c == '、' }) {
		m = strings.TrimSpace(m)
		switch {
		case m == "":
			continue
		case m == "行政处罚" || m == "警告":
			m = "给予" + m
		}
		acts = append(acts, m)
	}
	s := ""
	if !r.Date.IsZero() {
		s = monthCN(r.Date) + "，"
	}
	a := Authority(r.Authority)
	if len(acts) == 0 {
		if a == "" {
			return s + "被查处，查处措施未记录。"
		}
		return s + "由" + a + "查处，查处措施未记录。"
	}
	if a != "" {
		s += "由" + a
	}
	return s + strings.Join(acts, "，") + "。"
}

// sortRecords orders records by date, then ID.
func sortRecords(rs []Record) {
	sort.Slice(rs, func(i, j int) bool {
		if !rs[i].Date.Equal(rs[j].Date) {
			return rs[i].Date.Before(rs[j].Date)
		}
		return rs[i].ID < rs[j].ID
	})
}

// Eligibility is an institution's standing for policy benefits.
// EligibilityOn gives it for the command line, and the pages give the
// same answer from the same two parts (EligibilityOf and NotGraded).
type Eligibility struct {
	Eligible bool
	Grade    grade.Grade // the grade in force it was decided by; "" when none
	Reason   string
}

// EligibilityOf answers whether an institution may receive subsidies,
// awards, project funding, honours and 告知承诺 (docs/rules.md §5) from
// the grade in force alone, as the command line does (§4.7): C and D
// institutions may not, and the reason names the clauses that put them
// there; a newer grade publicized or under objection beside it is named,
// labelled, and counts once it is in force.
func EligibilityOf(g InstitutionGrade) Eligibility {
	var beside string
	if g.State != StateInForce {
		beside = "；新评信用等级" + string(g.Grade) + "级" + StateLabel(g) + "，尚未生效"
	}
	c, ok := g.Current()
	if !ok {
		return Eligibility{Reason: "暂无有效信用等级" + beside}
	}
	since := "信用等级为" + string(c.Grade) + "级"
	if !c.ValidFrom.IsZero() {
		since += "（" + dayCN(c.ValidFrom) + "起有效"
		if c.Expired {
			since += "，" + dayCN(c.ValidUntil) + "有效期满，尚未重新评价"
		}
		since += "）"
	}
	if c.Grade == grade.A || c.Grade == grade.B {
		return Eligibility{Eligible: true, Grade: c.Grade, Reason: since + "，不受限制" + beside}
	}
	texts := make([]string, len(c.Clauses))
	for i, cl := range c.Clauses {
		texts[i] = cl.ID + " " + cl.Text // the internal pages name clauses by ID too
	}
	return Eligibility{Grade: c.Grade, Reason: since + "，" + strings.Join(texts, "；") + "：C、D级机构不得享受财政补贴、评优评先、项目申报、资金扶持、荣誉表彰及告知承诺" + beside}
}
