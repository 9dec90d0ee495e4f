package plotting

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"sort"
	"strconv"

	"gonum.org/v1/plot"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/latent-ai/latent/runtime/metrics"
)

// Colours of the two groups in anomaly figures.
var (
	normalColor  = Palette[0] // blue
	anomalyColor = Palette[3] // red
)

// histBins is the number of bins of ErrorHistogram.
const histBins = 40

// ErrorHistogram draws the distribution of reconstruction errors (one per
// sample), normal samples and anomalous ones (anomalous[i] true; pass nil
// when unknown) in two colours, each normalised to the share of its group
// so that a small anomalous group stays visible, with the decision
// threshold as a vertical line (pass NaN for none). The legend gives each
// group's size and the share of it flagged (at or above the threshold).
func ErrorHistogram(errs []float64, anomalous []bool, threshold float64) *Figure {
	return histogram("error histogram", errs, anomalous, threshold, "Reconstruction error", "reconstruction error")
}

// Histogram draws the distribution of any values, e.g. the hidden
// activations of a sparse autoencoder, with xlabel naming them; NaN and
// infinite values are left out.
func Histogram(values []float64, xlabel string) *Figure {
	if xlabel == "" {
		xlabel = "value"
	}
	return histogram("histogram", values, nil, math.NaN(), "Distribution of "+xlabel, xlabel)
}

// histogram draws values, split into normal and anomalous when anomalous is
// not nil, with an optional threshold line.
func histogram(kind string, errs []float64, anomalous []bool, threshold float64, title, xlabel string) *Figure {
	if len(errs) == 0 {
		return failed(kind, errors.New("no values given"))
	}
	if anomalous != nil && len(anomalous) != len(errs) {
		return failed(kind, fmt.Errorf("%d errors but %d anomaly labels; pass one label per error or nil", len(errs), len(anomalous)))
	}
	var finite []float64
	for _, e := range errs {
		if !math.IsNaN(e) && !math.IsInf(e, 0) {
			finite = append(finite, e)
		}
	}
	if len(finite) == 0 {
		return failed(kind, errors.New("no finite values; NaN or infinite values mean the model's outputs are broken"))
	}
	sort.Float64s(finite)
	lo, hi := finite[0], finite[len(finite)-1]
	// A few huge errors would squash everything else into the first bins:
	// cut the axis at the 99.5th percentile and count the rest in the last bin.
	clipped := 0
	if p := finite[int(0.995*float64(len(finite)-1))]; p > lo && hi-lo > 3*(p-lo) {
		hi = p
		for _, e := range finite {
			if e > p {
				clipped++
			}
		}
	}
	hasT := !math.IsNaN(threshold) && !math.IsInf(threshold, 0)
	if hasT {
		lo, hi = math.Min(lo, threshold), math.Max(hi, threshold)
	}
	if lo == hi {
		lo, hi = lo-0.5, hi+0.5
	}
	width := (hi - lo) / histBins
	type group struct {
		name  string
		col   color.RGBA
		bins  []plotter.HistogramBin
		n     int
		above int
	}
	groups := []*group{{name: "normal", col: normalColor}, {name: "anomalous", col: anomalyColor}}
	if anomalous == nil {
		groups[0].name = "all"
	}
	for _, g := range groups {
		g.bins = make([]plotter.HistogramBin, histBins)
		for b := range g.bins {
			g.bins[b].Min, g.bins[b].Max = lo+float64(b)*width, lo+float64(b+1)*width
		}
	}
	for i, e := range errs {
		if math.IsNaN(e) || math.IsInf(e, 0) {
			continue
		}
		g := groups[0]
		if anomalous != nil && anomalous[i] {
			g = groups[1]
		}
		b := min(int((e-lo)/width), histBins-1)
		g.bins[b].Weight++
		g.n++
		if hasT && e >= threshold { // flagged, as metrics.Classify decides
			g.above++
		}
	}
	if clipped > 0 {
		xlabel = fmt.Sprintf("%s (the last bin also holds the %d largest, up to %s)", xlabel, clipped, formatLoss(finite[len(finite)-1]))
	}
	return newFigure(kind, title, func(c draw.Canvas, f *Figure) error {
		ylabel := "share of group"
		if anomalous == nil {
			ylabel = "share of values"
		}
		p := newPlot(f.title, xlabel, ylabel)
		p.Add(gridLines())
		ymax := 0.0
		for _, g := range groups {
			if g.n == 0 {
				continue
			}
			bins := append([]plotter.HistogramBin(nil), g.bins...)
			for b := range bins {
				bins[b].Weight /= float64(g.n)
				ymax = math.Max(ymax, bins[b].Weight)
			}
			h := &plotter.Histogram{Bins: bins, Width: width, FillColor: withAlpha(g.col, 0.45)}
			h.LineStyle = draw.LineStyle{Color: g.col, Width: vg.Points(0.8)}
			p.Add(h)
			label := fmt.Sprintf("%s (n=%d)", g.name, g.n)
			if hasT {
				label = fmt.Sprintf("%s (n=%d, %.1f%% flagged)", g.name, g.n, 100*float64(g.above)/float64(g.n))
			}
			p.Legend.Add(label, h)
		}
		if hasT {
			l, err := plotter.NewLine(plotter.XYs{{X: threshold, Y: 0}, {X: threshold, Y: ymax * 1.05}})
			if err != nil {
				return err
			}
			l.Color, l.Width = color.Gray{0x22}, vg.Points(1.5)
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			p.Add(l)
			p.Legend.Add("threshold "+formatLoss(threshold), l)
		}
		p.Y.Min = 0
		drawWithSideLegend(c, p)
		return nil
	})
}

// rateTicks labels 0, 0.2, ... 1 with minor ticks at the tenths.
type rateTicks struct{}

// Ticks implements plot.Ticker.
func (rateTicks) Ticks(min, max float64) []plot.Tick {
	var ticks []plot.Tick
	for k := 0; k <= 10; k++ {
		v := float64(k) / 10
		t := plot.Tick{Value: v}
		if k%2 == 0 {
			t.Label = strconv.FormatFloat(v, 'f', 1, 64)
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// checkScores says what is wrong with anomaly scores and labels, if anything.
func checkScores(scores []float64, anomalous []bool) error {
	if len(scores) != len(anomalous) {
		return fmt.Errorf("%d scores but %d labels; pass one label per score", len(scores), len(anomalous))
	}
	pos := 0
	for i, s := range scores {
		if math.IsNaN(s) {
			return fmt.Errorf("score %d is NaN; the model's reconstructions are broken", i)
		}
		if anomalous[i] {
			pos++
		}
	}
	if pos == 0 || pos == len(scores) {
		return fmt.Errorf("%d of %d samples are anomalous; an ROC curve needs both normal and anomalous samples", pos, len(scores))
	}
	return nil
}

// ROC draws the ROC curve of anomaly scores (higher means more anomalous,
// e.g. reconstruction error) against the true labels (anomalous[i] true),
// with the chance diagonal and the area under the curve in the title and
// legend. It uses runtime/metrics.ROC and AUROC (ties handled exactly).
func ROC(scores []float64, anomalous []bool) *Figure {
	return ROCAt(scores, anomalous, math.NaN())
}

// ROCAt is ROC with the operating point of a decision threshold marked
// (samples scoring at or above it are flagged); NaN marks none.
func ROCAt(scores []float64, anomalous []bool, threshold float64) *Figure {
	return rocFigure([]string{"model"}, [][]float64{scores}, anomalous, threshold)
}

// ROCCurves draws the ROC curves of several models' scores for the same
// samples (scores[k] holds model k's score for every sample, names[k] its
// name), one colour each, with each AUROC in the legend.
func ROCCurves(names []string, scores [][]float64, anomalous []bool) *Figure {
	if len(names) != len(scores) {
		return failed("ROC curve", fmt.Errorf("%d names for %d score lists; pass one name per model", len(names), len(scores)))
	}
	return rocFigure(names, scores, anomalous, math.NaN())
}

// rocFigure draws one ROC curve per score list.
func rocFigure(names []string, scores [][]float64, anomalous []bool, threshold float64) *Figure {
	const kind = "ROC curve"
	if len(scores) == 0 {
		return failed(kind, errors.New("no scores given"))
	}
	curves := make([]plotter.XYs, len(scores))
	aucs := make([]float64, len(scores))
	for k, s := range scores {
		if err := checkScores(s, anomalous); err != nil {
			if len(scores) > 1 {
				err = fmt.Errorf("%s: %w", names[k], err)
			}
			return failed(kind, err)
		}
		fpr, tpr, _ := metrics.ROC(s, anomalous)
		aucs[k] = metrics.AUROC(s, anomalous)
		curves[k] = make(plotter.XYs, len(fpr))
		for i := range fpr {
			curves[k][i] = plotter.XY{X: fpr[i], Y: tpr[i]}
		}
	}
	var op plotter.XYs
	if !math.IsNaN(threshold) {
		c := metrics.Classify(scores[0], anomalous, threshold)
		op = plotter.XYs{{X: c.FPR(), Y: c.Recall()}}
	}
	title := fmt.Sprintf("ROC curve (AUROC %.3f)", aucs[0])
	if len(scores) > 1 {
		title = "ROC curves"
	}
	return newFigure(kind, title, func(c draw.Canvas, f *Figure) error {
		c = drawTitle(c, f.title)
		p := newPlot("", "false positive rate (normal flagged)", "true positive rate (anomalies caught)")
		p.Add(gridLines())
		chance, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
		if err != nil {
			return err
		}
		chance.Color, chance.Width = color.Gray{0x99}, vg.Points(1)
		chance.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		p.Add(chance)
		for k, xy := range curves {
			curve, err := plotter.NewLine(xy)
			if err != nil {
				return err
			}
			curve.Color, curve.Width = anomalyColor, vg.Points(2)
			if len(curves) > 1 {
				curve.Color = ClassColor(k)
			}
			p.Add(curve)
			p.Legend.Add(fmt.Sprintf("%s (AUROC %.3f)", names[k], aucs[k]), curve)
		}
		if op != nil {
			s, err := plotter.NewScatter(op)
			if err != nil {
				return err
			}
			s.Shape, s.Color, s.Radius = draw.CircleGlyph{}, color.Gray{0x22}, vg.Points(4)
			p.Add(s)
			p.Legend.Add(fmt.Sprintf("threshold %s: %.0f%% caught, %.1f%% false alarms", formatLoss(threshold), 100*op[0].Y, 100*op[0].X), s)
		}
		p.Legend.Add("chance (AUROC 0.5)", chance)
		drawSquare(c, p)
		return nil
	})
}

// drawSquare draws a plot of two rates (ROC, precision-recall) centred on c
// with the legend at its lower right: a square plot area reads best.
func drawSquare(c draw.Canvas, p *plot.Plot) {
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	p.X.Tick.Marker, p.Y.Tick.Marker = rateTicks{}, rateTicks{}
	p.Legend.Top = false
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(8), vg.Points(8)
	side := min(c.Max.Y-c.Min.Y, c.Max.X-c.Min.X)
	extra := (c.Max.X - c.Min.X - side) / 2
	p.Draw(draw.Crop(c, extra, -extra, vg.Points(4), 0))
}

// PRCurve draws the precision-recall curve of anomaly scores against the
// true labels, with the average precision in the title and the precision of
// guessing (the share of anomalies) as the baseline. With few anomalies it
// tells more than the ROC curve. It uses runtime/metrics.
func PRCurve(scores []float64, anomalous []bool) *Figure {
	const kind = "precision-recall curve"
	if err := checkScores(scores, anomalous); err != nil {
		return failed(kind, err)
	}
	prec, rec, _ := metrics.PrecisionRecallCurve(scores, anomalous)
	ap := metrics.AveragePrecision(scores, anomalous)
	pos := 0
	for _, a := range anomalous {
		if a {
			pos++
		}
	}
	base := float64(pos) / float64(len(anomalous))
	xy := make(plotter.XYs, 0, len(prec)+1)
	xy = append(xy, plotter.XY{X: 0, Y: 1})
	for i := range prec {
		xy = append(xy, plotter.XY{X: rec[i], Y: prec[i]})
	}
	return newFigure(kind, fmt.Sprintf("Precision-recall curve (average precision %.3f)", ap), func(c draw.Canvas, f *Figure) error {
		c = drawTitle(c, f.title)
		p := newPlot("", "recall (anomalies caught)", "precision (flagged that are anomalies)")
		p.Add(gridLines())
		guess, err := plotter.NewLine(plotter.XYs{{X: 0, Y: base}, {X: 1, Y: base}})
		if err != nil {
			return err
		}
		guess.Color, guess.Width = color.Gray{0x99}, vg.Points(1)
		guess.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		curve, err := plotter.NewLine(xy)
		if err != nil {
			return err
		}
		curve.Color, curve.Width = anomalyColor, vg.Points(2)
		curve.StepStyle = plotter.PreStep
		p.Add(guess, curve)
		p.Legend.Add(fmt.Sprintf("model (AP %.3f)", ap), curve)
		p.Legend.Add(fmt.Sprintf("guessing (%.1f%% anomalies)", 100*base), guess)
		drawSquare(c, p)
		return nil
	})
}
