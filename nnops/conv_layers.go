package nnops

import "fmt"

// Conv2D is a 2-D convolution over a batch of NCHW images, computed as
// im2col plus GEMM per image. Weights are laid out as PyTorch's:
// OutC×C×KH×KW (row-major), one bias per output channel.
type Conv2D struct {
	Geom ConvGeom // input size (C×H×W), kernel, stride and padding
	OutC int      // output channels
}

// OutLen is the length of one output image, OutC·OutH·OutW.
func (l Conv2D) OutLen() int { return l.OutC * l.Geom.OutH() * l.Geom.OutW() }

// InLen is the length of one input image, C·H·W.
func (l Conv2D) InLen() int { return l.Geom.C * l.Geom.H * l.Geom.W }

// WeightLen is the number of weights, OutC·C·KH·KW.
func (l Conv2D) WeightLen() int { return l.OutC * l.Geom.colRows() }

func (l Conv2D) check(fn string, n int) {
	l.Geom.mustCheck("nnops.Conv2D." + fn)
	if l.OutC <= 0 || n < 0 {
		panic(fmt.Sprintf("nnops.Conv2D.%s: OutC %d and batch %d must be positive", fn, l.OutC, n))
	}
}

// Forward computes out = conv(in, w) + bias for n images. in is n×C×H×W,
// w is OutC×C×KH×KW, bias has OutC entries or is nil, and out is
// n×OutC×OutH×OutW (overwritten).
func (l Conv2D) Forward(out, in, w, bias []float32, n int) {
	l.check("Forward", n)
	g := l.Geom
	ohw, kk := g.OutH()*g.OutW(), g.colRows()
	need("Conv2D.Forward", "in", in, n*l.InLen())
	need("Conv2D.Forward", "w", w, l.WeightLen())
	need("Conv2D.Forward", "out", out, n*l.OutLen())
	if bias != nil {
		need("Conv2D.Forward", "bias", bias, l.OutC)
	}
	if l.shifted() {
		l.forwardShifted(out, in, w, bias, n)
		return
	}
	parallelTasks(n, func(b int) {
		img := in[b*l.InLen() : (b+1)*l.InLen()]
		o := out[b*l.OutLen() : (b+1)*l.OutLen()]
		col, buf := l.cols(img)
		sgemmSerial(false, false, l.OutC, ohw, kk, 1, w, kk, col, ohw, 0, o, ohw)
		if buf != nil {
			putScratch(buf)
		}
		if bias != nil {
			addChannelBias(o, bias[:l.OutC], ohw)
		}
	})
}

// shifted reports whether Forward uses shifted GEMMs rather than im2col:
// unit stride, a kernel larger than 1×1 and enough input channels that the
// im2col matrix (C·KH·KW rows) would cost more than the product.
func (l Conv2D) shifted() bool {
	g := l.Geom
	return g.StrideH == 1 && g.StrideW == 1 && g.KH*g.KW > 1 && g.C >= 8
}

// forwardShifted computes a unit-stride convolution without im2col. With
// the image zero-padded to Hp×Wp, the output computed over the padded width,
// out'(OutC × OutH·Wp), is the sum over kernel taps (kh, kw) of
// W[:, :, kh, kw] (OutC×C) times the padded image shifted by kh·Wp+kw, read
// in place as a C×(OutH·Wp) matrix with row stride Hp·Wp. The Wp−OutW
// columns that wrap around are dropped.
func (l Conv2D) forwardShifted(out, in, w, bias []float32, n int) {
	g := l.Geom
	hp, wp := g.H+2*g.PadH, g.W+2*g.PadW
	oh, ow := g.OutH(), g.OutW()
	taps := g.KH * g.KW
	// Weights by tap: wr[t] is OutC×C.
	wrBuf := getScratch(l.WeightLen())
	wr := *wrBuf
	for o := 0; o < l.OutC; o++ {
		for c := 0; c < g.C; c++ {
			for t := 0; t < taps; t++ {
				wr[(t*l.OutC+o)*g.C+c] = w[(o*g.C+c)*taps+t]
			}
		}
	}
	nq := oh * wp
	parallelTasks(n, func(b int) {
		img := in[b*l.InLen() : (b+1)*l.InLen()]
		o := out[b*l.OutLen() : (b+1)*l.OutLen()]
		xpBuf := getScratch(g.C*hp*wp + g.KW)
		xp := *xpBuf
		g.padInto(xp, img)
		opBuf := getScratch(l.OutC * nq)
		op := *opBuf
		for t := 0; t < taps; t++ {
			kh, kw := t/g.KW, t%g.KW
			beta := float32(1)
			if t == 0 {
				beta = 0
			}
			sgemmSerial(false, false, l.OutC, nq, g.C, 1, wr[t*l.OutC*g.C:], g.C, xp[kh*wp+kw:], hp*wp, beta, op, nq)
		}
		for c := 0; c < l.OutC; c++ {
			for y := 0; y < oh; y++ {
				copy(o[(c*oh+y)*ow:(c*oh+y+1)*ow], op[c*nq+y*wp:])
			}
		}
		putScratch(opBuf)
		putScratch(xpBuf)
		if bias != nil {
			addChannelBias(o, bias[:l.OutC], oh*ow)
		}
	})
	putScratch(wrBuf)
}

// padInto zero-pads the C×H×W image img into xp (C×Hp×Wp plus slack).
func (g ConvGeom) padInto(xp, img []float32) {
	hp, wp := g.H+2*g.PadH, g.W+2*g.PadW
	clear(xp)
	for c := 0; c < g.C; c++ {
		for y := 0; y < g.H; y++ {
			copy(xp[(c*hp+y+g.PadH)*wp+g.PadW:], img[(c*g.H+y)*g.W:(c*g.H+y+1)*g.W])
		}
	}
}

var shiftedWeights = true

// weightsShifted is BackwardWeights for the layers Forward computes with
// shifted GEMMs: for each tap t, dW_t^T (C×OutC) += X_t (C×OutH·Wp, the
// padded input shifted by t) · D^T, where D (OutC×OutH·Wp) is dout spread
// to the padded width with zeros in the wrapped columns.
func (l Conv2D) weightsShifted(dw, dout, in []float32, n int) {
	g := l.Geom
	hp, wp := g.H+2*g.PadH, g.W+2*g.PadW
	oh, ow := g.OutH(), g.OutW()
	taps, nq := g.KH*g.KW, oh*wp
	dwtBuf := getScratch(l.WeightLen())
	dwt := *dwtBuf // taps × C × OutC
	clear(dwt)
	batchReduce(dwt, n, func(part []float32, b int, first bool) {
		xpBuf := getScratch(g.C*hp*wp + g.KW)
		g.padInto(*xpBuf, in[b*l.InLen():(b+1)*l.InLen()])
		dBuf := getScratch(l.OutC * nq)
		d := *dBuf
		clear(d)
		do := dout[b*l.OutLen() : (b+1)*l.OutLen()]
		for c := 0; c < l.OutC; c++ {
			for y := 0; y < oh; y++ {
				copy(d[c*nq+y*wp:c*nq+y*wp+ow], do[(c*oh+y)*ow:])
			}
		}
		beta := float32(1)
		if first {
			beta = 0
		}
		for t := 0; t < taps; t++ {
			off := (t/g.KW)*wp + t%g.KW
			sgemmSerial(false, true, g.C, l.OutC, nq, 1, (*xpBuf)[off:], hp*wp, d, nq, beta, part[t*g.C*l.OutC:], l.OutC)
		}
		putScratch(dBuf)
		putScratch(xpBuf)
	})
	for o := 0; o < l.OutC; o++ {
		for c := 0; c < g.C; c++ {
			row := dw[(o*g.C+c)*taps : (o*g.C+c+1)*taps]
			for t := range row {
				row[t] += dwt[(t*g.C+c)*l.OutC+o]
			}
		}
	}
	putScratch(dwtBuf)
}

// cols returns the im2col matrix of img, or img itself for a 1×1 kernel
// with unit stride and no padding. buf, when not nil, must be released.
func (l Conv2D) cols(img []float32) (col []float32, buf *[]float32) {
	g := l.Geom
	if g.KH == 1 && g.KW == 1 && g.StrideH == 1 && g.StrideW == 1 && g.PadH == 0 && g.PadW == 0 {
		return img, nil
	}
	oh, ow := g.OutH(), g.OutW()
	buf = getScratch(g.colRows() * oh * ow)
	im2col(*buf, img, g, oh, ow)
	return *buf, buf
}

// BackwardInput sets din (n×C×H×W) to the gradient of the loss with respect
// to the input, given dout (n×OutC×OutH×OutW) and the weights w.
func (l Conv2D) BackwardInput(din, dout, w []float32, n int) {
	l.check("BackwardInput", n)
	g := l.Geom
	oh, ow := g.OutH(), g.OutW()
	ohw, kk := oh*ow, g.colRows()
	need("Conv2D.BackwardInput", "din", din, n*l.InLen())
	need("Conv2D.BackwardInput", "dout", dout, n*l.OutLen())
	need("Conv2D.BackwardInput", "w", w, l.WeightLen())
	if adj, ok := l.adjoint(); ok {
		// Unit stride with fewer output than input channels: the input
		// gradient is the forward convolution of dout with the flipped,
		// transposed kernel, whose im2col matrix is smaller.
		wt := getScratch(l.WeightLen())
		flipTranspose(*wt, w, l.OutC, g.C, g.KH*g.KW)
		adj.Forward(din, dout, *wt, nil, n)
		putScratch(wt)
		return
	}
	parallelTasks(n, func(b int) {
		di := din[b*l.InLen() : (b+1)*l.InLen()]
		do := dout[b*l.OutLen() : (b+1)*l.OutLen()]
		if g.KH == 1 && g.KW == 1 && g.StrideH == 1 && g.StrideW == 1 && g.PadH == 0 && g.PadW == 0 {
			sgemmSerial(true, false, kk, ohw, l.OutC, 1, w, kk, do, ohw, 0, di, ohw)
			return
		}
		buf := getScratch(kk * ohw)
		sgemmSerial(true, false, kk, ohw, l.OutC, 1, w, kk, do, ohw, 0, *buf, ohw)
		clear(di)
		col2im(di, *buf, g, oh, ow)
		putScratch(buf)
	})
}

// adjoint returns the convolution that maps dout to din for a unit-stride
// layer with fewer output than input channels, and whether it applies.
func (l Conv2D) adjoint() (Conv2D, bool) {
	g := l.Geom
	if g.StrideH != 1 || g.StrideW != 1 || l.OutC >= g.C || g.PadH > g.KH-1 || g.PadW > g.KW-1 {
		return Conv2D{}, false
	}
	return Conv2D{Geom: ConvGeom{C: l.OutC, H: g.OutH(), W: g.OutW(), KH: g.KH, KW: g.KW, StrideH: 1, StrideW: 1,
		PadH: g.KH - 1 - g.PadH, PadW: g.KW - 1 - g.PadW}, OutC: g.C}, true
}

// flipTranspose writes to dst (c×o×kk) the kernel w (o×c×kk) with its
// input and output channels swapped and each kk window reversed.
func flipTranspose(dst, w []float32, o, c, kk int) {
	for i := 0; i < o; i++ {
		for j := 0; j < c; j++ {
			src := w[(i*c+j)*kk : (i*c+j+1)*kk]
			d := dst[(j*o+i)*kk : (j*o+i+1)*kk]
			for t, v := range src {
				d[kk-1-t] = v
			}
		}
	}
}

// BackwardWeights adds the gradients with respect to the weights and the bias
// to dw (OutC×C×KH×KW) and dbias (OutC entries, or nil to skip), given dout
// (n×OutC×OutH×OutW) and the forward input in (n×C×H×W). The sum over the
// batch is taken in a fixed order, so results do not depend on GOMAXPROCS.
func (l Conv2D) BackwardWeights(dw, dbias, dout, in []float32, n int) {
	l.check("BackwardWeights", n)
	g := l.Geom
	ohw, kk := g.OutH()*g.OutW(), g.colRows()
	need("Conv2D.BackwardWeights", "dw", dw, l.WeightLen())
	need("Conv2D.BackwardWeights", "dout", dout, n*l.OutLen())
	need("Conv2D.BackwardWeights", "in", in, n*l.InLen())
	if dbias != nil {
		need("Conv2D.BackwardWeights", "dbias", dbias, l.OutC)
		addChannelSums(dbias[:l.OutC], dout, n, l.OutC, ohw)
	}
	if l.shifted() && shiftedWeights {
		l.weightsShifted(dw, dout, in, n)
		return
	}
	// dW^T (C·KH·KW × OutC) = col · dout^T: the large im2col matrix is read
	// in place as A and only the small dout is packed.
	dwtBuf := getScratch(l.WeightLen())
	dwt := *dwtBuf
	clear(dwt)
	batchReduce(dwt, n, func(part []float32, b int, first bool) {
		col, buf := l.cols(in[b*l.InLen() : (b+1)*l.InLen()])
		beta := float32(1)
		if first {
			beta = 0
		}
		do := dout[b*l.OutLen() : (b+1)*l.OutLen()]
		sgemmSerial(false, true, kk, l.OutC, ohw, 1, col, ohw, do, ohw, beta, part, l.OutC)
		if buf != nil {
			putScratch(buf)
		}
	})
	addTransposed(dw, dwt, l.OutC, kk)
	putScratch(dwtBuf)
}

// addTransposed adds to the rows×cols matrix dst the transpose of src
// (cols×rows).
func addTransposed(dst, src []float32, rows, cols int) {
	for i := 0; i < rows; i++ {
		row := dst[i*cols : (i+1)*cols]
		for j := range row {
			row[j] += src[j*rows+i]
		}
	}
}

// batchReduce adds to dst the sum over images b in [0, n) of the per-image
// contributions that fn writes into part (fn overwrites part when first is
// set, and accumulates otherwise). The batch is cut into a number of chunks
// that depends only on n, chunks run in parallel, and the chunk partials are
// added in chunk order: the result is bit-identical whatever GOMAXPROCS is.
func batchReduce(dst []float32, n int, fn func(part []float32, b int, first bool)) {
	if n == 0 {
		return
	}
	chunks := min(n, 16)
	size := len(dst)
	buf := getScratch(chunks * size)
	parts := *buf
	parallelTasks(chunks, func(c int) {
		part := parts[c*size : (c+1)*size]
		lo, hi := c*n/chunks, (c+1)*n/chunks
		for b := lo; b < hi; b++ {
			fn(part, b, b == lo)
		}
	})
	for i := range dst {
		s := parts[i]
		for c := 1; c < chunks; c++ {
			s += parts[c*size+i]
		}
		dst[i] += s
	}
	putScratch(buf)
}

// addChannelBias adds bias[c] to every one of the hw values of channel c of
// the c×hw image o.
func addChannelBias(o, bias []float32, hw int) {
	for c, bv := range bias {
		addScalar(o[c*hw:(c+1)*hw], bv)
	}
}

// addChannelSums adds to dst[c] the sum of channel c over n images of
// channels×hw values each, the images summed in runs (sumRuns), on the
// kernels' threads when there are values enough.
func addChannelSums(dst, x []float32, n, channels, hw int) {
	sumRuns(dst[:channels], true, n, n*channels*hw >= parallelElems, func(p []float32, lo, hi int) {
		for c := range p {
			var s float32
			for b := lo; b < hi; b++ {
				s += sum(x[(b*channels+c)*hw : (b*channels+c+1)*hw])
			}
			p[c] = s
		}
	})
}

// ConvTranspose2D is a 2-D transposed convolution (the adjoint of Conv2D, as
// in PyTorch's ConvTranspose2d) over a batch of NCHW images.
//
// Convention: Geom describes the transposed convolution's own input, C×H×W
// (Geom.C is its input channels), and its kernel, stride and padding, exactly
// as the arguments of PyTorch's ConvTranspose2d. The output is
// OutC×OutH()×OutW() with OutH() = (H−1)·StrideH − 2·PadH + KH + OutPadH.
// Weights are laid out as PyTorch's: C×OutC×KH×KW.
type ConvTranspose2D struct {
	Geom             ConvGeom // input size, kernel, stride and padding
	OutC             int      // output channels
	OutPadH, OutPadW int      // extra rows/columns on the bottom/right of the output (< stride)
}

// OutH is the output height, (H−1)·StrideH − 2·PadH + KH + OutPadH.
func (l ConvTranspose2D) OutH() int {
	g := l.Geom
	return (g.H-1)*g.StrideH - 2*g.PadH + g.KH + l.OutPadH
}

// OutW is the output width, (W−1)·StrideW − 2·PadW + KW + OutPadW.
func (l ConvTranspose2D) OutW() int {
	g := l.Geom
	return (g.W-1)*g.StrideW - 2*g.PadW + g.KW + l.OutPadW
}

// OutLen is the length of one output image, OutC·OutH·OutW.
func (l ConvTranspose2D) OutLen() int { return l.OutC * l.OutH() * l.OutW() }

// InLen is the length of one input image, C·H·W.
func (l ConvTranspose2D) InLen() int { return l.Geom.C * l.Geom.H * l.Geom.W }

// WeightLen is the number of weights, C·OutC·KH·KW.
func (l ConvTranspose2D) WeightLen() int { return l.Geom.C * l.OutC * l.Geom.KH * l.Geom.KW }

// forwardGeom returns the geometry of the forward convolution that this layer is
// the transpose of: from the OutC×OutH×OutW output back to the C×H×W input.
func (l ConvTranspose2D) forwardGeom() ConvGeom {
	g := l.Geom
	return ConvGeom{C: l.OutC, H: l.OutH(), W: l.OutW(), KH: g.KH, KW: g.KW,
		StrideH: g.StrideH, StrideW: g.StrideW, PadH: g.PadH, PadW: g.PadW}
}

// Check returns an error describing an inconsistent geometry, or nil.
func (l ConvTranspose2D) Check() error {
	g := l.Geom
	if err := g.checkBasic(); err != nil {
		return err
	}
	if l.OutC <= 0 {
		return fmt.Errorf("nnops: transposed conv OutC %d: must be positive", l.OutC)
	}
	if l.OutPadH < 0 || l.OutPadW < 0 || l.OutPadH >= g.StrideH || l.OutPadW >= g.StrideW {
		return fmt.Errorf("nnops: transposed conv output padding %dx%d must be >= 0 and smaller than the stride %dx%d", l.OutPadH, l.OutPadW, g.StrideH, g.StrideW)
	}
	if l.OutH() <= 0 || l.OutW() <= 0 {
		return fmt.Errorf("nnops: transposed conv output would be %dx%d; reduce the padding", l.OutH(), l.OutW())
	}
	f := l.forwardGeom()
	if err := f.Check(); err != nil {
		return err
	}
	if f.OutH() != g.H || f.OutW() != g.W {
		return fmt.Errorf("nnops: transposed conv geometry is inconsistent (%dx%d does not map back to %dx%d)", f.H, f.W, g.H, g.W)
	}
	return nil
}

func (l ConvTranspose2D) check(fn string, n int) {
	if err := l.Check(); err != nil {
		panic("nnops.ConvTranspose2D." + fn + ": " + err.Error())
	}
	if n < 0 {
		panic(fmt.Sprintf("nnops.ConvTranspose2D.%s: batch %d must not be negative", fn, n))
	}
}

// Forward computes out (n×OutC×OutH×OutW, overwritten) from in (n×C×H×W),
// the weights w (C×OutC×KH×KW) and bias (OutC entries, or nil).
func (l ConvTranspose2D) Forward(out, in, w, bias []float32, n int) {
	l.check("Forward", n)
	g, f := l.Geom, l.forwardGeom()
	hw, kk := g.H*g.W, f.colRows()
	need("ConvTranspose2D.Forward", "in", in, n*l.InLen())
	need("ConvTranspose2D.Forward", "w", w, l.WeightLen())
	need("ConvTranspose2D.Forward", "out", out, n*l.OutLen())
	if bias != nil {
		need("ConvTranspose2D.Forward", "bias", bias, l.OutC)
	}
	parallelTasks(n, func(b int) {
		x := in[b*l.InLen() : (b+1)*l.InLen()]
		o := out[b*l.OutLen() : (b+1)*l.OutLen()]
		buf := getScratch(kk * hw)
		sgemmSerial(true, false, kk, hw, g.C, 1, w, kk, x, hw, 0, *buf, hw)
		clear(o)
		col2im(o, *buf, f, g.H, g.W)
		putScratch(buf)
		if bias != nil {
			addChannelBias(o, bias[:l.OutC], f.H*f.W)
		}
	})
}

// BackwardInput sets din (n×C×H×W) to the gradient with respect to the
// input, given dout (n×OutC×OutH×OutW) and the weights w.
func (l ConvTranspose2D) BackwardInput(din, dout, w []float32, n int) {
	l.check("BackwardInput", n)
	g, f := l.Geom, l.forwardGeom()
	hw, kk := g.H*g.W, f.colRows()
	need("ConvTranspose2D.BackwardInput", "din", din, n*l.InLen())
	need("ConvTranspose2D.BackwardInput", "dout", dout, n*l.OutLen())
	need("ConvTranspose2D.BackwardInput", "w", w, l.WeightLen())
	parallelTasks(n, func(b int) {
		do := dout[b*l.OutLen() : (b+1)*l.OutLen()]
		di := din[b*l.InLen() : (b+1)*l.InLen()]
		buf := getScratch(kk * hw)
		im2col(*buf, do, f, g.H, g.W)
		sgemmSerial(false, false, g.C, hw, kk, 1, w, kk, *buf, hw, 0, di, hw)
		putScratch(buf)
	})
}

// BackwardWeights adds the gradients with respect to the weights
// (C×OutC×KH×KW) and the bias (OutC entries, or nil to skip) to dw and
// dbias, given dout (n×OutC×OutH×OutW) and the forward input in (n×C×H×W).
// The batch sum is taken in a fixed order, independent of GOMAXPROCS.
func (l ConvTranspose2D) BackwardWeights(dw, dbias, dout, in []float32, n int) {
	l.check("BackwardWeights", n)
	g, f := l.Geom, l.forwardGeom()
	hw, kk := g.H*g.W, f.colRows()
	need("ConvTranspose2D.BackwardWeights", "dw", dw, l.WeightLen())
	need("ConvTranspose2D.BackwardWeights", "dout", dout, n*l.OutLen())
	need("ConvTranspose2D.BackwardWeights", "in", in, n*l.InLen())
	if dbias != nil {
		need("ConvTranspose2D.BackwardWeights", "dbias", dbias, l.OutC)
		addChannelSums(dbias[:l.OutC], dout, n, l.OutC, f.H*f.W)
	}
	// dW^T (OutC·KH·KW × C) = col · in^T, with the im2col matrix of dout
	// read in place as A.
	dwtBuf := getScratch(l.WeightLen())
	dwt := *dwtBuf
	clear(dwt)
	batchReduce(dwt, n, func(part []float32, b int, first bool) {
		do := dout[b*l.OutLen() : (b+1)*l.OutLen()]
		x := in[b*l.InLen() : (b+1)*l.InLen()]
		buf := getScratch(kk * hw)
		im2col(*buf, do, f, g.H, g.W)
		beta := float32(1)
		if first {
			beta = 0
		}
		sgemmSerial(false, true, kk, g.C, hw, 1, *buf, hw, x, hw, beta, part, g.C)
		putScratch(buf)
	})
	addTransposed(dw, dwt, g.C, kk)
	putScratch(dwtBuf)
}
