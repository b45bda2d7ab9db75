package whatifweb

import (
	"strconv"

	"skalig/internal/web"
	"skalig/internal/whatif"
)

// chart is a horizontal bar chart drawn as SVG on the server, as the
// follow-up statistics draw theirs: named by its title and described in
// words by desc (role="img" with aria-labelledby), with the same figures in
// the table beside it. Its two series, the decisions and the changed ones,
// differ by fill (solid and hatched) and are named in a legend, and every
// bar has its value written at its end: colour is never the only way to
// tell them apart.
type chart struct {
	ID            string
	Title, Desc   string
	Width, Height int
	LabelX, BarX  int
	Series        []chartSeries
	Groups        []chartGroup
}

type chartSeries struct {
	Name, Fill string
	Y          int
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

const (
	chartWidth  = 640
	chartLabelW = 230
	chartValueW = 70
	chartBarH   = 18
	chartBarGap = 3
	chartGroupG = 14
	chartLegend = 20
	chartColour = "#1d4e89"
)

// householdChart draws the decisions and the changed decisions of each
// household type of res.
func householdChart(l *web.Lang, res *whatif.Result) *chart {
	id := "chart-households"
	c := &chart{ID: id, Title: l.T("cw.whatif.chart.title"), Width: chartWidth, LabelX: chartLabelW - 8, BarX: chartLabelW}
	names := []string{l.T("cw.whatif.chart.cases"), l.T("cw.whatif.chart.changed")}
	fills := []string{chartColour, "url(#" + id + "-hatch)"}
	y := 16
	for i, n := range names {
		c.Series = append(c.Series, chartSeries{Name: n, Fill: fills[i], Y: y})
		y += chartLegend
	}
	y += 6
	max := 1
	for _, g := range res.ByHousehold {
		max = maxInt(max, g.Cases)
	}
	span := chartWidth - chartLabelW - chartValueW
	desc := ""
	for _, g := range res.ByHousehold {
		label := l.T("cw.whatif.household." + g.Type)
		grp := chartGroup{Label: label, LabelY: y + chartBarH - 5}
		for i, v := range []int{g.Cases, g.Changed} {
			w := v * span / max
			grp.Bars = append(grp.Bars, chartBar{X: chartLabelW, Y: y, W: w, H: chartBarH, Fill: fills[i], Series: names[i],
				Value: strconv.Itoa(v), TextX: chartLabelW + w + 6, TextY: y + chartBarH - 5})
			y += chartBarH + chartBarGap
		}
		y += chartGroupG
		c.Groups = append(c.Groups, grp)
		desc += l.T("cw.whatif.chart.desc_group", label, g.Cases, g.Changed) + " "
	}
	c.Height = y
	c.Desc = desc
	return c
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}
