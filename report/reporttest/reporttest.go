// Package reporttest provides a scripted report.Source for tests of the
// reports and of the server: a small city whose grades change on known
// days, with hostile institution names, so output can be compared with
// golden files without a database.
package reporttest

import (
	"context"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/transform"
)

// Source answers from a script of institutions and their grades.
type Source struct {
	Institutions []Institution
}

// Institution is one scripted institution.
type Institution struct {
	USCC, Name, CountyCode string
	Graded                 time.Time // first day it is graded
	Until                  time.Time // first day it is no longer graded; zero = still graded
	Spells                 []Spell   // in order of From; the first starts on Graded
	Exemplary              string    // the reason it was chosen as exemplary, "" when not
	Records                []report.Record
}

// Spell is a grade held from a day until the next spell.
type Spell struct {
	From    time.Time
	Grade   grade.Grade
	Clauses []report.ClauseRef
}

// GradesOn returns the grade each institution holds on day.
func (s *Source) GradesOn(ctx context.Context, day time.Time) ([]report.InstitutionGrade, error) {
	day = grade.Date(day)
	var out []report.InstitutionGrade
	for _, in := range s.Institutions {
		sp, ok := in.spellOn(day)
		if !ok {
			continue
		}
		// A grade held for years was re-evaluated every year, on the
		// anniversary of the spell.
		from := sp.From
		for !from.AddDate(1, 0, 0).After(day) {
			from = from.AddDate(1, 0, 0)
		}
		g := report.InstitutionGrade{
			USCC: in.USCC, Name: in.Name, CountyCode: in.CountyCode, Grade: sp.Grade, Clauses: sp.Clauses,
			ValidFrom: from, ValidUntil: from.AddDate(1, 0, -1),
			Exemplary: in.Exemplary != "", ExemplaryReason: in.Exemplary,
		}
		for _, r := range in.Records {
			if !r.Date.After(day) {
				g.Records = append(g.Records, r)
			}
		}
		out = append(out, g)
	}
	return out, ctx.Err()
}

func (in Institution) spellOn(day time.Time) (Spell, bool) {
	if day.Before(in.Graded) || (!in.Until.IsZero() && !day.Before(in.Until)) {
		return Spell{}, false
	}
	var cur Spell
	found := false
	for _, sp := range in.Spells {
		if !sp.From.After(day) {
			cur, found = sp, true
		}
	}
	return cur, found
}

// Downgrades returns the spells starting in (from, to] with a worse grade
// than the spell before, caused by their clauses worse than that grade.
func (s *Source) Downgrades(ctx context.Context, from, to time.Time) ([]report.Change, error) {
	var out []report.Change
	for _, in := range s.Institutions {
		for i := 1; i < len(in.Spells); i++ {
			old, sp := in.Spells[i-1], in.Spells[i]
			if !sp.From.After(from) || sp.From.After(to) || !grade.Worse(sp.Grade, old.Grade) {
				continue
			}
			ch := report.Change{USCC: in.USCC, Name: in.Name, CountyCode: in.CountyCode, Day: sp.From, From: old.Grade, To: sp.Grade}
			for _, c := range sp.Clauses {
				if def, ok := grade.LookupClause(c.ID); ok && grade.Worse(def.Grade, old.Grade) {
					ch.Clauses = append(ch.Clauses, c)
				}
			}
			out = append(out, ch)
		}
	}
	return out, ctx.Err()
}

// Day parses a YYYY-MM-DD date and panics on a typo in a script.
func Day(s string) time.Time {
	d, err := transform.ParseISODate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// Hostile names, each an attack on a report or page that fails to escape
// what it shows.
const (
	ScriptName  = `<script>alert(1)</script>`
	ImageName   = `"><img src=https://evil.example/x.png>`
	FormulaName = `=HYPERLINK("https://evil.example","点我")`
)

// USCCs of the fixture, by role.
const (
	PlainA     = "91411002MA00000001" // 魏都区, A throughout
	ScriptC    = "91411002MA00000002" // 魏都区, A → C on 2026-03-10 → B on 2026-06-05 (upgrade on application)
	ImageB     = "91411002MA00000003" // 魏都区, B throughout (no commitment)
	NewA       = "91411002MA00000004" // 魏都区, graded from 2026-02-01
	FormulaD   = "91411003MA00000005" // 建安区, B → D on 2025-10-20
	CancelledA = "91411003MA00000006" // 建安区, graded until 2026-04-30
	AbnormalC  = "91411081MA00000007" // 禹州市, C throughout
	CityA      = "12411000MB00000008" // 市本级, A and exemplary
	OutsideB   = "91410100MA00000009" // registered in 郑州 (410100), B
)

func clause(id string, ev ...report.Evidence) report.ClauseRef {
	def, _ := grade.LookupClause(id)
	return report.ClauseRef{ID: id, Text: def.Text, Evidence: ev}
}

// Fixture is a small city scripted from 2025-01-01 to the end of 2026.
func Fixture() *Source {
	start := Day("2025-01-01")
	c2 := report.Record{ID: "WD-2026-017", Kind: "violation", Severity: "serious", Date: Day("2026-03-10"),
		Measure: "责令限期整改", Authority: "魏都区人力资源和社会保障局", Description: "未按规定明示收费标准，<b>多收</b>求职者服务费"}
	b6 := report.Record{ID: "许建市监罚〔2025〕88号", Kind: "penalty", Date: Day("2025-06-02"),
		Measure: "行政处罚", Authority: "许昌市建安区市场监督管理局", Description: "发布虚假招聘信息，罚款5000元"}
	b2 := report.Record{ID: "ZZ-2026-003", Kind: "violation", Severity: "minor", Date: Day("2026-01-12"),
		Measure: "警告", Authority: "许昌市人力资源和社会保障局", Description: "未按时报送统计报表"}
	return &Source{Institutions: []Institution{
		{USCC: PlainA, Name: "许昌德信人力资源服务有限公司", CountyCode: "411002", Graded: start,
			Spells: []Spell{{From: start, Grade: "A"}}},
		{USCC: ScriptC, Name: ScriptName, CountyCode: "411002", Graded: start, Records: []report.Record{c2},
			Spells: []Spell{
				{From: start, Grade: "A"},
				{From: Day("2026-03-10"), Grade: "C", Clauses: []report.ClauseRef{
					clause("C2", report.Evidence{Kind: "inspection", ID: c2.ID, Date: c2.Date, Detail: "violation (serious); 责令限期整改"}),
				}},
				{From: Day("2026-06-05"), Grade: "B", Clauses: []report.ClauseRef{
					clause("B3", report.Evidence{Kind: "annual_report", ID: "2025", Date: Day("2026-03-31"), Detail: "report for 2025 submitted late"}),
				}},
			}},
		{USCC: ImageB, Name: ImageName, CountyCode: "411002", Graded: start,
			Spells: []Spell{{From: start, Grade: "B", Clauses: []report.ClauseRef{
				clause("B1", report.Evidence{Kind: "institution", ID: ImageB, Detail: "no commitment signed"}),
			}}}},
		{USCC: NewA, Name: "魏都区职业介绍所（有限合伙）", CountyCode: "411002", Graded: Day("2026-02-01"),
			Spells: []Spell{{From: Day("2026-02-01"), Grade: "A"}}},
		{USCC: FormulaD, Name: FormulaName, CountyCode: "411003", Graded: start, Records: []report.Record{b6},
			Spells: []Spell{
				{From: start, Grade: "B", Clauses: []report.ClauseRef{
					clause("B6", report.Evidence{Kind: "penalty", ID: b6.ID, Date: b6.Date, Detail: "decided 2025-06-02"}),
				}},
				{From: Day("2025-10-20"), Grade: "D", Clauses: []report.ClauseRef{
					clause("D5", report.Evidence{Kind: "dishonest", ID: FormulaD + "|2025-10-20", Date: Day("2025-10-20"), Detail: "listed 2025-10-20: 拖欠劳动报酬"}),
					clause("B6", report.Evidence{Kind: "penalty", ID: b6.ID, Date: b6.Date, Detail: "decided 2025-06-02"}),
				}},
			}},
		{USCC: CancelledA, Name: "建安人才服务中心", CountyCode: "411003", Graded: start, Until: Day("2026-04-30"),
			Spells: []Spell{{From: start, Grade: "A"}}},
		{USCC: AbnormalC, Name: "禹州市劳务派遣有限公司", CountyCode: "411081", Graded: start,
			Spells: []Spell{{From: start, Grade: "C", Clauses: []report.ClauseRef{
				clause("C6", report.Evidence{Kind: "abnormal", ID: AbnormalC + "|2024-11-02", Date: Day("2024-11-02"), Detail: "listed 2024-11-02: 通过登记的住所无法联系"}),
			}}}},
		{USCC: CityA, Name: "许昌市人才交流中心", CountyCode: "411000", Graded: start, Exemplary: "连续三年无违法违规记录，服务质量评价优秀",
			Spells: []Spell{{From: start, Grade: "A"}}},
		{USCC: OutsideB, Name: "郑州远航人力资源有限公司", CountyCode: "410100", Graded: start, Records: []report.Record{b2},
			Spells: []Spell{
				{From: start, Grade: "A"},
				{From: Day("2026-01-12"), Grade: "B", Clauses: []report.ClauseRef{
					clause("B2", report.Evidence{Kind: "inspection", ID: b2.ID, Date: b2.Date, Detail: "violation (minor); 警告"}),
				}},
			}},
	}}
}
