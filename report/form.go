package report

import (
	"fmt"
	"strings"
)

// summaryForm is the 附件2 form as the notice prints it
// (templates/summary.tsv): the only place its wording and layout are
// written, so the sheet, the column list and the tests cannot drift apart.
var summaryForm = mustParseForm("templates/summary.tsv")

// Placeholders of a form template.
const (
	formUnit  = "{unit}"
	formFiled = "{filed}"
	formRows  = "{rows}"
)

// blankDate is the notice's blank for a date to be written by hand.
const blankDate = " 年 月 日"

// form is a sheet template: rows of cells, with the placeholders above.
type form struct {
	rows   [][]string
	header int // index of the column header row
	data   int // index of the {rows} line
}

func mustParseForm(name string) form {
	b, err := templateFiles.ReadFile(name)
	if err != nil {
		panic("report: embedded " + name + ": " + err.Error()) // embedded at build time
	}
	f, err := parseForm(string(b))
	if err != nil {
		panic("report: " + name + ": " + err.Error()) // a broken template is a build error; TestForms reads it
	}
	return f
}

func parseForm(text string) (form, error) {
	f := form{header: -1, data: -1}
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		cells := strings.Split(line, "\t")
		switch {
		case line == formRows:
			f.data = len(f.rows)
		case len(cells) > 1:
			if f.header >= 0 {
				return form{}, fmt.Errorf("two header rows (rows %d and %d)", f.header+1, len(f.rows)+1)
			}
			f.header = len(f.rows)
		}
		f.rows = append(f.rows, cells)
	}
	if f.header < 0 || f.data != f.header+1 {
		return form{}, fmt.Errorf("want a header row of tab-separated columns followed by %s", formRows)
	}
	return f, nil
}

// columns are the header row's cells.
func (f form) columns() []string { return f.rows[f.header] }

// line returns the one-cell row starting with prefix, "" when none.
func (f form) line(prefix string) string {
	for _, r := range f.rows {
		if len(r) == 1 && strings.HasPrefix(r[0], prefix) {
			return r[0]
		}
	}
	return ""
}
