//go:build amd64 && !purego

package nnops

import "golang.org/x/sys/cpu"

// useAVX512 selects the AVX-512 elementwise kernels (tests switch it off to
// compare with the portable code).
var useAVX512 = cpu.X86.HasAVX512F

type ewKernel = func(x, y *float32, n int, slope float32)

var (
	biasActKernels = [...]ewKernel{Identity: biasIdentity512, ReLU: biasReLU512, LeakyReLU: biasLeakyReLU512, Sigmoid: biasSigmoid512, Tanh: biasTanh512}
	actKernels     = [...]ewKernel{Identity: nil, ReLU: actReLU512, LeakyReLU: actLeakyReLU512, Sigmoid: actSigmoid512, Tanh: actTanh512}
	gradKernels    = [...]ewKernel{Identity: nil, ReLU: gradReLU512, LeakyReLU: gradLeakyReLU512, Sigmoid: gradSigmoid512, Tanh: gradTanh512}
)

// biasActivateRow sets row[j] = act(row[j] + bias[j]) (bias may be nil) and
// reports whether it could do so with assembly.
func biasActivateRow(row, bias []float32, act Activation, slope float32) bool {
	if !useAVX512 || len(row) == 0 || act < 0 || int(act) >= len(biasActKernels) {
		return false
	}
	if bias == nil {
		if k := actKernels[act]; k != nil {
			k(&row[0], nil, len(row), slope)
		}
		return true
	}
	_ = bias[len(row)-1]
	biasActKernels[act](&row[0], &bias[0], len(row), slope)
	return true
}

// activationGrad sets dy[i] *= act'(y[i]) and reports whether it could do
// so with assembly.
func activationGrad(dy, y []float32, act Activation, slope float32) bool {
	if !useAVX512 || len(dy) == 0 || act < 0 || int(act) >= len(gradKernels) {
		return false
	}
	if k := gradKernels[act]; k != nil {
		_ = y[len(dy)-1]
		k(&dy[0], &y[0], len(dy), slope)
	}
	return true
}

// addTo sets dst[i] += src[i].
func addTo(dst, src []float32) {
	if useAVX512 && len(dst) > 0 {
		_ = src[len(dst)-1]
		biasIdentity512(&dst[0], &src[0], len(dst), 0)
		return
	}
	addToGo(dst, src)
}

// addScalar adds s to every x[i].
func addScalar(x []float32, s float32) {
	if useAVX512 && len(x) > 0 {
		addScalar512(&x[0], nil, len(x), s)
		return
	}
	addScalarGo(x, s)
}

// scale multiplies every x[i] by s.
func scale(x []float32, s float32) {
	if useAVX512 && len(x) > 0 {
		scale512(&x[0], nil, len(x), s)
		return
	}
	scaleGo(x, s)
}

// sum returns the sum of x.
func sum(x []float32) float32 {
	if useAVX512 && len(x) > 0 {
		return sum512(&x[0], len(x))
	}
	return sumGo(x)
}

func adamStep(w, g, m, v []float32, h *adamParams) {
	if useAVX512 && len(w) > 0 {
		_, _, _ = g[len(w)-1], m[len(w)-1], v[len(w)-1]
		adam512(&w[0], &g[0], &m[0], &v[0], len(w), h)
		return
	}
	adamGo(w, g, m, v, h)
}

// dot returns the dot product of x and y[:len(x)].
func dot(x, y []float32) float32 {
	if useAVX512 && len(x) > 0 {
		_ = y[len(x)-1]
		return dot512(&x[0], &y[0], len(x))
	}
	return dotGo(x, y)
}

// axpy sets x[i] += s·y[i] (fused multiply-add).
func axpy(x, y []float32, s float32) {
	if useAVX512 && len(x) > 0 {
		_ = y[len(x)-1]
		axpy512(&x[0], &y[0], len(x), s)
		return
	}
	axpyGo(x, y, s)
}
