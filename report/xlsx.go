package report

import (
	"fmt"
	"io"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// xlsxStyles are the cell styles of a workbook.
type xlsxStyles struct {
	title, header, text, num, code, date, note int
}

func newStyles(f *excelize.File) (xlsxStyles, error) {
	border := []excelize.Border{
		{Type: "left", Color: "9AA1A9", Style: 1}, {Type: "right", Color: "9AA1A9", Style: 1},
		{Type: "top", Color: "9AA1A9", Style: 1}, {Type: "bottom", Color: "9AA1A9", Style: 1},
	}
	var s xlsxStyles
	var err error
	add := func(dst *int, st *excelize.Style) {
		if err == nil {
			*dst, err = f.NewStyle(st)
		}
	}
	add(&s.title, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 14},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}})
	add(&s.header, &excelize.Style{Font: &excelize.Font{Bold: true}, Border: border,
		Fill:      excelize.Fill{Type: "pattern", Color: []string{"EEF1F4"}, Pattern: 1},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	add(&s.text, &excelize.Style{Border: border, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	add(&s.num, &excelize.Style{Border: border, Alignment: &excelize.Alignment{Vertical: "top"}})
	// Number format 49 is "@", text: a USCC typed over stays text.
	add(&s.code, &excelize.Style{NumFmt: 49, Border: border, Alignment: &excelize.Alignment{Vertical: "top"}})
	// A date shown as the reports write it (2026-08-12), whatever the
	// reader's locale: the built-in date formats follow it.
	dateFormat := "yyyy-mm-dd"
	add(&s.note, &excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	add(&s.date, &excelize.Style{CustomNumFmt: &dateFormat, Border: border, Alignment: &excelize.Alignment{Vertical: "top", Horizontal: "left"}})
	return s, err
}

// writeXLSX writes each table to a sheet of its own: its title in the
// first row, the header frozen in the second, then the rows.
func writeXLSX(w io.Writer, tables ...table) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return fmt.Errorf("xlsx styles: %w", err)
	}
	for i, tb := range tables {
		if err := addSheet(f, i, tb, st); err != nil {
			return fmt.Errorf("xlsx sheet %s: %w", tb.Sheet, err)
		}
	}
	title := ""
	if len(tables) > 0 {
		title = tables[0].Title
	}
	return finishXLSX(w, f, title)
}

// finishXLSX states each sheet's used range and the workbook's
// properties, then writes it: every workbook creditsync writes ends here.
// excelize's defaults named the author "xuri" and dated the file
// 2006-09-16, which Excel's 信息 pane and a file list show.
func finishXLSX(w io.Writer, f *excelize.File, title string) error {
	if err := setUsedRanges(f); err != nil {
		return err
	}
	now := time.Now().UTC().Format(time.RFC3339)
	if err := f.SetDocProps(&excelize.DocProperties{Creator: "creditsync", LastModifiedBy: "creditsync", Title: title,
		Created: now, Modified: now}); err != nil {
		return fmt.Errorf("xlsx properties: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	return nil
}

// addSheet writes table number i; the first replaces the default sheet.
func addSheet(f *excelize.File, i int, tb table, st xlsxStyles) error {
	name := tb.Sheet
	if i == 0 {
		if err := f.SetSheetName(f.GetSheetName(0), name); err != nil {
			return err
		}
	} else if _, err := f.NewSheet(name); err != nil {
		return err
	}
	last, err := excelize.ColumnNumberToName(max(len(tb.Header), 1))
	if err != nil {
		return err
	}
	steps := []func() error{
		func() error { return f.SetCellStr(name, "A1", tb.Title) },
		func() error { return f.MergeCell(name, "A1", last+"1") },
		func() error { return f.SetCellStyle(name, "A1", last+"1", st.title) },
		func() error { return f.SetRowHeight(name, 1, 24) },
		func() error { return setRow(f, name, 2, strs(tb.Header)) },
		func() error { return f.SetCellStyle(name, "A2", last+"2", st.header) },
		func() error {
			return f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"})
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	for c, wd := range tb.Widths {
		col, _ := excelize.ColumnNumberToName(c + 1)
		if err := f.SetColWidth(name, col, col, wd); err != nil {
			return err
		}
	}
	if err := setPrint(f, name, 2, tableWidth(tb.Widths, len(tb.Header))); err != nil {
		return err
	}
	for r, row := range tb.Rows {
		for c, cl := range row {
			ref, _ := excelize.CoordinatesToCellName(c+1, r+3)
			style := st.text
			if cl.Code {
				style = st.code
			}
			var err error
			switch {
			case !cl.Date.IsZero():
				style = st.date
				err = f.SetCellValue(name, ref, cl.Date)
			case cl.Value != nil:
				style = st.num
				err = f.SetCellValue(name, ref, cl.Value)
			default:
				// SetCellStr, not SetCellValue: text from outside is never
				// taken for a formula.
				err = f.SetCellStr(name, ref, cl.Text)
			}
			if err == nil {
				err = f.SetCellStyle(name, ref, ref, style)
			}
			if err != nil {
				return err
			}
		}
	}
	return addNotes(f, name, last, len(tb.Rows)+4, tb, st)
}

// portraitWidth is the widest table, in column-width units (about one
// Latin character), that A4 portrait holds at 100% within Excel's default
// margins: some 174 mm, 7 pixels a unit at 96 dpi. Landscape holds about
// 140.
const portraitWidth = 95

// defaultColWidth is the width Excel gives a column left unset (8.43
// characters and its padding).
const defaultColWidth = 9

// tableWidth is the printed width of n columns of widths ws, a column
// without a width of its own at Excel's default.
func tableWidth(ws []float64, n int) float64 {
	total := 0.0
	for i := range max(n, len(ws)) {
		if i < len(ws) && ws[i] > 0 {
			total += ws[i]
		} else {
			total += defaultColWidth
		}
	}
	return total
}

// setPrint sets how a sheet prints, for every workbook creditsync
// writes: A4, landscape when the table is wider than portrait holds,
// scaled to fit the page's width (never its height: a long list goes on
// over pages), and the header row repeated at the top of each page, as
// 附件2's. Without it Excel printed the wide tables at 100% portrait, the
// right-hand columns on pages of their own and the header on the first
// page only.
func setPrint(f *excelize.File, sheet string, headerRow int, width float64) error {
	orientation, a4, fitWide, fitTall := "portrait", 9, 1, 0 // 9 is A4 in the OOXML paper-size table
	if width > portraitWidth {
		orientation = "landscape"
	}
	h := strconv.Itoa(headerRow)
	for _, step := range []func() error{
		func() error {
			return f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: "'" + sheet + "'!$" + h + ":$" + h, Scope: sheet})
		},
		func() error {
			return f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: &a4, Orientation: &orientation, FitToWidth: &fitWide, FitToHeight: &fitTall})
		},
		func() error { return f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: boolPtr(true)}) },
	} {
		if err := step(); err != nil {
			return fmt.Errorf("print setup: %w", err)
		}
	}
	return nil
}

// addNotes writes the table's notes from row r down, each merged across
// the table's columns and wrapped; a merged cell's height is not fitted
// by Excel, so it is set from the text's length against the width.
func addNotes(f *excelize.File, sheet, last string, r int, tb table, st xlsxStyles) error {
	width := 0.0
	for _, w := range tb.Widths {
		width += w
	}
	for i, note := range tb.Notes {
		row := strconv.Itoa(r + i)
		if err := f.SetCellStr(sheet, "A"+row, note); err != nil {
			return err
		}
		if err := f.MergeCell(sheet, "A"+row, last+row); err != nil {
			return err
		}
		if err := f.SetCellStyle(sheet, "A"+row, last+row, st.note); err != nil {
			return err
		}
		// A Chinese character is about two width units.
		lines := 1
		if width > 0 {
			lines = int(float64(2*utf8.RuneCountInString(note))/width) + 1
		}
		if err := f.SetRowHeight(sheet, r+i, 16*float64(lines)); err != nil {
			return err
		}
	}
	return nil
}

func strs(ss []string) []cell {
	out := make([]cell, len(ss))
	for i, s := range ss {
		out[i] = text(s)
	}
	return out
}

// setRow writes text cells into row r from column A.
func setRow(f *excelize.File, sheet string, r int, cells []cell) error {
	for c, cl := range cells {
		ref, _ := excelize.CoordinatesToCellName(c+1, r)
		if err := f.SetCellStr(sheet, ref, cl.Text); err != nil {
			return err
		}
	}
	return nil
}

// WriteXLSX writes the trend report, one sheet a table.
func (t *Trend) WriteXLSX(w io.Writer) error { return writeXLSX(w, t.tables()...) }

// WriteXLSX writes the city overview, one sheet a table.
func (o *Overview) WriteXLSX(w io.Writer) error { return writeXLSX(w, o.tables()...) }

// WriteXLSX writes the public list on one sheet, USCCs as text, with the
// lines the HTML prints around the table: the unit, day and count, the
// publicity period, how and by when to object, the contact, the footer.
// The CSV keeps the rows only, for programs (docs/guide.md).
func (l *PublicList) WriteXLSX(w io.Writer) error {
	tb := l.table()
	tb.Notes = append(append([]string{l.Sub()}, l.Notice()...), l.Footer())
	return writeXLSX(w, tb)
}

// WriteRowsXLSX writes a plain table — a header and rows of text — as a
// workbook of one sheet titled title, the column at codeColumn (a USCC)
// kept as text. Commands that print tables offer it for people who open
// them in Excel.
func WriteRowsXLSX(w io.Writer, title string, header []string, rows [][]string, codeColumn int) error {
	tb := table{Sheet: "Sheet1", Title: title, Header: header}
	for _, r := range rows {
		cells := make([]cell, len(r))
		for i, v := range r {
			cells[i] = text(v)
			if i == codeColumn {
				cells[i] = uscc(v)
			}
		}
		tb.Rows = append(tb.Rows, cells)
	}
	return writeXLSX(w, tb)
}

// setUsedRanges writes each sheet's used range in its dimension element.
// excelize leaves the A1 of a new sheet there whatever it holds; Excel and
// WPS look past it, but readers that trust it (openpyxl's read-only mode,
// pandas through it) see a sheet of one cell.
func setUsedRanges(f *excelize.File) error {
	for _, sheet := range f.GetSheetList() {
		rs, err := f.GetRows(sheet)
		if err != nil {
			return fmt.Errorf("xlsx sheet %s: %w", sheet, err)
		}
		lastRow, lastCol := 0, 0
		for r, cells := range rs {
			if len(cells) > 0 {
				lastRow = r + 1
				lastCol = max(lastCol, len(cells))
			}
		}
		merged, err := f.GetMergeCells(sheet)
		if err != nil {
			return fmt.Errorf("xlsx sheet %s: %w", sheet, err)
		}
		for _, m := range merged {
			if c, r, err := excelize.CellNameToCoordinates(m.GetEndAxis()); err == nil {
				lastRow, lastCol = max(lastRow, r), max(lastCol, c)
			}
		}
		if lastRow == 0 {
			continue
		}
		end, err := excelize.CoordinatesToCellName(lastCol, lastRow)
		if err != nil {
			return fmt.Errorf("xlsx sheet %s: %w", sheet, err)
		}
		if err := f.SetSheetDimension(sheet, "A1:"+end); err != nil {
			return fmt.Errorf("xlsx sheet %s: used range: %w", sheet, err)
		}
	}
	return nil
}
