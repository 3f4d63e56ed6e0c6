package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Report CSVs are written for people, who open them in Excel: they start
// with a UTF-8 byte-order mark (without it Excel, as used in the bureau,
// reads UTF-8 as GBK and shows the Chinese as mojibake), numbers are plain
// (ASCII minus, no units), and identifiers are written so that Excel keeps
// them as text (ExcelCode). Programs read the plain values of
// `grades --format csv` and `sql --format csv`, or the XLSX files.
const utf8BOM = "\ufeff"

// ExcelCode writes an identifier as ="…", the one spelling Excel opens as
// the exact text: a bare 124110024151189320 becomes 1.24110024151189E+17,
// and a leading apostrophe or tab stays visible in the cell or in a
// program's value. Only validated codes (digits and capital letters) are
// written this way, so nothing can break out of the quotes.
func ExcelCode(s string) string {
	if s == "" {
		return ""
	}
	return `="` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

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
				switch {
				case c.Code:
					rec[j] = ExcelCode(c.Text)
				case c.Value == nil:
					rec[j] = ExcelText(c.Text)
				default:
					// The number itself: "−1" (Unicode minus) or "+3.5 pp"
					// would be text to a spreadsheet.
					rec[j] = fmt.Sprint(c.Value)
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

// ExcelText keeps a text cell from being read as a formula by a spreadsheet
// (CSV injection): an institution's name comes from outside and could be
// "=HYPERLINK(…)". The leading apostrophe is the usual defence: in a CSV
// it is a character of the value, which Excel shows ('=HYPERLINK(…)) and
// runs nothing.
func ExcelText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// ExcelCSV passes CSV text on to w with every value a spreadsheet would
// take for a formula defused as ExcelText does, for CSV written by the
// engine (sql --excel), whose values come without their types: a value
// that reads as a number (-1, +3.5) stays a number. Close ends the text
// and reports the first error.
func ExcelCSV(w io.Writer) io.WriteCloser {
	pr, pw := io.Pipe()
	x := &excelCSV{pw: pw, done: make(chan error, 1)}
	go func() {
		err := defuseCSV(pr, w)
		pr.CloseWithError(err) // a writer waiting on a text that cannot be read learns why
		x.done <- err
	}()
	return x
}

type excelCSV struct {
	pw   *io.PipeWriter
	done chan error
}

func (x *excelCSV) Write(p []byte) (int, error) { return x.pw.Write(p) }

func (x *excelCSV) Close() error {
	x.pw.Close()
	return <-x.done
}

func defuseCSV(r io.Reader, w io.Writer) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cw := csv.NewWriter(w)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("defuse CSV for Excel: %w", err)
		}
		for i, v := range rec {
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				rec[i] = ExcelText(v)
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
