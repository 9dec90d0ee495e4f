package plotting

import (
	"image/color"
	"math"
	"strconv"
	"strings"

	xfont "golang.org/x/image/font"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Palette is the fixed set of colours used for classes and series, in
// order: ten hues that stay distinct from each other (the "category10"
// colours common to plotting libraries). Class i gets Palette[i%10].
var Palette = [10]color.RGBA{
	{0x1f, 0x77, 0xb4, 0xff}, // blue
	{0xff, 0x7f, 0x0e, 0xff}, // orange
	{0x2c, 0xa0, 0x2c, 0xff}, // green
	{0xd6, 0x27, 0x28, 0xff}, // red
	{0x94, 0x67, 0xbd, 0xff}, // purple
	{0x8c, 0x56, 0x4b, 0xff}, // brown
	{0xe3, 0x77, 0xc2, 0xff}, // pink
	{0x7f, 0x7f, 0x7f, 0xff}, // grey
	{0xbc, 0xbd, 0x22, 0xff}, // olive
	{0x17, 0xbe, 0xcf, 0xff}, // cyan
}

// ClassColor returns the palette colour of class i (any int, wrapping).
func ClassColor(i int) color.RGBA {
	i %= len(Palette)
	if i < 0 {
		i += len(Palette)
	}
	return Palette[i]
}

// withAlpha returns c with opacity a in [0,1], premultiplied as color.RGBA wants.
func withAlpha(c color.RGBA, a float64) color.RGBA {
	m := func(v uint8) uint8 { return uint8(float64(v)*a + 0.5) }
	return color.RGBA{m(c.R), m(c.G), m(c.B), uint8(255*a + 0.5)}
}

// Font sizes in points.
const (
	titleSize  = 12
	labelSize  = 11
	tickSize   = 9.5
	legendSize = 10
	smallSize  = 9
)

var (
	sansFont = font.Font{Typeface: "Liberation", Variant: "Sans"}
	boldFont = font.Font{Typeface: "Liberation", Variant: "Sans", Weight: xfont.WeightBold}
	textGrey = color.Gray{0x33}
)

// textStyle returns a plain-text style in Liberation Sans of size pt.
func textStyle(pt vg.Length, bold bool) text.Style {
	f := sansFont
	if bold {
		f = boldFont
	}
	return text.Style{
		Color:   textGrey,
		Font:    font.From(f, pt),
		XAlign:  draw.XLeft,
		YAlign:  draw.YBottom,
		Handler: plot.DefaultTextHandler,
	}
}

// restyle keeps a gonum text style's alignment and rotation but sets the
// package's font, size and colour.
func restyle(s *text.Style, pt vg.Length, bold bool) {
	n := textStyle(pt, bold)
	s.Font, s.Color, s.Handler = n.Font, n.Color, n.Handler
}

// newPlot returns a plot in the package's style: sans-serif fonts, grey
// axes, and the legend at the top right inside the plot.
func newPlot(title, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	restyle(&p.Title.TextStyle, titleSize, true)
	p.Title.Padding = vg.Points(8)
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		restyle(&ax.Label.TextStyle, labelSize, false)
		restyle(&ax.Tick.Label, tickSize, false)
		ax.Color = color.Gray{0x66}
		ax.Tick.Color = color.Gray{0x66}
		ax.Tick.Length = vg.Points(4)
		ax.Padding = vg.Points(3)
	}
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	p.X.Tick.Marker, p.Y.Tick.Marker = niceTicks{}, niceTicks{}
	restyle(&p.Legend.TextStyle, legendSize, false)
	p.Legend.Top = true
	p.Legend.Padding = vg.Points(2)
	p.Legend.ThumbnailWidth = vg.Points(20)
	return p
}

// drawWithSideLegend draws p on c with its legend moved out of the data
// area into a column on the right, so it never hides data. The plot title
// spans the whole width.
func drawWithSideLegend(c draw.Canvas, p *plot.Plot) {
	c = drawTitle(c, p.Title.Text)
	p.Title.Text = ""
	leg := p.Legend
	p.Legend = plot.NewLegend()
	w := leg.Rectangle(c).Size().X
	gap := vg.Points(12)
	// Leave room on the right for the last x tick label, which gonum/plot
	// centres on the axis end.
	pc := draw.Crop(c, 0, -(w + 2*gap), vg.Points(4), -vg.Points(4))
	p.Draw(pc)
	lc := draw.Crop(c, c.Max.X-c.Min.X-(w+gap), -gap/2, 0, -vg.Points(6))
	leg.Left, leg.Top = true, true
	leg.Draw(lc)
}

// fillRect fills r with col.
func fillRect(c draw.Canvas, r vg.Rectangle, col color.Color) {
	c.SetColor(col)
	c.Fill(r.Path())
}

// drawTitle writes title centred at the top of c and returns the canvas
// below it (c itself when the title is empty).
func drawTitle(c draw.Canvas, title string) draw.Canvas {
	if title == "" {
		return c
	}
	sty := textStyle(titleSize, true)
	sty.XAlign = draw.XCenter
	sty.YAlign = draw.YTop
	pad := vg.Points(6)
	title = wrapText(sty, title, c.Max.X-c.Min.X-4*pad)
	top := c.Max.Y - pad
	c.FillText(sty, vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: top}, title)
	h := sty.Height(title) + 2*pad
	return draw.Crop(c, 0, 0, 0, -h)
}

// gridLines is a light background grid for a plot.
func gridLines() *plotter.Grid {
	g := plotter.NewGrid()
	g.Vertical.Color = color.Gray{0xe4}
	g.Horizontal.Color = color.Gray{0xe4}
	g.Vertical.Width = vg.Points(0.5)
	g.Horizontal.Width = vg.Points(0.5)
	return g
}

// niceTicks labels round values (1, 2 or 5 times a power of ten apart),
// about six of them over the axis, with unlabelled minor ticks between.
type niceTicks struct{}

// Ticks implements plot.Ticker.
func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	span := hi - lo
	if !(span > 0) || math.IsInf(span, 0) {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	mag := math.Pow(10, math.Floor(math.Log10(span/6)))
	step := mag
	for _, k := range []float64{1, 2, 5, 10} {
		if step = k * mag; span/step <= 7 {
			break
		}
	}
	minor := step / 5
	if s := step / mag; s == 2 || s == 20 {
		minor = step / 4
	}
	decimals := max(0, int(-math.Floor(math.Log10(step)+1e-9)))
	var ticks []plot.Tick
	for k := math.Ceil(lo/minor - 1e-9); k*minor <= hi+minor*1e-9; k++ {
		v := k * minor
		t := plot.Tick{Value: v}
		if r := v / step; math.Abs(r-math.Round(r)) < 1e-6 {
			if math.Abs(v) < step*1e-9 {
				v = 0 // no "-0"
			}
			t.Label = strconv.FormatFloat(v, 'f', decimals, 64)
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// wrapText breaks s into lines no wider than width at spaces (a word wider
// than width gets a line of its own).
func wrapText(sty text.Style, s string, width vg.Length) string {
	if sty.Width(s) <= width {
		return s
	}
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		switch {
		case line == "":
			line = w
		case sty.Width(line+" "+w) <= width:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}
