package file

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/transform"
)

// rows yields every row of one sheet in order, blank ones included, with
// the line (CSV) or row (XLSX) number a person sees. Merged cells are
// read as the value of their top-left cell.
type rows interface {
	next() (n int, cells []string, err error)
	progress() (done, total int64)
	// hiddenCells names the rows read so far, and the columns, that
	// the sheet hides and that hold a value.
	hiddenCells() Hidden
}

// workbook is a CSV file (one unnamed sheet) or an XLSX workbook.
type workbook interface {
	sheets() []string
	// hidden says whether a sheet is hidden in the workbook: such a
	// sheet often holds last year's or draft data, and is read only
	// when asked for by name.
	hidden(sheet string) bool
	open(sheet string) (rows, error)
	encoding() string
	serialDates() transform.SerialDates
	close() error
}

// openWorkbook opens path by what it holds, its name deciding only
// between text formats: offices rename files, and systems export under
// any name. A ZIP file (an .xlsx workbook) is read as a workbook whatever
// its name; an Excel 97-2003 workbook is refused with how to convert it,
// whatever its name; a file named as a workbook that is neither is
// refused as not one.
func openWorkbook(path string) (workbook, error) {
	ext := strings.ToLower(filepath.Ext(path))
	text := ext == ".csv" || ext == ".txt" || ext == ".tsv"
	if !text && ext != ".xlsx" && ext != ".xlsm" && ext != ".xls" {
		return nil, fmt.Errorf("%s: %w: want .csv or .xlsx", path, ErrFormat)
	}
	kind, err := sniff(path)
	if err != nil {
		return nil, err
	}
	switch {
	case kind == emptyFile:
		return nil, fmt.Errorf("%s: %w: the file is empty (0 bytes): it was perhaps copied or downloaded before it was saved; save it again and import that file", path, ErrFormat)
	case kind == zipFile:
		return openXLSXBook(path)
	case kind == biffFile:
		return nil, fmt.Errorf("%s: %w: an Excel 97-2003 workbook (.xls) cannot be read; %s", path, ErrFormat, saveAsXLSX)
	case kind == pdfFile:
		return nil, fmt.Errorf("%s: %w: not a table: a PDF document (it begins %%PDF-), whatever its %s name; %s", path, ErrFormat, ext, exportTable)
	case text:
		return openCSVBook(path)
	}
	return nil, fmt.Errorf("%s: %w: not an Excel workbook despite its %s name (perhaps a web page or text exported by another system); %s", path, ErrFormat, ext, saveAsXLSX)
}

// saveAsXLSX tells how to convert a workbook creditsync cannot read.
const saveAsXLSX = "open it in Excel or WPS and save it as .xlsx (文件 → 另存为 → Excel 工作簿 *.xlsx), then import that file"

// fileKind is what a file's first bytes say it is.
type fileKind int

const (
	otherFile fileKind = iota
	zipFile            // an .xlsx or .xlsm workbook (Office Open XML is a ZIP archive)
	// biffFile is an OLE2 compound file: an Excel 97-2003 workbook (BIFF8),
	// refused: the Go readers of that format tried drop the values of
	// formula cells and mis-decode some text, and a register read wrongly
	// is worse than one not read.
	biffFile
	emptyFile // 0 bytes
	pdfFile   // a PDF document: a printed register, no table to read
)

// exportTable tells how to get a file creditsync reads from a document
// that is not one.
const exportTable = "export the table as CSV or Excel (.xlsx) from the system or the workbook it comes from, and import that file"

// sniff reads the first bytes of path.
func sniff(path string) (fileKind, error) {
	f, err := os.Open(path)
	if err != nil {
		return otherFile, err
	}
	defer f.Close()
	head := make([]byte, 8)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	switch {
	case n == 0:
		return emptyFile, nil
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return zipFile, nil
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		return biffFile, nil
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return pdfFile, nil
	}
	return otherFile, nil
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

// csvBook is a CSV file: one sheet, read once.
type csvBook struct {
	f       *os.File
	counter *countingReader
	size    int64
	r       *csv.Reader
	enc     string
	opened  bool
	crLines bool // its lines end in a lone CR (read as LF)
}

func openCSVBook(path string) (*csvBook, error) {
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
	if errors.Is(err, transform.ErrBinary) {
		f.Close()
		return nil, fmt.Errorf("%s: %w: not a table: it holds %v (an image, an archive or a program's own format under a %s name?); %s", path, ErrFormat, err, filepath.Ext(path), exportTable)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	br := bufio.NewReaderSize(text, 64<<10)
	comma := ','
	if strings.EqualFold(filepath.Ext(path), ".tsv") {
		comma = '\t'
	} else {
		head, err := br.Peek(br.Size())
		if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
			f.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if tabSeparated(head, strings.HasPrefix(enc, "UTF-16")) {
			comma = '\t'
		}
	}
	cr, err := crLines(br)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	text = br
	if cr {
		text = crToLF{br}
	}
	// encoding/csv would read an unclosed quote to the end of the file
	// as one value; the watch fails the file there instead.
	r := csv.NewReader(&quoteWatch{r: text, q: newQuoteState(byte(comma))})
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.Comma = comma
	return &csvBook{f: f, counter: counter, size: st.Size(), r: r, enc: enc, crLines: cr}, nil
}

// tabSeparated says whether a text whose beginning is head separates
// its cells by tabs whatever it is called: Excel's "Unicode text" (UTF-16)
// always does (text UTF-16 for another reason when its first line holds
// a tab); other text (Excel's "Text (tab delimited)" renamed .csv, copies
// from a web page or a database tool) when its first lines hold tabs and
// no comma. Chinese text writes its commas full-width (，), so an ASCII
// comma in the first lines is the mark of a comma-separated file.
func tabSeparated(head []byte, utf16 bool) bool {
	if utf16 {
		return bytes.IndexByte(head[:max(0, bytes.IndexByte(head, '\n'))], '\t') >= 0
	}
	lines := bytes.SplitN(head, []byte{'\n'}, 21)
	if len(lines) == 21 || len(lines) > 1 && !bytes.HasSuffix(head, []byte{'\n'}) {
		lines = lines[:len(lines)-1] // the last may be cut short
	}
	tabs := false
	for _, l := range lines {
		if bytes.IndexByte(l, ',') >= 0 {
			return false
		}
		tabs = tabs || bytes.IndexByte(l, '\t') >= 0
	}
	return tabs
}

func (c *csvBook) sheets() []string                   { return []string{""} }
func (c *csvBook) hidden(string) bool                 { return false }
func (c *csvBook) encoding() string                   { return c.enc }
func (c *csvBook) serialDates() transform.SerialDates { return transform.NoSerialDates }
func (c *csvBook) close() error                       { return c.f.Close() }

func (c *csvBook) open(string) (rows, error) {
	if c.opened {
		return nil, errors.New("a CSV file is read once")
	}
	c.opened = true
	return c, nil
}

func (c *csvBook) progress() (int64, int64) { return c.counter.n, c.size }

// hiddenCells: a text file hides nothing.
func (c *csvBook) hiddenCells() Hidden { return Hidden{} }

func (c *csvBook) next() (int, []string, error) {
	rec, err := c.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return pe.Line, nil, fmt.Errorf("line %d: %w", pe.Line, pe.Err)
		}
		return 0, nil, err
	}
	line, _ := c.r.FieldPos(0)
	return line, rec, nil
}

type xlsxBook struct {
	path  string
	f     *excelize.File
	dates transform.SerialDates
}

// maxUnzipped bounds what a workbook may unpack to: a zip bomb (a few
// kilobytes that inflate to gigabytes) is refused before it fills the
// daemon's memory or disk. Excel's own limit of 1,048,576 rows keeps a
// real register far below it. (A variable so tests can lower it.)
var maxUnzipped int64 = 1 << 30

func openXLSXBook(path string) (*xlsxBook, error) {
	if what := notAWorkbook(path); what != "" {
		return nil, fmt.Errorf("%s: %w: not a table: %s, not an Excel workbook, whatever its %s name (an .xlsx file is a ZIP archive too, holding xl/workbook.xml); %s", path, ErrFormat, what, filepath.Ext(path), exportTable)
	}
	f, err := excelize.OpenFile(path, excelize.Options{UnzipSizeLimit: maxUnzipped})
	if errors.Is(err, zip.ErrFormat) {
		// The file starts as a workbook but its zip directory, written
		// last, is missing or wrong: a copy or a download cut short.
		return nil, fmt.Errorf("%s: %w: the workbook is incomplete or damaged (it begins as an .xlsx file but does not end as one; a copy or a download cut short leaves it so): save it again from Excel or WPS, or copy it again, and import that file", path, ErrFormat)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: open workbook: %w", path, err)
	}
	if len(f.GetSheetList()) == 0 {
		f.Close()
		return nil, fmt.Errorf("%s: the workbook has no sheets", path)
	}
	b := &xlsxBook{path: path, f: f, dates: transform.Excel1900}
	props, err := f.GetWorkbookProps()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: read workbook properties: %w", path, err)
	}
	if props.Date1904 != nil && *props.Date1904 {
		b.dates = transform.Excel1904
	}
	return b, nil
}

// notAWorkbook says what a ZIP archive is when it is not a workbook — a
// Word document (.docx), a presentation, an archive of files — or "" for
// a workbook, or one it cannot open (excelize says what is wrong then).
// Read as a workbook, excelize said "EOF".
func notAWorkbook(path string) string {
	z, err := zip.OpenReader(path)
	if err != nil {
		return ""
	}
	defer z.Close()
	var word, slides bool
	for _, f := range z.File {
		switch {
		case strings.HasPrefix(f.Name, "xl/"):
			return ""
		case strings.HasPrefix(f.Name, "word/"):
			word = true
		case strings.HasPrefix(f.Name, "ppt/"):
			slides = true
		}
	}
	switch {
	case word:
		return "a Word document (.docx)"
	case slides:
		return "a PowerPoint presentation (.pptx)"
	}
	return "a ZIP archive of files"
}

func (x *xlsxBook) sheets() []string { return x.f.GetSheetList() }
func (x *xlsxBook) hidden(sheet string) bool {
	visible, err := x.f.GetSheetVisible(sheet)
	return err == nil && !visible
}
func (x *xlsxBook) encoding() string                   { return WorkbookEncoding(x.dates) }
func (x *xlsxBook) serialDates() transform.SerialDates { return x.dates }
func (x *xlsxBook) close() error                       { return x.f.Close() }

func (x *xlsxBook) open(sheet string) (rows, error) {
	r, err := x.f.Rows(sheet)
	if err != nil {
		return nil, fmt.Errorf("%s: read sheet %s: %w", x.path, sheet, err)
	}
	s := &xlsxRows{rows: r, check: func() (int, error) { return sheetXMLCheck(x.path, sheet) }}
	if dim, err := x.f.GetSheetDimension(sheet); err == nil {
		if _, end, ok := strings.Cut(dim, ":"); ok {
			if _, r, err := excelize.CellNameToCoordinates(end); err == nil {
				s.total = int64(r)
			}
		}
	}
	scan, err := sheetMerges(x.path, sheet)
	if err != nil {
		return nil, fmt.Errorf("%s: read sheet %s: %w", x.path, sheet, err)
	}
	merges := scan.merges
	s.hiddenCols = scan.hiddenCols
	for ref, shown := range scan.general {
		if c, r, err := excelize.CellNameToCoordinates(ref); err == nil {
			if s.general == nil {
				s.general = map[int]map[int]string{}
			}
			if s.general[r] == nil {
				s.general[r] = map[int]string{}
			}
			s.general[r][c-1] = shown
		}
	}
	for ref := range scan.uncomputed {
		if c, r, err := excelize.CellNameToCoordinates(ref); err == nil {
			if s.uncomputed == nil {
				s.uncomputed = map[int][]int{}
			}
			s.uncomputed[r] = append(s.uncomputed[r], c-1)
		}
	}
	for _, ref := range merges {
		from, to, _ := strings.Cut(ref, ":")
		c1, r1, err1 := excelize.CellNameToCoordinates(from)
		c2, r2, err2 := excelize.CellNameToCoordinates(to)
		if err1 != nil || err2 != nil {
			continue
		}
		s.merges = append(s.merges, &merge{row1: r1, row2: r2, col1: c1 - 1, col2: c2 - 1})
	}
	sort.Slice(s.merges, func(i, j int) bool { return s.merges[i].row1 < s.merges[j].row1 })
	return s, nil
}

// merge is a merged range (0-based columns, 1-based rows) and the value
// of its top-left cell once its first row has been read.
type merge struct {
	row1, row2, col1, col2 int
	value                  string
}

type xlsxRows struct {
	rows  *excelize.Rows
	row   int
	total int64
	// check reads the sheet's XML to its end (sheetXMLCheck) once its
	// rows are read: the reader stops without a word where it goes
	// wrong. end is what the end of the rows gave, io.EOF or why not.
	check  func() (lastRow int, err error)
	end    error
	merges []*merge // by first row; dropped once past
	active []*merge
	// uncomputed are the cells whose formula was saved without its
	// value: their 0-based columns by 1-based row.
	uncomputed map[int][]int
	// general are the number cells Excel shows otherwise than their
	// stored value (findGeneral): what it shows, by 1-based row and
	// 0-based column.
	general map[int]map[int]string
	// hiddenCols are the sheet's hidden columns (sheetScan); seen is
	// what of the sheet's hidden rows and columns was found holding a
	// value.
	hiddenCols []colSpan
	seen       Hidden
}

func (x *xlsxRows) progress() (int64, int64) { return int64(x.row), x.total }

func (x *xlsxRows) hiddenCells() Hidden { return x.seen }

func (x *xlsxRows) next() (int, []string, error) {
	if x.end != nil {
		return x.row, nil, x.end
	}
	if !x.rows.Next() {
		x.end = x.ended()
		return x.row, nil, x.end
	}
	x.row++
	// Raw values: formatted dates follow the workbook's locale
	// (07-31-23); serial numbers are unambiguous.
	cells, err := x.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return x.row, nil, fmt.Errorf("row %d: %w", x.row, err)
	}
	for c, shown := range x.general[x.row] {
		if c < len(cells) {
			cells[c] = shown
		}
	}
	delete(x.general, x.row)
	for _, c := range x.uncomputed[x.row] {
		for len(cells) <= c {
			cells = append(cells, "")
		}
		cells[c] = contract.NoComputedValue
	}
	// Before fill: a merged value copied down into a hidden row was
	// written, and is seen, in the row above it.
	x.noteHidden(cells)
	return x.row, x.fill(cells), nil
}

// noteHidden notes the values of the current row that Excel and WPS
// neither show nor print: the whole row when it is hidden (by hand, by
// an AutoFilter, in a collapsed outline: each writes hidden="1"), and its
// cells in hidden columns. (A row given a height of 0 and not marked
// hidden is not caught: the reader reports an absent height as 0 too.)
func (x *xlsxRows) noteHidden(cells []string) {
	if blank(cells) {
		return
	}
	if x.rows.GetRowOpts().Hidden {
		x.seen.addRow(x.row)
	}
	if len(x.hiddenCols) == 0 {
		return
	}
	for c, v := range cells {
		if strings.TrimSpace(v) != "" && hiddenCol(x.hiddenCols, c+1) {
			x.seen.addCol(c + 1)
		}
	}
}

// Hidden names the rows and columns of a sheet that the sheet hides and
// that hold a value: Excel and WPS neither show nor print them, so the
// table a person reads, prints and seals is not all that the file holds.
// Empty hidden rows and columns (a template's spare ones) are not named.
type Hidden struct {
	// Rows are the hidden rows, as runs of consecutive rows, each its
	// first and last row (1-based, as Excel numbers them), in order.
	Rows [][2]int
	// Cols are the hidden columns, 1-based (1 is A), in order.
	Cols []int
}

// Empty says that no hidden row or column holds a value.
func (h Hidden) Empty() bool { return len(h.Rows) == 0 && len(h.Cols) == 0 }

// RowCount is the number of hidden rows.
func (h Hidden) RowCount() int {
	n := 0
	for _, r := range h.Rows {
		n += r[1] - r[0] + 1
	}
	return n
}

// maxHiddenRuns bounds the runs of hidden rows a message names: an
// AutoFilter may hide thousands of rows, here and there.
const maxHiddenRuns = 20

// String names the rows and columns as Excel does: "rows 12–14 and 55,
// column F".
func (h Hidden) String() string {
	var parts []string
	if len(h.Rows) > 0 {
		runs := make([]string, 0, min(len(h.Rows), maxHiddenRuns))
		for _, r := range h.Rows[:min(len(h.Rows), maxHiddenRuns)] {
			if r[0] == r[1] {
				runs = append(runs, strconv.Itoa(r[0]))
			} else {
				runs = append(runs, fmt.Sprintf("%d–%d", r[0], r[1]))
			}
		}
		what := "row "
		if h.RowCount() > 1 {
			what = "rows "
		}
		text := what + andList(runs)
		if len(h.Rows) > maxHiddenRuns {
			text = what + strings.Join(runs, ", ") + " …"
		}
		if n := h.RowCount(); n > len(runs) {
			text += fmt.Sprintf(" (%d rows)", n)
		}
		parts = append(parts, text)
	}
	if len(h.Cols) > 0 {
		names := make([]string, len(h.Cols))
		for i, c := range h.Cols {
			names[i], _ = excelize.ColumnNumberToName(c)
		}
		what := "column "
		if len(names) > 1 {
			what = "columns "
		}
		parts = append(parts, what+andList(names))
	}
	return strings.Join(parts, ", ")
}

// andList joins words as a sentence lists them: "A", "A and B",
// "A, B and C".
func andList(words []string) string {
	if len(words) <= 1 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// addRow notes row n, read in order.
func (h *Hidden) addRow(n int) {
	if k := len(h.Rows); k > 0 && h.Rows[k-1][1] == n-1 {
		h.Rows[k-1][1] = n
		return
	}
	h.Rows = append(h.Rows, [2]int{n, n})
}

// addCol notes column c once, keeping the columns in order.
func (h *Hidden) addCol(c int) {
	i, found := slices.BinarySearch(h.Cols, c)
	if !found {
		h.Cols = slices.Insert(h.Cols, i, c)
	}
}

// colSpan is a run of columns of a sheet's <col> element: first and last,
// 1-based.
type colSpan struct{ first, last int }

// hiddenCol says whether column c (1-based) is in one of spans.
func hiddenCol(spans []colSpan, c int) bool {
	for _, s := range spans {
		if s.first <= c && c <= s.last {
			return true
		}
	}
	return false
}

// ended is why the rows ended: io.EOF at the sheet's end, or an error.
func (x *xlsxRows) ended() error {
	if err := x.rows.Error(); err != nil {
		return err
	}
	if err := x.rows.Close(); err != nil {
		return fmt.Errorf("close the sheet's rows: %w", err)
	}
	last, err := x.check()
	if err != nil {
		return err
	}
	if last > x.row {
		// Well-formed, yet the reader stopped short of its end.
		return fmt.Errorf("the sheet's rows could be read to row %d, but it has rows up to %d: %s", x.row, last, damaged)
	}
	return io.EOF
}

// fill gives the cells a merged range spans down its first column the
// top-left cell's value, as a person reading the sheet sees it: a remark
// or a name written once over several rows belongs to each. A range
// across columns shows its one value once, in the first: copied into the
// columns beside it, a name merged over 机构名称 and 许可证编号 would be
// stored as the licence number too (a header merged over a group of
// columns is read by the table, from its first cell).
func (x *xlsxRows) fill(cells []string) []string {
	for len(x.merges) > 0 && x.merges[0].row1 == x.row {
		m := x.merges[0]
		x.merges = x.merges[1:]
		if m.col1 < len(cells) {
			m.value = cells[m.col1]
		}
		x.active = append(x.active, m)
	}
	kept := x.active[:0]
	for _, m := range x.active {
		if m.row2 < x.row {
			continue
		}
		kept = append(kept, m)
		if m.value == "" {
			continue
		}
		for len(cells) <= m.col1 {
			cells = append(cells, "")
		}
		cells[m.col1] = m.value
	}
	x.active = kept
	return cells
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}
