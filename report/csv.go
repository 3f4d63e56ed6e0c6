package report

import (
	"encoding/csv"
	"io"
	"strings"
)

// utf8BOM starts every CSV file: without it Excel, as used in the bureau,
// reads UTF-8 as GBK and shows the Chinese as mojibake.
const utf8BOM = "\ufeff"

// writeCSV writes tables as sections of one CSV file: each a title line,
// a header line and its rows, separated by an empty line. A single table
// is written without its title, as a plain CSV file.
func writeCSV(w io.Writer, tables ...table) error {
	if _, err := io.WriteString(w, utf8BOM); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	for i, tb := range tables {
		if len(tables) > 1 {
			if i > 0 {
				if err := cw.Write([]string{}); err != nil {
					return err
				}
			}
			if err := cw.Write([]string{tb.Title}); err != nil {
				return err
			}
		}
		if err := cw.Write(tb.Header); err != nil {
			return err
		}
		for _, row := range tb.Rows {
			rec := make([]string, len(row))
			for j, c := range row {
				rec[j] = c.Text
				if c.Value == nil {
					rec[j] = defuse(c.Text)
				}
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteCSV writes the trend report's tables as sections of one CSV file.
func (t *Trend) WriteCSV(w io.Writer) error { return writeCSV(w, t.tables()...) }

// WriteCSV writes the city overview's tables as sections of one CSV file.
func (o *Overview) WriteCSV(w io.Writer) error { return writeCSV(w, o.tables()...) }

// WriteCSV writes the public list as a plain CSV file.
func (l *PublicList) WriteCSV(w io.Writer) error { return writeCSV(w, l.table()) }

// defuse keeps a text cell from being read as a formula by a spreadsheet
// (CSV injection): an institution's name comes from outside and could be
// "=HYPERLINK(…)". The leading apostrophe is what Excel itself uses to mark
// text.
func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
