package nnops

import (
	"fmt"
	"sync"
)

// scratchPool recycles float32 work buffers (im2col columns, packed GEMM
// panels) so that steady-state calls do not allocate.
var scratchPool sync.Pool

// getScratch returns a pooled buffer of at least n elements. Release it with
// putScratch. Its contents are undefined.
func getScratch(n int) *[]float32 {
	if p, ok := scratchPool.Get().(*[]float32); ok {
		if cap(*p) >= n {
			*p = (*p)[:n]
			return p
		}
		// Too small: let it go and make one that fits.
	}
	s := make([]float32, n, n+n/4+64)
	return &s
}

func putScratch(p *[]float32) { scratchPool.Put(p) }

// need panics with a clear message when a slice argument is shorter than the
// shape requires. Kernels are called from compiled runtime code that has
// already validated user input, so a short slice is a programming error.
func need(fn, arg string, s []float32, n int) {
	if len(s) < n {
		panic(fmt.Sprintf("nnops.%s: %s has %d elements, the shape needs %d; check the sizes passed", fn, arg, len(s), n))
	}
}

func needPos(fn string, vals ...int) {
	for _, v := range vals {
		if v < 0 {
			panic(fmt.Sprintf("nnops.%s: negative size %d; sizes must be >= 0", fn, v))
		}
	}
}
