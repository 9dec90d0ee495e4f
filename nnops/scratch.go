package nnops

import (
	"fmt"
	"math/bits"
	"sync"

	"github.com/latent-ai/latent/internal/hugemem"
)

// scratch recycles float32 work buffers (im2col columns, packed GEMM
// panels) so that steady-state calls do not allocate. Class i holds buffers
// of capacity 1<<i, so a request never meets a buffer too small for it.
// Unlike a sync.Pool the lists survive garbage collections; each keeps at
// most scratchKeep buffers (fewer for big ones).
var scratch [48]struct {
	mu   sync.Mutex
	bufs []*[]float32
}

const scratchKeep = 16

// scratchPages places the buffers on huge pages of their own: they live as
// long as the process, and would otherwise keep alive shared pages that
// also held the buffers of models long gone (see hugemem.Carver).
var scratchPages hugemem.Carver

// getScratch returns a pooled buffer of n elements (capacity rounded up to
// a power of two). Release it with putScratch. Its contents are undefined.
func getScratch(n int) *[]float32 {
	class := sizeClass(n)
	l := &scratch[class]
	l.mu.Lock()
	if k := len(l.bufs); k > 0 {
		p := l.bufs[k-1]
		l.bufs = l.bufs[:k-1]
		l.mu.Unlock()
		*p = (*p)[:n]
		return p
	}
	l.mu.Unlock()
	s := scratchPages.Float32s(1 << class)[:n]
	return &s
}

// sizeClass is the class of the buffers that hold n elements: capacity
// 1<<class, the smallest power of two of at least n.
func sizeClass(n int) int { return bits.Len(uint(max(n, 1) - 1)) }

// bufClass returns the size class of a buffer from getScratch, and false
// for one whose capacity is not a power of two (not from getScratch).
func bufClass(p *[]float32) (int, bool) {
	class := bits.Len(uint(cap(*p) - 1))
	return class, cap(*p) == 1<<class
}

// putScratch returns a buffer from getScratch to its list.
func putScratch(p *[]float32) {
	class, ok := bufClass(p)
	if !ok {
		return // not from getScratch
	}
	keep := scratchKeep
	if class >= 22 { // 16 MiB and up
		keep = 2
	}
	l := &scratch[class]
	l.mu.Lock()
	if len(l.bufs) < keep {
		l.bufs = append(l.bufs, p)
	}
	l.mu.Unlock()
}

// localScratch is one participant's own cache in front of the shared
// lists (see claim): the last buffer of each size class it gave back. A
// participant packing its GEMM panels then reuses the buffer it packed
// into last time, in its own core's cache, without the shared lists'
// lock: on the 2-core KVM machine every handover of a line between the
// cores costs about half of an 880-1300 ns round trip, and the lock's
// line and the buffers went back and forth between the two threads at
// every product. A nil *localScratch uses the shared lists.
type localScratch struct {
	bufs [len(scratch)]*[]float32
	_    [64]byte // keep the next participant's cache off these lines
}

// get returns a buffer of n elements, as getScratch does.
func (l *localScratch) get(n int) *[]float32 {
	if l != nil {
		class := sizeClass(n)
		if p := l.bufs[class]; p != nil {
			l.bufs[class] = nil
			*p = (*p)[:n]
			return p
		}
	}
	return getScratch(n)
}

// put gives a buffer from get back, to this cache while its class's slot
// is free, else to the shared lists.
func (l *localScratch) put(p *[]float32) {
	if l != nil {
		if class, ok := bufClass(p); ok && l.bufs[class] == nil {
			l.bufs[class] = p
			return
		}
	}
	putScratch(p)
}

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
