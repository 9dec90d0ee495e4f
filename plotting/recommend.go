package plotting

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Largest block of a rating matrix that Ratings draws; bigger matrices show
// their top-left block and the title says so.
const (
	maxHeatUsers = 60
	maxHeatItems = 100
)

// viridis holds five points of the perceptually uniform "viridis" colour
// map; colours in between are interpolated.
var viridis = [...]color.RGBA{
	{0x44, 0x01, 0x54, 0xff},
	{0x3b, 0x52, 0x8b, 0xff},
	{0x21, 0x91, 0x8c, 0xff},
	{0x5e, 0xc9, 0x62, 0xff},
	{0xfd, 0xe7, 0x25, 0xff},
}

// heatColor maps t in [0,1] (clipped) onto the colour map.
func heatColor(t float64) color.RGBA {
	t = math.Max(0, math.Min(1, t))
	f := t * float64(len(viridis)-1)
	i := min(int(f), len(viridis)-2)
	u := f - float64(i)
	a, b := viridis[i], viridis[i+1]
	mix := func(x, y uint8) uint8 { return uint8(float64(x)*(1-u) + float64(y)*u + 0.5) }
	return color.RGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 0xff}
}

// missing reports whether a rating is missing: NaN or exactly 0, the usual
// encoding of "not rated" in user×item matrices.
func missing(v float32) bool { return v != v || v == 0 }

// checkMatrix says what is wrong with a users×items matrix m, if anything.
func checkMatrix(what string, m []float32, users, items int) error {
	if users <= 0 || items <= 0 {
		return fmt.Errorf("%d users × %d items; pass the matrix dimensions", users, items)
	}
	if len(m) != users*items {
		return fmt.Errorf("%s has %d values, want %d users × %d items = %d", what, len(m), users, items, users*items)
	}
	return nil
}

// Ratings draws a user×item rating matrix beside the model's
// reconstruction of it, on one colour scale (the range of the observed
// ratings) with a colour bar. ratings marks unrated entries as NaN or 0;
// they are hatched grey on the left and dotted on the right, where their
// predictions are what a recommender would use. Matrices larger than 60
// users × 100 items show their top-left block.
func Ratings(ratings, predicted []float32, users, items int) *Figure {
	const kind = "rating heatmaps"
	if err := checkMatrix("ratings", ratings, users, items); err != nil {
		return failed(kind, err)
	}
	if err := checkMatrix("predicted", predicted, users, items); err != nil {
		return failed(kind, err)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range ratings {
		if !missing(v) && !math.IsInf(float64(v), 0) {
			lo, hi = math.Min(lo, float64(v)), math.Max(hi, float64(v))
		}
	}
	if lo > hi {
		return failed(kind, errors.New("no observed ratings (all are 0 or NaN); nothing to compare"))
	}
	if lo == hi {
		lo, hi = lo-1, hi+1
	}
	nu, ni := min(users, maxHeatUsers), min(items, maxHeatItems)
	title := fmt.Sprintf("Ratings and reconstruction (%d users × %d items)", users, items)
	if nu < users || ni < items {
		title = fmt.Sprintf("Ratings and reconstruction (first %d×%d of %d users × %d items)", nu, ni, users, items)
	}
	type cell struct {
		col    color.RGBA
		hatch  bool // missing in the input: hatched
		dotted bool // a prediction for a missing entry
	}
	panel := func(m []float32, pred bool) [][]cell {
		cells := make([][]cell, nu)
		for u := range cells {
			cells[u] = make([]cell, ni)
			for i := range cells[u] {
				miss := missing(ratings[u*items+i])
				v := m[u*items+i]
				switch {
				case !pred && miss:
					cells[u][i] = cell{col: color.RGBA{0xe4, 0xe4, 0xe4, 0xff}, hatch: true}
				case v != v || math.IsInf(float64(v), 0):
					cells[u][i] = cell{col: missingColor}
				default:
					cells[u][i] = cell{col: heatColor((float64(v) - lo) / (hi - lo)), dotted: pred && miss}
				}
			}
		}
		return cells
	}
	left, right := panel(ratings, false), panel(predicted, true)
	raster := func(cells [][]cell, w, h int) *image.RGBA {
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		cw, ch := float64(w)/float64(ni), float64(h)/float64(nu)
		for y := 0; y < h; y++ {
			u := min(int(float64(y)/ch), nu-1)
			for x := 0; x < w; x++ {
				i := min(int(float64(x)/cw), ni-1)
				c := cells[u][i]
				col := c.col
				if c.hatch && (x+y)%5 == 0 {
					col = color.RGBA{0xb0, 0xb0, 0xb0, 0xff}
				}
				if c.dotted && cw >= 5 && ch >= 5 {
					dx := float64(x) + 0.5 - (float64(i)+0.5)*cw
					dy := float64(y) + 0.5 - (float64(u)+0.5)*ch
					if dx*dx+dy*dy <= math.Pow(math.Min(cw, ch)/5, 2) {
						col = color.RGBA{0xff, 0xff, 0xff, 0xff}
					}
				}
				img.SetRGBA(x, y, col)
			}
		}
		return img
	}
	return newFigure(kind, title, func(c draw.Canvas, f *Figure) error {
		c = drawTitle(c, f.title)
		barW := vg.Points(62)
		gap := vg.Points(10)
		pw := (c.Max.X - c.Min.X - barW - 2*gap) / 2
		for k, cells := range [][][]cell{left, right} {
			name := "observed ratings (hatched: unrated)"
			if k == 1 {
				name = "reconstruction (dot: was unrated)"
			}
			p := newPlot("", "item", "user")
			p.Title.Text = name
			restyle(&p.Title.TextStyle, labelSize, false)
			p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, float64(ni), 0, float64(nu)
			p.X.Tick.Marker = indexTicks{n: ni}
			p.Y.Tick.Marker = indexTicks{n: nu, flip: true}
			pc := draw.Crop(c, vg.Length(k)*(pw+gap), -(c.Max.X - c.Min.X - vg.Length(k+1)*pw - vg.Length(k)*gap), vg.Points(2), 0)
			dc := p.DataCanvas(pc)
			k := deviceScale(c)
			w, h := int(math.Round(k*topx(dc.Max.X-dc.Min.X))), int(math.Round(k*topx(dc.Max.Y-dc.Min.Y)))
			p.Add(plotter.NewImage(raster(cells, max(w, 1), max(h, 1)), 0, 0, float64(ni), float64(nu)))
			p.Draw(pc)
		}
		// Colour bar: a vertical gradient with the rating scale beside it.
		p := newPlot("", "", "rating")
		p.HideX()
		grad := image.NewRGBA(image.Rect(0, 0, 1, 256))
		for y := 0; y < 256; y++ {
			grad.SetRGBA(0, 255-y, heatColor(float64(y)/255))
		}
		p.Add(plotter.NewImage(grad, 0, lo, 1, hi))
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, lo, hi
		bc := draw.Crop(c, c.Max.X-c.Min.X-barW, -vg.Points(14), vg.Points(40), -vg.Points(24))
		p.Draw(bc)
		return nil
	})
}

// indexTicks labels the 0-based row or column indices of a matrix drawn
// with cell k spanning [k, k+1] (flip: row 0 at the top).
type indexTicks struct {
	n    int
	flip bool
}

// Ticks implements plot.Ticker.
func (t indexTicks) Ticks(min, max float64) []plot.Tick {
	step := int(wholeStep(float64(t.n), 10))
	var ticks []plot.Tick
	for k := 0; k < t.n; k += step {
		v := float64(k) + 0.5
		if t.flip {
			v = float64(t.n-k) - 0.5
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.Itoa(k)})
	}
	return ticks
}
