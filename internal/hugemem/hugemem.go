// Package hugemem allocates the large float32 buffers that training reads
// again and again (datasets, parameters, optimizer moments) so that the
// operating system can back them with 2 MiB pages.
//
// On a virtual machine every TLB miss walks two page tables, the guest's
// and the host's, and a training step evicts the page-table entries of its
// buffers from the caches. On the 2-core development VM, gathering one
// shuffled 784-float row from a 4 KiB-paged dataset cost about three times
// as much as from a 2 MiB-paged one, and the dense autoencoder trained 7%
// faster with its dataset on 2 MiB pages. Linux gives anonymous memory
// 2 MiB pages when a region is marked MADV_HUGEPAGE before it is touched,
// even where transparent huge pages are enabled only on request (the
// "madvise" setting); other systems get ordinary memory.
package hugemem

import "sync"

// Page is the size of a huge page in bytes.
const Page = 2 << 20

// MinShared is the smallest length, in float32 values, that Float32s
// places on a huge page it shares with other slices; shorter slices are
// ordinary ones.
const MinShared = 4 << 10

const perPage = Page / 4

// Float32s returns a zeroed slice of n float32 values, with capacity n,
// on huge pages where the system gives them:
//
//   - n of at least a page's worth: its own allocation, starting on a
//     huge-page boundary, whose pages up to the next boundary past its end
//     are marked for huge pages before any is touched (at most 4 MiB more
//     memory than n values);
//   - n from MinShared up: carved from a huge page shared with other such
//     slices (see Carver);
//   - shorter: an ordinary slice.
//
// Use it for buffers that training reads again and again: datasets,
// parameters, activations.
func Float32s(n int) []float32 { return shared.Float32s(n) }

// shared is the Carver of Float32s.
var shared Carver

// A Carver is Float32s with huge pages of its own to carve from: slices
// shorter than a page are cut from its current page, in turn, until the
// page has no room for the next one. A page stays allocated while any
// slice cut from it is reachable, so buffers that live for the whole
// process (a free list's, say) should come from a Carver of their own
// rather than pin pages whose other slices belonged to models long gone.
// The zero value is ready to use; a Carver is safe for concurrent use.
type Carver struct {
	mu   sync.Mutex
	free []float32
}

// Float32s is the package's Float32s, carving from c's pages.
func (c *Carver) Float32s(n int) []float32 {
	switch {
	case !supported || n < MinShared:
		return make([]float32, n)
	case n >= perPage:
		return pages(n)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.free) < n {
		c.free = pages(perPage)
	}
	x := c.free[:n:n]
	c.free = c.free[n:]
	return x
}

// pages allocates n values on whole, marked huge pages.
func pages(n int) []float32 {
	whole := (n + perPage - 1) / perPage * perPage
	buf := make([]float32, whole+perPage)
	off := (Page - int(address(buf)%Page)) % Page / 4
	x := buf[off : off+whole : off+whole]
	advise(x)
	return x[:n:n]
}

// Grow returns buf resliced to n values when its capacity allows, or else
// a new zeroed slice from Float32s (the old values are not copied).
func Grow(buf []float32, n int) []float32 {
	if cap(buf) < n {
		return Float32s(n)
	}
	return buf[:n]
}
