package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuchang-hrss/creditsync/report"
	"github.com/xuchang-hrss/creditsync/report/reporttest"
	"github.com/xuchang-hrss/creditsync/storetest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// now is when the fixture's reports are made: after the July month-end,
// so every month of the golden files is complete.
var (
	now   = time.Date(2026, 8, 3, 9, 30, 0, 0, time.UTC)
	today = reporttest.Day("2026-08-03")
)

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; if the change is intended, run go test ./report -update and review the diff", name)
	}
}

func unit(t *testing.T, code string) report.Unit {
	t.Helper()
	u, err := report.LookupUnit(code)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func months(t *testing.T, from, to string) report.Months {
	t.Helper()
	m, err := report.ParseMonths(from, to, today)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func render(t *testing.T, doc any, format string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := report.Write(&buf, doc, format); err != nil {
		t.Fatalf("write %s: %v", format, err)
	}
	return buf.Bytes()
}

func countyTrend(t *testing.T) *report.Trend {
	t.Helper()
	tr, err := report.CountyTrend(context.Background(), reporttest.Fixture(), unit(t, "411002"), months(t, "2025-09", "2026-07"), now)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func overview(t *testing.T) *report.Overview {
	t.Helper()
	o, err := report.CityOverview(context.Background(), reporttest.Fixture(), months(t, "2025-09", "2026-07"), now)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func publicList(t *testing.T, code string) *report.PublicList {
	t.Helper()
	l, err := report.BuildPublicList(context.Background(), reporttest.Fixture(), unit(t, code), reporttest.Day("2026-07-31"), now)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestCountyTrend(t *testing.T) {
	tr := countyTrend(t)
	if len(tr.Periods) != 11 || len(tr.Steps) != 11 {
		t.Fatalf("%d periods and %d steps, want 11 each (2025-09 … 2026-07)", len(tr.Periods), len(tr.Steps))
	}
	// 魏都区 at 2026-07-31: two A (one new since February), two B.
	if got := tr.Latest().Dist; got != (report.Dist{2, 2, 0, 0}) {
		t.Errorf("latest distribution %v, want [2 2 0 0]", got)
	}
	// The city: 市本级 A, 郑州 B, 禹州 C, 建安 D (its A was cancelled in April).
	if got := tr.Latest().City; got != (report.Dist{3, 3, 1, 1}) {
		t.Errorf("latest city distribution %v, want [3 3 1 1]", got)
	}
	byEnd := map[string]report.Step{}
	for _, s := range tr.Steps {
		byEnd[s.To.Format("2006-01")] = s
	}
	if s := byEnd["2026-02"]; s.Entered != 1 {
		t.Errorf("February: %d entered, want the new institution", s.Entered)
	}
	if s := byEnd["2026-03"]; s.Moves[0][2] != 1 {
		t.Errorf("March: A→C %d, want 1", s.Moves[0][2])
	}
	if s := byEnd["2026-06"]; s.Moves[2][1] != 1 {
		t.Errorf("June: C→B %d, want 1", s.Moves[2][1])
	}
	if len(tr.Downgrades) != 1 {
		t.Fatalf("downgrades %+v, want the one of 2026-03-10", tr.Downgrades)
	}
	d := tr.Downgrades[0]
	if d.USCC != reporttest.ScriptC || d.From != "A" || d.To != "C" || len(d.Clauses) != 1 || d.Clauses[0].ID != "C2" {
		t.Errorf("downgrade %+v, want %s A→C by C2", d, reporttest.ScriptC)
	}
	var ids []string
	for _, c := range tr.Clauses {
		ids = append(ids, c.ID)
	}
	if !slices.Equal(ids, []string{"B1", "B3", "C2"}) {
		t.Errorf("clauses by frequency %v, want B1, B3 (held at the end), C2", ids)
	}
}

func TestCityOverview(t *testing.T) {
	o := overview(t)
	var names []string
	for _, u := range o.Units {
		names = append(names, u.Unit.Code)
	}
	want := []string{"411000", "411002", "411003", "411024", "411025", "411081", "411082", "other"}
	if !slices.Equal(names, want) {
		t.Errorf("units %v, want %v", names, want)
	}
	if got := o.City.Latest().Dist.Total(); got != 8 {
		t.Errorf("city total %d at the last month-end, want 8", got)
	}
	var downs []string
	for _, d := range o.City.Downgrades {
		downs = append(downs, d.Day.Format(time.DateOnly)+" "+d.USCC+" "+string(d.From)+"→"+string(d.To))
	}
	wantDowns := []string{"2025-10-20 " + reporttest.FormulaD + " B→D", "2026-01-12 " + reporttest.OutsideB + " A→B", "2026-03-10 " + reporttest.ScriptC + " A→C"}
	if !slices.Equal(downs, wantDowns) {
		t.Errorf("city downgrades %v, want %v", downs, wantDowns)
	}
}

func TestGoldenFiles(t *testing.T) {
	tr, o := countyTrend(t), overview(t)
	pub := publicList(t, "411002")
	for _, c := range []struct {
		name, format string
		doc          any
	}{
		{"county_411002.html", "html", tr},
		{"county_411002.csv", "csv", tr},
		{"city.html", "html", o},
		{"city.csv", "csv", o},
		{"public_411002.html", "html", pub},
		{"public_411002.csv", "csv", pub},
	} {
		t.Run(c.name, func(t *testing.T) { golden(t, c.name+".golden", render(t, c.doc, c.format)) })
	}
}

// Every HTML report is one file that fetches nothing and runs nothing,
// and shows hostile names as text.
func TestHTMLIsSelfContainedAndEscaped(t *testing.T) {
	tr, o := countyTrend(t), overview(t)
	body, err := report.TrendBody(tr)
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string][]byte{
		"county":      render(t, tr, "html"),
		"city":        render(t, o, "html"),
		"public":      render(t, publicList(t, "411002"), "html"),
		"public city": render(t, publicList(t, report.CityCode), "html"),
		"trend body":  []byte(body),
	}
	for name, doc := range docs {
		for _, p := range reporttest.CheckHTML(doc) {
			t.Errorf("%s: %s", name, p)
		}
		if !bytes.Contains(doc, []byte("&lt;script&gt;alert(1)&lt;/script&gt;")) {
			t.Errorf("%s: the name %s is not shown escaped", name, reporttest.ScriptName)
		}
		if !slices.Contains(reporttest.TextNodes(doc), reporttest.ScriptName) {
			t.Errorf("%s: the name %s does not arrive as text", name, reporttest.ScriptName)
		}
	}
}

// The public list says who has which grade and nothing internal.
func TestPublicListHoldsNothingInternal(t *testing.T) {
	l := publicList(t, report.CityCode)
	for _, format := range []string{"html", "csv"} {
		out := string(render(t, l, format))
		for _, secret := range []string{"未签订", "C2", "责令限期整改", "多收", "拖欠劳动报酬", "inspection", "许建市监罚", "诚信机构典型", "连续三年"} {
			if strings.Contains(out, secret) {
				t.Errorf("public %s contains %q", format, secret)
			}
		}
		for _, want := range []string{reporttest.PlainA, "许昌德信人力资源服务有限公司", "2026-01-01", "2026-12-31"} {
			if !strings.Contains(out, want) {
				t.Errorf("public %s lacks %q", format, want)
			}
		}
	}
}

// A name that is a spreadsheet formula stays text in CSV.
func TestCSVDefusesFormulas(t *testing.T) {
	out := string(render(t, publicList(t, report.CityCode), "csv"))
	if !strings.HasPrefix(out, "\ufeff") {
		t.Error("CSV lacks the UTF-8 BOM Excel needs")
	}
	if !strings.Contains(out, `"'=HYPERLINK(""https://evil.example"",""点我"")"`) {
		t.Errorf("formula name not defused:\n%s", out)
	}
}

func TestFormats(t *testing.T) {
	all := []string{"html", "csv", "xlsx"}
	for _, c := range []struct{ path, flag, want string }{
		{"a.html", "", "html"}, {"a.HTM", "", "html"}, {"x/y.csv", "", "csv"}, {"附件2.xlsx", "", "xlsx"}, {"a.txt", "csv", "csv"},
	} {
		if got, err := report.FormatOf(c.path, c.flag, all); err != nil || got != c.want {
			t.Errorf("FormatOf(%q, %q) = %q, %v; want %q", c.path, c.flag, got, err, c.want)
		}
	}
	// The error names the formats of the report asked for: 附件1's -o
	// x.pdf was told "want html, csv or xlsx", and then refused csv.
	for _, c := range []struct {
		path, flag string
		formats    []string
		says       string
	}{
		{"a", "", all, "--format (html, csv, xlsx)"},
		{"a.pdf", "", all, `"pdf": this report is written as html, csv, xlsx`},
		{"a.html", "doc", all, `"doc"`},
		{"x.pdf", "", []string{"html"}, `"pdf": this report is written as html`},
		{"x.csv", "", []string{"html"}, `"csv": this report is written as html`},
		{"x", "", []string{"html"}, "--format (html)"},
	} {
		_, err := report.FormatOf(c.path, c.flag, c.formats)
		if err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("FormatOf(%q, %q, %v): %v, want an error saying %q", c.path, c.flag, c.formats, err, c.says)
		}
	}
	var buf bytes.Buffer
	if err := report.Write(&buf, summary(t, "411002"), "csv"); err == nil || !strings.Contains(err.Error(), "xlsx") {
		t.Errorf("附件2 as csv: %v, want an error naming xlsx", err)
	}
}

func TestCheckDay(t *testing.T) {
	for day, ok := range map[string]bool{"2026-08-03": true, "2000-01-01": true, "2026-08-04": false, "1999-12-31": false} {
		if err := report.CheckDay(reporttest.Day(day), today); (err == nil) != ok {
			t.Errorf("CheckDay(%s) = %v", day, err)
		}
	}
	// The day asked for is named, the first too.
	if err := report.CheckDay(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), today); err == nil || !strings.Contains(err.Error(), "0001-01-01 is before 2000-01-01") {
		t.Errorf("CheckDay(0001-01-01) = %v, want it named", err)
	}
}

func TestParseMonths(t *testing.T) {
	m, err := report.ParseMonths("", "", reporttest.Day("2026-08-03"))
	if err != nil {
		t.Fatal(err)
	}
	// Two years by default, so the last twelve months have their 同比.
	if len(m.Ends) != 24 || m.Ends[0].Format(time.DateOnly) != "2024-09-30" || m.Ends[23].Format(time.DateOnly) != "2026-08-03" || m.Base.Format(time.DateOnly) != "2024-08-31" {
		t.Errorf("default months %v from %v, want 2024-09-30 … 2026-08-03 (today) from 2024-08-31", m.Ends, m.Base)
	}
	m, err = report.ParseMonths("2024-01", "2024-02", today)
	if err != nil || m.Ends[1].Format(time.DateOnly) != "2024-02-29" {
		t.Errorf("February 2024 ends %v (%v), want the 29th", m.Ends, err)
	}
	for _, c := range [][2]string{{"2026-07", "2026-01"}, {"2020-01", "2026-01"}, {"2026-13", ""}, {"2027-01", "2027-02"}, {"July", ""}, {"1999-12", "2000-01"}} {
		if _, err := report.ParseMonths(c[0], c[1], today); err == nil {
			t.Errorf("ParseMonths(%q, %q) accepted", c[0], c[1])
		}
	}
}

// Months before the first grade are "no data" in the table, the chart and
// the CSV, never zero institutions.
func TestMonthsBeforeTheFirstEvaluationAreNoData(t *testing.T) {
	tr, err := report.CountyTrend(context.Background(), reporttest.Fixture(), unit(t, "411002"), months(t, "2024-11", "2025-02"), now)
	if err != nil {
		t.Fatal(err)
	}
	var flags []bool
	for _, p := range tr.Periods {
		flags = append(flags, p.NoData)
	}
	if fmt.Sprint(flags) != "[true true false false]" {
		t.Fatalf("no-data months %v, want the two before 2025-01-01", flags)
	}
	csvText := string(render(t, tr, "csv"))
	if !strings.Contains(csvText, "2024-11-30,无数据,无数据") || strings.Contains(csvText, "2024-11-30,0,") {
		t.Errorf("CSV shows the months before the first grade as zero:\n%s", csvText)
	}
	if html := string(render(t, tr, "html")); strings.Count(html, "无数据") < 2 {
		t.Errorf("HTML chart and table do not mark the months without data")
	}
	// The city overview's C+D占比 sheet said "—" there, the sign of a
	// unit without institutions.
	o, err := report.CityOverview(context.Background(), reporttest.Fixture(), months(t, "2024-11", "2025-02"), now)
	if err != nil {
		t.Fatal(err)
	}
	f := openXLSX(t, render(t, o, "xlsx"))
	share := rows(t, f, "C+D占比")
	for _, r := range share {
		if r[0] != "2024-11-30" && r[0] != "2024-12-31" {
			continue
		}
		for _, v := range r[1:] {
			if v != "无数据" {
				t.Errorf("C+D占比 of %s: %q, want 无数据 in every column", r[0], r)
				break
			}
		}
	}
	if !strings.Contains(string(render(t, o, "csv")), "2024-11-30,无数据,无数据,无数据") {
		t.Error("the overview's CSV does not mark the C+D share before the first grade 无数据")
	}
}

// Year on year beside month on month: the C+D share's change against the
// month before and the same month a year before, in percentage points,
// "—" where there is nothing to compare with.
func TestYearOnYear(t *testing.T) {
	tr, err := report.CountyTrend(context.Background(), reporttest.Fixture(), unit(t, "411002"), months(t, "2025-03", "2026-07"), now)
	if err != nil {
		t.Fatal(err)
	}
	recs := csvSection(t, string(render(t, tr, "csv")), "月度等级分布（有效等级；公示中、异议复核中另计）")
	head := recs[0]
	if head[len(head)-2] != "C+D占比环比（百分点）" || head[len(head)-1] != "C+D占比同比（百分点）" {
		t.Fatalf("header %q", head)
	}
	byMonth := map[string][]string{}
	for _, r := range recs[1:] {
		byMonth[r[0]] = r
	}
	// 2026-03-31: C+D 25% against 0% a month and a year before.
	if r := byMonth["2026-03-31"]; r[len(r)-2] != "25" || r[len(r)-1] != "25" {
		t.Errorf("2026-03-31: %q", r)
	}
	if r := byMonth["2026-02-28"]; r[len(r)-1] != "—" {
		t.Errorf("2026-02-28 has a year-on-year change without the same month a year before in range: %q", r)
	}
	if r := byMonth["2026-06-30"]; r[len(r)-2] != "-25" || r[len(r)-1] != "0" {
		t.Errorf("2026-06-30: %q, want -25 month on month (ASCII minus) and 0 year on year", r)
	}
}

// csvSection returns the records of the CSV section titled title.
func csvSection(t *testing.T, text, title string) [][]string {
	t.Helper()
	text = strings.TrimPrefix(text, "\ufeff")
	for _, sec := range strings.Split(text, "\n\n") {
		if first, rest, ok := strings.Cut(sec, "\n"); ok && first == title {
			recs, err := csv.NewReader(strings.NewReader(rest)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			return recs
		}
	}
	t.Fatalf("no section %q", title)
	return nil
}
