package report_test

import (
	"testing"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/report/reporttest"
)

func clauseRef(id string, ev ...report.Evidence) report.ClauseRef {
	def, _ := grade.LookupClause(id)
	return report.ClauseRef{ID: id, Text: def.Text, Evidence: ev}
}

// 失信情况 tells each fact once, under the worst clause it backs, and adds
// no clause's bare wording beside it: B2's 情节较轻且能及时改正 beside C3's
// 拒不整改 of the same record would say both.
func TestDishonestyTellsEachFactOnce(t *testing.T) {
	refused := report.Record{ID: "XC-2026-011", Kind: "violation", Severity: "minor", Date: reporttest.Day("2026-07-03"),
		Measure: "责令限期整改", Description: "发布招聘信息未注明用人单位名称"}
	refusedEv := report.Evidence{Kind: "inspection", ID: refused.ID, Date: refused.Date}
	report2024 := report.Evidence{Kind: "annual_report", ID: "2024", Date: reporttest.Day("2025-06-30")}
	report2025 := report.Evidence{Kind: "annual_report", ID: "2025", Date: reporttest.Day("2026-06-30")}
	tests := []struct {
		name    string
		grade   grade.Grade
		records []report.Record
		clauses []report.ClauseRef
		want    string
	}{
		{"a refused minor violation is C3 and B2: told once, as refused", grade.C, []report.Record{refused},
			[]report.ClauseRef{clauseRef("C3", refusedEv), clauseRef("B2", refusedEv)},
			"2026年7月，因情节较轻的劳动保障违法违规行为被查处，拒不整改：发布招聘信息未注明用人单位名称。"},
		{"two missing reports are C5, and each B3 too: told once under C5", grade.C, nil,
			[]report.ClauseRef{clauseRef("C5", report2024, report2025), clauseRef("B3", report2025)},
			"2024年度、2025年度，连续2年未报送年度报告。"},
		{"a clause without evidence is told by its wording", grade.B, nil,
			[]report.ClauseRef{clauseRef("B4")},
			"隐瞒有关情况或提供虚假材料。"},
		{"no commitment on file names no later signing", grade.B, nil,
			[]report.ClauseRef{clauseRef("B1", report.Evidence{Kind: "institution", ID: "x", Date: reporttest.Day("2026-08-15"), Detail: "credit commitment signed only on 2026-08-15"})},
			"未签订信用承诺书。"},
		{"an A has none", grade.A, nil, nil, "无"},
		{"an A a review raised over the rules' clauses has none", grade.A, []report.Record{refused},
			[]report.ClauseRef{clauseRef("C3", refusedEv), clauseRef("B2", refusedEv)}, "无"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := report.InstitutionGrade{USCC: "91411002MA00000001", Grade: tt.grade, Records: tt.records, Clauses: tt.clauses}
			if got := report.Dishonesty(g); got != tt.want {
				t.Errorf("失信情况\n%s\nwant\n%s", got, tt.want)
			}
			if got := report.Measures(g); tt.grade == grade.A && got != "无" {
				t.Errorf("查处情况 of an A: %q, want 无", got)
			}
		})
	}
}

// 查处情况 tells a revoked licence as the measure it is (吊销许可证 is an
// administrative penalty), beside the records' own measures: a D3
// institution read 无 there. A record typed without a measure was 查处
// all the same (失信情况 says 被查处): it read 无 too.
func TestMeasuresTellARevocation(t *testing.T) {
	penalty := report.Record{ID: "许人社罚〔2026〕3号", Kind: "penalty", Date: reporttest.Day("2026-02-10"), Measure: "行政处罚", Authority: "许昌市人力资源和社会保障局"}
	revoked := report.Evidence{Kind: "institution", ID: "91411002MA00000001", Date: reporttest.Day("2026-03-05")}
	bare := report.Record{ID: "FP-0003", Kind: "violation", Severity: "minor", Date: reporttest.Day("2026-11-22")}
	byJianan := report.Record{ID: "FP-0004", Kind: "violation", Severity: "minor", Date: reporttest.Day("2026-11-22"), Authority: "建安区人社局"}
	for _, tt := range []struct {
		name    string
		records []report.Record
		clauses []report.ClauseRef
		want    string
	}{
		{"revoked alone", nil, []report.ClauseRef{clauseRef("D3", revoked)}, "2026年3月，吊销人力资源服务许可证。"},
		{"a record without measure or authority was still 查处", []report.Record{bare},
			[]report.ClauseRef{clauseRef("B2", report.Evidence{Kind: "inspection", ID: bare.ID, Date: bare.Date})},
			"2026年11月，被查处，查处措施未记录。"},
		{"a record with an authority and no measure", []report.Record{byJianan},
			[]report.ClauseRef{clauseRef("B2", report.Evidence{Kind: "inspection", ID: byJianan.ID, Date: byJianan.Date})},
			"2026年11月，由许昌市建安区人力资源和社会保障局查处，查处措施未记录。"},
		{"revoked after a penalty", []report.Record{penalty},
			[]report.ClauseRef{clauseRef("D3", revoked), clauseRef("B6", report.Evidence{Kind: "penalty", ID: penalty.ID, Date: penalty.Date})},
			"2026年2月，由许昌市人力资源和社会保障局给予行政处罚。\n2026年3月，吊销人力资源服务许可证。"},
	} {
		g := report.InstitutionGrade{USCC: "91411002MA00000001", Grade: grade.D, Records: tt.records, Clauses: tt.clauses}
		if got := report.Measures(g); got != tt.want {
			t.Errorf("%s: 查处情况\n%s\nwant\n%s", tt.name, got, tt.want)
		}
	}
}

// 查处情况 names a bureau the way 评价单位 does, whatever the record typed:
// short, without the city, or by a withdrawn county's name (许昌县 is
// 建安区 since 2017), so one form never spells one county two ways.
func TestAuthorityIsTheBureauOfToday(t *testing.T) {
	for _, tt := range []struct{ typed, want string }{
		{"建安区人社局", "许昌市建安区人力资源和社会保障局"},
		{"许昌县人力资源和社会保障局", "许昌市建安区人力资源和社会保障局"},
		{"许昌市许昌县人力资源和社会保障局", "许昌市建安区人力资源和社会保障局"},
		{"许昌县人社局", "许昌市建安区人力资源和社会保障局"},
		{"禹州市人社局", "许昌市禹州市人力资源和社会保障局"},
		{"许昌市人社局", "许昌市人力资源和社会保障局"},
		{"许昌市市场监督管理局", "许昌市市场监督管理局"},
		{"郑州市人力资源和社会保障局", "郑州市人力资源和社会保障局"},
	} {
		if got := report.Authority(tt.typed); got != tt.want {
			t.Errorf("Authority(%q) = %q, want %q", tt.typed, got, tt.want)
		}
		r := report.Record{ID: "FP-1", Kind: "violation", Severity: "minor", Date: reporttest.Day("2026-11-22"), Measure: "责令限期整改", Authority: tt.typed}
		g := report.InstitutionGrade{USCC: "91411023174430174N", Grade: grade.B, Records: []report.Record{r},
			Clauses: []report.ClauseRef{clauseRef("B2", report.Evidence{Kind: "inspection", ID: r.ID, Date: r.Date})}}
		if got, want := report.Measures(g), "2026年11月，由"+tt.want+"责令限期整改。"; got != want {
			t.Errorf("查处情况 of a record by %q: %q, want %q", tt.typed, got, want)
		}
	}
}
