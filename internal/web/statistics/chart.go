package statistics

import (
	"strconv"
	"strings"
)

// chart is a horizontal bar chart drawn as SVG on the server: readable
// without JavaScript, named by its title and described in words by desc (a
// role="img" with aria-labelledby), and with the same figures in the table
// beside it. Series differ by fill pattern (solid, hatched, dotted) and are
// named in a legend, and every bar has its value written at its end, so
// that colour is never the only way to tell them apart.
type chart struct {
	ID            string
	Title, Desc   string
	Width, Height int
	Series        []chartSeries
	Groups        []chartGroup
	// LabelX is where the category labels end (right-aligned), BarX where
	// the bars start.
	LabelX, BarX int
}

type chartSeries struct {
	Name string
	Fill string // a colour, or url(#pattern) of the chart's own patterns
	// Y is the baseline of the series' line in the legend.
	Y int
}

type chartGroup struct {
	// Lines are the category's label, wrapped, with their baselines.
	Lines []chartLine
	Bars  []chartBar
}

type chartLine struct {
	Text string
	Y    int
}

type chartBar struct {
	X, Y, W, H   int
	Fill, Series string
	Value        string
	TextX, TextY int
}

// Chart geometry, in SVG units (the chart scales to its box).
const (
	chartWidth  = 640
	chartLabelW = 230 // the category labels, right-aligned before the bars
	chartValueW = 110 // room for the value after the longest bar
	chartBarH   = 18
	chartBarGap = 3
	chartGroupG = 14
	chartTop    = 8
	chartLineH  = 15 // a line of a label
	chartLegend = 20 // a line of the legend
	// chartLabelRunes is about what fits in chartLabelW at the chart's
	// font size; longer labels are wrapped at a space.
	chartLabelRunes = 30
)

// chartColour is the one colour of the bars: dark enough against white for
// the bars' edges (WCAG 1.4.11, 3:1) and the patterns.
const chartColour = "#1d4e89"

// seriesFill is the fill of series i of chart id.
func seriesFill(id string, i int) string {
	switch i % 3 {
	case 1:
		return "url(#" + id + "-hatch)"
	case 2:
		return "url(#" + id + "-dots)"
	}
	return chartColour
}

// barRow is one category of a chart: its label and a value per series,
// with the text written at the bar's end.
type barRow struct {
	Label  string
	Values []float64
	Texts  []string
}

// newChart lays out rows as groups of horizontal bars, one per series,
// scaled to the largest value.
func newChart(id, title, desc string, series []string, rows []barRow) *chart {
	c := &chart{ID: id, Title: title, Desc: desc, Width: chartWidth, LabelX: chartLabelW - 8, BarX: chartLabelW}
	maxV := 0.0
	for _, r := range rows {
		for _, v := range r.Values {
			maxV = max(maxV, v)
		}
	}
	span := float64(chartWidth - chartLabelW - chartValueW)
	y := chartTop
	if len(series) > 1 {
		// The legend: one line per series, above the bars.
		for i, s := range series {
			c.Series = append(c.Series, chartSeries{Name: s, Fill: seriesFill(id, i), Y: y + 14})
			y += chartLegend
		}
		y += chartGroupG - 6
	}
	for _, r := range rows {
		var g chartGroup
		n := len(r.Values)
		groupH := n*chartBarH + (n-1)*chartBarGap
		lines := wrap(r.Label, chartLabelRunes)
		top := y + groupH/2 + 5 - (len(lines)-1)*chartLineH/2
		for i, l := range lines {
			g.Lines = append(g.Lines, chartLine{Text: l, Y: top + i*chartLineH})
		}
		bottom := 0
		if extra := len(lines)*chartLineH - groupH; extra > 0 {
			// A label of more lines than the group has bars: make room
			// above and below the bars.
			for i := range g.Lines {
				g.Lines[i].Y += extra / 2
			}
			y += extra / 2
			bottom = extra - extra/2
		}
		for i, v := range r.Values {
			w := 0
			if maxV > 0 {
				w = int(v / maxV * span)
			}
			b := chartBar{X: chartLabelW, Y: y, W: w, H: chartBarH, Fill: seriesFill(id, i), Value: r.Texts[i],
				TextX: chartLabelW + w + 6, TextY: y + chartBarH - 5}
			if i < len(series) {
				b.Series = series[i]
			}
			g.Bars = append(g.Bars, b)
			y += chartBarH + chartBarGap
		}
		y += chartGroupG - chartBarGap + bottom
		c.Groups = append(c.Groups, g)
	}
	c.Height = y + chartTop
	return c
}

// counts turns whole numbers into a chart row.
func counts(label string, ns ...int) barRow {
	r := barRow{Label: label}
	for _, n := range ns {
		r.Values = append(r.Values, float64(n))
		r.Texts = append(r.Texts, strconv.Itoa(n))
	}
	return r
}

// wrap breaks s at spaces into lines of at most n runes (a longer word is
// a line of its own).
func wrap(s string, n int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		switch {
		case line == "":
			line = w
		case len([]rune(line))+1+len([]rune(w)) <= n:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	if line != "" || len(lines) == 0 {
		lines = append(lines, line)
	}
	return lines
}
