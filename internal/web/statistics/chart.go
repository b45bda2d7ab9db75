package statistics

import (
	"strconv"
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
	// LegendY is the baseline of the legend; 0 when there is one series.
	LegendY int
}

type chartSeries struct {
	Name string
	Fill string // a colour, or url(#pattern) of the chart's own patterns
	// Swatch is where the legend's swatch and name are drawn.
	SwatchX, TextX int
}

type chartGroup struct {
	Label  string
	LabelY int
	Bars   []chartBar
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
	chartLabelW = 200 // the category labels, right-aligned before the bars
	chartValueW = 90  // room for the value after the longest bar
	chartBarH   = 18
	chartBarGap = 3
	chartGroupG = 14
	chartTop    = 8
	chartLegend = 30
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
	c := &chart{ID: id, Title: title, Desc: desc, Width: chartWidth}
	maxV := 0.0
	for _, r := range rows {
		for _, v := range r.Values {
			maxV = max(maxV, v)
		}
	}
	span := float64(chartWidth - chartLabelW - chartValueW)
	y := chartTop
	if len(series) > 1 {
		x := chartLabelW
		for i, s := range series {
			c.Series = append(c.Series, chartSeries{Name: s, Fill: seriesFill(id, i), SwatchX: x, TextX: x + 22})
			x += 22 + 8*len([]rune(s)) + 24
		}
		c.LegendY = y + 14
		y += chartLegend
	}
	for _, r := range rows {
		g := chartGroup{Label: r.Label}
		n := len(r.Values)
		groupH := n*chartBarH + (n-1)*chartBarGap
		g.LabelY = y + groupH/2 + 5
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
		y += chartGroupG - chartBarGap
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
