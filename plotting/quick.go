package plotting

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Line draws ys against xs as one line; pass nil xs to use 0, 1, 2, ...
// NaN and infinite points are left out. Title the figure with WithTitle.
func Line(xs, ys []float64) *Figure {
	return xyFigure("line plot", xs, ys, func(xy plotter.XYs) (plot.Plotter, error) {
		l, err := plotter.NewLine(xy)
		if err == nil {
			l.Color, l.Width = Palette[0], vg.Points(1.5)
		}
		return l, err
	})
}

// Scatter draws one dot per (xs[i], ys[i]); pass nil xs to use 0, 1, 2, ...
// NaN and infinite points are left out.
func Scatter(xs, ys []float64) *Figure {
	return xyFigure("scatter plot", xs, ys, func(xy plotter.XYs) (plot.Plotter, error) {
		s, err := plotter.NewScatter(xy)
		if err == nil {
			s.Color, s.Shape, s.Radius = withAlpha(Palette[0], 0.8), draw.CircleGlyph{}, vg.Points(2.5)
		}
		return s, err
	})
}

// Bar draws one bar per value, labelled by labels (nil for 1, 2, 3, ...;
// otherwise one label per value).
func Bar(labels []string, values []float64) *Figure {
	const kind = "bar chart"
	if len(values) == 0 {
		return failed(kind, errors.New("no values given"))
	}
	if labels != nil && len(labels) != len(values) {
		return failed(kind, fmt.Errorf("%d labels for %d values; pass one label per value or nil", len(labels), len(values)))
	}
	for i, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return failed(kind, fmt.Errorf("value %d is %v; bars need finite values", i, v))
		}
	}
	names := append([]string(nil), labels...)
	if names == nil {
		for i := range values {
			names = append(names, fmt.Sprint(i+1))
		}
	}
	vals := append(plotter.Values(nil), values...)
	return newFigure(kind, "", func(c draw.Canvas, f *Figure) error {
		p := newPlot(f.title, "", "")
		p.Add(gridLines())
		w := vg.Length(math.Min(float64(px(40)), float64(px(560))/float64(len(vals))*0.8))
		b, err := plotter.NewBarChart(vals, w)
		if err != nil {
			return err
		}
		b.Color, b.LineStyle.Width = Palette[0], 0
		p.Add(b)
		p.NominalX(names...)
		p.Draw(c)
		return nil
	})
}

// maxHistBins is the most bins Hist draws: more are thinner than a pixel,
// and a huge count would exhaust memory.
const maxHistBins = 2000

// Hist draws the distribution of values in bins equal-width bins (0 picks
// the number from the data; at most 2000). NaN and infinite values are
// left out.
func Hist(values []float64, bins int) *Figure {
	const kind = "histogram"
	var finite plotter.Values
	for _, v := range values {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			finite = append(finite, v)
		}
	}
	if len(finite) == 0 {
		return failed(kind, errors.New("no finite values given"))
	}
	if bins < 0 {
		return failed(kind, fmt.Errorf("%d bins; pass a positive number, or 0 to choose from the data", bins))
	}
	if bins > maxHistBins {
		return failed(kind, fmt.Errorf("%d bins; a histogram shows at most %d (more are thinner than a pixel), so pass fewer, or 0 to choose from the data", bins, maxHistBins))
	}
	if bins == 0 {
		bins = int(math.Ceil(math.Log2(float64(len(finite))))) + 1 // Sturges' rule
	}
	return newFigure(kind, "", func(c draw.Canvas, f *Figure) error {
		p := newPlot(f.title, "value", "count")
		p.Add(gridLines())
		h, err := plotter.NewHist(finite, bins)
		if err != nil {
			return err
		}
		h.FillColor, h.LineStyle.Color = withAlpha(Palette[0], 0.85), Palette[0]
		p.Add(h)
		p.Draw(c)
		return nil
	})
}

// Plot wraps a gonum/plot figure built in a cell so that it shows inline
// (a *plot.Plot as a cell's result does this by itself) and gets PNG, SVG
// and Save. The plot is drawn when the figure is rendered, at the default
// size unless WithSize changes it.
func Plot(p *plot.Plot) *Figure {
	if p == nil {
		return failed("plot", errors.New("nil *plot.Plot; make one with plot.New()"))
	}
	return newFigure("plot", p.Title.Text, func(c draw.Canvas, f *Figure) error {
		p.Draw(c)
		return nil
	})
}

// xyFigure checks xs and ys and draws the plotter that mk makes of them.
func xyFigure(kind string, xs, ys []float64, mk func(plotter.XYs) (plot.Plotter, error)) *Figure {
	if xs != nil && len(xs) != len(ys) {
		return failed(kind, fmt.Errorf("%d x values for %d y values; pass one x per y, or nil xs", len(xs), len(ys)))
	}
	var xy plotter.XYs
	for i, y := range ys {
		x := float64(i)
		if xs != nil {
			x = xs[i]
		}
		if math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0) {
			continue
		}
		xy = append(xy, plotter.XY{X: x, Y: y})
	}
	if len(xy) == 0 {
		return failed(kind, errors.New("no finite points given"))
	}
	return newFigure(kind, "", func(c draw.Canvas, f *Figure) error {
		p := newPlot(f.title, "x", "y")
		p.Add(gridLines())
		pl, err := mk(xy)
		if err != nil {
			return err
		}
		p.Add(pl)
		p.Draw(c)
		return nil
	})
}
