package main

import (
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
)

// writeChart draws the figures measured at several scales as seconds
// against rows on log-log axes, one line per area, as a self-contained
// SVG.
func writeChart(path string, ms []measurement) error {
	type point struct{ rows, secs float64 }
	series := map[string][]point{}
	var areas []string
	for _, m := range ms {
		if m.Rows <= 0 || m.Seconds <= 0 {
			continue
		}
		if _, ok := series[m.Area]; !ok {
			areas = append(areas, m.Area)
		}
		series[m.Area] = append(series[m.Area], point{float64(m.Rows), m.Seconds})
	}
	const (
		w, h                     = 720, 440
		left, right, top, bottom = 70, 200, 20, 50
	)
	minX, maxX, minY, maxY := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, ps := range series {
		for _, p := range ps {
			minX, maxX = min(minX, p.rows), max(maxX, p.rows)
			minY, maxY = min(minY, p.secs), max(maxY, p.secs)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", w, h)
	b.WriteString(`<rect width="100%" height="100%" fill="white"/>` + "\n")
	if len(series) == 0 {
		b.WriteString(`<text x="20" y="40">no figure was measured at several scales</text></svg>` + "\n")
		return os.WriteFile(path, []byte(b.String()), 0o644)
	}
	// Whole decades around the data.
	x0, x1 := math.Floor(math.Log10(minX)), math.Ceil(math.Log10(maxX))
	y0, y1 := math.Floor(math.Log10(minY)), math.Ceil(math.Log10(maxY))
	if x1 == x0 {
		x1++
	}
	if y1 == y0 {
		y1++
	}
	px := func(rows float64) float64 { return left + (math.Log10(rows)-x0)/(x1-x0)*(w-left-right) }
	py := func(secs float64) float64 { return h - bottom - (math.Log10(secs)-y0)/(y1-y0)*(h-top-bottom) }
	for d := x0; d <= x1; d++ {
		x := px(math.Pow(10, d))
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/><text x="%.1f" y="%d" text-anchor="middle">10^%.0f</text>`+"\n", x, top, x, h-bottom, x, h-bottom+16, d)
	}
	for d := y0; d <= y1; d++ {
		y := py(math.Pow(10, d))
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/><text x="%d" y="%.1f" text-anchor="end">%s s</text>`+"\n", left, y, w-right, y, left-6, y+4, decade(d))
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">rows</text>`+"\n", (left+w-right)/2, h-12)
	fmt.Fprintf(&b, `<text x="16" y="%d" transform="rotate(-90 16 %d)" text-anchor="middle">seconds</text>`+"\n", (top+h-bottom)/2, (top+h-bottom)/2)
	colours := []string{"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"}
	for i, area := range areas {
		ps := series[area]
		slices.SortFunc(ps, func(a, b point) int { return int(math.Copysign(1, a.rows-b.rows)) })
		c := colours[i%len(colours)]
		var pts []string
		for _, p := range ps {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(p.rows), py(p.secs)))
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>`+"\n", px(p.rows), py(p.secs), c)
		}
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>`+"\n", strings.Join(pts, " "), c)
		ly := top + 16 + i*18
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"/><text x="%d" y="%d">%s</text>`+"\n", w-right+10, ly-4, w-right+30, ly-4, c, w-right+36, ly, escape(area))
	}
	b.WriteString("</svg>\n")
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func decade(d float64) string {
	if d >= 0 {
		return fmt.Sprintf("%.0f", math.Pow(10, d))
	}
	return fmt.Sprintf("%g", math.Pow(10, d))
}

func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
