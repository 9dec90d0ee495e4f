package nnops

import "fmt"

// ConvGeom describes a 2-D convolution window over one C×H×W image (NCHW
// layout): a KH×KW kernel moved with strides StrideH, StrideW over the image
// zero-padded by PadH rows and PadW columns on each side.
type ConvGeom struct {
	C, H, W          int // input channels, height, width
	KH, KW           int // kernel height, width
	StrideH, StrideW int // strides (>= 1)
	PadH, PadW       int // zero padding on each side
}

// OutH is the number of window positions down the image:
// (H + 2·PadH − KH)/StrideH + 1.
func (g ConvGeom) OutH() int { return (g.H+2*g.PadH-g.KH)/g.StrideH + 1 }

// OutW is the number of window positions across the image:
// (W + 2·PadW − KW)/StrideW + 1.
func (g ConvGeom) OutW() int { return (g.W+2*g.PadW-g.KW)/g.StrideW + 1 }

// Check returns an error describing the first inconsistent field, or nil.
func (g ConvGeom) Check() error {
	if err := g.checkBasic(); err != nil {
		return err
	}
	if g.H+2*g.PadH < g.KH || g.W+2*g.PadW < g.KW {
		return fmt.Errorf("nnops: conv kernel %dx%d is larger than the padded %dx%d input; pad more or use a smaller kernel", g.KH, g.KW, g.H+2*g.PadH, g.W+2*g.PadW)
	}
	return nil
}

// checkBasic checks that sizes, kernel and stride are positive and padding
// is not negative.
func (g ConvGeom) checkBasic() error {
	switch {
	case g.C <= 0 || g.H <= 0 || g.W <= 0:
		return fmt.Errorf("nnops: conv input %dx%dx%d: channels, height and width must be positive", g.C, g.H, g.W)
	case g.KH <= 0 || g.KW <= 0:
		return fmt.Errorf("nnops: conv kernel %dx%d: must be positive", g.KH, g.KW)
	case g.StrideH <= 0 || g.StrideW <= 0:
		return fmt.Errorf("nnops: conv stride %dx%d: must be positive", g.StrideH, g.StrideW)
	case g.PadH < 0 || g.PadW < 0:
		return fmt.Errorf("nnops: conv padding %dx%d: must not be negative", g.PadH, g.PadW)
	}
	return nil
}

func (g ConvGeom) mustCheck(fn string) {
	if err := g.Check(); err != nil {
		panic(fn + ": " + err.Error())
	}
}

// colRows is C·KH·KW, the row count of the im2col matrix.
func (g ConvGeom) colRows() int { return g.C * g.KH * g.KW }

// Im2col unfolds one C×H×W image img into col, a (C·KH·KW)×(OutH·OutW)
// row-major matrix whose column q holds the window at output position q;
// padding reads as zero. Row index is (c·KH + kh)·KW + kw.
func Im2col(col, img []float32, g ConvGeom) {
	g.mustCheck("nnops.Im2col")
	oh, ow := g.OutH(), g.OutW()
	need("Im2col", "img", img, g.C*g.H*g.W)
	need("Im2col", "col", col, g.colRows()*oh*ow)
	im2col(col, img, g, oh, ow)
}

func im2col(col, img []float32, g ConvGeom, oh, ow int) {
	n := oh * ow
	r := 0
	for c := 0; c < g.C; c++ {
		plane := img[c*g.H*g.W : (c+1)*g.H*g.W]
		for kh := 0; kh < g.KH; kh++ {
			// Output rows whose input row iy = y·S − P + kh is inside.
			y0, y1 := validRange(oh, g.StrideH, kh-g.PadH, g.H)
			for kw := 0; kw < g.KW; kw++ {
				dst := col[r*n : (r+1)*n]
				r++
				clear(dst[:y0*ow])
				clear(dst[y1*ow:])
				// x range with ix = x·S − P + kw inside [0, W).
				x0, x1 := validRange(ow, g.StrideW, kw-g.PadW, g.W)
				if g.StrideW == 2 && y1 > y0 && x1 > x0 {
					iy0, ix0 := y0*g.StrideH-g.PadH+kh, x0*2-g.PadW+kw
					block := dst[y0*ow : y1*ow]
					if x0 > 0 || x1 < ow {
						clear(block)
					}
					if gather2(block[x0:], ow, plane[iy0*g.W+ix0:], g.StrideH*g.W, y1-y0, x1-x0) {
						continue
					}
				}
				for y := y0; y < y1; y++ {
					iy := y*g.StrideH - g.PadH + kh
					d := dst[y*ow : (y+1)*ow]
					clear(d[:x0])
					clear(d[x1:])
					if x1 <= x0 {
						continue
					}
					ix0 := x0*g.StrideW - g.PadW + kw
					src := plane[iy*g.W+ix0 : iy*g.W+ix0+(x1-x0-1)*g.StrideW+1]
					d = d[x0:x1]
					switch g.StrideW {
					case 1:
						copy(d, src)
					case 2:
						for i := range d {
							d[i] = src[2*i]
						}
					default:
						for i := range d {
							d[i] = src[i*g.StrideW]
						}
					}
				}
			}
		}
	}
}

// validRange returns [x0, x1) ⊂ [0, n): the x with 0 <= x*s + off < limit.
func validRange(n, s, off, limit int) (int, int) {
	x0 := 0
	if off < 0 {
		x0 = (-off + s - 1) / s
	}
	x1 := 0
	if limit-off > 0 {
		x1 = (limit - off + s - 1) / s
	}
	x0 = min(x0, n)
	x1 = max(min(x1, n), x0)
	return x0, x1
}

// Col2im is the adjoint of Im2col: it adds every entry of the
// (C·KH·KW)×(OutH·OutW) matrix col into the pixel of img (C×H×W) it was
// read from. It accumulates: clear img first to overwrite.
func Col2im(img, col []float32, g ConvGeom) {
	g.mustCheck("nnops.Col2im")
	oh, ow := g.OutH(), g.OutW()
	need("Col2im", "img", img, g.C*g.H*g.W)
	need("Col2im", "col", col, g.colRows()*oh*ow)
	col2im(img, col, g, oh, ow)
}

func col2im(img, col []float32, g ConvGeom, oh, ow int) {
	n := oh * ow
	r := 0
	for c := 0; c < g.C; c++ {
		plane := img[c*g.H*g.W : (c+1)*g.H*g.W]
		for kh := 0; kh < g.KH; kh++ {
			y0, y1 := validRange(oh, g.StrideH, kh-g.PadH, g.H)
			for kw := 0; kw < g.KW; kw++ {
				src := col[r*n : (r+1)*n]
				r++
				x0, x1 := validRange(ow, g.StrideW, kw-g.PadW, g.W)
				if x1 <= x0 {
					continue
				}
				ix0 := x0*g.StrideW - g.PadW + kw
				if g.StrideW == 2 && y1 > y0 {
					iy0 := y0*g.StrideH - g.PadH + kh
					if scatterAdd2(plane[iy0*g.W+ix0:], g.StrideH*g.W, src[y0*ow+x0:], ow, y1-y0, x1-x0) {
						continue
					}
				}
				for y := y0; y < y1; y++ {
					iy := y*g.StrideH - g.PadH + kh
					s := src[y*ow+x0 : y*ow+x1]
					dst := plane[iy*g.W+ix0 : iy*g.W+ix0+(x1-x0-1)*g.StrideW+1]
					switch g.StrideW {
					case 1:
						addTo(dst, s)
					case 2:
						for i, v := range s {
							dst[2*i] += v
						}
					default:
						for i, v := range s {
							dst[i*g.StrideW] += v
						}
					}
				}
			}
		}
	}
}
