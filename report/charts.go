package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xuchang-hrss/creditsync/grade"
	"github.com/xuchang-hrss/creditsync/transform"
)

// chart is the geometry of one inline SVG chart, computed here so the
// template only places elements. Coordinates are in SVG user units.
type chart struct {
	Label        string // for screen readers (aria-label) and the tooltip
	W, H         float64
	Left, Top    float64 // plot area origin
	PlotW, PlotH float64
	YTicks       []tick
	XLabels      []tick
	Years        []tick
	Bars         []bar
	Lines        []line
	Small        bool
	// Totals says whether the count above each column is drawn: only
	// where a column is wide enough for it to stay legible.
	Totals bool
	// YTitle and XTitle name the axes with their units, above the value
	// axis and after the month axis (not on small multiples).
	YTitle, XTitle tick
}

type tick struct {
	X, Y  float64
	Label string
}

// bar is one stacked column: a month.
type bar struct {
	X, W     float64
	Segments []segment
	Total    tick // the count above the column
}

type segment struct {
	Grade grade.Grade
	Y, H  float64
	Title string
}

// line is one series of a line chart.
type line struct {
	Name  string
	Class string
	Runs  []string // "x,y x,y …" for each <polyline>: a month without data breaks the line
	Dots  []tick
}

// Chart sizes. A chart has a fixed width whatever its span, so that it
// is drawn at its own size, never scaled down by the page: at a page
// width of 1400 px two full charts sit side by side in the report's
// column (1124 px) and three small multiples in a row. A longer span
// gives each month a narrower slot and labels fewer months instead, so
// no text is drawn below the stylesheet's 11 px (checked in a browser by
// serve's TestChartTextIsLegible).
const (
	chartW      = 540.0
	smallChartW = 320.0
	plotH       = 170.0
	smallPlotH  = 100.0
	chartLeft   = 44.0
	smallLeft   = 30.0
	chartTop    = 28.0
	chartBottom = 40.0
	chartRight  = 12.0
	// labelGap is the room a month label needs ("10月" at 11 px, or "10"
	// on a small multiple), and totalGap the room a column's count needs.
	labelGap, smallLabelGap = 30.0, 20.0
	totalGap                = 26.0
	yearGap                 = 36.0 // "2026" at 11 px, with room
)

func frame(label string, months int, small bool) chart {
	c := chart{Label: label, Small: small, Left: chartLeft, Top: chartTop, PlotH: plotH, W: chartW}
	if small {
		c.Left, c.PlotH, c.W = smallLeft, smallPlotH, smallChartW
	}
	c.PlotW = c.W - c.Left - chartRight
	c.H = c.Top + c.PlotH + chartBottom
	c.Totals = !small && c.PlotW/float64(max(months, 1)) >= totalGap
	return c
}

// slot returns the left edge and width of month i of n.
func (c *chart) slot(i, n int) (float64, float64) {
	w := c.PlotW / float64(n)
	return c.Left + float64(i)*w, w
}

// labelEvery is how many months apart month labels go so that they do
// not overlap in slots of width w: 1, 2, 3, 4, 6 or 12, so that labelled
// months fall on the same calendar months in every chart (every third
// month is January, April, July, October).
func labelEvery(w, gap float64) int {
	for _, k := range []int{1, 2, 3, 4, 6} {
		if w*float64(k) >= gap {
			return k
		}
	}
	return 12
}

// xLabels writes the month under its slot every labelEvery months, and
// the year under the first month and every January.
func (c *chart) xLabels(ends []time.Time) {
	gap := labelGap
	if c.Small {
		gap = smallLabelGap
	}
	every := 1
	if len(ends) > 0 {
		_, w := c.slot(0, len(ends))
		every = labelEvery(w, gap)
	}
	for i, d := range ends {
		x, w := c.slot(i, len(ends))
		if (int(d.Month())-1)%every == 0 {
			label := strconv.Itoa(int(d.Month())) + "月"
			if c.Small {
				label = strconv.Itoa(int(d.Month()))
			}
			c.XLabels = append(c.XLabels, tick{X: round1(x + w/2), Y: c.Top + c.PlotH + 14, Label: label})
		}
		// The first month names its year too, unless the next January is
		// so close that the two years would run together.
		first := i == 0 && (13-int(d.Month()))%12*int(w) >= int(yearGap)
		if first || (d.Month() == time.January) {
			c.Years = append(c.Years, tick{X: round1(x + w/2), Y: c.Top + c.PlotH + 28, Label: strconv.Itoa(d.Year())})
		}
	}
}

// axisTitles names the value axis (with its unit) and the month axis.
func (c *chart) axisTitles(y string) {
	if c.Small {
		return
	}
	c.YTitle = tick{X: 4, Y: c.Top - 16, Label: y}
	c.XTitle = tick{X: c.Left + c.PlotW, Y: c.Top + c.PlotH + 28, Label: "月末"}
}

// yTicks places about four gridlines from 0 to top; format writes a value.
func (c *chart) yTicks(top, step float64, format func(float64) string) {
	// Counted in whole steps: adding up floats would drift (0.1+0.2).
	for i := 0; float64(i)*step <= top+step/2; i++ {
		v := float64(i) * step
		c.YTicks = append(c.YTicks, tick{X: c.Left - 4, Y: c.y(v, top), Label: format(v)})
	}
}

func (c *chart) y(v, top float64) float64 {
	return round1(c.Top + c.PlotH - v/top*c.PlotH)
}

// niceScale returns an axis top and step covering max with about four
// steps of 1, 2 or 5 times a power of ten.
func niceScale(max float64) (top, step float64) {
	if max <= 0 {
		return 1, 1
	}
	raw := max / 4
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		step = m * mag
		if step >= raw {
			break
		}
	}
	return math.Ceil(max/step) * step, step
}

// mostInstitutions is the largest number graded in one period, for a
// count axis shared by several charts.
func mostInstitutions(periods []Period) int {
	most := 0
	for _, p := range periods {
		most = max(most, p.Dist.Total())
	}
	return most
}

// distChart stacks the grades of each period, A at the bottom, on an axis
// reaching at least most (small multiples share one axis so their heights
// compare).
func distChart(label string, periods []Period, most int, small bool) chart {
	c := frame(label, len(periods), small)
	most = max(most, mostInstitutions(periods))
	top, step := niceScale(float64(most))
	if step < 1 {
		top, step = math.Max(top, 1), 1
	}
	c.yTicks(top, step, func(v float64) string { return strconv.Itoa(int(v)) })
	c.axisTitles("机构数（家）")
	ends := make([]time.Time, len(periods))
	for i, p := range periods {
		ends[i] = p.End
		x, w := c.slot(i, len(periods))
		b := bar{X: round1(x + w*0.18), W: round1(w * 0.64)}
		if p.NoData {
			b.Total = tick{X: round1(x + w/2), Y: c.y(0, top) - 3, Label: "无数据"}
			c.Bars = append(c.Bars, b)
			continue
		}
		sum := 0
		for r, g := range grade.Grades {
			n := p.Dist[r]
			if n == 0 {
				continue
			}
			y0, y1 := c.y(float64(sum), top), c.y(float64(sum+n), top)
			b.Segments = append(b.Segments, segment{Grade: g, Y: y1, H: round1(y0 - y1),
				Title: fmt.Sprintf("%s %s级 %d", transform.FormatDate(p.End), g, n)})
			sum += n
		}
		b.Total = tick{X: round1(x + w/2), Y: c.y(float64(sum), top) - 3, Label: strconv.Itoa(sum)}
		c.Bars = append(c.Bars, b)
	}
	c.xLabels(ends)
	return c
}

// shareSeries is one line of a C+D share chart.
type shareSeries struct {
	name, class string
	values      []float64 // NaN where nobody was graded
}

// cdShares returns the C+D share of each period, of the unit or of the
// whole city, NaN where nobody was graded.
func cdShares(periods []Period, city bool) []float64 {
	out := make([]float64, len(periods))
	for i, p := range periods {
		d := p.Dist
		if city {
			d = p.City
		}
		out[i] = math.NaN()
		if d.Total() > 0 {
			out[i] = d.CDShare()
		}
	}
	return out
}

// mostShare is the largest share in the series.
func mostShare(series []shareSeries) float64 {
	most := 0.0
	for _, s := range series {
		for _, v := range s.values {
			if !math.IsNaN(v) {
				most = math.Max(most, v)
			}
		}
	}
	return most
}

// shareChart draws C+D shares over the periods' ends, one line a series,
// on an axis reaching at least most. A series without any data is left
// out.
func shareChart(label string, ends []time.Time, series []shareSeries, most float64, small bool) chart {
	c := frame(label, len(ends), small)
	top, step := niceScale(math.Max(most, mostShare(series)) * 100)
	top, step = top/100, step/100
	c.yTicks(top, step, func(v float64) string { return strconv.FormatFloat(math.Round(v*1000)/10, 'f', -1, 64) + "%" })
	c.axisTitles("C+D占比（%）")
	for _, s := range series {
		l := line{Name: s.name, Class: s.class}
		var run []string
		for i, v := range s.values {
			if math.IsNaN(v) {
				if len(run) > 0 {
					l.Runs, run = append(l.Runs, strings.Join(run, " ")), nil
				}
				continue
			}
			x, w := c.slot(i, len(ends))
			p := tick{X: round1(x + w/2), Y: c.y(v, top), Label: fmt.Sprintf("%s %s %s", s.name, transform.FormatDate(ends[i]), percent(v))}
			run = append(run, strconv.FormatFloat(p.X, 'f', -1, 64)+","+strconv.FormatFloat(p.Y, 'f', -1, 64))
			l.Dots = append(l.Dots, p)
		}
		if len(run) > 0 {
			l.Runs = append(l.Runs, strings.Join(run, " "))
		}
		if len(l.Dots) > 0 {
			c.Lines = append(c.Lines, l)
		}
	}
	c.xLabels(ends)
	return c
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

// percent writes a share with one decimal, e.g. 12.5%.
func percent(v float64) string { return strconv.FormatFloat(v*100, 'f', 1, 64) + "%" }
