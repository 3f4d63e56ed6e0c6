package grade

// Grades, best first.
const (
	A = "A"
	B = "B"
	C = "C"
	D = "D"
)

// Grades lists the grades from best to worst.
var Grades = []string{A, B, C, D}

// Rank orders grades: 0 for A up to 3 for D, -1 for anything else. A higher
// rank is a worse grade.
func Rank(grade string) int {
	switch grade {
	case A:
		return 0
	case B:
		return 1
	case C:
		return 2
	case D:
		return 3
	}
	return -1
}

// Worse reports whether grade a is worse than grade b.
func Worse(a, b string) bool { return Rank(a) > Rank(b) }

// ClauseDef is one clause of docs/rules.md §3.
type ClauseDef struct {
	ID    string // D1 … B6
	Grade string // the grade the clause gives
	Text  string // the notice's wording, as printed in notices and reports
	Rule  string // when it holds, in docs/rules.md's terms
}

// catalogue is in report order: D, C, B, then by number.
var catalogue = []ClauseDef{
	{"D1", D, "因重大劳动保障违法违规行为被查处", "a violation of severity major handled in W(T)"},
	{"D2", D, "欺诈、骗取就业补助资金、社会保险基金或职业技能培训评价补贴资金", "a fund_fraud record handled in W(T)"},
	{"D3", D, "被吊销人力资源服务许可", "licence revoked on or before T"},
	{"D4", D, "公共信用综合评价为D级", "the latest public credit evaluation on or before T is D"},
	{"D5", D, "被列入严重失信主体名单", "listed at T on the seriously dishonest list"},
	{"C1", C, "一年内因劳动保障违法违规行为被查处两次以上", "at least the configured number of violations handled in W(T)"},
	{"C2", C, "因严重劳动保障违法违规行为被查处", "a violation of severity serious handled in W(T)"},
	{"C3", C, "拒不整改、拒不履行行政处罚决定", "a refused record handled in W(T), or handled earlier and not rectified by T"},
	{"C4", C, "机构失联1年以上", "lost contact since T − the configured months or earlier"},
	{"C5", C, "连续3年以上未进行年度报告", "the configured number of most recent due report years all without a report by T"},
	{"C6", C, "被列入经营异常名录", "listed at T on the abnormal-operations list"},
	{"B1", B, "未履行信用承诺", "no commitment signed by T, or a commitment_breach record handled in W(T)"},
	{"B2", B, "有劳动保障违法违规行为，但情节较轻且能及时改正", "a violation of severity minor or general handled in W(T)"},
	{"B3", B, "未按规定开展行政许可、备案、年度报告、书面报告、统计、接受监督检查", "a compliance_failure record handled in W(T), or the latest due report, due in W(T), missing or late"},
	{"B4", B, "隐瞒有关情况或提供虚假材料", "a false_materials record handled in W(T)"},
	{"B5", B, "从业人员、场所等变化未达到设立条件", "a conditions_unmet record handled in W(T)"},
	{"B6", B, "国家企业信用信息公示系统中有行政处罚记录", "a penalty decided in W(T) whose publicity has not ended by T"},
}

// AText is the notice's description of grade A, for explanations.
const AText = "未发现违法违规行为，遵守行政许可、备案、年度报告、书面报告、统计、接受监督检查等规定，无B、C、D级情形"

// Clauses returns every clause in report order.
func Clauses() []ClauseDef { return append([]ClauseDef(nil), catalogue...) }

// LookupClause returns the clause with the given ID.
func LookupClause(id string) (ClauseDef, bool) {
	for _, c := range catalogue {
		if c.ID == id {
			return c, true
		}
	}
	return ClauseDef{}, false
}

// clauseRank is a clause's position in report order, or len(catalogue) for
// an unknown ID so that it sorts last.
func clauseRank(id string) int {
	for i, c := range catalogue {
		if c.ID == id {
			return i
		}
	}
	return len(catalogue)
}
