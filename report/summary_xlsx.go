package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// summarySheet is the name of the 附件2 sheet; its rows are the form's
// (templates/summary.tsv).
const summarySheet = "附件2"

// summaryWidths are the column widths of 附件2 in characters, in the
// order of SummaryColumns: long text columns wide, short ones narrow.
var summaryWidths = []float64{30, 22, 8, 50, 40, 10, 20, 26, 24}

// Title is the heading of the 附件2 table, the notice's own.
func (s *Summary) Title() string { return SummaryTitle }

// WriteXLSX writes the 附件2 table as the evaluating unit sends it: the
// form of the notice row by row (templates/summary.tsv) — label, title,
// 填报单位（盖章）, 填报时间, the nine columns with USCCs as text, the
// signature lines and the 注 — on A4 landscape with the header repeated
// on every page.
func (s *Summary) WriteXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := s.fill(f); err != nil {
		return fmt.Errorf("附件2 xlsx: %w", err)
	}
	if err := finishXLSX(w, f, s.Unit.Name+SummaryTitle); err != nil {
		return fmt.Errorf("附件2 %w", err)
	}
	return nil
}

// filedText is what follows 填报时间： — the date when one is given, else
// the notice's blank.
func (s *Summary) filedText() string {
	if s.Filed.IsZero() {
		return blankDate
	}
	return dayCN(s.Filed)
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
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	if err != nil {
		return err
	}
	border := []excelize.Border{
		{Type: "left", Color: "9AA1A9", Style: 1}, {Type: "right", Color: "9AA1A9", Style: 1},
		{Type: "top", Color: "9AA1A9", Style: 1}, {Type: "bottom", Color: "9AA1A9", Style: 1},
	}
	center, err := f.NewStyle(&excelize.Style{Border: border, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "top"}})
	if err != nil {
		return err
	}
	// 统一社会信用代码 is text: 40 of 297 Xuchang codes are all digits, which
	// Excel would otherwise show as 1.24E+17 and round once edited.
	usccStyle, err := f.NewStyle(&excelize.Style{NumFmt: 49, Border: border, Alignment: &excelize.Alignment{Vertical: "top"}})
	if err != nil {
		return err
	}
	sh := summarySheet
	if err := f.SetSheetName(f.GetSheetName(0), sh); err != nil {
		return err
	}
	form := summaryForm
	lastCol, _ := excelize.ColumnNumberToName(len(form.columns()))
	row := 0 // the last sheet row written
	for i, cells := range form.rows {
		if i == form.data {
			for _, r := range s.Rows {
				row++
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
			continue
		}
		row++
		n := strconv.Itoa(row)
		if i == form.header {
			if err := setRow(f, sh, row, strs(cells)); err != nil {
				return err
			}
			if err := f.SetCellStyle(sh, "A"+n, lastCol+n, st.header); err != nil {
				return err
			}
			if err := f.SetRowHeight(sh, row, 32); err != nil {
				return err
			}
			continue
		}
		// A line of the notice is one cell; the title and the 注 span the
		// table's width so they print across it.
		text := strings.NewReplacer(formUnit, s.Unit.Bureau(), formFiled, s.filedText()).Replace(cells[0])
		if err := f.SetCellStr(sh, "A"+n, text); err != nil {
			return err
		}
		style := plain
		switch text {
		case SummaryTitle:
			style = st.title
			if err := f.SetRowHeight(sh, row, 30); err != nil {
				return err
			}
		case SummaryNote:
			style = wrap
			if err := f.SetRowHeight(sh, row, 36); err != nil {
				return err
			}
		}
		if text == SummaryTitle || text == SummaryNote {
			if err := f.MergeCell(sh, "A"+n, lastCol+n); err != nil {
				return err
			}
		}
		if err := f.SetCellStyle(sh, "A"+n, "A"+n, style); err != nil {
			return err
		}
	}
	hdr := form.header + 1
	if err := f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: hdr, TopLeftCell: "A" + strconv.Itoa(hdr+1), ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := setPrint(f, sh, hdr, tableWidth(summaryWidths, len(summaryWidths))); err != nil {
		return err
	}
	for c, wd := range summaryWidths {
		col, _ := excelize.ColumnNumberToName(c + 1)
		if err := f.SetColWidth(sh, col, col, wd); err != nil {
			return err
		}
	}
	return nil
}

func boolPtr(b bool) *bool { return &b }
