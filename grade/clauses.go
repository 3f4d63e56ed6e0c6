package grade

// Grade is a credit grade, A (best) to D (worst), as stored in
// grade_history and printed: the letter itself.
type Grade string

// Grades, best first.
const (
	A Grade = "A"
	B Grade = "B"
	C Grade = "C"
	D Grade = "D"
)

// Grades lists the grades from best to worst.
var Grades = []Grade{A, B, C, D}

// Rank orders grades: 0 for A up to 3 for D, -1 for anything else. A higher
// rank is a worse grade.
func Rank(grade Grade) int {
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
func Worse(a, b Grade) bool { return Rank(a) > Rank(b) }

// ClauseDef is one clause of docs/rules.md §3.
type ClauseDef struct {
	ID    string // D1 … B6
	Grade Grade  // the grade the clause gives
	Text  string // the notice's wording, as printed in notices and reports
	Rule  string // when it holds, in docs/rules.md's terms
	// Reading is Rule in plain Chinese for the bureau's staff and the web
	// pages; 评价期 is the window W(T) (by default the twelve months up to
	// and including the evaluation day, 评价日, T).
	Reading string
}

// catalogue is in report order: D, C, B, then by number.
var catalogue = []ClauseDef{
	{"D1", D, "因重大劳动保障违法违规行为被查处", "a violation of severity major handled in W(T)", "评价期内因重大劳动保障违法违规行为被查处"},
	{"D2", D, "欺诈、骗取就业补助资金、社会保险基金或职业技能培训评价补贴资金", "a fund_fraud record handled in W(T)", "评价期内查实欺诈、骗取就业补助资金、社会保险基金或职业技能培训评价补贴资金"},
	{"D3", D, "被吊销人力资源服务许可", "licence revoked on or before T", "评价日或之前人力资源服务许可被吊销（机构名录中许可状态为“吊销”）"},
	{"D4", D, "公共信用综合评价为D级", "the latest public credit evaluation on or before T is D", "评价日或之前最近一次公共信用综合评价为D级"},
	{"D5", D, "被列入严重失信主体名单", "listed at T on the seriously dishonest list", "评价日仍在严重失信主体名单上"},
	{"C1", C, "一年内因劳动保障违法违规行为被查处两次以上", "at least the configured number of violations handled in W(T)", "评价期内因劳动保障违法违规行为被查处两次以上（含两次）"},
	{"C2", C, "因严重劳动保障违法违规行为被查处", "a violation of severity serious handled in W(T)", "评价期内因严重劳动保障违法违规行为被查处"},
	{"C3", C, "拒不整改、拒不履行行政处罚决定", "a refused record handled in W(T), or handled earlier and not rectified by T", "拒不整改或拒不履行行政处罚决定：在评价期内查处，或更早查处但到评价日仍未整改"},
	{"C4", C, "机构失联1年以上", "lost contact since T − the configured months or earlier", "失联起始日在评价日一年前或更早"},
	{"C5", C, "连续3年以上未进行年度报告", "the configured number of most recent due report years all without a report by T", "最近3个应报告年度到评价日均未报送年度报告"},
	{"C6", C, "被列入经营异常名录", "listed at T on the abnormal-operations list", "评价日仍在经营异常名录上"},
	{"B1", B, "未履行信用承诺", "no commitment signed by T, or a commitment_breach record handled in W(T)", "到评价日未签订信用承诺书，或评价期内查实未履行信用承诺"},
	{"B2", B, "有劳动保障违法违规行为，但情节较轻且能及时改正", "a violation of severity minor or general handled in W(T)", "评价期内因情节较轻或一般的劳动保障违法违规行为被查处"},
	{"B3", B, "未按规定开展行政许可、备案、年度报告、书面报告、统计、接受监督检查", "a compliance_failure record handled in W(T), or the latest due report, due in W(T), missing or late", "评价期内查实未按规定履行许可、备案、报告、统计、接受检查等义务，或最近一个应报告年度（截止日在评价期内）的年度报告未按期报送"},
	{"B4", B, "隐瞒有关情况或提供虚假材料", "a false_materials record handled in W(T)", "评价期内查实隐瞒有关情况或提供虚假材料"},
	{"B5", B, "从业人员、场所等变化未达到设立条件", "a conditions_unmet record handled in W(T)", "评价期内查实从业人员、场所等变化未达到设立条件"},
	{"B6", B, "国家企业信用信息公示系统中有行政处罚记录", "a penalty decided in W(T) whose publicity has not ended by T", "评价期内作出、到评价日仍在公示期的行政处罚"},
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
