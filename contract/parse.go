package contract

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/transform"
)

// Reasons are the short categories rejected rows are counted by.
const (
	ReasonMissing      = "missing required field"
	ReasonUSCC         = "invalid USCC"
	ReasonDate         = "invalid date"
	ReasonBool         = "invalid boolean"
	ReasonEnum         = "unknown value"
	ReasonYear         = "invalid year"
	ReasonCounty       = "invalid county code"
	ReasonInconsistent = "inconsistent fields"
	ReasonColumns      = "wrong number of fields"
	ReasonNumber       = "code stored as a number"
	ReasonExcelError   = "Excel error value"
	ReasonControl      = "control character"
	ReasonTooLong      = "value too long"
	// ReasonRepeated: the record's key is given again in the same input
	// with different values; neither record is taken (the input must say
	// which it means, not the order of its lines).
	ReasonRepeated = "repeated key"
)

// FieldError is one reason a record was rejected.
type FieldError struct {
	Column string // the header as written in the input ("" for the whole row)
	Value  string
	Reason string // one of the Reason constants
	Detail string // what exactly is wrong and what is accepted
}

func (e *FieldError) Error() string {
	var b strings.Builder
	if e.Column != "" {
		fmt.Fprintf(&b, "column %s: ", e.Column)
	}
	b.WriteString(e.Reason)
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	return b.String()
}

// Mapping binds input columns to contract columns.
type Mapping struct {
	list    *List
	index   []int    // contract column i → input field index, -1 if absent
	headers []string // input headers as written
	extra   []int    // input fields not in the contract, kept as extra
	// extraNames name them in the record's extra, one name each: a
	// header written twice (备注, 备注) keeps both values, the second
	// as 备注（2）.
	extraNames []string

	// SerialDates accepts Excel serial day numbers (45138) in date columns,
	// in the workbook's date system. The XLSX reader sets it: it reads raw
	// cell values, because formatted ones follow the workbook's locale
	// (07-31-23).
	SerialDates transform.SerialDates
	// AllowList accepts legacy codes that fail the GB 32100 check.
	AllowList transform.USCCAllowList
	// Unnamed, set by the file reader, refuses a value in a column whose
	// heading is blank: a file's column the clerk typed into but did not
	// name would otherwise be dropped without a word. (A web page's
	// unnamed column holds its 查看 links and checkboxes: ignored.)
	Unnamed bool
	// Cells, set by the reader of a CSV file, is how many cells of a
	// record its header names (up to its last heading): every line of
	// such a file writes a cell for each, empty or not, so a record with
	// fewer is cut short — a line truncated, or the last line of a file
	// still being written — and refused. Its missing cells read as empty
	// would mean "none": a cancelled licence made valid, a commitment
	// erased. (A workbook leaves empty cells at a row's end out: 0.)
	Cells int
}

// ErrHeader is returned when a header cannot be mapped.
var ErrHeader = errors.New("bad header")

// Map matches an input header row to the list's columns. Columns may be
// named by English key or Chinese name (or a known alias), in any order;
// unknown columns are kept as extra. A missing required column or a
// column named twice is an error, since every row would fail.
func (l *List) Map(header []string) (*Mapping, error) {
	m := &Mapping{list: l, index: make([]int, len(l.Columns)), headers: header}
	for i := range m.index {
		m.index[i] = -1
	}
	for fi, h := range header {
		ci, ok := l.column(h)
		if !ok {
			if strings.TrimSpace(h) != "" {
				m.extra = append(m.extra, fi)
				name := h
				for n := 2; slices.Contains(m.extraNames, name); n++ {
					name = fmt.Sprintf("%s（%d）", h, n)
				}
				m.extraNames = append(m.extraNames, name)
			}
			continue
		}
		if prev := m.index[ci]; prev >= 0 {
			return nil, fmt.Errorf("%w: columns %q and %q both mean %s (%s)", ErrHeader, header[prev], h, l.Columns[ci].Key, l.Columns[ci].Chinese)
		}
		m.index[ci] = fi
	}
	for _, fi := range m.extra {
		if c, ok := l.meant(header[fi], m.index); ok {
			return nil, fmt.Errorf("%w: column %q seems to be %s (%s) spelled otherwise; name it %s, or its values would not be read", ErrHeader, header[fi], c.Chinese, c.Key, c.Chinese)
		}
	}
	var missing []string
	for ci, c := range l.Columns {
		if c.Required && m.index[ci] < 0 {
			missing = append(missing, fmt.Sprintf("%s (%s)", c.Key, c.Chinese))
		}
	}
	if len(missing) > 0 {
		// The header as the file has it: not the columns the importer
		// appended to it.
		var shown []string
		for _, h := range header {
			if ci, ok := l.column(h); !ok || !l.Columns[ci].Filled {
				shown = append(shown, h)
			}
		}
		return nil, fmt.Errorf("%w: list %s needs column(s) %s; the header has %q", ErrHeader, l.Name, strings.Join(missing, ", "), shown)
	}
	return m, nil
}

// Index returns the position in the header of the column with this
// key, or -1 when the header does not name it.
func (m *Mapping) Index(key string) int {
	for ci, c := range m.list.Columns {
		if c.Key == key {
			return m.index[ci]
		}
	}
	return -1
}

// Has reports whether the header names the column with this key.
func (m *Mapping) Has(key string) bool { return m.Index(key) >= 0 }

// Extra returns the unknown input headers.
func (m *Mapping) Extra() []string { return slices.Clone(m.extraNames) }

// Row is a validated record: Values holds one Go value per stored column
// (List.StoredColumns): string, time.Time or nil for dates, bool, uint16
// for years.
type Row struct {
	List   *List
	Values []any
	Extra  map[string]string
}

// ValueText writes a value of Row.Values as text: dates as YYYY-MM-DD,
// nil as empty, the rest as Go prints them. It is how a validated record
// reads as text wherever one is kept or served as such.
func ValueText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case time.Time:
		return x.Format(time.DateOnly)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

// Get returns the value of a stored column.
func (r *Row) Get(key string) any {
	if i := r.List.storedIndex(key); i >= 0 {
		return r.Values[i]
	}
	return nil
}

func (r *Row) set(key string, v any) {
	if i := r.List.storedIndex(key); i >= 0 {
		r.Values[i] = v
	}
}

func (r *Row) str(key string) string {
	s, _ := r.Get(key).(string)
	return s
}

// Parse validates one input record. It returns every field error of the
// record, not just the first, so one pass over a file tells the user all
// that is wrong with it.
func (m *Mapping) Parse(fields []string) (*Row, []*FieldError) {
	l := m.list
	// A value past the header's last column is a row that does not line
	// up with it, most often a comma inside a value that is not quoted:
	// its values would land in the wrong columns, so none is taken.
	// Empty cells past the end (trailing commas) are nothing.
	for i := len(m.headers); i < len(fields); i++ {
		if strings.TrimSpace(fields[i]) != "" {
			why := "a comma inside a value that is not quoted?"
			for _, f := range fields {
				if strings.Contains(strings.ReplaceAll(f, "\r\n", ""), "\r") {
					// An editor shows a lone CR as a line break; a CSV
					// reader does not: two lines ran together.
					why = "a lone carriage return (CR) inside the row ends a line in an editor but not in CSV, so two lines ran together here: end every line the same way (CRLF or LF)"
					break
				}
			}
			return nil, []*FieldError{{Value: fields[i], Reason: ReasonColumns,
				Detail: fmt.Sprintf("cell %d holds %q, past the header's %d columns; the row's values may be in the wrong columns (%s)", i+1, fields[i], len(m.headers), why)}}
		}
	}
	if len(fields) < m.Cells {
		return nil, []*FieldError{{Reason: ReasonColumns,
			Detail: fmt.Sprintf("the row has %d field(s), the header %d: the line is cut short (a line truncated, or the last line of a file still being written), and its missing cells would be read as empty, i.e. none; complete the line, or import the file once it is written whole", len(fields), m.Cells)}}
	}
	if m.Unnamed {
		for i, h := range m.headers {
			if i < len(fields) && strings.TrimSpace(h) == "" && strings.TrimSpace(fields[i]) != "" {
				return nil, []*FieldError{{Value: fields[i], Reason: ReasonColumns,
					Detail: fmt.Sprintf("cell %d holds %q in a column without a heading; name the column in the header (its values are then kept with the record) or remove the value", i+1, fields[i])}}
			}
		}
	}
	row := &Row{List: l, Values: make([]any, len(l.Columns)+len(l.Derived))}
	var errs []*FieldError
	for ci, c := range l.Columns {
		raw := ""
		header := c.Key
		if fi := m.index[ci]; fi >= 0 {
			header = m.headers[fi]
			if fi < len(fields) {
				raw = fields[fi]
			}
		}
		v, ferr := m.parseValue(c, raw)
		if ferr != nil {
			ferr.Column = header
			errs = append(errs, ferr)
			continue
		}
		row.Values[ci] = v
		if c.Key == "grade" && l.Name == "public_eval" {
			// Keep the label as published (优, B …) beside the mapped grade.
			row.Values[len(l.Columns)+1] = cellText(raw)
		}
	}
	if len(m.extra) > 0 {
		row.Extra = map[string]string{}
		for i, fi := range m.extra {
			if fi < len(fields) && strings.TrimSpace(fields[fi]) != "" {
				ferr := lengthError(fields[fi])
				if ferr == nil {
					ferr = controlError(fields[fi])
				}
				if ferr != nil {
					ferr.Column = m.headers[fi]
					errs = append(errs, ferr)
					continue
				}
				row.Extra[m.extraNames[i]] = fields[fi]
			}
		}
	}
	for i := range l.Derived {
		if row.Values[len(l.Columns)+i] == nil {
			row.Values[len(l.Columns)+i] = ""
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if name, ok := row.Get("name").(string); ok {
		row.set("name_key", nameKey(name))
	}
	if l.check != nil {
		if ferr := l.check(row); ferr != nil {
			if ferr.Column != "" {
				ferr.Column = m.header(ferr.Column)
			}
			return nil, []*FieldError{ferr}
		}
	}
	return row, nil
}

// nameKey is the derived column name_key: the name as matching compares
// names.
func nameKey(name string) string { return transform.NormalizeName(name) }

// Key is the key Parse gives the record, without parsing the rest of it:
// the values of the list's key columns, each parsed as Parse parses it
// and written by ValueText (name_key derived from the name). ok is false
// when a key cell does not parse: Parse rejects such a record, and it has
// no key. A reader that must tell records apart before it validates them
// (the sync's bound on a listing that never ends) keys them here, so the
// two never disagree on which records are one.
func (m *Mapping) Key(fields []string) (key []string, ok bool) {
	key = make([]string, len(m.list.Key))
	for i, k := range m.list.Key {
		col := k
		if k == "name_key" {
			col = "name"
		}
		ci := slices.IndexFunc(m.list.Columns, func(c Column) bool { return c.Key == col })
		if ci < 0 {
			return nil, false
		}
		raw := ""
		if fi := m.index[ci]; fi >= 0 && fi < len(fields) {
			raw = fields[fi]
		}
		v, ferr := m.parseValue(m.list.Columns[ci], raw)
		if ferr != nil {
			return nil, false
		}
		if k == "name_key" {
			name, _ := v.(string)
			v = nameKey(name)
		}
		key[i] = ValueText(v)
	}
	return key, true
}

// header returns the input header for a contract column key.
func (m *Mapping) header(key string) string {
	for ci, c := range m.list.Columns {
		if c.Key == key && m.index[ci] >= 0 {
			return m.headers[m.index[ci]]
		}
	}
	return key
}

// cellText is a field's text as every kind of column reads it: normal
// text (transform.NormalizeText), and a value written as Excel's text
// formula ="…" read as the text inside. Systems export CSV that way so
// that Excel keeps a code or a date as text (a number would lose a
// code's last digits); Excel shows the text inside, and so do we.
func cellText(raw string) string { return unwrapFormula(raw, transform.NormalizeText) }

// writtenCell is cellText for a column stored as written (Column.written):
// its text as written, not folded (transform.WrittenText).
func writtenCell(raw string) string { return unwrapFormula(raw, transform.WrittenText) }

// unwrapFormula is text(raw), the text inside Excel's text formula ="…"
// when raw is one.
func unwrapFormula(raw string, text func(string) string) string {
	s := text(raw)
	for len(s) >= 3 && strings.HasPrefix(s, `="`) && strings.HasSuffix(s, `"`) {
		inner := s[2 : len(s)-1]
		if strings.Contains(strings.ReplaceAll(inner, `""`, ""), `"`) {
			break // ="a"&"b" is a formula, not one text
		}
		s = text(strings.ReplaceAll(inner, `""`, `"`))
	}
	return s
}

// textMark is the apostrophe typed before a value to make Excel keep it
// as text ('0001 keeps its zeros, '914110… its last digits), which some
// exports write into CSV. Excel does not show it: it is no part of a
// code or a key, and '0001 is the record 0001 (a second record
// otherwise, one violation counted twice).
const textMark = "'"

// codeLike says whether a column holds codes or keys — a USCC, a Code
// column, a Text column of the list's key (a decision number) — which
// are stored normalised and without textMark, so that they match
// however they were typed. Canonical leaves values that begin with
// textMark to Parse.
func (c Column) codeLike() bool {
	return c.Kind == USCC || (c.Kind == Text && !c.written)
}

// withoutTextMark is a code's text (cellText) without the textMark before
// it, and without the spaces after that.
func withoutTextMark(s string) string {
	if rest, ok := strings.CutPrefix(s, textMark); ok {
		return transform.NormalizeText(rest)
	}
	return s
}

// excelErrors are the values Excel shows in a cell whose formula failed
// (a VLOOKUP that found nothing is #N/A): a cell holding one has no value,
// and storing the text would put #N/A where a name or a code belongs.
var excelErrors = []string{"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!"}

// noValue are what lists write for a date or a code they do not have, as
// cellText leaves them (full-width forms folded): dashes, a slash, 无,
// 暂无; 未移出 in a 移出日期 column.
var noValue = []string{"-", "--", "—", "——", "–", "/", "无", "暂无", "空", "未移出"}

// zeroDate is a database's or a language's "no date", with a time or
// not: MySQL's 0000-00-00, SQL Server's empty datetime 1900-01-01, .NET's
// DateTime.MinValue and Go's zero time 0001-01-01, OLE Automation's (and
// so Excel's and Delphi's) day 0, 1899-12-30. None is a date any list
// means (the store's dates begin in 1970).
var zeroDate = regexp.MustCompile(`^(0{4}\D0{1,2}\D0{1,2}|0{3}1\D0?1\D0?1|1900\D0?1\D0?1|1899\D12\D30|00010101|19000101|18991230)(\D|$)`)

// openEnded reports whether an end date's text says the period has no
// end: 长期 (有效), 永久, 至今 ("until now": still listed), or the
// far-future date systems write for it (9999-12-31, Oracle's and Java's
// "forever").
func openEnded(s string) bool {
	switch s {
	case "长期", "长期有效", "永久", "永久有效", "至今", "至今有效":
		return true
	}
	return s == "99991231" || strings.HasPrefix(s, "9999") && len(s) > 4 && (s[4] < '0' || s[4] > '9')
}

// NoComputedValue is what the workbook reader puts in a cell whose formula
// was saved without its value (programs that write workbooks, Java's POI
// or Python's openpyxl, leave computing to Excel): such a cell has no
// value creditsync can read, and a record holding one is rejected.
const NoComputedValue = "#NO_SAVED_VALUE"

func (m *Mapping) parseValue(c Column, raw string) (any, *FieldError) {
	if ferr := lengthError(raw); ferr != nil {
		return nil, ferr
	}
	if ferr := controlError(raw); ferr != nil {
		return nil, ferr
	}
	if raw == NoComputedValue {
		return nil, &FieldError{Value: "", Reason: ReasonExcelError, Detail: "the cell holds a formula saved without its value (the file was written by a program that does not compute formulas): open it in Excel or WPS and save it, which computes them"}
	}
	if strings.IndexByte(raw, '#') >= 0 || strings.Contains(raw, "＃") {
		if v := strings.ToUpper(transform.NormalizeText(raw)); slices.Contains(excelErrors, v) {
			return nil, &FieldError{Value: raw, Reason: ReasonExcelError, Detail: fmt.Sprintf("%s is what Excel shows when the cell's formula fails (a lookup that found nothing, a deleted reference): the cell has no value; correct the formula or type the value", v)}
		}
	}
	if c.written {
		s := writtenCell(raw)
		if s == "" && c.Required {
			return nil, &FieldError{Value: raw, Reason: ReasonMissing, Detail: fmt.Sprintf("%s (%s) is required", c.Key, c.Chinese)}
		}
		return s, nil
	}
	// Excel's mark for text is no part of any value read as data: a
	// code, a date, a year, a kind ('2025 is the year 2025).
	s := withoutTextMark(cellText(raw))
	if (c.Kind == Date || c.Kind == USCC) && (slices.Contains(noValue, s) || strings.EqualFold(s, "null")) ||
		c.Kind == Date && (zeroDate.MatchString(s) || c.Key == m.list.Dated.Ends && openEnded(s)) {
		// The way lists write a date or a code they do not have (移出日期
		// of a record still listed, the USCC of a body without one, a
		// Java service's null, a database's zero date), or an end that
		// has none (9999-12-31, 长期, 至今): none, not a wrong one.
		s = ""
	}
	if s == "" {
		if c.Required {
			return nil, &FieldError{Value: raw, Reason: ReasonMissing, Detail: fmt.Sprintf("%s (%s) is required", c.Key, c.Chinese)}
		}
		switch c.Kind {
		case Date:
			return nil, nil
		case Bool:
			return false, nil
		case Year:
			return uint16(0), nil
		}
		return "", nil
	}
	if c.Kind == USCC || c.Code {
		if d := excelNumberDetail(raw, s); d != "" {
			return nil, &FieldError{Value: raw, Reason: ReasonNumber, Detail: d}
		}
	}
	switch c.Kind {
	case USCC:
		code := transform.NormalizeUSCC(s)
		if err := m.AllowList.Check(code); err != nil {
			d := detail(err, transform.ErrUSCC)
			if longDigits(code) {
				d += "; if the column holds numbers, Excel kept only the first 15 digits of the code: format the column as text (设置单元格格式 → 文本) and enter the codes again"
			}
			return code, &FieldError{Value: raw, Reason: ReasonUSCC, Detail: d}
		}
		return code, nil
	case Date:
		d, _, err := transform.ParseDate(s)
		if err != nil {
			if serial, ok := m.SerialDates.Parse(s); ok {
				return serial, nil
			}
			return nil, &FieldError{Value: raw, Reason: ReasonDate, Detail: detail(err, transform.ErrDate)}
		}
		return d, nil
	case Bool:
		b, _, err := transform.ParseBool(s)
		if err != nil {
			return nil, &FieldError{Value: raw, Reason: ReasonBool, Detail: detail(err, transform.ErrBool)}
		}
		return b, nil
	case Year:
		// A year in a number cell that a program wrote as a float
		// (pandas, openpyxl: 2023.0) is the year Excel shows.
		if whole, frac, ok := strings.Cut(s, "."); ok && len(whole) == 4 && frac != "" && strings.Trim(frac, "0") == "" {
			s = whole
		}
		y, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSuffix(s, "年度"), "年"))
		if err != nil || y < minReportYear || y > maxReportYear {
			return nil, &FieldError{Value: raw, Reason: ReasonYear, Detail: fmt.Sprintf("%q is not a year between %d and %d", raw, minReportYear, maxReportYear)}
		}
		return uint16(y), nil
	case Enum:
		// White space inside is one space, however typed: " A  级" is
		// "A 级", as a line break in a cell is.
		v, ok := c.Values[strings.ToLower(strings.Join(strings.Fields(s), " "))]
		if !ok {
			return nil, &FieldError{Value: raw, Reason: ReasonEnum, Detail: fmt.Sprintf("%q is not among the accepted values: %s", raw, c.Spellings())}
		}
		return v, nil
	case County:
		if err := transform.ValidCountyCode(s); err != nil {
			return nil, &FieldError{Value: raw, Reason: ReasonCounty, Detail: err.Error()}
		}
		// A retired code given in the column means its successor, as it
		// does when derived from the USCC.
		return transform.CurrentCountyCode(s), nil
	}
	return s, nil
}

// MaxValueLength is the most characters a value may hold: Excel's limit
// for a cell, 32,767 (counted as Excel counts them, in UTF-16 units).
// No value of a list comes near it; one past it is a whole document
// pasted into a cell, or a file that is not what it seems, and a
// workbook could not hold it: the 附件2 and the reports written from
// the record would cut it short without a word.
const MaxValueLength = 32767

// lengthError refuses a value longer than MaxValueLength, whatever its
// column. The value is not repeated in the message.
func lengthError(raw string) *FieldError {
	if len(raw) <= MaxValueLength {
		return nil // a character is at least a byte
	}
	n := 0
	for _, r := range raw {
		n++
		if r >= 0x10000 {
			n++ // two UTF-16 units
		}
	}
	if n <= MaxValueLength {
		return nil
	}
	return &FieldError{Value: strings.ToValidUTF8(firstRunes(raw, 20), "") + "…", Reason: ReasonTooLong,
		Detail: fmt.Sprintf("holds %d characters, more than a cell holds (%d, Excel's limit): a whole text pasted into one cell? shorten it, or keep the text elsewhere and refer to it", n, MaxValueLength)}
}

// firstRunes is s up to its n-th character.
func firstRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// controlError refuses a value holding a control character
// (transform.ControlRune), whatever its column: no text of a list has
// one, and stored it would reach terminals and the notice's forms.
func controlError(raw string) *FieldError {
	if r, ok := transform.ControlRune(raw); ok {
		what := "a control character"
		if transform.IsNoncharacter(r) {
			what = "a noncharacter"
		}
		return &FieldError{Value: raw, Reason: ReasonControl, Detail: fmt.Sprintf("holds %s (U+%04X), which no text of a list has; remove it", what, r)}
	}
	return nil
}

// The report years a Year column accepts.
const (
	minReportYear = 1990
	maxReportYear = 2100
)

func checkInstitution(r *Row) *FieldError {
	status := r.str("license_status")
	if status == "" {
		r.set("license_status", "valid")
		status = "valid"
	}
	if status != "valid" && r.Get("license_status_on") == nil {
		return &FieldError{Column: "license_status_on", Reason: ReasonMissing, Detail: fmt.Sprintf("license_status_on (状态变更日期) is required when the licence is %s", status)}
	}
	if status != "valid" {
		if ferr := endsBefore(r, "licensed_on", "license_status_on", "the licence was "+status+" on %s, before it was granted on %s"); ferr != nil {
			return ferr
		}
	}
	if r.str("county_code") == "" {
		r.set("county_code", transform.CountyFromUSCC(r.str("uscc")))
	}
	return nil
}

func checkInspection(r *Row) *FieldError {
	kind, sev := r.str("kind"), r.str("severity")
	if kind == "violation" && sev == "" {
		return &FieldError{Column: "severity", Reason: ReasonMissing, Detail: "severity (情节) is required for a violation: minor 较轻, general 一般, serious 严重 or major 重大"}
	}
	return endsBefore(r, "handled_on", "rectified_on", "rectified on %s, before it was handled on %s")
}

// endsBefore refuses a record whose date in column end comes before its
// date in column start (removed before listed, rectified before handled):
// detail says so, given the two dates in that order.
func endsBefore(r *Row, start, end, detail string) *FieldError {
	from, _ := r.Get(start).(time.Time)
	to, ok := r.Get(end).(time.Time)
	if !ok || !to.Before(from) {
		return nil
	}
	return &FieldError{Column: end, Value: transform.FormatDate(to), Reason: ReasonInconsistent, Detail: fmt.Sprintf(detail, transform.FormatDate(to), transform.FormatDate(from))}
}

// checkAnnualReport: a report on year Y tells of the whole year, and
// can be submitted only once it is over, from Y+1-01-01 on. One dated
// before (2025 submitted on 2024-03-01, a year or a date mistyped) would
// count as filed in time and clear B3 and C5 (docs/rules.md) for a
// report that was never due yet.
func checkAnnualReport(r *Row) *FieldError {
	year, _ := r.Get("year").(uint16)
	on, ok := r.Get("submitted_on").(time.Time)
	if !ok || year == 0 {
		return nil
	}
	if due := time.Date(int(year)+1, time.January, 1, 0, 0, 0, 0, time.UTC); on.Before(due) {
		return &FieldError{Column: "submitted_on", Value: transform.FormatDate(on), Reason: ReasonInconsistent,
			Detail: fmt.Sprintf("the %d report was submitted on %s, before the year ended: it can be submitted from %s on; correct the year or the date", year, transform.FormatDate(on), transform.FormatDate(due))}
	}
	return nil
}

func checkExternal(r *Row) *FieldError {
	if r.str("uscc") == "" && r.str("name") == "" {
		return &FieldError{Column: "uscc", Reason: ReasonMissing, Detail: "a record needs a USCC (统一社会信用代码) or a name to be matched"}
	}
	return nil
}

// checkPenalty: a decision's publicity cannot end before the decision
// (an interface writing a missing date as the epoch, 1970-01-01, would
// otherwise end every publicity at once).
func checkPenalty(r *Row) *FieldError {
	if ferr := checkExternal(r); ferr != nil {
		return ferr
	}
	return endsBefore(r, "decided_on", "publicity_ended_on", "publicity ended on %s, before the decision of %s")
}

func checkListing(r *Row) *FieldError {
	if ferr := checkExternal(r); ferr != nil {
		return ferr
	}
	return endsBefore(r, "listed_on", "removed_on", "removed on %s, before it was listed on %s")
}

// detail drops the sentinel's text from err's message: the reason already
// says it.
func detail(err, sentinel error) string {
	return strings.TrimPrefix(err.Error(), sentinel.Error()+": ")
}
