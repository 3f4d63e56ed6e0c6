package contract

import (
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// names maps every accepted header spelling of l's columns, normalised,
// to the column's index; qualified holds the names some spelling
// qualifies in brackets (作出决定机关 of 作出决定机关(列入)), whose bracket
// says which column is meant and is never a note (see column).
func (l *List) names() (byName map[string]int, qualified map[string]bool) {
	l.namesOnce.Do(func() {
		l.byName, l.qualified = map[string]int{}, map[string]bool{}
		for ci, c := range l.Columns {
			for _, n := range append([]string{c.Key, c.Chinese}, c.Aliases...) {
				n = normalizeHeader(n)
				l.byName[n] = ci
				if base, ok := withoutNote(n); ok {
					l.qualified[base] = true
				}
			}
		}
	})
	return l.byName, l.qualified
}

// column returns the index of the column a header cell names: by one of
// its spellings, or by one followed by a note in brackets that forms add
// (（必填）, （年月日）) — unless the list spells that name with brackets
// of its own, where the bracket tells columns apart (作出决定机关(移出) is
// not the authority of 作出决定机关(列入)).
func (l *List) column(cell string) (int, bool) {
	byName, qualified := l.names()
	n := normalizeHeader(cell)
	if ci, ok := byName[n]; ok {
		return ci, true
	}
	base, ok := withoutNote(n)
	if !ok || qualified[base] {
		return 0, false
	}
	ci, ok := byName[base]
	return ci, ok
}

// meant returns the column an unknown header h seems to name
// (Column.Meant), when the header names that column nowhere else
// (index: the header position of each column, -1 when none).
func (l *List) meant(h string, index []int) (Column, bool) {
	n := normalizeHeader(h)
	for ci, c := range l.Columns {
		if index[ci] >= 0 {
			continue
		}
		for _, w := range c.Meant {
			if strings.Contains(n, normalizeHeader(w)) {
				return c, true
			}
		}
	}
	return Column{}, false
}

// HeaderKey returns the key of the column a header cell names, or "" when
// the cell names none of the list's columns.
func (l *List) HeaderKey(cell string) string {
	if ci, ok := l.column(cell); ok {
		return l.Columns[ci].Key
	}
	return ""
}

// GroupedHeader reads a two-row header, wherever it is written (a
// workbook, a CSV export, a list page's table): a group cell (许可情况,
// 列入信息, merged over its columns) above column cells (许可证编号 |
// 许可日期). A column's name is its lower cell, or the group cell where
// the lower one is empty or the same (a cell merged down over both rows,
// or a CSV export of one). Two names that are no column of the list are
// joined, as "group/column", to be kept as an extra column.
func (l *List) GroupedHeader(group, sub []string) []string {
	out := make([]string, max(len(group), len(sub)))
	for i := range out {
		var g, s string
		if i < len(group) {
			g = strings.TrimSpace(group[i])
		}
		if i < len(sub) {
			s = strings.TrimSpace(sub[i])
		}
		switch {
		case s == "" || s == g:
			out[i] = g
		case g == "" || l.HeaderKey(s) != "":
			out[i] = s
		case l.HeaderKey(g+s) != "":
			out[i] = g + s
		case l.HeaderKey(g) != "":
			// A column name over a remark (许可日期 over "（年月日）").
			out[i] = g
		default:
			out[i] = g + "/" + s
		}
	}
	return out
}

// Resembles returns the column of the list that a header cell naming
// none of them seems meant to name, so that an import can ask: a
// misspelt 承诺书签定日期 is kept as an extra column, and the records'
// commitments with it. A cell resembles a column when
//
//   - it is one character from one of the column's spellings (one
//     changed, added or left out), a note in brackets aside (许可日起（必填）),
//     and that spelling has four characters at least: in a shorter one a
//     character changes the word (名称 and 简称, 情节 and 情况);
//   - or it is a spelling another list reads for a column of the same key
//     (认定日期, dishonest's listed_on, in an abnormal list), unless the
//     column is an identifier, whose key means a list's own numbering
//     (决定书文号 is no 记录编号).
//
// ok is false when the cell names a column, resembles none, or resembles
// several.
func (l *List) Resembles(cell string) (c Column, ok bool) {
	if _, names := l.column(cell); names || strings.TrimSpace(cell) == "" {
		return Column{}, false
	}
	found := -1
	note := func(ci int) {
		if found == -1 || found == ci {
			found = ci
		} else {
			found = -2 // several
		}
	}
	n := normalizeHeader(cell)
	forms := [][]rune{[]rune(n)}
	if base, ok := withoutNote(n); ok {
		forms = append(forms, []rune(base))
	}
	byName, _ := l.names()
	for name, ci := range byName {
		spelling := []rune(name)
		if len(spelling) < 4 {
			continue
		}
		for _, f := range forms {
			if oneEditApart(f, spelling) {
				note(ci)
			}
		}
	}
	for _, other := range lists {
		if other == l {
			continue
		}
		oci, ok := other.column(cell)
		if !ok || other.Columns[oci].Code {
			continue
		}
		for ci, c := range l.Columns {
			if c.Key == other.Columns[oci].Key && !c.Code {
				note(ci)
			}
		}
	}
	if found < 0 {
		return Column{}, false
	}
	return l.Columns[found], true
}

// oneEditApart reports whether b is a with one character changed, added
// or left out.
func oneEditApart(a, b []rune) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	switch len(b) - len(a) {
	case 0:
		diff := 0
		for i := range a {
			if a[i] != b[i] {
				diff++
			}
		}
		return diff == 1
	case 1:
		i := 0
		for i < len(a) && a[i] == b[i] {
			i++
		}
		return slices.Equal(a[i:], b[i+1:])
	}
	return false
}

// Recognize counts the distinct columns of the list a row of cells names,
// and how many of them are required: how much a row looks like this
// list's header.
func (l *List) Recognize(cells []string) (named, required int) {
	seen := map[string]bool{}
	for _, cell := range cells {
		key := l.HeaderKey(cell)
		if key == "" || seen[key] {
			continue
		}
		seen[key] = true
		named++
		if c, _ := l.Column(key); c.Required {
			required++
		}
	}
	return named, required
}

// Required returns the keys of the required columns.
func (l *List) Required() []string {
	var out []string
	for _, c := range l.Columns {
		if c.Required {
			out = append(out, c.Key)
		}
	}
	return out
}

// RecordKeys are the columns of which a row must fill one to be a record:
// the list's key columns, with the name standing in for name_key. A row
// with none of them (a note, a total, a template row with only its number)
// is not a record of the list.
func (l *List) RecordKeys() []string {
	var out []string
	for _, k := range l.Key {
		if k == "name_key" {
			k = "name"
		}
		if _, ok := l.Column(k); ok {
			out = append(out, k)
		}
	}
	return out
}

// Field returns the index of the input field mapped to a contract column,
// or -1 when the input has no such column.
func (m *Mapping) Field(key string) int {
	for ci, c := range m.list.Columns {
		if c.Key == key {
			return m.index[ci]
		}
	}
	return -1
}

// Header returns the input header of a contract column as written, or
// the key when the input has no such column.
func (m *Mapping) Header(key string) string { return m.header(key) }

// excelNumber matches a value Excel wrote for a number too long for its
// cell: 9.14403E+17, 9.1440300192203802E+17.
var excelNumber = regexp.MustCompile(`^([0-9])(?:\.([0-9]+))?[eE]\+?([0-9]+)$`)

// excelNumberDetail explains a code Excel stored as a number, or returns
// "" when s does not look like one. Excel keeps at most 15 significant
// digits of a number and shows a long one in scientific notation, so an
// 18-character code typed into a General cell loses its last digits.
func excelNumberDetail(raw, s string) string {
	g := excelNumber.FindStringSubmatch(s)
	if g == nil {
		return ""
	}
	kept := 1 + len(g[2])
	var exp int
	fmt.Sscan(g[3], &exp)
	digits := exp + 1
	lost := ""
	if digits > kept {
		lost = fmt.Sprintf(": the code has %d digits, the number keeps the first %d and the last %d are lost", digits, kept, digits-kept)
	}
	return fmt.Sprintf("Excel stored %q as a number%s; format the column as text (设置单元格格式 → 文本) and enter the codes again", raw, lost)
}

// StoredAsNumber reports whether cell is what a spreadsheet made of code,
// a code of digits only, typed into a cell that holds numbers: the
// code's value to the digits the cell kept, rounded — 9.14110252478814E+17
// (Excel), 9.141102524788136e+17 (a float printed), or the digits with
// the lost ones written as zeros (914110252478814000). The lost digits
// are unknown, so a cell may fit several codes: the caller asks which
// of the codes it expects fit.
func StoredAsNumber(cell, code string) bool {
	s := strings.TrimSpace(cell)
	n, ok := new(big.Int).SetString(code, 10)
	if !ok || strings.Trim(code, "0123456789") != "" {
		return false
	}
	var digits string
	switch g := excelNumber.FindStringSubmatch(s); {
	case g != nil:
		exp, err := strconv.Atoi(g[3])
		if err != nil || exp+1 != len(code) {
			return false
		}
		digits = g[1] + g[2]
		// A float printed shortest (Python's repr, 16 or 17 digits) is
		// the nearest double's, which may round otherwise than the code.
		v, err1 := strconv.ParseFloat(s, 64)
		c, err2 := strconv.ParseFloat(code, 64)
		if err1 == nil && err2 == nil && v == c {
			return true
		}
	case longDigits(s) && len(s) == len(code):
		digits = strings.TrimRight(s, "0")
	default:
		return false
	}
	if digits == "" || len(digits) > len(code) {
		return false
	}
	// The code rounded half up to len(digits) digits, as spreadsheets do.
	unit := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(len(code)-len(digits))), nil)
	half := new(big.Int).Rsh(unit, 1)
	rounded := n.Div(n.Add(n, half), unit)
	return rounded.String() == digits
}

// longDigits reports whether s is all digits and longer than the 15
// significant digits Excel keeps of a number.
func longDigits(s string) bool {
	if len(s) <= 15 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
