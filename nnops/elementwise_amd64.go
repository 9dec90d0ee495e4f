//go:build amd64 && !purego

package nnops

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// Instruction-set levels of the elementwise kernels.
const (
	levelGo     = 0
	levelAVX2   = 1
	levelAVX512 = 2
)

// ewLevel is the elementwise kernel set in use: the best this CPU has
// (tests lower it to compare with the portable code).
var ewLevel = bestLevel()

func bestLevel() int {
	switch {
	case cpu.X86.HasAVX512F:
		return levelAVX512
	case cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		return levelAVX2
	}
	return levelGo
}

type ewKernel = func(x, y *float32, n int, slope float32)

// ewSet is one instruction set's elementwise kernels, indexed by Activation
// where it applies (nil: nothing to do, or no kernel at this level).
type ewSet struct {
	biasAct, act, grad     [5]ewKernel
	addScalar, scale, axpy ewKernel
	sum                    func(x *float32, n int) float32
	dot                    func(x, y *float32, n int) float32
}

var ewSets = [...]*ewSet{
	levelAVX2: {
		biasAct:   [5]ewKernel{Identity: biasIdentity256, ReLU: biasReLU256, LeakyReLU: biasLeakyReLU256, Sigmoid: biasSigmoid256, Tanh: biasTanh256},
		act:       [5]ewKernel{ReLU: actReLU256, LeakyReLU: actLeakyReLU256, Sigmoid: actSigmoid256, Tanh: actTanh256},
		grad:      [5]ewKernel{ReLU: gradReLU256, LeakyReLU: gradLeakyReLU256, Sigmoid: gradSigmoid256, Tanh: gradTanh256},
		addScalar: addScalar256, scale: scale256, axpy: axpy256, sum: sum256, dot: dot256,
	},
	levelAVX512: {
		biasAct:   [5]ewKernel{Identity: biasIdentity512, ReLU: biasReLU512, LeakyReLU: biasLeakyReLU512, Sigmoid: biasSigmoid512, Tanh: biasTanh512},
		act:       [5]ewKernel{ReLU: actReLU512, LeakyReLU: actLeakyReLU512, Sigmoid: actSigmoid512, Tanh: actTanh512},
		grad:      [5]ewKernel{ReLU: gradReLU512, LeakyReLU: gradLeakyReLU512, Sigmoid: gradSigmoid512, Tanh: gradTanh512},
		addScalar: addScalar512, scale: scale512, axpy: axpy512, sum: sum512, dot: dot512,
	},
}

// ew returns the kernel set in use, or nil for the portable code.
func ew() *ewSet {
	if ewLevel <= levelGo {
		return nil
	}
	return ewSets[ewLevel]
}

// availableLevels lists the elementwise levels this CPU runs, for tests.
func availableLevels() []int {
	ls := []int{levelGo}
	for l := levelAVX2; l <= bestLevel(); l++ {
		ls = append(ls, l)
	}
	return ls
}

// biasActivateRow sets row[j] = act(row[j] + bias[j]) (bias may be nil) and
// reports whether it could do so with assembly.
func biasActivateRow(row, bias []float32, act Activation, slope float32) bool {
	s := ew()
	if s == nil || len(row) == 0 || act < 0 || int(act) >= len(s.biasAct) {
		return false
	}
	if bias == nil {
		if k := s.act[act]; k != nil {
			k(&row[0], nil, len(row), slope)
		}
		return true
	}
	_ = bias[len(row)-1]
	s.biasAct[act](&row[0], &bias[0], len(row), slope)
	return true
}

// activationGrad sets dy[i] *= act'(y[i]) and reports whether it could do
// so with assembly.
func activationGrad(dy, y []float32, act Activation, slope float32) bool {
	s := ew()
	if s == nil || len(dy) == 0 || act < 0 || int(act) >= len(s.grad) {
		return false
	}
	if k := s.grad[act]; k != nil {
		_ = y[len(dy)-1]
		k(&dy[0], &y[0], len(dy), slope)
	}
	return true
}

// addTo sets dst[i] += src[i].
func addTo(dst, src []float32) {
	if s := ew(); s != nil && len(dst) > 0 {
		_ = src[len(dst)-1]
		s.biasAct[Identity](&dst[0], &src[0], len(dst), 0)
		return
	}
	addToGo(dst, src)
}

// addScalar adds c to every x[i].
func addScalar(x []float32, c float32) {
	if s := ew(); s != nil && len(x) > 0 {
		s.addScalar(&x[0], nil, len(x), c)
		return
	}
	addScalarGo(x, c)
}

// scale multiplies every x[i] by c.
func scale(x []float32, c float32) {
	if s := ew(); s != nil && len(x) > 0 {
		s.scale(&x[0], nil, len(x), c)
		return
	}
	scaleGo(x, c)
}

// axpy sets x[i] += c·y[i] (fused multiply-add).
func axpy(x, y []float32, c float32) {
	if s := ew(); s != nil && len(x) > 0 {
		_ = y[len(x)-1]
		s.axpy(&x[0], &y[0], len(x), c)
		return
	}
	axpyGo(x, y, c)
}

// sum returns the sum of x.
func sum(x []float32) float32 {
	if s := ew(); s != nil && s.sum != nil && len(x) > 0 {
		return s.sum(&x[0], len(x))
	}
	return sumGo(x)
}

// dot returns the dot product of x and y[:len(x)].
func dot(x, y []float32) float32 {
	if s := ew(); s != nil && s.dot != nil && len(x) > 0 {
		_ = y[len(x)-1]
		return s.dot(&x[0], &y[0], len(x))
	}
	return dotGo(x, y)
}

// adamStep calls the Adam kernels directly rather than through the kernel
// table: a call through a func value would make h escape to the heap, one
// allocation per parameter tensor per step.
func adamStep(w, g, m, v []float32, h *adamParams) {
	if len(w) > 0 && ewLevel > levelGo {
		_, _, _ = g[len(w)-1], m[len(w)-1], v[len(w)-1]
		if ewLevel == levelAVX512 {
			adam512(&w[0], &g[0], &m[0], &v[0], len(w), h)
		} else {
			adam256(&w[0], &g[0], &m[0], &v[0], len(w), h)
		}
		return
	}
	adamGo(w, g, m, v, h)
}

// adamStepShared is adamStep for weights that other cores read next (a
// parallel update: every thread's forward product reads all the weights).
// On AMD CPUs with AVX-512 it writes the weights' aligned full vectors
// with non-temporal stores, which leave them in memory rather than in this
// core's cache: on the 2-core AMD Zen 5 machine a core read weights that
// the other core had just written into its own cache more slowly than
// from memory, and dense and VAE training on 2 threads ran about 5%
// faster (alternating runs, closing note of issue 14). On the Intel
// machine a like change (CLDEMOTE, which moves a written line to the
// shared cache) gained nothing, and there the weights stay cached. The
// arithmetic is adamStep's.
func adamStepShared(w, g, m, v []float32, h *adamParams) {
	if !streamWeights || ewLevel != levelAVX512 || len(w) < 64 {
		adamStep(w, g, m, v, h)
		return
	}
	// Floats up to the first 64-byte boundary (Go aligns float32s to 4
	// bytes), then whole vectors, then the rest.
	head := int((64-uintptr(unsafe.Pointer(&w[0]))%64)%64) / 4
	body := (len(w) - head) &^ 15
	adamStep(w[:head], g[:head], m[:head], v[:head], h)
	_, _, _ = g[head+body-1], m[head+body-1], v[head+body-1]
	adamNT512(&w[head], &g[head], &m[head], &v[head], body, h)
	adamStep(w[head+body:], g[head+body:len(w)], m[head+body:len(w)], v[head+body:len(w)], h)
}

// isAMD reports whether CPUID's vendor is "AuthenticAMD".
func isAMD() bool {
	ebx, edx, ecx := cpuVendor()
	return ebx == 0x68747541 && edx == 0x69746e65 && ecx == 0x444d4163 // "Auth" "enti" "cAMD"
}

// cpuVendor returns CPUID leaf 0's vendor string registers.
//
//go:noescape
func cpuVendor() (ebx, edx, ecx uint32)

// hasAxpy4 reports whether axpy4 has an assembly kernel at this level.
func hasAxpy4() bool { return ewLevel == levelAVX512 }

// axpy4 adds a[0..3] times four rows of y (ldy apart) into x, whose length
// is a multiple of 16.
func axpy4(x, y []float32, ldy int, a *[4]float32) {
	_ = y[3*ldy+len(x)-1]
	axpy4x512(&x[0], &y[0], ldy, len(x), &a[0])
}

// stride2Tail returns the lane masks gather2x512 and scatterAdd2x512 use
// for the last n mod 16 values: even lanes, the first 8 values in the low
// 16 bits and the rest in the high 16.
func stride2Tail(n int) uint32 {
	m := n % 16
	var lo, hi uint32
	for i := 0; i < m; i++ {
		if i < 8 {
			lo |= 1 << (2 * i)
		} else {
			hi |= 1 << (2 * (i - 8))
		}
	}
	return lo | hi<<16
}

// copyRows sets dst[r·ldd+i] = src[r·lds+i] for r < rows, i < n.
func copyRows(dst []float32, ldd int, src []float32, lds, rows, n int) {
	if ewLevel != levelAVX512 || rows <= 0 || n <= 0 {
		copyRowsGo(dst, ldd, src, lds, rows, n)
		return
	}
	_ = dst[(rows-1)*ldd+n-1]
	_ = src[(rows-1)*lds+n-1]
	copyRows512(&dst[0], ldd, &src[0], lds, rows, n, uint16(1)<<(n%16)-1)
}

// transposeRows sets dst[p·ldd+r] = src[r·lds+p] for p < n and the first
// r rows of src that it has a kernel for (16 with AVX-512, 8 with AVX2, of
// the rows available), and returns how many rows that was (0 for none).
func transposeRows(dst []float32, ldd int, src []float32, lds, rows, n int) int {
	switch {
	case n <= 0 || ewLevel == levelGo:
		return 0
	case rows >= 16 && ewLevel == levelAVX512:
		_ = dst[(n-1)*ldd+15]
		_ = src[15*lds+n-1]
		transpose16x512(&dst[0], ldd, &src[0], lds, n)
		return 16
	case rows >= 8:
		_ = dst[(n-1)*ldd+7]
		_ = src[7*lds+n-1]
		n8 := n &^ 7
		if n8 > 0 {
			transpose8x256(&dst[0], ldd, &src[0], lds, n8)
		}
		for r := 0; r < 8; r++ {
			for p := n8; p < n; p++ {
				dst[p*ldd+r] = src[r*lds+p]
			}
		}
		return 8
	}
	return 0
}

// gather2 sets dst[r·ldd+i] = src[r·lds+2i] for r < rows, i < n, and
// reports whether it had a kernel for it.
func gather2(dst []float32, ldd int, src []float32, lds, rows, n int) bool {
	if ewLevel != levelAVX512 || rows <= 0 || n <= 0 {
		return false
	}
	_ = dst[(rows-1)*ldd+n-1]
	_ = src[(rows-1)*lds+2*(n-1)]
	gather2x512(&dst[0], ldd, &src[0], lds, rows, n, stride2Tail(n))
	return true
}

// scatterMin is the shortest row scatterAdd2 takes: for short rows the
// masked store of one kernel tap and the masked load of the next, on
// interleaved addresses, stall store forwarding and scalar code wins
// (measured: rows of 7 faster in Go, rows of 14 twice as fast here).
var scatterMin = 10

// scatterAdd2 adds src[r·lds+i] to dst[r·ldd+2i] for r < rows, i < n, and
// reports whether it had a kernel for it.
func scatterAdd2(dst []float32, ldd int, src []float32, lds, rows, n int) bool {
	if ewLevel != levelAVX512 || rows <= 0 || n < scatterMin {
		return false
	}
	_ = dst[(rows-1)*ldd+2*(n-1)]
	_ = src[(rows-1)*lds+n-1]
	scatterAdd2x512(&dst[0], ldd, &src[0], lds, rows, n, stride2Tail(n))
	return true
}

// squaredError is mseGrad512/256 on one block; ok is false without them.
func squaredError(grad, x, t []float32, scale float32) (sum float32, ok bool) {
	if len(x) == 0 {
		return 0, ewLevel > levelGo
	}
	_, _ = grad[len(x)-1], t[len(x)-1]
	switch ewLevel {
	case levelAVX512:
		return mseGrad512(&x[0], &t[0], &grad[0], len(x), scale), true
	case levelAVX2:
		return mseGrad256(&x[0], &t[0], &grad[0], len(x), scale), true
	}
	return 0, false
}

// bceLogits is bceLogits512/256 on one block; ok is false without them.
func bceLogits(grad, z, t []float32, scale float32) (sum float32, ok bool) {
	if len(z) == 0 {
		return 0, ewLevel > levelGo
	}
	_, _ = grad[len(z)-1], t[len(z)-1]
	switch ewLevel {
	case levelAVX512:
		return bceLogits512(&z[0], &t[0], &grad[0], len(z), scale), true
	case levelAVX2:
		return bceLogits256(&z[0], &t[0], &grad[0], len(z), scale), true
	}
	return 0, false
}

// minMax returns the extremes of x and Σ v·0 (see minMaxGo), with the
// vector kernels for all but the last n mod two vectors.
func minMax(x []float32) (lo, hi, poison float32) {
	lanes := 16
	if ewLevel != levelAVX512 {
		lanes = 8
	}
	n := len(x) &^ (2*lanes - 1)
	if ewLevel <= levelGo || n == 0 {
		return minMaxGo(x)
	}
	var out [48]float32
	if ewLevel == levelAVX512 {
		minMax512(&x[0], n, &out[0])
	} else {
		minMax256(&x[0], n, &out[0])
	}
	lo, hi, poison = minMaxGo(x[n:])
	for i := range lanes {
		lo, hi, poison = min(lo, out[i]), max(hi, out[lanes+i]), poison+out[2*lanes+i]
	}
	return lo, hi, poison
}
