package plotting

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

func TestQuickPlots(t *testing.T) {
	p := plot.New()
	l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 2}})
	if err != nil {
		t.Fatal(err)
	}
	p.Add(l)
	p.Title.Text = "mine"
	for _, c := range []struct {
		name string
		fig  *Figure
		err  string // "" when the figure must draw
	}{
		{"line", Line([]float64{1, 2, 3}, []float64{1, 4, 9}), ""},
		{"line of ys", Line(nil, []float64{3, 1}), ""},
		{"line skips NaN", Line(nil, []float64{1, math.NaN(), 2}), ""},
		{"scatter", Scatter([]float64{1, 2}, []float64{2, 1}), ""},
		{"bar", Bar([]string{"a", "b"}, []float64{1, 2}), ""},
		{"bar numbered", Bar(nil, []float64{1, 2, 3}), ""},
		{"hist", Hist([]float64{1, 2, 2, 3}, 0), ""},
		{"hist bins", Hist([]float64{1, 2, 2, 3}, 2), ""},
		{"plot", Plot(p), ""},
		{"line lengths", Line([]float64{1}, []float64{1, 2}), "1 x values for 2 y values"},
		{"line empty", Line(nil, nil), "no finite points"},
		{"scatter all NaN", Scatter(nil, []float64{math.NaN()}), "no finite points"},
		{"bar labels", Bar([]string{"a"}, []float64{1, 2}), "1 labels for 2 values"},
		{"bar NaN", Bar(nil, []float64{math.NaN()}), "bars need finite values"},
		{"bar empty", Bar(nil, nil), "no values"},
		{"hist empty", Hist(nil, 3), "no finite values"},
		{"hist bins", Hist([]float64{1}, -2), "-2 bins"},
		{"hist huge bins", Hist([]float64{1, 2, 3}, 1<<30), "at most 2000"},
		{"nil plot", Plot(nil), "nil *plot.Plot"},
	} {
		png, err := c.fig.PNG()
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if got := Plot(p).Title(); got != "mine" {
		t.Errorf("Plot title %q, want the plot's own", got)
	}
}
