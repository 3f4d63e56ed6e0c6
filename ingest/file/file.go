// Package file reads the CSV and XLSX files the bureau hands in: it finds
// the header row, detects the text encoding and yields records with the
// line numbers a person sees when opening the file.
package file

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/xuchang-hrss/creditsync/transform"
)

// Reader yields the records of one file.
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

// Open opens path by its extension: .csv or .txt as CSV, .xlsx/.xlsm as a
// workbook (its first sheet).
func Open(path string) (Reader, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".txt", ".tsv":
		return openCSV(path)
	case ".xlsx", ".xlsm":
		return openXLSX(path)
	case ".xls":
		return nil, fmt.Errorf("%s: %w: .xls (Excel 97-2003) is not supported; save it as .xlsx or CSV", path, ErrFormat)
	}
	return nil, fmt.Errorf("%s: %w: want .csv or .xlsx", path, ErrFormat)
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

type csvReader struct {
	f        *os.File
	counter  *countingReader
	size     int64
	r        *csv.Reader
	header   []string
	encoding string
}

func openCSV(path string) (*csvReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	counter := &countingReader{r: f}
	text, enc, err := transform.DecodeReader(counter)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r := csv.NewReader(text)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	if strings.EqualFold(filepath.Ext(path), ".tsv") {
		r.Comma = '\t'
	}
	c := &csvReader{f: f, counter: counter, size: st.Size(), r: r, encoding: enc}
	_, header, err := c.Next()
	if err == io.EOF {
		f.Close()
		return nil, fmt.Errorf("%s: the file is empty (no header row)", path)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	c.header = header
	return c, nil
}

func (c *csvReader) Header() []string  { return c.header }
func (c *csvReader) Encoding() string  { return c.encoding }
func (c *csvReader) SerialDates() bool { return false }
func (c *csvReader) Close() error      { return c.f.Close() }

func (c *csvReader) Progress() (int64, int64) { return c.counter.n, c.size }

func (c *csvReader) Next() (int, []string, error) {
	for {
		rec, err := c.r.Read()
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return pe.Line, nil, fmt.Errorf("line %d: %w", pe.Line, pe.Err)
			}
			return 0, nil, err
		}
		line, _ := c.r.FieldPos(0)
		if blank(rec) {
			continue
		}
		return line, rec, nil
	}
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

type xlsxReader struct {
	f      *excelize.File
	rows   *excelize.Rows
	row    int
	total  int64
	header []string
}

func openXLSX(path string) (*xlsxReader, error) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: open workbook: %w", path, err)
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, fmt.Errorf("%s: the workbook has no sheets", path)
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: read sheet %s: %w", path, sheets[0], err)
	}
	x := &xlsxReader{f: f, rows: rows}
	if dim, err := f.GetSheetDimension(sheets[0]); err == nil {
		if _, end, ok := strings.Cut(dim, ":"); ok {
			if _, r, err := excelize.CellNameToCoordinates(end); err == nil {
				x.total = int64(r)
			}
		}
	}
	_, header, err := x.Next()
	if err == io.EOF {
		x.Close()
		return nil, fmt.Errorf("%s: sheet %s is empty (no header row)", path, sheets[0])
	}
	if err != nil {
		x.Close()
		return nil, err
	}
	x.header = header
	return x, nil
}

func (x *xlsxReader) Header() []string  { return x.header }
func (x *xlsxReader) Encoding() string  { return "XLSX" }
func (x *xlsxReader) SerialDates() bool { return true }

func (x *xlsxReader) Progress() (int64, int64) { return int64(x.row), x.total }

func (x *xlsxReader) Close() error {
	x.rows.Close()
	return x.f.Close()
}

func (x *xlsxReader) Next() (int, []string, error) {
	for x.rows.Next() {
		x.row++
		// Raw values: formatted dates follow the workbook's locale
		// (07-31-23); serial numbers are unambiguous.
		rec, err := x.rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return x.row, nil, fmt.Errorf("row %d: %w", x.row, err)
		}
		if blank(rec) {
			continue
		}
		return x.row, rec, nil
	}
	if err := x.rows.Error(); err != nil {
		return x.row, nil, err
	}
	return x.row, nil, io.EOF
}
