package report

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"
)

// A 合计 line that disagrees with the rows the table lists is a problem
// of the table; one that agrees, or none, is not.
func TestSheetTotalProblem(t *testing.T) {
	rows := []listedCode{{"91411082MA4000001N", 6, "A"}, {"91411082MA4000002R", 7, "B"}}
	for _, c := range []struct {
		declared, line int
		want           string
	}{
		{2, 9, ""},
		{3, 9, "a.xlsx 第 9 行合计为共 3 家，表中列出 2 家"},
		{0, 0, ""},
	} {
		got := strings.Join(sheetCheck{checked: true, declared: c.declared, declaredLine: c.line, rows: rows}.problems("a.xlsx"), "\n")
		if got != c.want {
			t.Errorf("共 %d 家 on line %d: %q, want %q", c.declared, c.line, got, c.want)
		}
	}
}

// A USCC listed twice with different grades is a duplicate, on one sheet
// or across the tables of one filing; twice alike is none.
func TestSheetDuplicates(t *testing.T) {
	checks := map[string]sheetCheck{
		"a.xlsx": {checked: true, rows: []listedCode{{"X", 2, "A"}, {"Y", 3, "B"}, {"X", 4, "B"}, {"Y", 5, "B"}}},
		"b.xlsx": {checked: true, rows: []listedCode{{"Z", 2, "A"}}},
		"c.xlsx": {checked: true, rows: []listedCode{{"Z", 2, "C"}}},
	}
	got := fmt.Sprint(duplicates([]string{"a.xlsx", "b.xlsx", "c.xlsx"}, checks))
	want := fmt.Sprint([]duplicate{
		{"X", []place{{"a.xlsx", 2, "A"}, {"a.xlsx", 4, "B"}}},
		{"Z", []place{{"b.xlsx", 2, "A"}, {"c.xlsx", 2, "C"}}},
	})
	if got != want {
		t.Errorf("duplicates %s, want %s", got, want)
	}
}

// The review says when the file at a table's path is no longer the one
// filed, or is gone, and when a table filed before the checks were
// recorded was not checked; a file as filed is said nothing of.
func TestSheetNotes(t *testing.T) {
	filed := sheetCheck{checked: true, path: "/f/a.xlsx", digest: "d1"}
	for _, c := range []struct {
		name  string
		check sheetCheck
		now   string
		err   error
		want  string
	}{
		{"as filed", filed, "d1", nil, ""},
		{"saved over", filed, "d2", nil, "在导入后已被修改"},
		{"gone", filed, "", fs.ErrNotExist, "在导入后已不存在"},
		{"unreadable", filed, "", errors.New("permission denied"), "现在无法读取（permission denied）"},
		{"filed before the checks were recorded", sheetCheck{}, "d1", nil, "未核对合计行和重复行"},
	} {
		t.Run(c.name, func(t *testing.T) {
			notes := c.check.notes("/f/a.xlsx", func(string) (string, error) { return c.now, c.err })
			got := strings.Join(notes, "\n")
			if c.want == "" && got != "" || c.want != "" && (len(notes) != 1 || !strings.Contains(got, c.want)) {
				t.Errorf("notes %q, want one saying %q", got, c.want)
			}
		})
	}
}
