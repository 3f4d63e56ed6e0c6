// Package contract defines the seven lists of docs/data.md — their
// columns, English and Chinese names, keys and value rules — and turns one
// input record into a validated row. File importers, API and HTML sources
// all go through it, so every path into the store accepts and rejects the
// same things.
package contract

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/xuchang-hrss/creditsync/transform"
)

// Kind is how a column's text is parsed.
type Kind int

// Column kinds.
const (
	Text   Kind = iota // trimmed, full-width normalised
	USCC               // unified social credit code, checked
	Date               // any date spelling of docs/data.md
	Bool               // true/false, 1/0, yes/no, 是/否, Y/N
	Year               // a report year
	Enum               // one of Column.Values (English key or Chinese label)
	County             // 6-digit division code
)

// Column is one contract column.
type Column struct {
	Key      string // English key, also the ClickHouse column name
	Chinese  string // the Chinese header
	Aliases  []string
	Kind     Kind
	Required bool
	// Code marks a Text column that holds an identifier (licence number,
	// record id): like a USCC, a value Excel turned into a number
	// (9.14403E+17) has lost digits and is refused.
	Code bool
	// written: the column's text is stored as written (WrittenText), to
	// be shown back: text that is neither a code nor part of the list's
	// key, which must match however it is written.
	written bool
	// Values maps accepted spellings (English key, Chinese label, variants)
	// to the stored English key, for Enum columns.
	Values map[string]string
	// Filled marks a column the importer fills for every record (a 附件2's
	// unit, date and filing), never one of a file: messages about a
	// file's header leave it out.
	Filled bool
	// Meant lists words (normalised as headers are) that, in a header
	// naming no column of the list while this column has none, mean this
	// column was meant under another spelling: the header is refused,
	// naming the column, rather than its values kept as an extra column
	// nothing reads (a 附件2's 是否为诚信机构典型 dropped its 是 marks).
	Meant []string
}

// List is one of the seven lists.
type List struct {
	Name  string // institutions, inspections, …
	Title string // Chinese title
	// Short is the name on the web pages, where a column is narrow
	// (监察记录 for 监察与查处记录); empty means Title.
	Short string
	// Evidence is the kind of the evidence and records grading and the
	// reports draw from the list (penalty for penalties); empty means Name.
	Evidence string
	Key      []string
	Columns  []Column
	External bool // published by an outside source; uscc may be empty if a name is given
	// Derived are stored columns computed from the contract columns
	// (name_key, county_code defaults, grade_label); see Row.
	Derived []string
	// Dated says, for an external list, which columns date a record and
	// say what it is for: v_list_records shows them.
	Dated Dated
	// KeepsLater says that when a file gives one key twice with
	// different values, the import keeps the later record instead of
	// rejecting both: the list is evidence to compare, not the bureau's
	// data (a county's 附件2, see Submissions).
	KeepsLater bool
	check      func(r *Row) *FieldError // cross-column rules
	stored     []string                 // StoredColumns, computed once

	namesOnce sync.Once
	byName    map[string]int  // see names
	qualified map[string]bool // see names
}

// Column returns the column with the given key.
func (l *List) Column(key string) (Column, bool) {
	for _, c := range l.Columns {
		if c.Key == key {
			return c, true
		}
	}
	return Column{}, false
}

// StoredColumns are the table columns a Row fills, in Row.Values order:
// the contract columns, then the derived ones.
func (l *List) StoredColumns() []string {
	return append([]string(nil), l.stored...)
}

// MetaColumns are the ingest metadata every list's table carries beside
// the stored columns, written by the loader; row_hash, the content hash,
// comes after them and is computed by the engine.
var MetaColumns = []string{"source", "source_ref", "source_line", "batch_id", "loaded_at", "version", "extra"}

// TableColumns are all the columns of the list's table: StoredColumns,
// MetaColumns, then row_hash.
func (l *List) TableColumns() []string {
	return append(append(l.StoredColumns(), MetaColumns...), "row_hash")
}

func (l *List) storedIndex(key string) int {
	for i, k := range l.stored {
		if k == key {
			return i
		}
	}
	return -1
}

// Dated names the columns of an external list that say when a record
// holds, and what it is about.
type Dated struct {
	On     string // the day it was decided, listed or evaluated
	Ends   string // the day its publicity ended or it was removed; "" if it never ends
	Reason string // what it is for (content, reason); "" if the list says nothing
}

// ShortTitle is the list's name on the web pages.
func (l *List) ShortTitle() string {
	if l.Short != "" {
		return l.Short
	}
	return l.Title
}

// EvidenceKind is the kind of the evidence grading draws from the list.
func (l *List) EvidenceKind() string {
	if l.Evidence != "" {
		return l.Evidence
	}
	return l.Name
}

func init() {
	for _, l := range append(lists, submissions) {
		l.prepare()
	}
}

func (l *List) prepare() {
	l.stored = nil
	for i, c := range l.Columns {
		l.stored = append(l.stored, c.Key)
		l.Columns[i].written = c.Kind == Text && !c.Code && !slices.Contains(l.Key, c.Key)
	}
	l.stored = append(l.stored, l.Derived...)
}

func enum(pairs ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(pairs); i += 2 {
		m[strings.ToLower(pairs[i])] = pairs[i+1]
	}
	return m
}

// Enum spellings. Each English key maps to itself; Chinese labels and
// common variants map to the key.
var (
	licenseStatuses = enum(
		"valid", "valid", "有效", "valid", "正常", "valid",
		"revoked", "revoked", "吊销", "revoked", "已吊销", "revoked",
		"cancelled", "cancelled", "canceled", "cancelled", "注销", "cancelled", "已注销", "cancelled",
	)
	inspectionKinds = enum(
		"violation", "violation", "违法违规", "violation", "违法违规行为", "violation", "劳动保障违法违规", "violation", "劳动保障违法违规行为", "violation",
		"fund_fraud", "fund_fraud", "骗取资金", "fund_fraud", "骗取补贴资金", "fund_fraud",
		"false_materials", "false_materials", "虚假材料", "false_materials", "提供虚假材料", "false_materials",
		"conditions_unmet", "conditions_unmet", "不符合设立条件", "conditions_unmet", "未达到设立条件", "conditions_unmet",
		"compliance_failure", "compliance_failure", "未按规定履行", "compliance_failure",
		"commitment_breach", "commitment_breach", "未履行承诺", "commitment_breach", "未履行信用承诺", "commitment_breach",
	)
	severities = enum(
		"minor", "minor", "较轻", "minor",
		"general", "general", "一般", "general",
		"serious", "serious", "严重", "serious",
		"major", "major", "重大", "major",
	)
	// Public credit evaluation labels: A–D, or 优/良/中/差 in that order.
	evalGrades = enum("a", "A", "b", "B", "c", "C", "d", "D", "优", "A", "良", "B", "中", "C", "差", "D")
)

// subjectNames are the headings the publishing systems give an external
// list's name column: 企业名称 and, since the 市场主体登记管理条例, 市场主体名称
// and 主体名称 in the enterprise credit publicity system (its abnormal
// list among them), 主体名称 on Credit China; 名称 and 机构名称 in files
// the bureau's clerks make. Every external list reads them all: a list's
// name column must not be unknown in one list under the heading another
// list reads (主体名称 in an abnormal list left its records nameless).
var subjectNames = []string{"企业名称", "市场主体名称", "主体名称", "名称", "机构名称"}

// otherNames are subjectNames without the column's own Chinese name, and
// then the list's own spellings.
func otherNames(chinese string, own ...string) []string {
	var out []string
	for _, n := range subjectNames {
		if n != chinese {
			out = append(out, n)
		}
	}
	return append(out, own...)
}

var lists = []*List{
	{
		Name: "institutions", Title: "机构名录", Evidence: "institution", Key: []string{"uscc"},
		Columns: []Column{
			{Key: "uscc", Chinese: "统一社会信用代码", Kind: USCC, Required: true},
			{Key: "name", Chinese: "机构名称", Required: true},
			{Key: "county_code", Chinese: "区县代码", Kind: County},
			{Key: "license_no", Chinese: "许可证编号", Aliases: []string{"许可证号"}, Code: true},
			{Key: "licensed_on", Chinese: "许可日期", Kind: Date, Required: true},
			{Key: "license_status", Chinese: "许可状态", Kind: Enum, Values: licenseStatuses},
			{Key: "license_status_on", Chinese: "状态变更日期", Kind: Date},
			{Key: "commitment_signed_on", Chinese: "承诺书签订日期", Kind: Date},
			{Key: "lost_contact_since", Chinese: "失联起始日期", Kind: Date},
		},
		Derived: []string{"name_key"},
		check:   checkInstitution,
	},
	{
		Name: "inspections", Title: "监察与查处记录", Short: "监察记录", Evidence: "inspection", Key: []string{"record_id"},
		Columns: []Column{
			{Key: "record_id", Chinese: "记录编号", Required: true, Code: true},
			{Key: "uscc", Chinese: "统一社会信用代码", Kind: USCC, Required: true},
			{Key: "kind", Chinese: "类型", Kind: Enum, Required: true, Values: inspectionKinds},
			{Key: "severity", Chinese: "情节", Kind: Enum, Values: severities},
			{Key: "handled_on", Chinese: "查处日期", Kind: Date, Required: true},
			{Key: "rectified_on", Chinese: "整改完成日期", Kind: Date},
			{Key: "refused", Chinese: "拒不整改", Kind: Bool},
			{Key: "authority", Chinese: "查处机关"},
			{Key: "measure", Chinese: "查处措施"},
			{Key: "description", Chinese: "情况说明"},
		},
		check: checkInspection,
	},
	{
		Name: "annual_reports", Title: "年度报告", Evidence: "annual_report", Key: []string{"uscc", "year"},
		Columns: []Column{
			{Key: "uscc", Chinese: "统一社会信用代码", Kind: USCC, Required: true},
			{Key: "year", Chinese: "报告年度", Kind: Year, Required: true},
			{Key: "submitted_on", Chinese: "提交日期", Kind: Date, Required: true},
		},
		check: checkAnnualReport,
	},
	{
		Name: "penalties", Title: "行政处罚", Evidence: "penalty", Key: []string{"record_id"}, External: true,
		Columns: []Column{
			{Key: "record_id", Chinese: "决定书文号", Aliases: []string{"行政处罚决定书文号", "PENDECNO"}, Required: true},
			{Key: "uscc", Chinese: "统一社会信用代码", Kind: USCC},
			{Key: "name", Chinese: "企业名称", Aliases: otherNames("企业名称", "当事人名称")},
			{Key: "decided_on", Chinese: "决定日期", Aliases: []string{"处罚决定日期", "作出行政处罚决定日期", "PENDECISSDATE"}, Kind: Date, Required: true},
			{Key: "authority", Chinese: "作出决定机关", Aliases: []string{"决定机关", "PENAUTH_CN"}},
			{Key: "content", Chinese: "处罚内容", Aliases: []string{"PENCONTENT"}},
			{Key: "publicity_ended_on", Chinese: "公示截止日期", Aliases: []string{"公示结束日期"}, Kind: Date},
		},
		Derived: []string{"name_key"},
		Dated:   Dated{On: "decided_on", Ends: "publicity_ended_on", Reason: "content"},
		check:   checkPenalty,
	},
	{
		Name: "abnormal", Title: "经营异常名录", Key: []string{"uscc", "name_key", "listed_on"}, External: true,
		Columns: []Column{
			{Key: "uscc", Chinese: "统一社会信用代码", Kind: USCC},
			{Key: "name", Chinese: "企业名称", Aliases: otherNames("企业名称")},
			// The publicity system's own headings: 列入经营异常名录日期 beside
			// its 原因, 作出决定日期 in its decisions (列入经营异常名录决定书).
			{Key: "listed_on", Chinese: "列入日期", Aliases: []string{"列入经营异常名录日期", "作出决定日期", "ABNTIME"}, Kind: Date, Required: true},
			{Key: "reason", Chinese: "列入原因", Aliases: []string{"列入经营异常名录原因", "SPECAUSE_CN"}},
			{Key: "authority", Chinese: "作出决定机关", Aliases: []string{"作出决定机关(列入)", "DECORG_CN"}},
			{Key: "removed_on", Chinese: "移出日期", Aliases: []string{"REMDATE"}, Kind: Date},
			{Key: "removal_reason", Chinese: "移出原因", Aliases: []string{"移出经营异常名录原因", "REMEXCPRES_CN"}},
		},
		Derived: []string{"name_key"},
		Dated:   Dated{On: "listed_on", Ends: "removed_on", Reason: "reason"},
		check:   checkListing,
	},
	{
		Name: "dishonest", Title: "严重失信主体名单", Short: "严重失信名单", Key: []string{"uscc", "name_key", "listed_on"}, External: true,
		Columns: []Column{
			{Key: "uscc", Chinese: "统一社会信用代码", Kind: USCC},
			{Key: "name", Chinese: "主体名称", Aliases: otherNames("主体名称")},
			{Key: "listed_on", Chinese: "列入日期", Aliases: []string{"列入严重失信主体名单日期", "认定日期"}, Kind: Date, Required: true},
			{Key: "reason", Chinese: "列入原因", Aliases: []string{"列入严重失信主体名单原因", "失信行为"}},
			{Key: "authority", Chinese: "作出决定机关", Aliases: []string{"认定机关"}},
			{Key: "removed_on", Chinese: "移出日期", Kind: Date},
		},
		Derived: []string{"name_key"},
		Dated:   Dated{On: "listed_on", Ends: "removed_on", Reason: "reason"},
		check:   checkListing,
	},
	{
		Name: "public_eval", Title: "公共信用综合评价", Short: "公共信用评价", Key: []string{"uscc", "name_key", "evaluated_on"}, External: true,
		Columns: []Column{
			{Key: "uscc", Chinese: "统一社会信用代码", Kind: USCC},
			{Key: "name", Chinese: "主体名称", Aliases: otherNames("主体名称")},
			{Key: "grade", Chinese: "评价结果", Aliases: []string{"评价等级", "信用等级", "等级"}, Kind: Enum, Required: true, Values: evalGrades},
			{Key: "evaluated_on", Chinese: "评价日期", Kind: Date, Required: true},
		},
		Derived: []string{"name_key", "grade_label"},
		Dated:   Dated{On: "evaluated_on"},
		check:   checkExternal,
	},
}

// Lists returns the seven lists in contract order (and any registered
// after them).
func Lists() []*List { return lists }

// Names returns the list names in contract order.
func Names() []string {
	out := make([]string, len(lists))
	for i, l := range lists {
		out[i] = l.Name
	}
	return out
}

// External returns the lists published by outside sources, in contract
// order: the ones sync fills, review shows and v_list_records unions.
func External() []*List {
	var out []*List
	for _, l := range lists {
		if l.External {
			out = append(out, l)
		}
	}
	return out
}

// ExternalNames returns the names of External's lists.
func ExternalNames() []string {
	var out []string
	for _, l := range External() {
		out = append(out, l.Name)
	}
	return out
}

// OneOf joins names for a message: "a, b or c".
func OneOf(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// ByEvidence finds the list whose records are evidence of kind
// (penalty: penalties).
func ByEvidence(kind string) (*List, bool) {
	for _, l := range lists {
		if l.EvidenceKind() == kind {
			return l, true
		}
	}
	return nil, false
}

// Register adds a list after the built-in ones, for a list defined
// outside this file: the tests' own lists (docs/development.md, "Adding
// a list"). It must run before anything reads the lists (it is not safe
// beside readers), and remove takes the list away again. An external
// list gets the rule every external list has (a USCC or a name) unless
// it has one of its own.
func Register(l *List) (remove func(), err error) {
	if l.Name == "" || l.Title == "" || len(l.Key) == 0 || len(l.Columns) == 0 {
		return nil, fmt.Errorf("register list %q: a list needs a name, a title, a key and columns", l.Name)
	}
	for _, other := range append(slices.Clip(lists), submissions) {
		if other.Name == l.Name || other.Title == l.Title || other.EvidenceKind() == l.EvidenceKind() {
			return nil, fmt.Errorf("register list %q: %s already has that name, title or evidence kind", l.Name, other.Name)
		}
	}
	need := append(slices.Clone(l.Key), l.Dated.On, l.Dated.Ends, l.Dated.Reason)
	if l.External {
		// What matching by USCC or by name (v_list_records, review) reads.
		need = append(need, "uscc", "name", "name_key")
	}
	for _, k := range need {
		if _, ok := l.Column(k); !ok && k != "" && !slices.Contains(l.Derived, k) {
			return nil, fmt.Errorf("register list %q: %q is not one of its columns", l.Name, k)
		}
	}
	if l.External && l.check == nil {
		l.check = checkExternal
	}
	l.prepare()
	// Fresh arrays each way: a caller holding Lists() keeps what it got.
	lists = append(slices.Clip(lists), l)
	return func() {
		lists = slices.DeleteFunc(slices.Clone(lists), func(x *List) bool { return x == l })
	}, nil
}

// Lookup finds a list by its English name or Chinese title.
func Lookup(name string) (*List, error) {
	for _, l := range lists {
		if l.Name == name || l.Title == name {
			return l, nil
		}
	}
	return nil, fmt.Errorf("unknown list %q; the lists are %s", name, strings.Join(Names(), ", "))
}

// Spellings lists an enum column's accepted values for messages.
func (c Column) Spellings() string {
	var s []string
	for k, v := range c.Values {
		// Keys are kept lower-cased for the lookup; one that begins
		// with the value it stands for is shown in the value's case,
		// as forms write it (A 级, not a 级).
		if lv := strings.ToLower(v); lv != v && strings.HasPrefix(k, lv) {
			k = v + k[len(lv):]
		}
		s = append(s, k)
	}
	sort.Strings(s)
	return strings.Join(s, ", ")
}

// normalizeHeader is a header cell as names are compared: NFKC-folded
// (（ is "("), lower-cased, without white space (a line break typed in
// the cell) and without the asterisk forms put before or after a
// required column's name.
func normalizeHeader(h string) string {
	h = strings.ToLower(transform.NormalizeText(h))
	h = strings.Join(strings.Fields(h), "")
	return strings.TrimPrefix(strings.TrimSuffix(h, "*"), "*")
}

// withoutNote is a normalised header without the note in brackets that
// forms put after a column's name — 统一社会信用代码（必填）, 许可日期（年月日）,
// 机构名称【必填】 — or ok false when it has none.
func withoutNote(h string) (base string, ok bool) {
	for _, pair := range [][2]string{{"(", ")"}, {"[", "]"}, {"【", "】"}} {
		if !strings.HasSuffix(h, pair[1]) {
			continue
		}
		if i := strings.LastIndex(h, pair[0]); i > 0 {
			return h[:i], true
		}
	}
	return "", false
}
