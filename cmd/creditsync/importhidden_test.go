package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuchang-hrss/creditsync/ingest/file"
)

// A list's rows and columns that the sheet hides and that hold values are
// read, and the import says so, naming them and what to do.
func TestImportNamesHiddenCells(t *testing.T) {
	for _, c := range []struct {
		hidden file.Hidden
		want   string // "" for nothing said
	}{
		{file.Hidden{}, ""},
		{file.Hidden{Rows: [][2]int{{5, 6}, {9, 9}}, Cols: []int{7}},
			"  read although hidden in the sheet: the values in hidden rows 5–6 and 9 (3 rows), column G (Excel and WPS neither show nor print hidden rows and columns; a filter hides rows): check them, and if they do not belong to institutions, delete them and import the file again with --replaces B1\n"},
	} {
		var out bytes.Buffer
		sr := file.SheetResult{Ref: "名册.xlsx", Hidden: c.hidden}
		sr.List, sr.BatchID = "institutions", "B1"
		printSheetDetails(&out, sr)
		got := out.String()
		if c.want == "" && strings.Contains(got, "hidden") || !strings.Contains(got, c.want) {
			t.Errorf("%+v: printed %q, want %q", c.hidden, got, c.want)
		}
	}
}
