package report

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/transform"
	"github.com/xuchang-hrss/creditsync/zone"
)

//go:embed templates/*.tmpl templates/*.tsv templates/style.css
var templateFiles embed.FS

// Funcs are the template functions report templates use; the server's
// templates use them too, so dates and shares look the same everywhere.
var Funcs = template.FuncMap{
	"date":     transform.FormatDate,
	"dateCN":   dayCN, // a date inside Chinese text
	"datetime": zone.Clock,
	"pct":      percent,
	"plus":     func(a, b float64) float64 { return a + b },
	// stateLabel is 公示中 (with its period) or 异议复核中 for a grade not
	// yet in force, "" for one in force.
	"stateLabel": StateLabel,
}

var templates = template.Must(template.New("report").Funcs(Funcs).ParseFS(templateFiles, "templates/*.tmpl"))

var stylesheet = func() template.CSS {
	b, err := templateFiles.ReadFile("templates/style.css")
	if err != nil {
		panic("report: embedded style.css: " + err.Error()) // embedded at build time
	}
	return template.CSS(b)
}()

// Stylesheet is the CSS of every report, for pages that show report
// bodies.
func Stylesheet() template.CSS { return stylesheet }

// trendView is what the trend templates need beyond the Trend.
type trendView struct {
	T           *Trend
	Grades      []grade.Grade
	Latest      Period
	Dist, Share chart
	Tables      []table
	Range       string
	Partial     string
}

// newTrendView is the view of a trend; links says whether names link to
// the institutions' pages (the server's pages) or not (report files).
func newTrendView(t *Trend, links bool) trendView {
	v := trendView{T: t, Grades: grade.Grades, Latest: t.Latest(), Tables: t.tables()}
	if !links {
		v.Tables = withoutLinks(v.Tables)
	}
	v.Range, v.Partial = describeRange(t.Periods)
	v.Dist = distChart(t.Unit.Name+" 各月末等级分布", t.Periods, 0, false)
	v.Share = shareChart(t.Unit.Name+" C+D 占比与全市", ends(t.Periods),
		[]shareSeries{{t.Unit.Name, "s-unit", cdShares(t.Periods, false)}, {"全市", "s-city", cdShares(t.Periods, true)}}, 0, false)
	return v
}

func ends(ps []Period) []time.Time {
	out := make([]time.Time, len(ps))
	for i, p := range ps {
		out[i] = p.End
	}
	return out
}

// describeRange writes the months of a trend, and says so when the last
// one is not over.
func describeRange(ps []Period) (rng, partial string) {
	if len(ps) == 0 {
		return "", ""
	}
	first, last := ps[0].End, ps[len(ps)-1].End
	month := func(t time.Time) string { return fmt.Sprintf("%d年%d月", t.Year(), t.Month()) }
	rng = month(first) + "至" + month(last)
	if !isMonthEnd(last) {
		partial = "本月数据截至" + dayCN(last)
	}
	return rng, partial
}

// overviewView is what the overview template needs.
type overviewView struct {
	City      trendView
	Grades    []grade.Grade
	Latest    Period
	Summary   table
	Multiples []multiple
	Share     chart
	Tables    []table
	Range     string
	Partial   string
	Generated time.Time
}

// multiple is one unit's small charts in the overview.
type multiple struct {
	Unit        Unit
	Latest      Period
	Dist, Share chart
}

func newOverviewView(o *Overview, links bool) overviewView {
	tables := o.tables()
	if !links {
		tables = withoutLinks(tables)
	}
	v := overviewView{City: newTrendView(&o.City, links), Grades: grade.Grades, Latest: o.City.Latest(),
		Summary: tables[0], Tables: tables[1:], Generated: o.City.Generated}
	v.Range, v.Partial = describeRange(o.City.Periods)
	when := ends(o.City.Periods)
	// Small multiples share their axes, so that heights compare across
	// units: the largest unit sets the count axis, the worst share the
	// share axis.
	most, lines := 0, []shareSeries{}
	for i, t := range o.Units {
		most = max(most, mostInstitutions(t.Periods))
		lines = append(lines, shareSeries{t.Unit.Name, fmt.Sprintf("s-u%d", i%8), cdShares(t.Periods, false)})
	}
	city := shareSeries{"全市", "s-city", cdShares(o.City.Periods, false)}
	worst := mostShare(append(lines, city))
	for i, t := range o.Units {
		v.Multiples = append(v.Multiples, multiple{Unit: t.Unit, Latest: t.Latest(),
			Dist: distChart(t.Unit.Name+" 各月末等级分布", t.Periods, most, true),
			Share: shareChart(t.Unit.Name+" C+D 占比与全市", when,
				[]shareSeries{{t.Unit.Name, "s-unit", lines[i].values}, {"全市", "s-city", city.values}}, worst, true)})
	}
	v.Share = shareChart("各单位 C+D 占比", when, append(lines, city), 0, false)
	return v
}

// publicView is what the public list template needs.
type publicView struct {
	L     *PublicList
	Table table
}

// TrendBody renders a trend report's body (no <html> around it), for
// pages that show it inside their own layout.
func TrendBody(t *Trend) (template.HTML, error) {
	return body("trend-body", newTrendView(t, true))
}

// OverviewBody renders the city overview's body.
func OverviewBody(o *Overview) (template.HTML, error) {
	return body("overview-body", newOverviewView(o, true))
}

func body(name string, data any) (template.HTML, error) {
	var buf bytes.Buffer
	if err := templates.ExecuteTemplate(&buf, name, data); err != nil {
		return "", fmt.Errorf("render %s: %w", name, err)
	}
	// Safe: html/template escaped every value while rendering it.
	return template.HTML(buf.String()), nil
}

// writeDoc writes a complete, self-contained HTML document.
func writeDoc(w io.Writer, title, name string, data any) error {
	b, err := body(name, data)
	if err != nil {
		return err
	}
	return templates.ExecuteTemplate(w, "doc", struct {
		Title string
		CSS   template.CSS
		Body  template.HTML
	}{title, Stylesheet(), b})
}

// WriteHTML writes the trend report as one self-contained HTML file.
func (t *Trend) WriteHTML(w io.Writer) error {
	v := newTrendView(t, false)
	return writeDoc(w, t.Unit.Name+" 信用等级趋势报告 "+v.Range, "trend-body", v)
}

// WriteHTML writes the city overview as one self-contained HTML file.
func (o *Overview) WriteHTML(w io.Writer) error {
	v := newOverviewView(o, false)
	return writeDoc(w, "许昌市信用等级总览 "+v.Range, "overview-body", v)
}

// WriteHTML writes the public list as one self-contained HTML file.
func (l *PublicList) WriteHTML(w io.Writer) error {
	return writeDoc(w, l.Unit.Name+"人力资源服务机构信用等级公示名单", "public-body", publicView{L: l, Table: l.table()})
}
