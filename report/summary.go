package report

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/transform"
)

// SummaryColumns are the columns of the 附件2 summary table, in the order
// docs/rules.md §6 prescribes.
var SummaryColumns = []string{"机构名称", "统一社会信用代码", "信用等级", "失信情况", "查处情况", "是否选树为诚信机构典型", "选树原因", "评价单位", "备注"}

// Summary is the 附件2 table of an evaluating unit: every institution it
// grades, with the dishonest conduct found and the measures taken.
type Summary struct {
	Unit  Unit
	Day   time.Time // the grades are those on Day
	Filed time.Time // 填报时间
	Rows  []SummaryRow
}

// SummaryRow is one institution of the 附件2 table, one field a column.
type SummaryRow struct {
	Name, USCC, Grade string
	Dishonesty        string // 失信情况
	Measures          string // 查处情况
	Exemplary         string // 是 / 否
	ExemplaryReason   string
	Evaluator         string // 评价单位
	Note              string // 备注
}

// BuildSummary builds the 附件2 table of unit u from the grades on day,
// filed on filed. Rows go by grade, then USCC.
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

func summaryRow(g InstitutionGrade) SummaryRow {
	r := SummaryRow{
		Name: g.Name, USCC: g.USCC, Grade: g.Grade,
		Dishonesty: Dishonesty(g), Measures: Measures(g),
		Exemplary: "否", ExemplaryReason: g.ExemplaryReason,
		Evaluator: unitOf(g.CountyCode).Bureau(),
	}
	if g.Exemplary {
		r.Exemplary = "是"
	}
	var notes []string
	if !g.ValidFrom.IsZero() {
		notes = append(notes, "有效期 "+grade.FormatDate(g.ValidFrom)+" 至 "+grade.FormatDate(g.ValidUntil))
	}
	if g.Expired {
		notes = append(notes, "已过有效期，尚未重新评价")
	}
	if transform.CountyName(g.CountyCode) == "" {
		notes = append(notes, "注册地区划代码 "+g.CountyCode+"，不在许昌市辖区内")
	}
	r.Note = strings.Join(notes, "；")
	return r
}

// Dishonesty writes the 失信情况 of an institution: one line per clause
// that holds, in the notice's words, followed by what each record behind
// it shows. An A institution has none: 无.
func Dishonesty(g InstitutionGrade) string {
	if len(g.Clauses) == 0 {
		return "无"
	}
	records := map[string]Record{}
	for _, r := range g.Records {
		records[r.ID] = r
	}
	lines := make([]string, len(g.Clauses))
	for i, c := range g.Clauses {
		var facts []string
		for _, e := range c.Evidence {
			facts = append(facts, evidenceText(c.ID, e, records))
		}
		lines[i] = c.ID + " " + c.Text
		if len(facts) > 0 {
			lines[i] += "（" + strings.Join(facts, "；") + "）"
		}
	}
	return strings.Join(lines, "\n")
}

// evidenceText describes one piece of evidence in Chinese, for an
// official table: a record's own kind and description where there is one,
// else what the kind of evidence means under the clause. The grader's
// Detail is English and only the fallback.
func evidenceText(clause string, e Evidence, records map[string]Record) string {
	date := grade.FormatDate(e.Date)
	// Inspection and penalty ids live in different lists; match the kind
	// too so that equal ids in both cannot be confused.
	if r, ok := records[e.ID]; ok && (e.Kind == "inspection" || e.Kind == "penalty") && (e.Kind == "penalty") == (r.Kind == "penalty") {
		what := kindName(r.Kind, r.Severity)
		if r.Description != "" {
			what += "：" + r.Description
		}
		return strings.TrimSpace(date + " " + what)
	}
	switch {
	case e.Kind == "abnormal" || e.Kind == "dishonest":
		return date + " 列入" // the clause names the list
	case e.Kind == "public_eval":
		return date + " 评价"
	case e.Kind == "annual_report":
		return e.ID + "年度报告应于 " + date + " 前提交"
	case clause == "D3":
		return strings.TrimSpace(date + " 吊销许可")
	case clause == "C4":
		return date + " 起失联"
	case clause == "B1" && e.Kind == "institution":
		if date == "" {
			return "未签订信用承诺书"
		}
		return date + " 方签订信用承诺书"
	}
	return strings.TrimSpace(date + " " + e.Detail)
}

// kindNames are the Chinese names of DATA-CONTRACT.md's record kinds.
var kindNames = map[string]string{
	"violation":          "劳动保障违法违规行为",
	"fund_fraud":         "骗取资金",
	"false_materials":    "隐瞒情况或提供虚假材料",
	"conditions_unmet":   "不符合设立条件",
	"compliance_failure": "未按规定履行义务",
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
		name += "（情节" + s + "）"
	}
	return name
}

// Measures writes the 查处情况 of an institution: the measure of each
// record, with its date and authority; 无 when there is none.
func Measures(g InstitutionGrade) string {
	var lines []string
	seen := map[string]bool{}
	for _, r := range g.Records {
		if r.Measure == "" {
			continue
		}
		line := strings.TrimSpace(strings.Join(nonEmpty(grade.FormatDate(r.Date), r.Authority, r.Measure), " "))
		if !seen[line] {
			seen[line] = true
			lines = append(lines, line)
		}
	}
	if len(lines) == 0 {
		return "无"
	}
	return strings.Join(lines, "\n")
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
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
type Eligibility struct {
	Eligible bool
	Reason   string
}

// EligibilityOf answers whether an institution may receive subsidies,
// awards, project funding, honours and 告知承诺 (docs/rules.md §5): C and D
// institutions may not, and the reason names the clauses that put them
// there.
func EligibilityOf(g InstitutionGrade) Eligibility {
	switch g.Grade {
	case grade.A, grade.B:
		return Eligibility{Eligible: true, Reason: "信用等级为" + g.Grade + "级，不受限制 Grade " + g.Grade + ": no restriction"}
	case grade.C, grade.D:
	default:
		return Eligibility{Reason: "无有效信用等级 No valid grade"}
	}
	ids := make([]string, len(g.Clauses))
	for i, c := range g.Clauses {
		ids[i] = c.ID + " " + c.Text
	}
	return Eligibility{Reason: "信用等级为" + g.Grade + "级（" + strings.Join(ids, "；") + "）：C、D级机构不得享受财政补贴、评优评先、项目申报、资金扶持、荣誉表彰及告知承诺 " +
		"Grade " + g.Grade + ": not eligible for subsidies, awards, project applications, funding, honours or notification-and-commitment approval"}
}
