package plotting

import (
	"errors"
	"fmt"
	"image/color"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/latent-ai/latent/runtime/ae"
)

// SeriesAnomalies draws anomaly detection on a time series: above, the
// series with its flagged points in red; below, each point's anomaly score
// with the threshold. The x axis is the point index (the report's Series
// carries the time stamps).
func SeriesAnomalies(r *ae.SeriesReport) *Figure {
	const kind = "time-series anomalies"
	if r == nil || r.Series == nil || len(r.Scores) != r.Series.Len() || len(r.Scores) == 0 {
		return failed(kind, errors.New("an empty or inconsistent report; make one with ae.SeriesAnomaly"))
	}
	vals, scores := make(plotter.XYs, len(r.Scores)), make(plotter.XYs, len(r.Scores))
	var flagged plotter.XYs
	for i, v := range r.Series.Values {
		vals[i] = plotter.XY{X: float64(i), Y: float64(v)}
		scores[i] = plotter.XY{X: float64(i), Y: r.Scores[i]}
		if r.Flagged[i] {
			flagged = append(flagged, vals[i])
		}
	}
	xlabel := "point"
	if t := r.Series.Times; len(t) > 0 {
		xlabel = fmt.Sprintf("point (%s … %s)", t[0], t[len(t)-1])
	}
	top := newFigure(kind, fmt.Sprintf("%s: %d points flagged", r.Series.Name, len(flagged)), func(c draw.Canvas, f *Figure) error {
		p := newPlot(f.title, xlabel, r.Series.Name)
		p.Add(gridLines())
		l, err := plotter.NewLine(vals)
		if err != nil {
			return err
		}
		l.Color, l.Width = normalColor, vg.Points(1)
		p.Add(l)
		p.Legend.Add("series", l)
		if len(flagged) > 0 {
			s, err := plotter.NewScatter(flagged)
			if err != nil {
				return err
			}
			s.GlyphStyle.Color, s.GlyphStyle.Radius, s.GlyphStyle.Shape = anomalyColor, vg.Points(2), draw.CircleGlyph{}
			p.Add(s)
			p.Legend.Add("flagged", s)
		}
		drawWithSideLegend(c, p)
		return nil
	})
	bottom := newFigure(kind, "Anomaly score per point (smallest error of its windows)", func(c draw.Canvas, f *Figure) error {
		p := newPlot(f.title, xlabel, "reconstruction error")
		p.Add(gridLines())
		l, err := plotter.NewLine(scores)
		if err != nil {
			return err
		}
		l.Color, l.Width = color.RGBA{0x44, 0x44, 0x44, 0xff}, vg.Points(1)
		p.Add(l)
		p.Legend.Add("score", l)
		th, err := plotter.NewLine(plotter.XYs{{X: 0, Y: r.Threshold}, {X: float64(len(scores) - 1), Y: r.Threshold}})
		if err != nil {
			return err
		}
		th.Color, th.Width, th.Dashes = anomalyColor, vg.Points(1), []vg.Length{vg.Points(4), vg.Points(3)}
		p.Add(th)
		p.Legend.Add(fmt.Sprintf("threshold %.3g", r.Threshold), th)
		drawWithSideLegend(c, p)
		return nil
	})
	return Stack([]*Figure{top, bottom})
}
