// Package file reads the CSV and XLSX files the bureau hands in: it
// detects the text encoding, finds the table in each sheet (below a title,
// over a footnote and signatures), and yields records with the line
// numbers a person sees when opening the file.
package file

import (
	"errors"
	"fmt"
	"io"
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
	// Encoding is the detected text encoding ("XLSX" for workbooks).
	Encoding() string
	// Progress reports how far reading has got, in units of Total.
	Progress() (done, total int64)
	// SerialDates reports whether date cells may hold Excel serial numbers.
	SerialDates() bool
	Close() error
}

// ErrFormat means the file is not a CSV or XLSX file creditsync can read.
var ErrFormat = errors.New("unsupported file format")

// Open opens path by its extension: .csv, .tsv or .txt as CSV, .xlsx or
// .xlsm as a workbook (its first sheet).
func Open(path string) (Reader, error) {
	b, err := openWorkbook(path)
	if err != nil {
		return nil, err
	}
	sheet := b.sheets()[0]
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

func (r *reader) Header() []string         { return r.header }
func (r *reader) Encoding() string         { return r.book.encoding() }
func (r *reader) SerialDates() bool        { return r.book.serialDates() }
func (r *reader) Progress() (int64, int64) { return r.rows.progress() }
func (r *reader) Close() error             { return r.book.close() }

func (r *reader) Next() (int, []string, error) {
	for {
		n, cells, err := r.rows.next()
		if err != nil || !blank(cells) {
			return n, cells, err
		}
	}
}
