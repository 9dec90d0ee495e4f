package nn

import "github.com/latent-ai/latent/nnops"

// lossChunks is how many pieces a large elementwise loss is split into. It
// is fixed, not tied to the number of threads, and the partial sums are
// added in order, so the result does not depend on GOMAXPROCS.
const lossChunks = 16

// parallelMin is the size below which a loss runs on one goroutine.
const parallelMin = 1 << 15

// chunkedSum splits [0, n) into lossChunks pieces, runs f on each (on the
// nnops worker pool when n is large) and returns the sum of the results in
// chunk order.
func chunkedSum(n int, f func(lo, hi int) float64) float64 {
	return nnops.SumPieces(n, lossChunks, n >= parallelMin, func(_, lo, hi int) float64 { return f(lo, hi) })
}
