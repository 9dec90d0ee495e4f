package plotting

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// maxScatterPoints bounds the points drawn by Latent; larger sets are
// thinned by taking every k-th sample, and the title says so.
const maxScatterPoints = 10000

// Latent draws a latent space: codes holds one code of dim values per
// sample (row-major, N×dim), labels the class of each sample (nil for
// none) and classNames the names of the classes (nil for "class 0", ...).
// Points are coloured by class with a legend of class names. Codes wider
// than 2-D are projected on their first two principal components, and the
// title and axes say so and how much variance they keep; 1-D codes are
// spread vertically by class.
func Latent(codes []float32, dim int, labels []int, classNames []string) *Figure {
	const kind = "latent space"
	if dim <= 0 {
		return failed(kind, fmt.Errorf("code width %d; pass the number of values per code", dim))
	}
	if len(codes) == 0 || len(codes)%dim != 0 {
		return failed(kind, fmt.Errorf("%d values is not a whole, non-zero number of %d-D codes; check dim", len(codes), dim))
	}
	n := len(codes) / dim
	if labels != nil && len(labels) != n {
		return failed(kind, fmt.Errorf("%d labels for %d codes; pass one label per code or nil", len(labels), n))
	}
	// Keep finite codes only; thin very large sets.
	step := (n + maxScatterPoints - 1) / maxScatterPoints
	var keep []int
	dropped := 0
	for i := 0; i < n; i += step {
		ok := true
		for _, v := range codes[i*dim : (i+1)*dim] {
			if v != v || math.IsInf(float64(v), 0) {
				ok = false
				break
			}
		}
		if ok {
			keep = append(keep, i)
		} else {
			dropped++
		}
	}
	if len(keep) == 0 {
		return failed(kind, errors.New("every code has NaN or infinite values; the model has diverged, retrain it with a lower learning rate"))
	}
	xy := make(plotter.XYs, len(keep))
	title := fmt.Sprintf("Latent space (%d-D codes)", dim)
	xlabel, ylabel := "z1", "z2"
	switch {
	case dim == 1:
		title = "Latent space (1-D codes, spread by class)"
		xlabel, ylabel = "z", "class"
		for j, i := range keep {
			xy[j] = plotter.XY{X: float64(codes[i]), Y: jitter(i)}
			if labels != nil {
				xy[j].Y += float64(labels[i])
			}
		}
	case dim == 2:
		for j, i := range keep {
			xy[j] = plotter.XY{X: float64(codes[2*i]), Y: float64(codes[2*i+1])}
		}
	default:
		proj, ratio, err := pca2(codes, dim, keep)
		if err != nil {
			return failed(kind, err)
		}
		xy = proj
		title = fmt.Sprintf("Latent space: PCA of %d-D codes (2 components keep %.0f%% of the variance)", dim, 100*(ratio[0]+ratio[1]))
		xlabel = fmt.Sprintf("PC1 (%.0f%%)", 100*ratio[0])
		ylabel = fmt.Sprintf("PC2 (%.0f%%)", 100*ratio[1])
	}
	var notes []string
	if step > 1 {
		notes = append(notes, fmt.Sprintf("every %s sample of %d", ordinal(step), n))
	}
	if dropped > 0 {
		notes = append(notes, fmt.Sprintf("%d non-finite codes left out", dropped))
	}
	// Group points by class, classes in increasing order.
	groups := map[int]plotter.XYs{}
	for j, i := range keep {
		c := 0
		if labels != nil {
			c = labels[i]
		}
		groups[c] = append(groups[c], xy[j])
	}
	classes := make([]int, 0, len(groups))
	for c := range groups {
		classes = append(classes, c)
	}
	sort.Ints(classes)
	radius := vg.Points(2.2)
	if len(keep) > 2000 {
		radius = vg.Points(1.4)
	}
	fig := newFigure(kind, title, func(c draw.Canvas, f *Figure) error {
		t := f.title
		for _, nt := range notes {
			t += "; " + nt
		}
		p := newPlot(t, xlabel, ylabel)
		p.Add(gridLines())
		for k, cl := range classes {
			s, err := plotter.NewScatter(groups[cl])
			if err != nil {
				return err
			}
			s.Shape = draw.CircleGlyph{}
			s.Color = withAlpha(ClassColor(cl), 0.75)
			s.Radius = radius
			p.Add(s)
			switch {
			case labels == nil || k > maxLegendClasses:
			case k == maxLegendClasses:
				p.Legend.Add(fmt.Sprintf("… %d more classes", len(classes)-k))
			default:
				leg := &plotter.Scatter{GlyphStyle: draw.GlyphStyle{Color: ClassColor(cl), Radius: vg.Points(3.5), Shape: draw.CircleGlyph{}}}
				p.Legend.Add(className(cl, classNames), leg)
			}
		}
		if dim == 1 && labels != nil {
			p.Y.Tick.Marker = classTicks{classes: classes, names: classNames}
		}
		drawWithSideLegend(c, p)
		return nil
	})
	return fig
}

// maxLegendClasses is the most classes named in a scatter plot's legend.
const maxLegendClasses = 20

// className returns the name of class c.
func className(c int, names []string) string {
	if c >= 0 && c < len(names) && names[c] != "" {
		return names[c]
	}
	return "class " + strconv.Itoa(c)
}

// ordinal writes 2 as "2nd", 3 as "3rd", 11 as "11th".
func ordinal(n int) string {
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return strconv.Itoa(n) + suffix
}

// jitter returns a deterministic offset in [-0.3, 0.3) for sample i.
func jitter(i int) float64 {
	h := uint32(i)*2654435761 + 0x9e3779b9
	h ^= h >> 15
	h *= 0x85ebca6b
	h ^= h >> 13
	return (float64(h)/(1<<32) - 0.5) * 0.6
}

// classTicks labels integer y positions with class names.
type classTicks struct {
	classes []int
	names   []string
}

// Ticks implements plot.Ticker.
func (t classTicks) Ticks(min, max float64) []plot.Tick {
	var ticks []plot.Tick
	for _, c := range t.classes {
		if v := float64(c); v >= min && v <= max {
			ticks = append(ticks, plot.Tick{Value: v, Label: className(c, t.names)})
		}
	}
	return ticks
}

// pca2 projects the codes of the kept samples on their first two principal
// components. It returns the projections and the share of the total
// variance each component explains. Each component's sign is fixed so that
// its largest-magnitude coefficient is positive, so results do not depend
// on the eigen solver's sign choice.
func pca2(codes []float32, dim int, keep []int) (plotter.XYs, [2]float64, error) {
	var ratio [2]float64
	n := len(keep)
	if n < 2 {
		return nil, ratio, fmt.Errorf("%d finite codes; PCA needs at least 2", n)
	}
	mean := make([]float64, dim)
	for _, i := range keep {
		for d, v := range codes[i*dim : (i+1)*dim] {
			mean[d] += float64(v)
		}
	}
	for d := range mean {
		mean[d] /= float64(n)
	}
	x := mat.NewDense(n, dim, nil)
	for r, i := range keep {
		for d, v := range codes[i*dim : (i+1)*dim] {
			x.Set(r, d, float64(v)-mean[d])
		}
	}
	cov := mat.NewSymDense(dim, nil)
	cov.SymOuterK(1/float64(n-1), x.T())
	var eig mat.EigenSym
	if !eig.Factorize(cov, true) {
		return nil, ratio, errors.New("PCA of the codes did not converge; check them for huge values")
	}
	vals := eig.Values(nil) // ascending
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	total := 0.0
	for _, v := range vals {
		total += math.Max(v, 0)
	}
	if total == 0 {
		return nil, ratio, errors.New("all codes are the same point; the encoder has collapsed, so there is nothing to project")
	}
	comp := [2][]float64{}
	for k := 0; k < 2; k++ {
		col := dim - 1 - k
		comp[k] = mat.Col(nil, col, &vecs)
		big := 0
		for d := range comp[k] {
			if math.Abs(comp[k][d]) > math.Abs(comp[k][big]) {
				big = d
			}
		}
		if comp[k][big] < 0 {
			for d := range comp[k] {
				comp[k][d] = -comp[k][d]
			}
		}
		ratio[k] = math.Max(vals[col], 0) / total
	}
	xy := make(plotter.XYs, n)
	for r := 0; r < n; r++ {
		row := x.RawRowView(r)
		for d, v := range row {
			xy[r].X += v * comp[0][d]
			xy[r].Y += v * comp[1][d]
		}
	}
	return xy, ratio, nil
}
