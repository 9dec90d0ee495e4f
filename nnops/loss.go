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
	need("BCELogits", "t", t, len(z))
	need("BCELogits", "grad", grad, len(z))
	if _, ok := bceLogits(nil, nil, nil, 0); !ok {
		return 0, false
	}
	for lo := 0; lo < len(z); lo += bceBlock {
		hi := min(lo+bceBlock, len(z))
		s, _ := bceLogits(grad[lo:hi], z[lo:hi], t[lo:hi], scale)
		loss += float64(s)
	}
	return loss, true
}
