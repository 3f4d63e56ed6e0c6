// Package file reads the CSV and XLSX files the bureau hands in: it
// detects the text encoding, finds the table in each sheet (below a title,
// over a footnote and signatures), and yields records with the line
// numbers a person sees when opening the file.
package file

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuchang-hrss/creditsync/transform"
)

// Reader yields the records of one file: the first sheet of a workbook,
// its first non-empty row taken as the header. Import does more (title
// rows, notes, every sheet); Reader serves files laid out exactly as the
// data contract says, such as the files sources drop.
type Reader interface {
	// Header is the first non-empty row.
	Header() []string
	// Next returns the next non-empty record and its line (CSV) or row
	// (XLSX) number, or io.EOF.
	Next() (line int, fields []string, err error)
	// Encoding is the detected text encoding, or for workbooks the
	// label WorkbookEncoding gives their date system.
	Encoding() string
	// Progress reports how far reading has got, in units of Total.
	Progress() (done, total int64)
	// SerialDates says whether date cells may hold Excel serial numbers,
	// and counted from which day.
	SerialDates() transform.SerialDates
	Close() error
}

// Workbook encodings: what Encoding says of a workbook. Synced pages keep
// it (sync_pending, raw_pages), and their records are read again from the
// store under the date system it names.
const (
	EncodingXLSX     = "XLSX"
	EncodingXLSX1904 = "XLSX, 1904 date system"
)

// WorkbookEncoding is the encoding label of a workbook in a date system.
func WorkbookEncoding(d transform.SerialDates) string {
	if d == transform.Excel1904 {
		return EncodingXLSX1904
	}
	return EncodingXLSX
}

// SerialDatesOf is the date system of records read under an encoding
// label: none for text.
func SerialDatesOf(encoding string) transform.SerialDates {
	switch encoding {
	case EncodingXLSX:
		return transform.Excel1900
	case EncodingXLSX1904:
		return transform.Excel1904
	}
	return transform.NoSerialDates
}

// ErrFormat means the file is not a CSV or XLSX file creditsync can read.
var ErrFormat = errors.New("unsupported file format")

// Open opens path by its extension: .csv, .tsv or .txt as CSV, .xlsx or
// .xlsm as a workbook (its first sheet).
func Open(path string) (Reader, error) { return OpenSheet(path, "") }

// OpenSheet is Open of a workbook's sheet of that name ("" for the
// first); a CSV file has only "".
func OpenSheet(path, sheet string) (Reader, error) {
	b, err := openWorkbook(path)
	if err != nil {
		return nil, err
	}
	sheets := b.sheets()
	switch {
	case sheet == "":
		sheet = sheets[0]
	case !contains(sheets, sheet):
		b.close()
		return nil, fmt.Errorf("%s: no sheet %q; the sheets are %q", path, sheet, sheets)
	}
	rs, err := b.open(sheet)
	if err != nil {
		b.close()
		return nil, err
	}
	r := &reader{book: b, rows: rs}
	_, header, err := r.Next()
	if err == io.EOF {
		b.close()
		if sheet == "" {
			return nil, fmt.Errorf("%s: the file is empty (no header row)", path)
		}
		return nil, fmt.Errorf("%s: sheet %s is empty (no header row)", path, sheet)
	}
	if err != nil {
		b.close()
		return nil, err
	}
	r.header = header
	return r, nil
}

type reader struct {
	book   workbook
	rows   rows
	header []string
}

func (r *reader) Header() []string                   { return r.header }
func (r *reader) Encoding() string                   { return r.book.encoding() }
func (r *reader) SerialDates() transform.SerialDates { return r.book.serialDates() }
func (r *reader) Progress() (int64, int64)           { return r.rows.progress() }
func (r *reader) Close() error                       { return r.book.close() }

func (r *reader) Next() (int, []string, error) {
	for {
		n, cells, err := r.rows.next()
		if err != nil || !blank(cells) {
			return n, cells, err
		}
	}
}

// TotalRow says whether a row under a table begins like a row of sums:
// its first non-blank cell begins with one of the words by which the
// import skips such a row (合计, 总计, 小计, 共计), spaces and full-width
// forms aside. The import still reads a row with a key as a record,
// whatever its first cell says; so does a caller that checks the key.
func TotalRow(cells []string) bool {
	for _, c := range cells {
		s := squeeze(c)
		if s == "" {
			continue
		}
		for _, w := range totalWords {
			if strings.HasPrefix(s, w) {
				return true
			}
		}
		return false
	}
	return false
}
