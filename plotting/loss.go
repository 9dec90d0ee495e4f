package plotting

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Run is one training history: a name for the legend (may be empty for a
// single run) and the training and validation loss of each epoch. Val may be
// empty or shorter than Train. NaN and infinite values (a diverged epoch)
// are left out of the curve.
type Run struct {
	Name  string
	Train []float64
	Val   []float64
	// Best is the 1-based epoch to mark as best; 0 marks the epoch with the
	// lowest validation loss (training loss when there is no validation).
	Best int
}

// LossOptions changes how loss curves are drawn.
type LossOptions struct {
	Title string // default "Training loss"
	LogY  bool   // logarithmic loss axis (non-positive values are left out)
	// Epochs, when positive, extends the epoch axis to this many epochs,
	// so a run in progress shows how far it has come.
	Epochs int
}

// Loss draws the training and validation loss per epoch of one run, with the
// best epoch (lowest validation loss, or training loss when there is no
// validation) marked. val may be nil.
func Loss(train, val []float64) *Figure {
	return LossCurves([]Run{{Train: train, Val: val}}, LossOptions{})
}

// LossCurves draws several runs overlaid, one colour per run, training loss
// solid and validation loss dashed, each run's best epoch ringed and named
// in the legend.
func LossCurves(runs []Run, opt LossOptions) *Figure {
	const kind = "loss curves"
	if len(runs) == 0 {
		return failed(kind, errors.New("no runs given; pass at least one Run with a training history"))
	}
	for i, r := range runs {
		if len(points(r.Train, opt.LogY)) == 0 && len(points(r.Val, opt.LogY)) == 0 {
			what := "no finite loss values"
			if opt.LogY {
				what = "no positive finite loss values to draw on a log scale"
			}
			return failed(kind, fmt.Errorf("run %d %q has %s; train first, or drop LogY", i, r.Name, what))
		}
	}
	title := opt.Title
	if title == "" {
		title = "Training loss"
		if len(runs) > 1 {
			title = "Training loss by model"
		}
	}
	// Copy the histories: the figure is drawn later, and the caller (a
	// training run in progress) may still append to or change them.
	runs = append([]Run(nil), runs...)
	for i := range runs {
		runs[i].Train = append([]float64(nil), runs[i].Train...)
		runs[i].Val = append([]float64(nil), runs[i].Val...)
	}
	return newFigure(kind, title, func(c draw.Canvas, f *Figure) error {
		p := newPlot(f.title, "epoch", "loss")
		if opt.LogY {
			p.Y.Label.Text = "loss (log scale)"
			p.Y.Scale = plot.LogScale{}
			p.Y.Tick.Marker = logTicks{}
		}
		p.X.Tick.Marker = epochTicks{}
		if opt.Epochs > 0 {
			p.X.Min, p.X.Max = 1, float64(opt.Epochs)
		}
		p.Add(gridLines())
		for i, r := range runs {
			if err := addRun(p, i, r, len(runs) > 1, opt.LogY); err != nil {
				return err
			}
		}
		if len(runs) > 1 {
			addStyleKey(p)
		}
		drawWithSideLegend(c, p)
		return nil
	})
}

// points returns the drawable (epoch, loss) pairs of losses, epochs 1-based.
func points(losses []float64, logY bool) plotter.XYs {
	var xy plotter.XYs
	for i, v := range losses {
		if math.IsNaN(v) || math.IsInf(v, 0) || (logY && v <= 0) {
			continue
		}
		xy = append(xy, plotter.XY{X: float64(i + 1), Y: v})
	}
	return xy
}

// best returns the point with the lowest loss; ok is false for no points.
func best(xy plotter.XYs) (plotter.XY, bool) {
	if len(xy) == 0 {
		return plotter.XY{}, false
	}
	b := xy[0]
	for _, p := range xy[1:] {
		if p.Y < b.Y {
			b = p
		}
	}
	return b, true
}

// addRun adds run i's curves and its best-epoch ring to p. A single run
// gets legend entries for its train and validation curves and its best
// epoch; several runs get one entry each (the key to line styles is added by
// addStyleKey).
func addRun(p *plot.Plot, i int, r Run, several, logY bool) error {
	col := ClassColor(i)
	train, val := points(r.Train, logY), points(r.Val, logY)
	bestOf, bestName := val, "val"
	if len(val) == 0 {
		bestOf, bestName = train, "train"
	}
	b, _ := best(bestOf)
	if r.Best > 0 {
		for _, q := range bestOf {
			if int(q.X) == r.Best {
				b = q
			}
		}
	}
	bestText := fmt.Sprintf("best %s %s at epoch %d", bestName, formatLoss(b.Y), int(b.X))
	var first plot.Thumbnailer
	for _, s := range []struct {
		name string
		xy   plotter.XYs
		dash bool
	}{{"train", train, false}, {"validation", val, true}} {
		if len(s.xy) == 0 {
			continue
		}
		l, sc, err := plotter.NewLinePoints(s.xy)
		if err != nil {
			return err
		}
		l.Color, l.Width = col, vg.Points(1.6)
		if s.dash {
			l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		sc.Color, sc.Shape, sc.Radius = col, draw.CircleGlyph{}, vg.Points(1.8)
		if len(s.xy) > 60 {
			sc.Radius = 0 // dots would merge into a thick line
		}
		p.Add(l, sc)
		if first == nil {
			first = l
		}
		if !several {
			p.Legend.Add(s.name, l)
		}
	}
	ring, err := plotter.NewScatter(plotter.XYs{b})
	if err != nil {
		return err
	}
	ring.Shape = draw.RingGlyph{}
	ring.Color, ring.Radius = col, vg.Points(5)
	p.Add(ring)
	if several {
		name := r.Name
		if name == "" {
			name = "run " + strconv.Itoa(i+1)
		}
		p.Legend.Add(name+" ("+bestText+")", first)
	} else {
		p.Legend.Add(bestText, ring)
	}
	return nil
}

// addStyleKey adds grey legend entries that explain the line styles when
// colours stand for runs.
func addStyleKey(p *plot.Plot) {
	grey := color.Gray{0x77}
	solid := &plotter.Line{LineStyle: draw.LineStyle{Color: grey, Width: vg.Points(1.6)}}
	dashed := &plotter.Line{LineStyle: draw.LineStyle{Color: grey, Width: vg.Points(1.6),
		Dashes: []vg.Length{vg.Points(5), vg.Points(3)}}}
	ring := &plotter.Scatter{GlyphStyle: draw.GlyphStyle{Color: grey, Radius: vg.Points(5), Shape: draw.RingGlyph{}}}
	p.Legend.Add("train", solid)
	p.Legend.Add("validation", dashed)
	p.Legend.Add("best epoch", ring)
}

// formatLoss prints a loss with four significant digits.
func formatLoss(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }

// epochTicks puts ticks on whole epochs only, at most about ten of them.
type epochTicks struct{}

// Ticks implements plot.Ticker.
func (epochTicks) Ticks(min, max float64) []plot.Tick {
	lo, hi := math.Max(1, math.Ceil(min)), math.Floor(max)
	step := wholeStep(hi-lo, 10)
	var ticks []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.Itoa(int(v))})
	}
	return ticks
}

// wholeStep returns the smallest of 1, 2, 5, 10, 20, 50, ... that cuts
// span into at most n steps.
func wholeStep(span float64, n int) float64 {
	for m := 1.0; ; m *= 10 {
		for _, k := range []float64{1, 2, 5} {
			if span/(k*m) <= float64(n) {
				return k * m
			}
		}
	}
}

// logTicks labels 1, 2 and 5 times powers of ten on a log axis (only the
// powers of ten when the range spans more than two decades), with
// unlabelled minor ticks at the other integer multiples.
type logTicks struct{}

// Ticks implements plot.Ticker.
func (logTicks) Ticks(min, max float64) []plot.Tick {
	if min <= 0 || max <= 0 || max < min {
		return nil
	}
	wide := math.Log10(max/min) > 2
	var ticks []plot.Tick
	for e := math.Floor(math.Log10(min)); e <= math.Ceil(math.Log10(max)); e++ {
		base := math.Pow(10, e)
		for k := 1.0; k <= 9; k++ {
			v := k * base
			if v < min*(1-1e-9) || v > max*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: v}
			if k == 1 || (!wide && (k == 2 || k == 5)) {
				t.Label = strconv.FormatFloat(v, 'g', 3, 64)
			}
			ticks = append(ticks, t)
		}
	}
	labelled := 0
	for _, t := range ticks {
		if t.Label != "" {
			labelled++
		}
	}
	if labelled < 2 { // a narrow range: label every tick, or fall back
		if len(ticks) < 3 {
			return plot.DefaultTicks{}.Ticks(min, max)
		}
		for i := range ticks {
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'g', 3, 64)
		}
	}
	return ticks
}
