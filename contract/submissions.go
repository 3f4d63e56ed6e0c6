package contract

import (
	"strings"

	"github.com/xuchang-hrss/creditsync/transform"
)

// The 附件2 summary table a county sends the city: one row per
// institution it evaluated, with the grade it gave. It is not one of the
// seven lists (nothing is graded from it); it is kept to compare the
// counties' grades with creditsync's.

// Columns the importer adds to every row of a 附件2, from the rows above
// its table: who filed it and the date of its grades; and which filing
// the row came in.
const (
	SubmissionUnit = "unit_code"
	SubmissionDay  = "as_of"
	// SubmissionFiling names one import of a 附件2 file (every sheet of
	// it): the time it started, written so that a later filing sorts
	// after. A unit's table for a date is its latest filing's rows: a
	// corrected table replaces the earlier one whole, and an institution
	// it no longer lists is no longer submitted.
	SubmissionFiling = "filing"
)

// submissionGrades accepts A–D as written in 附件2 tables: A, A级, A 级.
var submissionGrades = enum(
	"a", "A", "a级", "A", "a 级", "A",
	"b", "B", "b级", "B", "b 级", "B",
	"c", "C", "c级", "C", "c 级", "C",
	"d", "D", "d级", "D", "d 级", "D",
)

// submissionExemplary reads 是否选树为诚信机构典型 as counties fill it in:
// 是 or 否, and the marks and words written for them (√ and ×, 1 and 0,
// Y and N, 是的, 不是 …); a dash, a slash or 无 (not applicable, a row
// that is not A) is 否. A blank cell is blank. Anything else is refused,
// naming the cell: reconcile counts the 是 against the rules' share.
var submissionExemplary = enum(
	"是", "是", "是的", "是", "√", "是", "✓", "是", "✔", "是", "☑", "是",
	"1", "是", "y", "是", "yes", "是", "选树", "是", "已选树", "是",
	"否", "否", "不是", "否", "×", "否", "✗", "否", "✘", "否", "x", "否",
	"0", "否", "n", "否", "no", "否", "未选树", "否", "不选树", "否",
	"无", "否", "-", "否", "/", "否", "—", "否", "——", "否",
)

var submissions = &List{
	Name: "submissions", Title: "附件2 人力资源服务机构信用等级评价汇总表",
	// A filing's rows are its own: a filing withdrawn or left unfinished
	// leaves the unit's earlier one whole (migration 0180).
	Key: []string{SubmissionUnit, SubmissionDay, SubmissionFiling, "uscc"},
	// reconcile reports a USCC given twice with different grades as a
	// problem of the form and compares the later line, as the import
	// keeps it (and names the repeat, see ingest/file's Repeats).
	KeepsLater: true,
	Columns: []Column{
		{Key: "name", Chinese: "机构名称", Aliases: []string{"单位名称", "机构名称（全称）"}, Required: true},
		{Key: "uscc", Chinese: "统一社会信用代码", Kind: USCC, Required: true},
		{Key: "grade", Chinese: "信用等级", Aliases: []string{"评价等级", "等级", "信用评价等级"}, Kind: Enum, Required: true, Values: submissionGrades},
		{Key: "dishonesty", Chinese: "失信情况"},
		{Key: "measures", Chinese: "查处情况"},
		// The 是 marks are what reconcile checks (only an A, within the
		// share): a header that mentions 典型 or 选树 in another spelling
		// is read as this column when known, else refused (Meant) —
		// never dropped.
		{Key: "exemplary", Chinese: "是否选树为诚信机构典型", Aliases: []string{"是否选树为诚信典型", "是否诚信机构典型",
			"是否为诚信机构典型", "是否为诚信典型", "是否选树", "是否选树为诚信机构", "是否选为诚信机构典型", "是否选树诚信机构典型", "是否典型"},
			Kind: Enum, Values: submissionExemplary, Meant: []string{"典型", "选树"}},
		{Key: "exemplary_reason", Chinese: "选树原因", Aliases: []string{"选树理由", "典型原因", "选树为诚信机构典型原因"}},
		{Key: "evaluator", Chinese: "评价单位"},
		{Key: "note", Chinese: "备注"},
		{Key: SubmissionUnit, Chinese: "填报单位代码", Kind: County, Required: true, Filled: true},
		{Key: SubmissionDay, Chinese: "评价日期", Kind: Date, Required: true, Filled: true},
		{Key: SubmissionFiling, Chinese: "报送批次", Required: true, Filled: true},
	},
}

// Submissions is the list of the grades counties submit in their 附件2
// tables (table submissions). Its last three columns are not in the
// file (Column.Filled): the importer fills them from the rows above the
// table and the time of the import.
func Submissions() *List { return submissions }

// Exemplary reports whether a 是否选树为诚信机构典型 value, as stored, marks
// the institution chosen: 是, or a mark stored as written before the
// column was read as 是 or 否 (√, Y …).
func Exemplary(stored string) bool {
	return submissionExemplary[strings.ToLower(strings.Join(strings.Fields(transform.NormalizeText(stored)), " "))] == "是"
}
