package contract

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// filled are the columns the importer appends to every row of a 附件2.
var filled = []string{SubmissionUnit, SubmissionDay, SubmissionFiling}

// A 附件2 header with a column misspelt is refused naming the header as
// the county's file has it: not the columns the importer appends to it,
// which no file has (the message listed "unit_code" "as_of" "filing"
// among the clerk's headings).
func TestSubmissionsHeaderErrorShowsTheFilesHeader(t *testing.T) {
	header := []string{"机构名称", "统一社会信用代码", "信用等极", "备注"}
	_, err := Submissions().Map(append(append([]string{}, header...), filled...))
	if err == nil || !errors.Is(err, ErrHeader) {
		t.Fatalf("Map: %v, want ErrHeader", err)
	}
	want := `list submissions needs column(s) grade (信用等级); the header has ["机构名称" "统一社会信用代码" "信用等极" "备注"]`
	if !strings.HasSuffix(err.Error(), want) {
		t.Errorf("error %q, want it to end %q", err, want)
	}
}

// What counties write in a 附件2's 信用等级 and 是否选树为诚信机构典型 cells:
// a grade with its spaces doubled (" A  级") is the grade, as "A 级" is;
// 是否选树 is stored as 是 or 否 whichever of the accepted spellings was
// written, blank when blank, and a value that is neither is refused
// naming the column.
func TestSubmissionValues(t *testing.T) {
	m, err := Submissions().Map([]string{"机构名称", "统一社会信用代码", "信用等级", "是否选树为诚信机构典型", SubmissionUnit, SubmissionDay, SubmissionFiling})
	if err != nil {
		t.Fatal(err)
	}
	parse := func(grade, exemplary string) (*Row, []*FieldError) {
		return m.Parse([]string{"禹州甲人力资源有限公司", "914403001922038216", grade, exemplary, "411081", "2026-07-31", "2026-07-31T00:00:00.000000000Z"})
	}
	for _, g := range []string{"A", "a级", "A 级", " A  级", "A\u3000\u3000级", "Ａ　级", "A\n级"} {
		row, errs := parse(g, "")
		if len(errs) > 0 {
			t.Errorf("grade %q refused: %v", g, errs)
			continue
		}
		if got := row.Get("grade"); got != "A" {
			t.Errorf("grade %q stored as %v, want A", g, got)
		}
	}
	for _, c := range []struct{ written, stored string }{
		{"是", "是"}, {"是的", "是"}, {"√", "是"}, {"✓", "是"}, {"1", "是"}, {"Y", "是"}, {"yes", "是"}, {" 是 ", "是"},
		{"否", "否"}, {"不是", "否"}, {"×", "否"}, {"0", "否"}, {"N", "否"}, {"/", "否"}, {"－", "否"}, {"无", "否"},
		{"", ""},
	} {
		row, errs := parse("A 级", c.written)
		if len(errs) > 0 {
			t.Errorf("是否选树 %q refused: %v", c.written, errs)
			continue
		}
		if got := row.Get("exemplary"); got != c.stored {
			t.Errorf("是否选树 %q stored as %q, want %q", c.written, got, c.stored)
		}
		if Exemplary(c.written) != (c.stored == "是") {
			t.Errorf("Exemplary(%q) = %v", c.written, !(c.stored == "是"))
		}
	}
	for _, v := range []string{"可能", "待定", "A"} {
		_, errs := parse("A 级", v)
		if len(errs) != 1 || errs[0].Column != "是否选树为诚信机构典型" || errs[0].Reason != ReasonEnum {
			t.Errorf("是否选树 %q: %v, want it refused naming the column", v, errs)
		}
	}
}

// 是否选树为诚信机构典型 as counties head it: every spelling the forms
// use is read as the column (its 是 marks are what reconcile checks), and
// a header that mentions 典型 or 选树 otherwise is refused naming the
// column — never kept as an extra column nothing reads. Where the column
// is there, another header mentioning 典型 is an extra column as any.
func TestExemplaryHeaderIsReadOrRefused(t *testing.T) {
	base := []string{"机构名称", "统一社会信用代码", "信用等级"}
	for _, c := range []struct {
		headers []string
		want    string // the key of the last header, or "refused"
	}{
		{[]string{"是否选树为诚信机构典型"}, "exemplary"},
		{[]string{"是否为诚信机构典型"}, "exemplary"},
		{[]string{"是否选树"}, "exemplary"},
		{[]string{"是否选树为诚信机构"}, "exemplary"},
		{[]string{"是否选树\n为诚信机构典型"}, "exemplary"},
		{[]string{"选树理由"}, "exemplary_reason"},
		{[]string{"是否评为诚信机构典型"}, "refused"},
		{[]string{"诚信机构典型/是否"}, "refused"},
		{[]string{"拟选树"}, "refused"},
		{[]string{"是否选树为诚信机构典型", "诚信典型事迹"}, ""},
	} {
		h := append(append(append([]string{}, base...), c.headers...), filled...)
		m, err := Submissions().Map(h)
		last := c.headers[len(c.headers)-1]
		switch {
		case c.want == "refused":
			if !errors.Is(err, ErrHeader) || !strings.Contains(err.Error(), "是否选树为诚信机构典型") || !strings.Contains(err.Error(), last) {
				t.Errorf("%q: %v, want refused naming it and 是否选树为诚信机构典型", c.headers, err)
			}
		case err != nil:
			t.Errorf("%q: %v", c.headers, err)
		case c.want == "":
			if got := m.Extra(); len(got) != 1 || got[0] != last {
				t.Errorf("%q: extra %q, want [%s]", c.headers, got, last)
			}
		case Submissions().HeaderKey(last) != c.want || m.Index(c.want) != len(base)+len(c.headers)-1:
			t.Errorf("%q: read as %q, want %s", c.headers, Submissions().HeaderKey(last), c.want)
		}
	}
}

// A refused grade lists what may be written as the forms write it: A 级,
// not the lower-cased keys the lookup keeps.
func TestGradeSpellingsAsWritten(t *testing.T) {
	var grade Column
	for _, c := range Submissions().Columns {
		if c.Key == "grade" {
			grade = c
		}
	}
	got := grade.Spellings()
	for _, want := range []string{"A 级", "A级", "D", "B 级"} {
		if !slices.Contains(strings.Split(got, ", "), want) {
			t.Errorf("Spellings %q: no %q", got, want)
		}
	}
	if strings.Contains(got, "a 级") || strings.Contains(got, "a,") {
		t.Errorf("Spellings %q: lower-cased grades", got)
	}
}
