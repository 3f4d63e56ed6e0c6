package file_test

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/xuchang-hrss/creditsync/contract"
	"github.com/xuchang-hrss/creditsync/ingest/file"
	"github.com/xuchang-hrss/creditsync/storetest"
)

// hideIn writes a copy of the workbook from, changed by edit, to a new
// file in dir, and returns its path.
func hideIn(t *testing.T, dir, from, name string, edit func(f *excelize.File, sheet string) error) string {
	t.Helper()
	f, err := excelize.OpenFile(from)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := edit(f, f.GetSheetList()[0]); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// A 附件2 whose sheet hides rows or columns that hold values is refused
// whole, naming the sheet and the rows and columns as Excel numbers them:
// Excel and WPS neither show nor print them, so the table the county
// sealed is not what the file holds. A hidden repeat of an institution
// decided its grade (the later line is kept), a hidden row was filed as
// the county's report, a hidden 是 was read. The unit's earlier filing
// stands. Hidden rows and columns that hold nothing are harmless.
func TestImportSummaryRefusesHiddenValues(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	// The notice's layout, its grade that is none (优) corrected: a table
	// with a rejected row is refused whole, hidden cells or not.
	base := hideIn(t, dir, filepath.Join("testdata", "workbooks", "附件2-禹州市.xlsx"), "附件2-禹州市.xlsx", func(f *excelize.File, sheet string) error {
		return f.SetCellValue(sheet, "D8", "B级")
	})
	for _, c := range []struct {
		name string
		edit func(f *excelize.File, sheet string) error
		want string // "" when the table is filed
	}{
		{"hidden repeat with another grade", func(f *excelize.File, sheet string) error {
			row := []any{5, "禹州鼎盛劳务派遣有限公司", uscc("411081", 1), "D级", "无", "无", "否", nil, "禹州市人力资源和社会保障局"}
			if err := f.SetSheetRow(sheet, "A12", &row); err != nil {
				return err
			}
			return f.SetRowVisible(sheet, 12, false)
		}, "sheet Sheet1 has values in hidden row 12;"},
		{"a record's row hidden", func(f *excelize.File, sheet string) error {
			if err := f.SetCellValue(sheet, "D6", "D级"); err != nil {
				return err
			}
			return f.SetRowVisible(sheet, 6, false)
		}, "sheet Sheet1 has values in hidden row 6;"},
		{"rows of an outline collapsed", func(f *excelize.File, sheet string) error {
			for _, r := range []int{6, 7} {
				if err := f.SetRowOutlineLevel(sheet, r, 1); err != nil {
					return err
				}
				if err := f.SetRowVisible(sheet, r, false); err != nil {
					return err
				}
			}
			return nil
		}, "sheet Sheet1 has values in hidden rows 6–7 (2 rows);"},
		{"是否选树 column hidden", func(f *excelize.File, sheet string) error {
			return f.SetColVisible(sheet, "G", false)
		}, "sheet Sheet1 has values in hidden column G;"},
		{"a column of no width", func(f *excelize.File, sheet string) error {
			return f.SetColWidth(sheet, "H", "H", 0)
		}, "sheet Sheet1 has values in hidden column H;"},
		{"rows and columns", func(f *excelize.File, sheet string) error {
			for _, r := range []int{5, 7} {
				if err := f.SetRowVisible(sheet, r, false); err != nil {
					return err
				}
			}
			return f.SetColVisible(sheet, "G:H", false)
		}, "sheet Sheet1 has values in hidden rows 5 and 7, columns G and H;"},
		{"empty rows and columns hidden", func(f *excelize.File, sheet string) error {
			for _, r := range []int{9, 15} {
				if err := f.SetRowVisible(sheet, r, false); err != nil {
					return err
				}
			}
			return f.SetColVisible(sheet, "K:Z", false)
		}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := storetest.OpenMigrated(t)
			if _, err := file.ImportSummary(ctx, s, base, file.SummaryOptions{}); err != nil {
				t.Fatal(err)
			}
			before := submitted(t, s)
			path := hideIn(t, dir, base, strings.ReplaceAll(c.name, " ", "-")+".xlsx", c.edit)
			res, err := file.ImportSummary(ctx, s, path, file.SummaryOptions{})
			if c.want == "" {
				if err != nil || res.Loaded != 4 {
					t.Fatalf("loaded %d, %v; want the table filed as it shows", res.Loaded, err)
				}
				return
			}
			if !errors.Is(err, file.ErrHiddenCells) || !strings.HasPrefix(err.Error(), path+": ") ||
				!strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "Nothing was filed: unhide them") {
				t.Fatalf("import: %v\nwant ErrHiddenCells naming the file and %q, and what to do", err, c.want)
			}
			if got := submitted(t, s); got != before {
				t.Errorf("submissions after the refusal\n%s\nwant the earlier filing\n%s", got, before)
			}
		})
	}
}

// Excel writes hidden="1" where excelize writes hidden="true": both hide.
func TestImportSummaryRefusesHiddenAsExcelWritesIt(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join("testdata", "workbooks", "附件2-禹州市.xlsx")
	path := hideIn(t, dir, base, "excelize.xlsx", func(f *excelize.File, sheet string) error {
		if err := f.SetRowVisible(sheet, 6, false); err != nil {
			return err
		}
		return f.SetColVisible(sheet, "G", false)
	})
	excel := filepath.Join(dir, "excel.xlsx")
	rewriteZip(t, path, excel, "xl/worksheets/sheet1.xml", func(x string) string {
		if !strings.Contains(x, `hidden="true"`) {
			t.Fatalf("the sheet hides nothing as excelize writes it:\n%s", x)
		}
		return strings.ReplaceAll(x, `hidden="true"`, `hidden="1"`)
	})
	_, err := file.ImportSummary(context.Background(), storetest.OpenMigrated(t), excel, file.SummaryOptions{})
	if !errors.Is(err, file.ErrHiddenCells) || !strings.Contains(err.Error(), "has values in hidden row 6, column G;") {
		t.Fatalf("import: %v; want ErrHiddenCells naming row 6 and column G", err)
	}
}

// A list's table reads the rows and columns its sheet hides — the
// records are in the file, and an AutoFilter hides rows as a matter of
// course — and names those that hold values, never silently.
func TestImportNamesHiddenRowsAndColumns(t *testing.T) {
	ctx := context.Background()
	list, _ := contract.Lookup("institutions")
	base := filepath.Join("testdata", "workbooks", "register.xlsx")
	for _, c := range []struct {
		name string
		edit func(f *excelize.File, sheet string) error
		want file.Hidden
	}{
		{"nothing hidden", func(*excelize.File, string) error { return nil }, file.Hidden{}},
		{"rows of a filter and a column", func(f *excelize.File, sheet string) error {
			for _, r := range []int{5, 6, 9, 8} { // 8 is blank
				if err := f.SetRowVisible(sheet, r, false); err != nil {
					return err
				}
			}
			if err := f.SetColVisible(sheet, "G", false); err != nil {
				return err
			}
			return f.SetColVisible(sheet, "J:XFD", false) // empty
		}, file.Hidden{Rows: [][2]int{{5, 6}, {9, 9}}, Cols: []int{7}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := hideIn(t, t.TempDir(), base, "register.xlsx", c.edit)
			res, err := file.Import(ctx, storetest.OpenMigrated(t), list, path, file.ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Read != 5 {
				t.Errorf("read %d, want the 5 records, hidden or not", res.Read)
			}
			if got := res.Sheets[0].Hidden; !reflect.DeepEqual(got, c.want) {
				t.Errorf("hidden %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestHiddenString(t *testing.T) {
	many := file.Hidden{}
	for r := 2; r <= 60; r += 2 {
		many.Rows = append(many.Rows, [2]int{r, r})
	}
	for _, c := range []struct {
		h    file.Hidden
		want string
	}{
		{file.Hidden{Rows: [][2]int{{55, 55}}}, "row 55"},
		{file.Hidden{Rows: [][2]int{{12, 12}, {55, 55}}}, "rows 12 and 55"},
		{file.Hidden{Rows: [][2]int{{12, 40}, {55, 55}}, Cols: []int{6}}, "rows 12–40 and 55 (30 rows), column F"},
		{file.Hidden{Cols: []int{6, 8, 28}}, "columns F, H and AB"},
		{many, "rows 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 36, 38, 40 … (30 rows)"},
	} {
		if got := c.h.String(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.h, got, c.want)
		}
	}
}
