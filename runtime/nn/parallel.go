package nn

import (
	"runtime"
	"sync"
)

// lossChunks is how many pieces a large elementwise loss is split into. It
// is fixed, not tied to the number of threads, and the partial sums are
// added in order, so the result does not depend on GOMAXPROCS.
const lossChunks = 4

// parallelMin is the size below which a loss runs on one goroutine.
const parallelMin = 1 << 15

// chunkedSum splits [0, n) into lossChunks pieces, runs f on each (in
// parallel when n is large and there is more than one thread) and returns
// the sum of the results in chunk order.
func chunkedSum(n int, f func(lo, hi int) float64) float64 {
	if n < parallelMin || runtime.GOMAXPROCS(0) == 1 {
		var s float64
		for c := 0; c < lossChunks; c++ {
			s += f(n*c/lossChunks, n*(c+1)/lossChunks)
		}
		return s
	}
	var parts [lossChunks]float64
	var wg sync.WaitGroup
	for c := 1; c < lossChunks; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			parts[c] = f(n*c/lossChunks, n*(c+1)/lossChunks)
		}(c)
	}
	parts[0] = f(0, n/lossChunks)
	wg.Wait()
	var s float64
	for _, p := range parts {
		s += p
	}
	return s
}
