package report

import (
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// Layout of the 附件2 sheet as the notice prints it: the label 附件2, the
// title, 填报单位（盖章） and 填报时间, then the header row that stays frozen
// and repeats on every printed page.
const (
	summarySheet     = "附件2"
	summaryHeaderRow = 4
)

// summaryWidths are the column widths of 附件2 in characters, in the
// order of SummaryColumns: long text columns wide, short ones narrow.
var summaryWidths = []float64{30, 22, 8, 50, 40, 10, 20, 26, 24}

// Title is the heading of the 附件2 table, the notice's own.
func (s *Summary) Title() string { return SummaryTitle }

// WriteXLSX writes the 附件2 table as the evaluating unit sends it: the
// label and title, 填报单位（盖章） and 填报时间, the nine columns of
// docs/rules.md §6 with USCCs as text, the lines for the signatures and
// the 注 line, on A4 landscape with the header repeated on every page.
func (s *Summary) WriteXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := s.fill(f); err != nil {
		return fmt.Errorf("附件2 xlsx: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write 附件2 xlsx: %w", err)
	}
	return nil
}

func (s *Summary) fill(f *excelize.File) error {
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	plain, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "center"}})
	if err != nil {
		return err
	}
	right, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "center"}})
	if err != nil {
		return err
	}
	center, err := f.NewStyle(&excelize.Style{Border: []excelize.Border{
		{Type: "left", Color: "9AA1A9", Style: 1}, {Type: "right", Color: "9AA1A9", Style: 1},
		{Type: "top", Color: "9AA1A9", Style: 1}, {Type: "bottom", Color: "9AA1A9", Style: 1},
	}, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "top"}})
	if err != nil {
		return err
	}
	// 统一社会信用代码 is text: 40 of 297 Xuchang codes are all digits, which
	// Excel would otherwise show as 1.24E+17 and round once edited.
	usccStyle, err := f.NewStyle(&excelize.Style{NumFmt: 49, Border: []excelize.Border{
		{Type: "left", Color: "9AA1A9", Style: 1}, {Type: "right", Color: "9AA1A9", Style: 1},
		{Type: "top", Color: "9AA1A9", Style: 1}, {Type: "bottom", Color: "9AA1A9", Style: 1},
	}, Alignment: &excelize.Alignment{Vertical: "top"}})
	if err != nil {
		return err
	}
	sh := summarySheet
	if err := f.SetSheetName(f.GetSheetName(0), sh); err != nil {
		return err
	}
	first := summaryHeaderRow + 1
	lastRow := first + len(s.Rows) - 1
	sign := lastRow + 2
	hdr := strconv.Itoa(summaryHeaderRow)
	filed := fmt.Sprintf("填报时间：%d年%d月%d日", s.Filed.Year(), s.Filed.Month(), s.Filed.Day())
	orientation, fit, fitH, a4 := "landscape", 1, 0, 9 // 9 is A4 in the OOXML paper-size table
	steps := []func() error{
		func() error { return f.SetCellStr(sh, "A1", "附件2") },
		func() error { return f.SetCellStyle(sh, "A1", "A1", plain) },
		func() error { return f.SetCellStr(sh, "A2", s.Title()) },
		func() error { return f.MergeCell(sh, "A2", "I2") },
		func() error { return f.SetCellStyle(sh, "A2", "I2", st.title) },
		func() error { return f.SetRowHeight(sh, 2, 30) },
		func() error { return f.SetCellStr(sh, "A3", "填报单位（盖章）："+s.Unit.Bureau()) },
		func() error { return f.MergeCell(sh, "A3", "D3") },
		func() error { return f.SetCellStyle(sh, "A3", "D3", plain) },
		func() error { return f.SetCellStr(sh, "F3", filed) },
		func() error { return f.MergeCell(sh, "F3", "I3") },
		func() error { return f.SetCellStyle(sh, "F3", "I3", right) },
		func() error { return setRow(f, sh, summaryHeaderRow, strs(SummaryColumns)) },
		func() error { return f.SetCellStyle(sh, "A"+hdr, "I"+hdr, st.header) },
		func() error { return f.SetRowHeight(sh, summaryHeaderRow, 32) },
		func() error {
			return f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: summaryHeaderRow, TopLeftCell: "A" + strconv.Itoa(first), ActivePane: "bottomLeft"})
		},
		func() error {
			return f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: "'" + sh + "'!$" + hdr + ":$" + hdr, Scope: sh})
		},
		func() error {
			return f.SetPageLayout(sh, &excelize.PageLayoutOptions{Size: &a4, Orientation: &orientation, FitToWidth: &fit, FitToHeight: &fitH})
		},
		func() error { return f.SetSheetProps(sh, &excelize.SheetPropsOptions{FitToPage: boolPtr(true)}) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	for c, wd := range summaryWidths {
		col, _ := excelize.ColumnNumberToName(c + 1)
		if err := f.SetColWidth(sh, col, col, wd); err != nil {
			return err
		}
	}
	for i, r := range s.Rows {
		row := first + i
		vals := []string{r.Name, r.USCC, r.Grade, r.Dishonesty, r.Measures, r.Exemplary, r.ExemplaryReason, r.Evaluator, r.Note}
		for c, v := range vals {
			ref, _ := excelize.CoordinatesToCellName(c+1, row)
			style := st.text
			switch c {
			case 1:
				style = usccStyle
			case 2, 5: // 信用等级, 是否选树: one short word
				style = center
			}
			if err := f.SetCellStr(sh, ref, v); err != nil {
				return err
			}
			if err := f.SetCellStyle(sh, ref, ref, style); err != nil {
				return err
			}
		}
	}
	signRow := strconv.Itoa(sign)
	for _, c := range []struct{ ref, text string }{{"A", "单位负责人："}, {"D", "填表人："}, {"G", "联系电话："}} {
		if err := f.SetCellStr(sh, c.ref+signRow, c.text); err != nil {
			return err
		}
	}
	if err := f.SetRowHeight(sh, sign, 28); err != nil {
		return err
	}
	note := "A" + strconv.Itoa(sign+1)
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	if err != nil {
		return err
	}
	for _, step := range []func() error{
		func() error { return f.SetCellStr(sh, note, SummaryNote) },
		func() error { return f.MergeCell(sh, note, "I"+strconv.Itoa(sign+1)) },
		func() error { return f.SetCellStyle(sh, note, note, wrap) },
		func() error { return f.SetRowHeight(sh, sign+1, 36) },
	} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

func boolPtr(b bool) *bool { return &b }
