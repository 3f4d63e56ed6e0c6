package file

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/transform"
)

// headerSearchRows is how far down a sheet the header row is looked for:
// registers kept for printing have a title, a subtitle, a unit and date
// line and sometimes a blank row or two above their table.
const headerSearchRows = 20

// ErrNoTable means a sheet has no header row naming the list's columns in
// its first rows: it holds something else (instructions, another list).
var ErrNoTable = errors.New("no table of the list")

// Why a row under the header is not a record.
const (
	SkipBlank     = "blank"
	SkipTotal     = "total (合计/总计)"
	SkipNote      = "note (注/说明)"
	SkipSignature = "signature"
	SkipHeader    = "repeated header"
	SkipNumbers   = "column numbers (栏次)"
	SkipHeading   = "heading or numbered note (一、魏都区)"
	SkipNoKey     = "without a key"
)

// skipKinds orders skip reasons in messages.
var skipKinds = []string{SkipBlank, SkipTotal, SkipNote, SkipSignature, SkipHeader, SkipNumbers, SkipHeading, SkipNoKey}

// row is one row of a sheet as read.
type row struct {
	n     int
	cells []string
}

// table is the table of one list found in one sheet: its header, and the
// rows under it.
type table struct {
	list       *contract.List
	sheet      string
	rows       rows
	header     []string   // as combined from one or two header rows
	first      int        // number of the first header row
	last       int        // number of the last header row
	above      int        // non-blank rows above the header, ignored
	preamble   [][]string // the rows above the header (title, unit, date)
	pending    []row      // rows read past the header while looking for it
	keys       []int      // input fields of the record keys
	keyUSCC    []bool     // keys[i] is a USCC column
	ids        []int      // input fields of the keys and the USCC: what names a record or its institution
	contract   []bool     // input field i is a contract column
	blanks     []int      // blank rows not yet known to be inside the table
	eof        bool
	readErr    error
	virtual    []string // headers the importer appends (see ImportOptions)
	keyHeader  string   // the record key's header, for messages
	squeezed   []string // the header squeezed, to spot it repeated
	headerKeys []string // the key of the column each header cell names, "" for none
}

// readError is a sheet that could not be read (its bytes, its quotes),
// as opposed to one read whole in which no table was found.
type readError struct{ err error }

func (e *readError) Error() string { return e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

// findTable reads the first rows of a sheet and locates the list's header
// among them: the first row (or pair of rows, for a grouped two-row
// header) that names every required column. virtual are columns the
// importer appends to every record. A row that names most of them but
// not all is an error, returned with a table that holds only the rows
// above that row (its preamble): they may say the sheet is another form.
func findTable(list *contract.List, sheet string, rs rows, virtual []string) (*table, error) {
	t := &table{list: list, sheet: sheet, rows: rs, virtual: virtual}
	var buf []row
	for len(buf) < headerSearchRows+1 {
		n, cells, err := rs.next()
		if err == io.EOF {
			t.eof = true
			break
		}
		if err != nil {
			return nil, &readError{err}
		}
		buf = append(buf, row{n, cells})
	}
	required := len(list.Required()) - len(virtual)
	bestNamed, bestRequired, best := 0, 0, -1
	var bestErr error
	for i := 0; i < len(buf) && i < headerSearchRows; i++ {
		if blank(buf[i].cells) {
			continue
		}
		single := clean(buf[i].cells)
		named, req := list.Recognize(single)
		header, two := single, false
		// A group row names some columns itself (机构名称 merged down
		// over both rows); a title above the header names none.
		if named > 0 && i+1 < len(buf) && buf[i+1].n == buf[i].n+1 && !blank(buf[i+1].cells) {
			combined := list.GroupedHeader(buf[i].cells, buf[i+1].cells)
			if n2, r2 := list.Recognize(combined); n2 > named {
				header, two, named, req = combined, true, n2, r2
			}
		}
		if named == 0 {
			continue
		}
		_, err := list.Map(append(append([]string{}, header...), virtual...))
		if err == nil {
			t.header = header
			t.first, t.last = buf[i].n, buf[i].n
			next := i + 1
			if two {
				t.last = buf[i+1].n
				next = i + 2
			}
			for _, r := range buf[:i] {
				if !blank(r.cells) {
					t.above++
					t.preamble = append(t.preamble, r.cells)
				}
			}
			t.pending = buf[next:]
			return t, nil
		}
		if named > bestNamed || (named == bestNamed && req > bestRequired) {
			bestNamed, bestRequired, best, bestErr = named, req, i, err
		}
	}
	// A row naming most of the required columns is this list's header
	// with a column missing or doubled: say so. Anything less is some
	// other table, or none.
	if best >= 0 && bestNamed >= 2 && 2*bestRequired >= required {
		// The table with the rows above the header it is not, which may
		// say it is another form (a 诚信机构典型名单 beside a 附件2).
		for _, r := range buf[:best] {
			if !blank(r.cells) {
				t.preamble = append(t.preamble, r.cells)
			}
		}
		return t, fmt.Errorf("row %d: %w", buf[best].n, bestErr)
	}
	if t.eof && !slices.ContainsFunc(buf, func(r row) bool { return !blank(r.cells) }) {
		return nil, fmt.Errorf("%w %s: it holds no text at all (every row is blank)", ErrNoTable, list.Name)
	}
	var need []string
	for _, k := range list.Required() {
		c, _ := list.Column(k)
		if !contains(virtual, k) {
			need = append(need, fmt.Sprintf("%s (%s)", k, c.Chinese))
		}
	}
	return nil, fmt.Errorf("%w %s: no row among the first %d names its columns %s", ErrNoTable, list.Name, headerSearchRows, strings.Join(need, ", "))
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// clean trims the cells of a header row.
func clean(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = strings.TrimSpace(c)
	}
	return out
}

// bind remembers which input fields hold the record keys and the contract
// columns, once the mapping is known.
func (t *table) bind(m *contract.Mapping) {
	t.contract = make([]bool, len(t.header))
	for _, c := range t.list.Columns {
		if fi := m.Field(c.Key); fi >= 0 && fi < len(t.header) {
			t.contract[fi] = true
		}
	}
	var names []string
	for _, k := range t.list.RecordKeys() {
		if fi := m.Field(k); fi >= 0 && fi < len(t.header) {
			t.keys = append(t.keys, fi)
			c, _ := t.list.Column(k)
			t.keyUSCC = append(t.keyUSCC, c.Kind == contract.USCC)
			names = append(names, fmt.Sprintf("%s (%s)", m.Header(k), k))
		}
	}
	t.keyHeader = strings.Join(names, " or ")
	t.ids = slices.Clone(t.keys)
	if fi := m.Field("uscc"); fi >= 0 && fi < len(t.header) && !slices.Contains(t.ids, fi) {
		t.ids = append(t.ids, fi)
	}
}

// next returns the next row under the header and, when it is not a
// record, why; io.EOF at the end. Blank rows are reported only when a
// non-blank row follows them: the empty formatted rows at the end of a
// sheet are not part of its table.
func (t *table) next() (row, string, error) {
	for {
		var r row
		switch {
		case len(t.pending) > 0:
			r, t.pending = t.pending[0], t.pending[1:]
		case t.eof:
			return row{}, "", io.EOF
		default:
			n, cells, err := t.rows.next()
			if err == io.EOF {
				t.eof = true
				continue
			}
			if err != nil {
				return row{}, "", err
			}
			r = row{n, cells}
		}
		if blank(r.cells) {
			t.blanks = append(t.blanks, r.n)
			continue
		}
		if len(t.blanks) > 0 {
			t.pending = append([]row{r}, t.pending...)
			n := t.blanks[0]
			t.blanks = t.blanks[1:]
			return row{n: n}, SkipBlank, nil
		}
		skip := t.classify(r.cells)
		if skip == headerReordered {
			what := "line"
			if t.sheet != "" {
				what = "row"
			}
			var cells []string
			for _, c := range r.cells {
				if c = strings.TrimSpace(c); c != "" {
					cells = append(cells, c)
				}
			}
			return row{}, "", fmt.Errorf("%w: %s %d names the header's columns in another order (%s), so the rows under it hold their values in other columns than the header (%s) says — two files pasted together? Import each file on its own, or put their columns in one order",
				errHeaderReordered, what, r.n, strings.Join(cells, ", "), t.headerLine())
		}
		return r, skip, nil
	}
}

// headerReordered is classify's answer for a row that is the header in
// another order (headerInOtherOrder): not a row to skip, since the rows
// under it follow its order, not the header's; the file is refused.
const headerReordered = "header in another order"

// errHeaderReordered refuses a file in which the header comes again, its
// columns in another order.
var errHeaderReordered = errors.New("the header comes again in another order")

// headerLine is the header's non-blank cells, for messages.
func (t *table) headerLine() string {
	var cells []string
	for _, h := range t.header {
		if h = strings.TrimSpace(h); h != "" {
			cells = append(cells, h)
		}
	}
	return strings.Join(cells, ", ")
}

// anyRecord says whether a row read while finding the table is a record,
// or may be one (a row without its key, which the import names).
func (t *table) anyRecord() bool {
	return slices.ContainsFunc(t.pending, func(r row) bool {
		if blank(r.cells) {
			return false
		}
		skip := t.classify(r.cells)
		return skip == "" || skip == SkipNoKey
	})
}

// totalWords start the first cell of a row of sums.
var totalWords = []string{"合计", "总计", "小计", "共计"}

// signatureWords start the cells of the lines signed under a table.
var signatureWords = []string{"填表人", "制表人", "填报人", "单位负责人", "负责人：", "审核人", "经办人", "联系电话", "联系人：", "填报时间", "填报日期", "填报单位", "日期："}

// classify says why a non-blank row under the header is not a record, or
// "" when it is one.
func (t *table) classify(cells []string) string {
	first, firstAt := "", -1
	for i, c := range cells {
		if lead, plain := leadingRune(c); plain {
			if lead < 0 {
				continue // blank
			}
			if !markerStarts[lead] {
				break // a value that begins no total or note: first stays ""
			}
		}
		if s := squeeze(c); s != "" {
			first, firstAt = s, i
			break
		}
	}
	for _, w := range totalWords {
		if strings.HasPrefix(first, w) && !t.keyedBeyondCounts(cells, first, firstAt) {
			// A sum has no key; a row with one is a record, whatever
			// its first cell says. A count typed in the key column
			// (合计 | 49家) is the sum's, not a key.
			return SkipTotal
		}
	}
	if isNote(first) {
		// Even with a value in the key column: a note is often written
		// across cells (备注： | 本表数据截至…). The import names such a
		// row among the skipped ones, in case it is a record.
		return SkipNote
	}
	if t.repeatsHeader(cells) {
		return SkipHeader
	}
	if t.headerInOtherOrder(cells) {
		return headerReordered
	}
	if columnNumbers(cells) {
		return SkipNumbers
	}
	if signatureRow(cells) {
		return SkipSignature
	}
	if headingRow(cells) {
		return SkipHeading
	}
	if t.keyed(cells) {
		return ""
	}
	for _, c := range cells {
		if signatureCell(c) {
			return SkipSignature
		}
	}
	if t.contractValues(cells) >= 2 {
		// A name and a date without their USCC: a record that lacks
		// its key, which validation rejects naming the column, not a
		// heading (一、魏都区) or a stray note, which fill one cell.
		return ""
	}
	return SkipNoKey
}

// keyed says whether a row has a value in a key column. A label there
// (填表人：张三 typed in it) is no key; a name that only begins like one
// (审核人才服务中心) is.
func (t *table) keyed(cells []string) bool {
	for _, fi := range t.keys {
		if fi < len(cells) && strings.TrimSpace(cells[fi]) != "" && !labelCell(cells[fi]) {
			return true
		}
	}
	return false
}

// keyLike says whether a row holds a value in a key column that reads as
// a key: a USCC that passes its check, or a code with a digit and no
// sentence punctuation. A note written across cells (备注： | 本表数据截至…)
// fills the key column with text that does not.
func (t *table) keyLike(cells []string) bool {
	for i, fi := range t.keys {
		if fi >= len(cells) {
			continue
		}
		v := squeeze(cells[fi])
		switch {
		case v == "" || labelCell(cells[fi]):
		case t.keyUSCC[i]:
			if transform.ValidateUSCC(transform.NormalizeUSCC(v)) == nil {
				return true
			}
		case strings.IndexFunc(v, unicode.IsDigit) >= 0 && !strings.ContainsAny(v, "：:，,。；;") && utf8.RuneCountInString(v) <= 40:
			return true
		}
	}
	return false
}

// countUnits are what a row of sums counts: 49家, 12 条.
const countUnits = `家|个|条|户|项|人|次|件|名`

// countCell matches a count as a row of sums writes it: 49家, 共49家,
// 计 12 条.
var countCell = regexp.MustCompile(`^(共|计)?\s*[0-9]+\s*(` + countUnits + `)$`)

// bareCount matches a count written as a number alone (合计 | 2), which
// no USCC is.
var bareCount = regexp.MustCompile(`^[0-9]{1,7}$`)

// totalLabel matches a squeezed cell that is a row of sums' label and
// nothing more: a total word, its colon, and the sum's count if it shares
// the cell (合计, 总计:, 合计:共3家, 小计(2家), 合计12). 合计人力资源服务有限公司
// only begins like one.
var totalLabel = regexp.MustCompile(`^(` + strings.Join(totalWords, "|") + `):?(\(?(共|计)?[0-9]{1,7}(` + countUnits + `)?\)?)?$`)

// keyedBeyondCounts is keyed for a row whose first value, first at
// firstAt, begins like a row of sums: a count in a key column (49家) is
// no key. When first is a total's label alone (totalLabel) and the row
// holds nothing else of the list but counts, neither is the label itself,
// typed in a key or USCC column (合计 under 记录编号 or 统一社会信用代码,
// which the contract's order puts first), nor a number alone in the USCC
// column, or in any key column when the label stands in one of those:
// 合计 | 2 is the sum's count, which Excel users type without 家, and a
// row whose code column holds 合计 is no record the number could key. A
// row with a name or a date beside them may be a record with a wrong
// key, and is read as one (validation names the key).
func (t *table) keyedBeyondCounts(cells []string, first string, firstAt int) bool {
	total := totalLabel.MatchString(first) && t.onlyKeysAndCounts(cells, firstAt)
	inKey := slices.Contains(t.ids, firstAt)
	for i, fi := range t.keys {
		if fi >= len(cells) || strings.TrimSpace(cells[fi]) == "" || labelCell(cells[fi]) || (total && fi == firstAt) {
			continue
		}
		v := squeeze(cells[fi])
		if countCell.MatchString(v) || (total && (t.keyUSCC[i] || inKey) && bareCount.MatchString(v)) {
			continue
		}
		return true
	}
	return false
}

// onlyKeysAndCounts reports whether a row's values in the list's
// columns, apart from the cell at skip, are in its key columns or are
// counts (合计 | 1 under 机构名称).
func (t *table) onlyKeysAndCounts(cells []string, skip int) bool {
	for i, c := range cells {
		if i == skip || i >= len(t.contract) || !t.contract[i] || slices.Contains(t.keys, i) || strings.TrimSpace(c) == "" {
			continue
		}
		if v := squeeze(c); !countCell.MatchString(v) && !bareCount.MatchString(v) {
			return false
		}
	}
	return true
}

// headingRow says whether a row is a heading over a part of the table
// (一、魏都区, （二）禹州市, 魏都区（2家）) or a numbered note under it
// (1. 本表数据截至…): one cell, whichever column it is typed in — the key
// column included, where it would otherwise be read as a record with a
// wrong key — that begins with an enumeration or a county's name. No key
// begins so: a USCC is letters and digits, a document number begins with
// its authority's abbreviation.
func headingRow(cells []string) bool {
	text := ""
	for _, c := range cells {
		if strings.TrimSpace(c) == "" {
			continue
		}
		if text != "" {
			return false
		}
		text = squeeze(c)
	}
	if enumeration.MatchString(text) {
		return true
	}
	text = strings.TrimPrefix(text, "许昌市")
	for _, c := range transform.XuchangCounties() {
		if strings.HasPrefix(text, c.Name) {
			return true
		}
	}
	return false
}

// enumeration begins a heading or a numbered note, as squeeze spells it
// (NFKC: full-width brackets and digits are ASCII): 一、 二. (三) 1、 2.
// followed by text (a number alone is a 序号 of an empty row).
var enumeration = regexp.MustCompile(`^([一二三四五六七八九十]+[、.]|\([一二三四五六七八九十0-9]+\)|[0-9]+[、.][^0-9])`)

// signatureLabels are the labels of the lines signed under a table, as
// squeeze spells them. A label is the whole text of its cell, or ends at a
// colon with its value after it: 填表人 | 填表人： | 填表人：张三.
var signatureLabels = func() []string {
	words := []string{"填表人", "制表人", "填报人", "单位负责人", "负责人", "审核人", "审批人", "经办人", "联系电话", "联系人",
		"填报时间", "填报日期", "填报单位", "制表单位", "制表日期", "日期"}
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = squeeze(w)
	}
	return out
}()

// labelStarts holds the first character of every signature label, to
// pass over the cells of records without squeezing them.
var labelStarts = func() map[rune]bool {
	m := map[rune]bool{}
	for _, w := range signatureLabels {
		r, _ := utf8.DecodeRuneInString(w)
		m[r] = true
	}
	return m
}()

// signed are the remarks a signature label may carry before its colon:
// 负责人（签字）：, 填报单位（盖章）.
var signed = []string{"(签字)", "(签名)", "(盖章)", "(签章)"}

// label reports whether a squeezed cell is a signature label, and whether
// its value shares the cell (填表人:张三) rather than following in the next
// one. Exact: 审核人才服务中心 begins with 审核人 but is a name.
func label(s string) (ok, withValue bool) {
	for _, w := range signatureLabels {
		rest, found := strings.CutPrefix(s, w)
		if !found {
			continue
		}
		for _, x := range signed {
			if r, ok := strings.CutPrefix(rest, x); ok {
				rest = r
				break
			}
		}
		switch {
		case rest == "" || rest == ":":
			return true, false
		case strings.HasPrefix(rest, ":"):
			return true, true
		}
	}
	return false, false
}

// labelCell reports whether a cell is a signature label, with or without
// its value.
func labelCell(c string) bool {
	if lead, plain := leadingRune(c); plain && (lead < 0 || !labelStarts[lead]) {
		return false
	}
	ok, _ := label(squeeze(c))
	return ok
}

// signatureRow reports whether a row is signature lines as Excel users lay
// them out: labels, each followed by at most one cell of its value when
// the value does not share the label's cell (填表人： | 张三 | | 联系电话： |
// 0374-0000000). Every non-blank cell must fit: a row of a record has
// cells no label claims.
func signatureRow(cells []string) bool {
	labels, wantLabel := 0, true
	for _, c := range cells {
		if labels == 0 {
			// Most rows are records: their first cell begins no label.
			if lead, plain := leadingRune(c); plain && lead >= 0 && !labelStarts[lead] {
				return false
			}
		}
		s := squeeze(c)
		if s == "" {
			continue
		}
		ok, withValue := label(s)
		switch {
		case ok:
			labels++
			wantLabel = withValue
		case wantLabel:
			return false
		default:
			wantLabel = true // the value of the label before
		}
	}
	return labels > 0
}

// squeeze normalises a cell and drops its spaces (合 计, 注 ：).
func squeeze(s string) string {
	return strings.Join(strings.Fields(transform.NormalizeText(s)), "")
}

// noteWords start the first cell of a note under a table (注：…, 说明 1 …).
var noteWords = []string{"注", "说明", "填表说明", "备注"}

// signatureKeys are the signatureWords as squeeze spells them (负责人: for
// 负责人：), so that they can meet squeezed cells.
var signatureKeys = func() []string {
	out := make([]string, len(signatureWords))
	for i, w := range signatureWords {
		out[i] = squeeze(w)
	}
	return out
}()

// markerStarts holds the first character of every word that marks a row
// as not a record (totals, notes, signatures).
var markerStarts = func() map[rune]bool {
	m := map[rune]bool{}
	for _, ws := range [][]string{totalWords, noteWords, signatureWords} {
		for _, w := range ws {
			r, _ := utf8.DecodeRuneInString(squeeze(w))
			m[r] = true
		}
	}
	return m
}()

// leadingRune returns the first character of a cell after its leading
// white space (-1 if there is none), when the cell's text is one NFKC
// leaves as it is, so that the character is also the first of the
// squeezed cell. plain is false when that cannot be known cheaply; the
// caller squeezes the cell then. Almost every cell of a large file is
// plain, and most begin no marker word: this spares squeezing them.
func leadingRune(c string) (lead rune, plain bool) {
	if !transform.NFKCInert(c) {
		return 0, false
	}
	for _, r := range c {
		if !unicode.IsSpace(r) && r != '\uFEFF' {
			return r, true
		}
	}
	return -1, true
}

// signatureCell reports whether a cell begins with a signature word.
func signatureCell(c string) bool {
	if lead, plain := leadingRune(c); plain && (lead < 0 || !markerStarts[lead]) {
		return false
	}
	return isSignature(squeeze(c))
}

func isNote(s string) bool {
	for _, w := range noteWords {
		rest, ok := strings.CutPrefix(s, w)
		if !ok {
			continue
		}
		r, _ := utf8.DecodeRuneInString(rest)
		if rest == "" || strings.ContainsRune(":：、.1234567890①②③", r) {
			return true
		}
	}
	return false
}

func isSignature(s string) bool {
	for _, w := range signatureKeys {
		if strings.HasPrefix(s, w) {
			return true
		}
	}
	return false
}

// repeatsHeader reports whether a row is the header again (printed on
// every page of some exports).
// columnNumbers reports a row that numbers the columns under the header
// (栏次: 1 2 3 4 …, or (1) (2) …, after an optional 栏次 label), as
// statistical forms print it: three or more numbers, each one more than
// the one before, and nothing else. No record is only that.
func columnNumbers(cells []string) bool {
	prev, count := 0, 0
	for i, c := range cells {
		s := squeeze(c)
		if s == "" {
			continue
		}
		if count == 0 && i == 0 && (s == "栏次" || s == "栏号" || s == "序号") {
			continue
		}
		s = strings.TrimSuffix(strings.TrimPrefix(s, "("), ")")
		n, err := strconv.Atoi(s)
		if err != nil || (count > 0 && n != prev+1) {
			return false
		}
		prev, count = n, count+1
	}
	return count >= 3
}

func (t *table) repeatsHeader(cells []string) bool {
	if t.squeezed == nil {
		t.squeezed = make([]string, len(t.header))
		t.headerKeys = make([]string, len(t.header))
		for i, h := range t.header {
			t.squeezed[i] = squeeze(h)
			t.headerKeys[i] = t.list.HeaderKey(h)
		}
	}
	return t.sameHeader(cells) || t.headerRespelled(cells)
}

// sameHeader: the header's cells again, as written.
func (t *table) sameHeader(cells []string) bool {
	same := 0
	for i, h := range t.squeezed {
		if h == "" {
			continue
		}
		if i >= len(cells) || squeeze(cells[i]) != h {
			return false
		}
		same++
	}
	return same > 0
}

// headerRespelled: the header in other spellings, as a second header
// row of the columns' English keys under their Chinese names: every
// value names the column it stands in, two at least.
func (t *table) headerRespelled(cells []string) bool {
	named := 0
	for i, c := range cells {
		if strings.TrimSpace(c) == "" {
			continue
		}
		if i >= len(t.headerKeys) || t.headerKeys[i] == "" || t.list.HeaderKey(c) != t.headerKeys[i] {
			return false
		}
		named++
	}
	return named >= 2
}

// headerInOtherOrder: the header's columns again, in another order (two
// counties' files pasted together, their columns not in one order):
// every value names a column of the header, as the header spells it or
// by another name of its column, two at least, and not each where the
// header has it (that is the header repeated, skipped). Read in the
// header's order, the rows under it swapped 许可日期 and 承诺书签订日期.
// Called after repeatsHeader, which prepares squeezed and headerKeys.
func (t *table) headerInOtherOrder(cells []string) bool {
	named, moved := 0, false
	for i, c := range cells {
		if strings.TrimSpace(c) == "" {
			continue
		}
		at := -1
		if key := t.list.HeaderKey(c); key != "" {
			at = slices.Index(t.headerKeys, key)
		} else {
			at = slices.Index(t.squeezed, squeeze(c))
		}
		if at < 0 {
			return false
		}
		named++
		moved = moved || at != i
	}
	return named >= 2 && moved
}

// contractValues counts a row's values in contract columns: a row
// without a key but with two is a record missing its key (classify); one
// with one may be, and is listed rather than only counted.
func (t *table) contractValues(cells []string) int {
	n := 0
	for i, c := range cells {
		if i < len(t.contract) && t.contract[i] && strings.TrimSpace(c) != "" {
			n++
		}
	}
	return n
}
