package plotting

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"path/filepath"
	"strings"
	"sync"

	"github.com/latent-ai/latent/internal/atomicfile"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/latent-ai/latent/display"
)

// DPI is the resolution of PNG output: at 96 dots per inch one PNG pixel is
// one CSS pixel, which is how JupyterLab shows images.
const DPI = 96

// Default figure size in CSS pixels (and PNG pixels at DPI).
const (
	DefaultWidth  = 720
	DefaultHeight = 450
)

// px converts CSS pixels to vg lengths (points).
func px(n float64) vg.Length { return vg.Length(n * 72 / DPI) }

// topx converts a vg length to CSS pixels.
func topx(l vg.Length) float64 { return float64(l) * DPI / 72 }

// painter draws figure f's contents on a canvas of f's size.
type painter func(c draw.Canvas, f *Figure) error

// Figure is a picture made by one of this package's constructors. It is a
// display.Renderer, so a notebook shows it inline as a cell's result; PNG,
// SVG and Save give its bytes. A Figure is immutable: WithTitle and
// WithSize return changed copies. A figure built from bad input carries the
// error, which Err, PNG, SVG and Save return and Render shows as text.
type Figure struct {
	kind  string // short description for text/plain, e.g. "loss curves"
	title string
	w, h  float64 // CSS pixels
	paint painter
	err   error
	// relayout, when set, sets the size for a new title or a new maximum
	// width: the size of image grids follows from their content.
	relayout func(g *Figure)
	maxW     float64 // the width asked for; grids may use less
}

// newFigure returns a figure of the default size.
func newFigure(kind, title string, paint painter) *Figure {
	return &Figure{kind: kind, title: title, w: DefaultWidth, h: DefaultHeight, maxW: DefaultWidth, paint: paint}
}

// failed returns a figure that only reports err.
func failed(kind string, err error) *Figure {
	return &Figure{kind: kind, w: DefaultWidth, h: DefaultHeight, err: fmt.Errorf("plotting: %s: %w", kind, err)}
}

// Err returns the error that stops the figure from being drawn, or nil.
func (f *Figure) Err() error {
	if f == nil {
		return errors.New("plotting: nil figure")
	}
	return f.err
}

// Title returns the figure's title.
func (f *Figure) Title() string { return f.title }

// Size returns the figure's width and height in CSS pixels.
func (f *Figure) Size() (width, height int) { return int(f.w + 0.5), int(f.h + 0.5) }

// WithTitle returns a copy of f with the title t (an empty t removes it).
func (f *Figure) WithTitle(t string) *Figure {
	g := *f
	g.title = t
	if g.relayout != nil && g.err == nil {
		g.relayout(&g)
	}
	return &g
}

// WithSize returns a copy of f drawn width×height CSS pixels. Figures whose
// height follows from their content (image grids) keep their aspect ratio
// and use only the width (the grid is centred when it needs less). Sizes
// below 120×80 or above 4000×4000 are an error.
func (f *Figure) WithSize(width, height int) *Figure {
	g := *f
	if width < 120 || height < 80 || width > 4000 || height > 4000 {
		g.err = fmt.Errorf("plotting: %s: size %d×%d px is out of range; use 120..4000 × 80..4000", f.kind, width, height)
		return &g
	}
	g.maxW = float64(width)
	if f.relayout != nil {
		f.relayout(&g)
		return &g
	}
	g.w, g.h = float64(width), float64(height)
	return &g
}

// draw paints the figure on c with a white background.
func (f *Figure) draw(c vg.CanvasSizer) (err error) {
	if f.err != nil {
		return f.err
	}
	defer func() {
		// gonum/plot panics on some degenerate inputs; turn that into an error.
		if r := recover(); r != nil {
			err = fmt.Errorf("plotting: %s: cannot draw: %v", f.kind, r)
		}
	}()
	dc := draw.New(c)
	fillRect(dc, dc.Rectangle, color.White)
	return f.paint(dc, f)
}

// PNG returns the figure as PNG bytes: at DPI, one PNG pixel per CSS
// pixel, or sharper after SetPNGScale.
func (f *Figure) PNG() ([]byte, error) {
	if err := f.Err(); err != nil {
		return nil, err
	}
	formatMu.RLock()
	scale := pngScale
	formatMu.RUnlock()
	c := vgimg.NewWith(vgimg.UseWH(px(f.w), px(f.h)), vgimg.UseDPI(DPI*scale))
	if err := f.draw(c); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, compact(c.Image())); err != nil {
		return nil, fmt.Errorf("plotting: %s: encoding PNG: %w", f.kind, err)
	}
	return buf.Bytes(), nil
}

// compact returns img in the smallest lossless form PNG has for it: 8-bit
// grey when every pixel is an opaque grey (image grids), 8-bit palette when
// it has at most 256 colours (most plots), else img itself. The palette
// lists colours in the order the pixels first use them, so output stays
// deterministic.
func compact(img image.Image) image.Image {
	rgba, ok := img.(*image.RGBA)
	if !ok {
		return img
	}
	b := rgba.Bounds()
	grey, many := true, false // many: more than 256 colours
	index := map[uint32]uint8{}
	var pal color.Palette
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := rgba.Pix[rgba.PixOffset(b.Min.X, y):rgba.PixOffset(b.Max.X, y)]
		for i := 0; i < len(row); i += 4 {
			r, g, bl, a := row[i], row[i+1], row[i+2], row[i+3]
			grey = grey && r == g && g == bl && a == 0xff
			if !many {
				key := uint32(r)<<24 | uint32(g)<<16 | uint32(bl)<<8 | uint32(a)
				if _, seen := index[key]; !seen {
					if len(pal) == 256 {
						many = true
					} else {
						index[key] = uint8(len(pal))
						pal = append(pal, color.RGBA{r, g, bl, a})
					}
				}
			}
			if many && !grey {
				return rgba
			}
		}
	}
	if grey {
		out := image.NewGray(b)
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				out.Pix[out.PixOffset(x, y)] = rgba.Pix[rgba.PixOffset(x, y)]
			}
		}
		return out
	}
	out := image.NewPaletted(b, pal)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			o := rgba.PixOffset(x, y)
			p := rgba.Pix[o : o+4]
			out.Pix[out.PixOffset(x, y)] = index[uint32(p[0])<<24|uint32(p[1])<<16|uint32(p[2])<<8|uint32(p[3])]
		}
	}
	return out
}

// svgFont replaces the font family gonum/plot writes with a list that
// falls back to fonts with the same metrics when Liberation is missing.
var svgFont = strings.NewReplacer(
	"font-family:Liberation Sans;", "font-family:'Liberation Sans',Arial,Helvetica,sans-serif;",
	"font-family:Liberation Mono;", "font-family:'Liberation Mono','Courier New',monospace;",
	"<image ", `<image style="image-rendering:pixelated" `,
	"data:image/jpg;base64,", "data:image/png;base64,",
)

// SVG returns the figure as an SVG document.
func (f *Figure) SVG() (string, error) {
	if err := f.Err(); err != nil {
		return "", err
	}
	c := vgsvg.New(px(f.w), px(f.h))
	if err := f.draw(c); err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return "", fmt.Errorf("plotting: %s: encoding SVG: %w", f.kind, err)
	}
	return svgFont.Replace(buf.String()), nil
}

// Save writes the figure to path, as PNG or SVG by the file's extension
// (.png or .svg). The file is written to a temporary name in the same
// directory and renamed, so a reader never sees half a file; a symbolic
// link is written through and stays a link.
func (f *Figure) Save(path string) error {
	var data []byte
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".png":
		b, err := f.PNG()
		if err != nil {
			return err
		}
		data = b
	case ".svg":
		s, err := f.SVG()
		if err != nil {
			return err
		}
		data = []byte(s)
	default:
		return fmt.Errorf("plotting: save %s: unknown extension %q; use .png or .svg", path, ext)
	}
	if err := atomicfile.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("plotting: save: %w", err)
	}
	return nil
}

var (
	formatMu  sync.RWMutex
	renderSVG bool
	pngScale  = 1
)

// SetPNGScale sets how many PNG pixels make one CSS pixel: 1 (the default)
// or 2 or 3 for sharp figures on high-density screens, at 4 or 9 times the
// bytes. Figures keep their size on screen: Render tells the frontend the
// CSS size.
func SetPNGScale(scale int) error {
	if scale < 1 || scale > 3 {
		return fmt.Errorf("plotting: PNG scale %d; use 1, 2 or 3", scale)
	}
	formatMu.Lock()
	pngScale = scale
	formatMu.Unlock()
	return nil
}

// deviceScale returns how many device pixels c has per CSS pixel: the PNG
// scale for raster canvases, 1 for vector ones.
func deviceScale(c draw.Canvas) float64 {
	if d, ok := c.Canvas.(interface{ DPI() float64 }); ok {
		return d.DPI() / DPI
	}
	return 1
}

// SetFormat chooses how Render shows figures: "png" (the default, compact
// and exact) or "svg" (scalable; text is drawn by the browser, and a
// scatter plot of 10,000 points takes about 1.3 MB against 35 kB as PNG).
func SetFormat(format string) error {
	var svg bool
	switch strings.ToLower(format) {
	case "png":
	case "svg":
		svg = true
	default:
		return fmt.Errorf("plotting: unknown figure format %q; use \"png\" or \"svg\"", format)
	}
	formatMu.Lock()
	renderSVG = svg
	formatMu.Unlock()
	return nil
}

// String describes the figure in one line; it is the text/plain form.
func (f *Figure) String() string {
	if f == nil {
		return "<nil figure>"
	}
	if f.err != nil {
		return f.err.Error()
	}
	w, h := f.Size()
	if f.title != "" {
		return fmt.Sprintf("<%s %d×%d: %s>", f.kind, w, h, f.title)
	}
	return fmt.Sprintf("<%s %d×%d>", f.kind, w, h)
}

// Render implements display.Renderer: the figure as PNG (or SVG after
// SetFormat("svg")) with its one-line description as text/plain, or the
// error as text when it cannot be drawn.
func (f *Figure) Render() display.Bundle {
	formatMu.RLock()
	svg := renderSVG
	formatMu.RUnlock()
	var b display.Bundle
	if svg {
		s, err := f.SVG()
		if err != nil {
			return display.Text(err.Error())
		}
		b = display.SVG(s)
	} else {
		p, err := f.PNG()
		if err != nil {
			return display.Text(err.Error())
		}
		b = display.PNG(p)
		w, h := f.Size()
		b.Metadata = map[string]any{"image/png": map[string]any{"width": w, "height": h}}
	}
	b.Data["text/plain"] = f.String()
	return b
}

// Stack draws figures one above the other as one figure, each at its own
// height, as wide as the widest. Any failed figure makes the stack fail.
// WithSize does not resize the parts of a stack.
func Stack(figs []*Figure) *Figure {
	const kind = "figure stack"
	if len(figs) == 0 {
		return failed(kind, errors.New("no figures to stack"))
	}
	var w, h float64
	for i, f := range figs {
		if err := f.Err(); err != nil {
			return failed(kind, fmt.Errorf("figure %d: %w", i, err))
		}
		w, h = max(w, f.w), h+f.h
	}
	figs = append([]*Figure(nil), figs...)
	s := newFigure(kind, "", func(c draw.Canvas, _ *Figure) error {
		top := c.Max.Y
		for _, f := range figs {
			// Centre each figure horizontally in its band.
			left := c.Min.X + px(math.Round((topx(c.Max.X-c.Min.X)-f.w)/2))
			sub := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
				Min: vg.Point{X: left, Y: top - px(f.h)},
				Max: vg.Point{X: left + px(f.w), Y: top},
			}}
			if err := f.paint(sub, f); err != nil {
				return err
			}
			top -= px(f.h)
		}
		return nil
	})
	s.w, s.h = w, h
	s.relayout = func(g *Figure) {} // keep the parts' sizes
	return s
}
