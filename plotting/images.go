package plotting

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Shape is the shape of one image stored as a row of float32 values:
// C channels (1 for grey, 3 for RGB) of H×W pixels, channel by channel
// (C,H,W order), as runtime/data.Set keeps images.
type Shape struct{ C, H, W int }

// Size returns the number of values in one image, C*H*W.
func (s Shape) Size() int { return s.C * s.H * s.W }

// check says what is wrong with s, if anything.
func (s Shape) check() error {
	if s.C != 1 && s.C != 3 {
		return fmt.Errorf("shape %d×%d×%d: %d channels; images need 1 (grey) or 3 (RGB)", s.C, s.H, s.W, s.C)
	}
	if s.H <= 0 || s.W <= 0 || s.H > 1024 || s.W > 1024 {
		return fmt.Errorf("shape %d×%d×%d: height and width must be 1..1024", s.C, s.H, s.W)
	}
	return nil
}

// images checks that pixels holds whole images of shape s and returns how many.
func (s Shape) images(what string, pixels []float32) (int, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	if len(pixels)%s.Size() != 0 {
		return 0, fmt.Errorf("%s: %d values is not a whole number of %d×%d×%d images (%d values each); check the shape", what, len(pixels), s.C, s.H, s.W, s.Size())
	}
	return len(pixels) / s.Size(), nil
}

// ImageRow is one row of an image grid: a caption shown to its left, the
// images (whole images of the grid's Shape, one after another), and
// optional labels shown under each image (a label may have several lines).
type ImageRow struct {
	Caption string
	Pixels  []float32
	Labels  []string
}

// maxGridImages is the most images one grid figure shows.
const maxGridImages = 1024

// intensity says how pixel values map to grey levels.
type intensity int

const (
	autoRange intensity = iota // [0,1] when all values lie in it, else the grid's min..max
	symmetric                  // per image: 0 is mid grey, ±max|v| black and white
)

// tileSet is an image grid ready to lay out: rows of rendered tiles.
type tileSet struct {
	shape     Shape
	cols      int
	captions  []string        // per row
	tiles     [][]*image.RGBA // per row; a row may be shorter than cols
	labels    [][]string      // per row, per tile; nil for none
	maxScale  int             // largest pixel magnification
	colHeader []string        // labels above the columns, or nil
	bandStart []bool          // per row: extra space above it (a new band of rows)
}

// newTileSet renders the rows' images as tiles.
func newTileSet(shape Shape, rows []ImageRow, cols int, mode intensity) (*tileSet, error) {
	if len(rows) == 0 {
		return nil, errors.New("no images to show")
	}
	if err := shape.check(); err != nil { // before the tile scale divides by its size
		return nil, err
	}
	if cols <= 0 {
		return nil, fmt.Errorf("%d columns; pass a positive number of columns", cols)
	}
	lo, hi := float32(0), float32(1)
	if mode == autoRange {
		lo, hi = valueRange(rows)
	}
	// Tiles grow to at most 8× or 128 pixels, whichever is larger, so tiny
	// images (small filters) are still big enough to see.
	ts := &tileSet{shape: shape, cols: cols, maxScale: max(8, 128/max(shape.H, shape.W))}
	drawn := false
	total := 0
	for i, r := range rows {
		n, err := shape.images(fmt.Sprintf("row %d (%q)", i, r.Caption), r.Pixels)
		if err != nil {
			return nil, err
		}
		if total += n; total > maxGridImages {
			return nil, fmt.Errorf("more than %d images; a figure that large does not read, so show a slice of them", maxGridImages)
		}
		if r.Labels != nil && len(r.Labels) != n {
			return nil, fmt.Errorf("row %d (%q): %d labels for %d images; pass one label per image or none", i, r.Caption, len(r.Labels), n)
		}
		// Long rows wrap onto several grid rows of cols images.
		for start := 0; start < n || (n == 0 && start == 0); start += cols {
			end := min(start+cols, n)
			var tiles []*image.RGBA
			for k := start; k < end; k++ {
				img := r.Pixels[k*shape.Size() : (k+1)*shape.Size()]
				if mode == symmetric {
					lo, hi = symmetricRange(img)
				}
				tiles = append(tiles, tile(shape, img, lo, hi))
				drawn = true
			}
			caption := r.Caption
			if start > 0 {
				caption = ""
			}
			var labels []string
			if r.Labels != nil {
				labels = r.Labels[start:end]
			}
			ts.bandStart = append(ts.bandStart, false)
			ts.captions = append(ts.captions, caption)
			ts.tiles = append(ts.tiles, tiles)
			ts.labels = append(ts.labels, labels)
		}
	}
	if !drawn {
		return nil, errors.New("no images to show: every row is empty")
	}
	return ts, nil
}

// valueRange returns the scale of a grid's images: [0,1] when a row lies
// in it (with a little tolerance), as images do, values of other rows past
// it (a noisy input without clipping) then drawn clipped; else the finite
// min and max over all rows, so that all images share one scale.
func valueRange(rows []ImageRow) (lo, hi float32) {
	lo, hi = float32(math.Inf(1)), float32(math.Inf(-1))
	inUnit := false
	for _, r := range rows {
		rlo, rhi := float32(math.Inf(1)), float32(math.Inf(-1))
		for _, v := range r.Pixels {
			if v != v || math.IsInf(float64(v), 0) {
				continue
			}
			rlo, rhi = min(rlo, v), max(rhi, v)
		}
		if rlo <= rhi && rlo >= -0.02 && rhi <= 1.02 {
			inUnit = true
		}
		lo, hi = min(lo, rlo), max(hi, rhi)
	}
	switch {
	case lo > hi:
		return 0, 1 // no finite values: everything is drawn as missing
	case inUnit:
		return 0, 1
	case lo == hi:
		return lo - 1, hi + 1
	}
	return lo, hi
}

// symmetricRange returns -m, m for the largest finite magnitude m of img.
func symmetricRange(img []float32) (lo, hi float32) {
	var m float32
	for _, v := range img {
		if v == v && !math.IsInf(float64(v), 0) {
			m = max(m, float32(math.Abs(float64(v))))
		}
	}
	if m == 0 {
		m = 1
	}
	return -m, m
}

// missingColor marks NaN pixels.
var missingColor = color.RGBA{0xff, 0x00, 0xff, 0xff}

// tile renders one image, mapping lo..hi to 0..255 (clipped). NaN and
// infinite values are drawn magenta, so broken output is visible.
func tile(s Shape, px []float32, lo, hi float32) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, s.W, s.H))
	scale := 255 / (hi - lo)
	level := func(v float32) uint8 {
		f := (v - lo) * scale
		if f <= 0 {
			return 0
		}
		if f >= 255 {
			return 255
		}
		return uint8(f + 0.5)
	}
	plane := s.H * s.W
	for y := 0; y < s.H; y++ {
		for x := 0; x < s.W; x++ {
			i := y*s.W + x
			var c color.RGBA
			bad := false
			if s.C == 1 {
				v := px[i]
				bad = v != v || math.IsInf(float64(v), 0)
				g := level(v)
				c = color.RGBA{g, g, g, 0xff}
			} else {
				r, g, b := px[i], px[plane+i], px[2*plane+i]
				for _, v := range []float32{r, g, b} {
					bad = bad || v != v || math.IsInf(float64(v), 0)
				}
				c = color.RGBA{level(r), level(g), level(b), 0xff}
			}
			if bad {
				c = missingColor
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// magnify returns img scaled up to w×h pixels by nearest-neighbour
// sampling, so that image pixels stay sharp squares.
func magnify(img *image.RGBA, w, h int) *image.RGBA {
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		sy := y * b.Dy() / h
		for x := 0; x < w; x++ {
			out.SetRGBA(x, y, img.RGBAAt(x*b.Dx()/w, sy))
		}
	}
	return out
}

// Grid layout constants in CSS pixels.
const (
	gridGap    = 4  // between tiles
	gridMargin = 10 // around the grid
	bandGap    = 14 // between bands of rows
)

// layout holds the pixel geometry of a tile set at a given figure width.
type layout struct {
	scale            float64 // pixel magnification
	tileW, tileH     float64 // one tile in CSS pixels
	captionW         float64 // caption column
	labelH, headerH  float64 // label line under tiles, header line above
	titleH           float64
	title            string  // the title, wrapped to the figure's width
	width, height    float64 // whole figure
	contentW         float64 // tiles area width
	hasLabels, hasHd bool
}

// layoutFor computes the geometry for a figure at most maxWidth wide.
func (ts *tileSet) layoutFor(title string, maxWidth float64) layout {
	var l layout
	capSty := textStyle(labelSize, false)
	for _, c := range ts.captions {
		if c != "" {
			l.captionW = max(l.captionW, topx(capSty.Width(c))+12)
		}
	}
	labSty := textStyle(smallSize, false)
	for _, ls := range ts.labels {
		for _, s := range ls {
			l.hasLabels = true
			l.labelH = max(l.labelH, topx(labSty.Height(s))+2) // labels may have several lines
		}
	}
	if ts.colHeader != nil {
		l.hasHd = true
		l.headerH = topx(labSty.Height("Xg")) + 4
	}
	avail := maxWidth - 2*gridMargin - l.captionW - float64(ts.cols-1)*gridGap
	// Whole magnifications keep pixels even; below 3× a fractional one
	// (a few pixels one screen pixel wider) fills the width much better.
	l.scale = avail / float64(ts.cols*ts.shape.W)
	if l.scale >= 3 {
		l.scale = math.Floor(l.scale)
	}
	l.scale = max(1, min(l.scale, float64(ts.maxScale)))
	l.tileW = math.Floor(float64(ts.shape.W) * l.scale)
	l.tileH = math.Floor(float64(ts.shape.H) * l.tileW / float64(ts.shape.W))
	// Labels wider than a tile need wider columns.
	colW := l.tileW
	for _, ls := range ts.labels {
		for _, s := range ls {
			colW = max(colW, topx(labSty.Width(s))+4)
		}
	}
	for _, s := range ts.colHeader {
		colW = max(colW, topx(labSty.Width(s))+4)
	}
	l.contentW = float64(ts.cols)*colW + float64(ts.cols-1)*gridGap
	l.width = math.Ceil(max(l.contentW+l.captionW+2*gridMargin, 240))
	if title != "" {
		sty := textStyle(titleSize, true)
		tw := min(topx(sty.Width(title)), maxWidth-2*gridMargin)
		l.width = max(l.width, math.Ceil(tw+2*gridMargin))
		l.title = wrapText(sty, title, px(l.width-2*gridMargin))
		l.titleH = topx(sty.Height(l.title)) + 12
	}
	l.height = l.titleH + l.headerH + 2*gridMargin - gridGap
	for i := range ts.tiles {
		l.height += ts.rowHeight(i, l)
	}
	l.height = math.Ceil(l.height)
	return l
}

// rowHeight is the vertical space row i takes, with the gap below it.
func (ts *tileSet) rowHeight(i int, l layout) float64 {
	h := l.tileH + gridGap
	if ts.labels[i] != nil {
		h += l.labelH
	}
	if ts.bandStart[i] {
		h += bandGap
	}
	return h
}

// gridFigure makes a figure that lays ts out; its size follows the content.
func gridFigure(kind, title string, ts *tileSet) *Figure {
	f := newFigure(kind, title, func(c draw.Canvas, f *Figure) error {
		ts.paint(c, ts.layoutFor(f.title, f.maxW))
		return nil
	})
	f.relayout = func(g *Figure) {
		l := ts.layoutFor(g.title, g.maxW)
		g.w, g.h = l.width, l.height
	}
	f.relayout(f)
	return f
}

// paint draws the grid with layout l, top-down, on pixel-aligned positions.
func (ts *tileSet) paint(c draw.Canvas, l layout) {
	figW := topx(c.Max.X - c.Min.X)
	left := topx(c.Min.X)
	top := topx(c.Max.Y) // y grows upwards in vg
	if l.title != "" {
		sty := textStyle(titleSize, true)
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
		c.FillText(sty, vg.Point{X: px(left + figW/2), Y: px(top - 6)}, l.title)
	}
	x0 := left + math.Round((figW-l.contentW-l.captionW)/2) + l.captionW
	colW := (l.contentW - float64(ts.cols-1)*gridGap) / float64(ts.cols)
	y := top - gridMargin - l.titleH
	labSty := textStyle(smallSize, false)
	labSty.XAlign, labSty.YAlign = draw.XCenter, draw.YTop
	if l.hasHd {
		for j, s := range ts.colHeader {
			cx := x0 + float64(j)*(colW+gridGap) + colW/2
			c.FillText(labSty, vg.Point{X: px(cx), Y: px(y)}, s)
		}
		y -= l.headerH
	}
	capSty := textStyle(labelSize, false)
	capSty.XAlign, capSty.YAlign = draw.XRight, draw.YCenter
	k := deviceScale(c)
	for i, row := range ts.tiles {
		if ts.bandStart[i] {
			y -= bandGap
		}
		if ts.captions[i] != "" {
			c.FillText(capSty, vg.Point{X: px(x0 - 10), Y: px(y - l.tileH/2)}, ts.captions[i])
		}
		for j, t := range row {
			tx := math.Round(x0 + float64(j)*(colW+gridGap) + (colW-l.tileW)/2)
			ty := math.Round(y - l.tileH)
			r := vg.Rectangle{Min: vg.Point{X: px(tx), Y: px(ty)}, Max: vg.Point{X: px(tx + l.tileW), Y: px(ty + l.tileH)}}
			c.DrawImage(r, magnify(t, int(l.tileW*k), int(l.tileH*k)))
			if ts.labels[i] != nil {
				c.FillText(labSty, vg.Point{X: px(tx + l.tileW/2), Y: px(ty - 1)}, ts.labels[i][j])
			}
		}
		y -= l.tileH + gridGap
		if ts.labels[i] != nil {
			y -= l.labelH
		}
	}
}
