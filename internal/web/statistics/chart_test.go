package statistics

import (
	"reflect"
	"testing"
)

// TestChartLayout: the largest value fills the bars' span, the others are
// in proportion, a zero has no bar but its value, each series has its own
// fill (a colour, a hatch, dots), and a long label is wrapped at a space.
func TestChartLayout(t *testing.T) {
	c := newChart("c", "T", "D", []string{"a", "b", "c"}, []barRow{
		counts("Automatiserat beslut", 40, 10, 0),
		counts("Beslutsförslag, beslutat av handläggare", 20, 0, 0),
	})
	span := chartWidth - chartLabelW - chartValueW
	g := c.Groups
	if len(g) != 2 || len(g[0].Bars) != 3 {
		t.Fatalf("groups %+v", g)
	}
	if g[0].Bars[0].W != span || g[0].Bars[1].W != span/4 || g[1].Bars[0].W != span/2 || g[0].Bars[2].W != 0 {
		t.Errorf("widths %d %d %d %d, want %d %d %d 0", g[0].Bars[0].W, g[0].Bars[1].W, g[1].Bars[0].W, g[0].Bars[2].W, span, span/4, span/2)
	}
	if g[0].Bars[2].Value != "0" || g[0].Bars[2].TextX != chartLabelW+6 {
		t.Errorf("a zero bar: %+v", g[0].Bars[2])
	}
	fills := []string{c.Series[0].Fill, c.Series[1].Fill, c.Series[2].Fill}
	if want := []string{chartColour, "url(#c-hatch)", "url(#c-dots)"}; !reflect.DeepEqual(fills, want) {
		t.Errorf("fills %v, want %v", fills, want)
	}
	if len(g[1].Lines) != 2 || g[1].Lines[0].Text != "Beslutsförslag, beslutat av" || g[1].Lines[1].Text != "handläggare" {
		t.Errorf("wrapped label %+v", g[1].Lines)
	}
	// Groups follow each other without overlapping, inside the chart.
	last := g[0].Bars[2]
	if g[1].Bars[0].Y <= last.Y+last.H || c.Height <= g[1].Bars[2].Y+chartBarH {
		t.Errorf("layout overlaps: %+v, height %d", g, c.Height)
	}
	if w := wrap("", 10); !reflect.DeepEqual(w, []string{""}) {
		t.Errorf("wrap of nothing: %q", w)
	}
}
