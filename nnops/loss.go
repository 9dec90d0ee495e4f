package nnops

// bceBlock is how many values one call of the BCE kernel sums in float32
// before the block's sum is added in float64.
const bceBlock = 256

// BCELogits writes grad[i] = scale·(sigmoid(z[i]) − t[i]) and returns
// Σ max(z,0) − z·t + log(1+e^−|z|), the binary cross-entropy of sigmoid(z)
// against targets t, in one vectorised pass (float32 arithmetic, block sums
// added in float64, in a fixed order). ok is false, and nothing is
// written, on CPUs without the vector kernels (or under -tags purego):
// callers then use their own loop.
func BCELogits(grad, z, t []float32, scale float32) (loss float64, ok bool) {
	return blockLoss("BCELogits", grad, z, t, scale, bceBlock, bceLogits)
}

// mseBlock is how many values one call of the squared-error kernel sums in
// float32 before the block's sum is added in float64.
const mseBlock = 1024

// SquaredError writes grad[i] = scale·(x[i] − t[i]) and returns
// Σ (x[i] − t[i])², the squared error of predictions x against targets t,
// in one vectorised pass (float32 arithmetic, block sums added in float64,
// in a fixed order). ok is false, and nothing is written, on CPUs without
// the vector kernels (or under -tags purego): callers then use their own
// loop.
func SquaredError(grad, x, t []float32, scale float32) (loss float64, ok bool) {
	return blockLoss("SquaredError", grad, x, t, scale, mseBlock, squaredError)
}

// blockLoss runs the loss kernel k over blocks of x and t and adds the
// blocks' sums in float64, in order.
func blockLoss(fn string, grad, x, t []float32, scale float32, block int, k func(grad, x, t []float32, scale float32) (float32, bool)) (loss float64, ok bool) {
	need(fn, "t", t, len(x))
	need(fn, "grad", grad, len(x))
	if _, ok := k(nil, nil, nil, 0); !ok {
		return 0, false
	}
	for lo := 0; lo < len(x); lo += block {
		hi := min(lo+block, len(x))
		s, _ := k(grad[lo:hi], x[lo:hi], t[lo:hi], scale)
		loss += float64(s)
	}
	return loss, true
}
