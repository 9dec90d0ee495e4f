package nnops

import "math"

// The portable versions of the elementwise helpers; elementwise_amd64.go
// uses AVX-512 kernels instead when the CPU has them.

func addToGo(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] += v
	}
}

func addScalarGo(x []float32, s float32) {
	for i := range x {
		x[i] += s
	}
}

func scaleGo(x []float32, s float32) {
	for i := range x {
		x[i] *= s
	}
}

func sumGo(x []float32) float32 {
	var s float32
	for _, v := range x {
		s += v
	}
	return s
}

// streamWeights says whether a parallel Adam update writes the weights
// with non-temporal stores (see adamStepShared): on AMD CPUs.
var streamWeights = isAMD()

// adamParams are the per-step constants of the Adam update, in the order the
// assembly kernel loads them.
type adamParams struct {
	beta1, oneMinusBeta1 float32
	beta2, oneMinusBeta2 float32
	invC1, invC2         float32 // 1/(1−beta1^t), 1/(1−beta2^t)
	eps, weightDecay, lr float32
}

func newAdamParams(lr, beta1, beta2, eps, weightDecay float32, step int) adamParams {
	c1 := 1 - math.Pow(float64(beta1), float64(step))
	c2 := 1 - math.Pow(float64(beta2), float64(step))
	return adamParams{
		beta1: beta1, oneMinusBeta1: 1 - beta1,
		beta2: beta2, oneMinusBeta2: 1 - beta2,
		invC1: float32(1 / c1), invC2: float32(1 / c2),
		eps: eps, weightDecay: weightDecay, lr: lr,
	}
}

func adamGo(w, g, m, v []float32, h *adamParams) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	for i := range w {
		mi := flushDenormal(h.beta1*m[i] + h.oneMinusBeta1*g[i])
		vi := flushDenormal(h.beta2*v[i] + h.oneMinusBeta2*(g[i]*g[i]))
		m[i], v[i] = mi, vi
		den := float32(math.Sqrt(float64(vi*h.invC2))) + h.eps
		w[i] -= h.lr * ((mi*h.invC1)/den + h.weightDecay*w[i])
	}
}

// flushDenormal returns 0 for x below float32's smallest normal magnitude
// (2⁻¹²⁶), and x otherwise: what the vector Adam kernels do to every
// result, with MXCSR's flush-to-zero set.
func flushDenormal(x float32) float32 {
	if x > -0x1p-126 && x < 0x1p-126 {
		return 0
	}
	return x
}

func copyRowsGo(dst []float32, ldd int, src []float32, lds, rows, n int) {
	for r := 0; r < rows; r++ {
		copy(dst[r*ldd:r*ldd+n], src[r*lds:r*lds+n])
	}
}

func dotGo(x, y []float32) float32 {
	y = y[:len(x)]
	var s float32
	for i, v := range x {
		s += v * y[i]
	}
	return s
}

func axpyGo(x, y []float32, s float32) {
	y = y[:len(x)]
	for i, v := range y {
		x[i] = float32(math.FMA(float64(s), float64(v), float64(x[i])))
	}
}

// minMaxGo returns the extremes of x and Σ v·0, which is 0 unless x holds
// a NaN or an infinity. Four lanes of each keep the loop free of
// dependencies the CPU would wait on.
func minMaxGo(x []float32) (lo, hi, poison float32) {
	inf := float32(math.Inf(1))
	l0, l1, l2, l3 := inf, inf, inf, inf
	h0, h1, h2, h3 := -inf, -inf, -inf, -inf
	var p0, p1 float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		v0, v1, v2, v3 := x[i], x[i+1], x[i+2], x[i+3]
		l0, l1, l2, l3 = min(l0, v0), min(l1, v1), min(l2, v2), min(l3, v3)
		h0, h1, h2, h3 = max(h0, v0), max(h1, v1), max(h2, v2), max(h3, v3)
		p0 += v0*0 + v1*0
		p1 += v2*0 + v3*0
	}
	for ; i < len(x); i++ {
		l0, h0, p0 = min(l0, x[i]), max(h0, x[i]), p0+x[i]*0
	}
	return min(l0, l1, l2, l3), max(h0, h1, h2, h3), p0 + p1
}
