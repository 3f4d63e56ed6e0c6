package report_test

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/report/reporttest"
)

// noticeLines reads a verbatim copy of one of the notice's attachments
// (testdata/notice, copied character for character from the notice's
// text, blank lines left out).
func noticeLines(t *testing.T, name string) []string {
	t.Helper()
	b, err := os.ReadFile("testdata/notice/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimRight(string(b), "\n"), "\n")
}

// 附件2 is the notice's form cell by cell: every row the notice prints,
// in its order, each cell its text, with only what creditsync fills in
// (the 填报单位, the 填报时间 when a date is given, the institutions)
// added; the example rows and "....." of the notice are where the
// institutions go.
func TestSummaryFormIsTheNotices(t *testing.T) {
	notice := noticeLines(t, "attachment2.txt")
	// The notice: label, title, 填报单位, 填报时间, header, two example
	// rows, ".....", then the signature lines and the 注.
	dots := -1
	for i, l := range notice {
		if strings.HasPrefix(l, ".....") {
			dots = i
		}
	}
	if dots != 7 {
		t.Fatalf("testdata/notice/attachment2.txt: ..... on line %d, want 8: %q", dots+1, notice)
	}
	cells := func(line string) []string { return strings.Split(strings.TrimRight(line, "\t"), "\t") }
	cases := []struct {
		name, unit string
		filed      time.Time
		wantFiled  string
	}{
		{"a county-level city, no date given", "411081", time.Time{}, notice[3]},
		{"a district, dated", "411003", reporttest.Day("2026-07-31"), "填报时间：2026年7月31日"},
		{"the city bureau, dated", report.CityCode, reporttest.Day("2026-07-31"), "填报时间：2026年7月31日"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := unit(t, c.unit)
			s, err := report.BuildSummary(t.Context(), reporttest.Fixture(), u, reporttest.Day("2026-07-31"), c.filed)
			if err != nil {
				t.Fatal(err)
			}
			rs := rows(t, openXLSX(t, render(t, s, "xlsx")), "附件2")
			var want [][]string
			for _, l := range notice[:2] {
				want = append(want, cells(l))
			}
			want = append(want, []string{notice[2] + u.Bureau()}, []string{c.wantFiled}, cells(notice[4]))
			for _, r := range s.Rows {
				want = append(want, []string{r.Name, r.USCC, r.Grade, r.Dishonesty, r.Measures, r.Exemplary, r.ExemplaryReason, r.Evaluator, r.Note})
			}
			for _, l := range notice[dots+1:] {
				want = append(want, cells(l))
			}
			if len(rs) != len(want) {
				t.Fatalf("%d rows, want %d:\n got %q\nwant %q", len(rs), len(want), rs, want)
			}
			for i := range want {
				got := rs[i]
				for len(got) > 0 && got[len(got)-1] == "" {
					got = got[:len(got)-1] // excelize pads rows to the widest merged cell
				}
				if len(got) != len(want[i]) {
					t.Errorf("row %d: %d cells %q, want %d %q", i+1, len(got), got, len(want[i]), want[i])
					continue
				}
				for j := range want[i] {
					if got[j] != want[i][j] {
						t.Errorf("row %d cell %d: %q, want %q", i+1, j+1, got[j], want[i][j])
					}
				}
			}
			if len(s.Rows) == 0 {
				t.Fatal("no institutions: the test would check only the frame")
			}
		})
	}
}

// Grades and 评价单位 are written the way the notice's example rows
// write them: "A 级", "XX 市人力资源和社会保障局" for the city and "XX 市 XX
// 县人力资源和社会保障局" for every county-level unit — districts, counties
// and county-level cities alike — so the column never mixes two styles.
func TestSummaryValuesFollowTheNoticesExamples(t *testing.T) {
	notice := noticeLines(t, "attachment2.txt")
	cityRow, countyRow := strings.Split(notice[5], "\t"), strings.Split(notice[6], "\t")
	if got := report.GradeLabel("A"); got != cityRow[2] {
		t.Errorf("GradeLabel(A) = %q, the notice writes %q", got, cityRow[2])
	}
	if got := report.GradeLabel("B"); got != countyRow[2] {
		t.Errorf("GradeLabel(B) = %q, the notice writes %q", got, countyRow[2])
	}
	// The notice's "XX 市" stands for the city, "XX 县" for a county-level
	// unit, whose own suffix (区, 县, 市) takes the place of 县.
	pattern := func(example string) *regexp.Regexp {
		p := regexp.QuoteMeta(example)
		p = strings.ReplaceAll(p, "XX 县", `(\p{Han}+?[区县市])`)
		p = strings.ReplaceAll(p, "XX 市", `(\p{Han}+?)市`)
		p = strings.ReplaceAll(p, " ", "") // the notice spaces words apart, names are written solid
		return regexp.MustCompile("^" + p + "$")
	}
	city, county := pattern(cityRow[7]), pattern(countyRow[7])
	for _, u := range report.Units() {
		b := u.Bureau()
		re, want := county, []string{"许昌", u.Name}
		if u.Code == "411000" {
			re, want = city, []string{"许昌"}
		}
		m := re.FindStringSubmatch(b)
		if m == nil || strings.Join(m[1:], "|") != strings.Join(want, "|") {
			t.Errorf("%s: 评价单位 %q does not read as the notice's %q with %q", u.Name, b, re, want)
		}
	}
	if got := report.City().Bureau(); got != "许昌市人力资源和社会保障局" {
		t.Errorf("the city's bureau %q", got)
	}
}

// letterLines returns the text of each paragraph and heading of each
// letter (article) of a 附件1 page, as a reader sees it.
func letterLines(t *testing.T, page []byte) [][]string {
	t.Helper()
	root, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var letters [][]string
	var text func(n *html.Node) string
	text = func(n *html.Node) string {
		if n.Type == html.TextNode {
			return n.Data
		}
		var b strings.Builder
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			b.WriteString(text(c))
		}
		return b.String()
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "article" {
			var lines []string
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.ElementNode {
					lines = append(lines, text(c))
				}
			}
			letters = append(letters, lines)
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return letters
}

// 附件1 is the notice's letter line by line: the blank form exactly, and
// a pre-filled letter with only the institution's name in the blank —
// escaped, whatever the name holds.
func TestCommitmentFormIsTheNotices(t *testing.T) {
	notice := noticeLines(t, "attachment1.txt")
	const blank = "_____"
	cases := []struct {
		name string
		doc  *report.Commitments
		want [][]string
	}{
		{"blank form", report.BlankCommitment(unit(t, "411002"), reporttest.Day("2026-07-31")), [][]string{notice}},
		{"two institutions", &report.Commitments{Unit: unit(t, "411002"), Day: reporttest.Day("2026-07-31"),
			Letters: []report.CommitmentLetter{{Name: "许昌未承诺人力资源有限公司", USCC: reporttest.ImageB}, {Name: reporttest.ScriptName, USCC: reporttest.ScriptC}}},
			[][]string{filled(notice, blank, "许昌未承诺人力资源有限公司"), filled(notice, blank, reporttest.ScriptName)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			page := render(t, c.doc, "html")
			if problems := reporttest.CheckHTML(page); len(problems) > 0 {
				t.Fatalf("page not safe: %v", problems)
			}
			got := letterLines(t, page)
			if len(got) != len(c.want) {
				t.Fatalf("%d letters, want %d", len(got), len(c.want))
			}
			for i := range c.want {
				if len(got[i]) != len(c.want[i]) {
					t.Errorf("letter %d: %d lines %q, want %d %q", i+1, len(got[i]), got[i], len(c.want[i]), c.want[i])
					continue
				}
				for j := range c.want[i] {
					if got[i][j] != c.want[i][j] {
						t.Errorf("letter %d line %d: %q, want %q", i+1, j+1, got[i][j], c.want[i][j])
					}
				}
			}
		})
	}
}

// filled is the notice's letter with its blank filled in.
func filled(notice []string, blank, name string) []string {
	out := make([]string, len(notice))
	for i, l := range notice {
		out[i] = strings.Replace(l, blank, name, 1)
	}
	return out
}

// A 附件1 letter prints A4 portrait, as a letter is: the stylesheet's
// @page is landscape for the reports' wide tables, and the letters
// printed landscape too. Their article names a page whose rule says
// portrait; an unnamed @page stays landscape (附件2, the trends).
func TestLettersPrintPortrait(t *testing.T) {
	page := string(render(t, report.BlankCommitment(unit(t, "411002"), reporttest.Day("2026-07-31")), "html"))
	named := regexp.MustCompile(`article\.letter\s*\{[^}]*\bpage:\s*([\w-]+)`).FindStringSubmatch(page)
	if named == nil {
		t.Fatal("the letters are on no named page: they print as the tables do, landscape")
	}
	rule := regexp.MustCompile(`@page\s+` + regexp.QuoteMeta(named[1]) + `\s*\{([^}]*)\}`).FindStringSubmatch(page)
	if rule == nil || !regexp.MustCompile(`size:\s*A4 portrait`).MatchString(rule[1]) {
		t.Errorf("page %q of the letters: %q, want size: A4 portrait", named[1], rule)
	}
	if !regexp.MustCompile(`@page\s*\{\s*size:\s*A4 landscape`).MatchString(page) {
		t.Error("the tables' unnamed @page is no longer landscape")
	}
}
