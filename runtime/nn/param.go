package nn

import (
	"fmt"

	"github.com/latent-ai/latent/internal/hugemem"
	"github.com/latent-ai/latent/nnops"
	"github.com/latent-ai/latent/runtime/host"
)

// Param is one trainable tensor: its values W, its gradient G (same length)
// and its shape, outermost dimension first.
type Param struct {
	Name  string
	Shape []int
	W, G  []float32
}

// NewParam returns a zeroed parameter of the given shape. It panics with a
// *host.AllocError when the values and gradients would not fit in the
// memory available (Go would end the process instead).
func NewParam(name string, shape ...int) *Param {
	n, size := 1, 1.0
	for _, s := range shape {
		n *= s
		size *= float64(s)
	}
	const bytesPerValue = 8 // W and G, float32 each
	bytes := int64(min(size*bytesPerValue, 1<<62))
	if err := host.CheckAlloc(fmt.Sprintf("parameter %s %v (values and gradients)", name, shape), bytes); err != nil {
		panic(err)
	}
	return &Param{Name: name, Shape: append([]int(nil), shape...), W: make([]float32, n), G: make([]float32, n)}
}

// Len returns the number of values.
func (p *Param) Len() int { return len(p.W) }

// String describes the parameter, e.g. "dense1.w [784 256]".
func (p *Param) String() string { return fmt.Sprintf("%s %v", p.Name, p.Shape) }

// Count returns the total number of values in ps.
func Count(ps []*Param) int {
	n := 0
	for _, p := range ps {
		n += p.Len()
	}
	return n
}

// Pack moves the values and gradients of ps into one block of memory, on
// huge pages where the system gives them (see internal/hugemem), so that a
// training step touches few pages: the dense autoencoder 784-256-64-256-784
// trained 4% faster with its parameters and moments packed on the 2-core
// development VM. Slices of W or G taken before Pack no longer alias the
// parameters, so call it before handing the parameters out.
func Pack(ps []*Param) {
	sizes := make([]int, 0, 2*len(ps))
	for _, p := range ps {
		sizes = append(sizes, p.Len(), p.Len())
	}
	parts := blocks(sizes)
	for i, p := range ps {
		w, g := parts[2*i], parts[2*i+1]
		copy(w, p.W)
		copy(g, p.G)
		p.W, p.G = w, g
	}
}

// blocks returns zeroed slices of the given sizes, carved in order from one
// allocation made by hugemem.Float32s; each has its own capacity.
func blocks(sizes []int) [][]float32 {
	n := 0
	for _, s := range sizes {
		n += s
	}
	all := hugemem.Float32s(n)
	out := make([][]float32, len(sizes))
	for i, s := range sizes {
		out[i], all = all[:s:s], all[s:]
	}
	return out
}

// ZeroGrad clears the gradients of ps.
func ZeroGrad(ps []*Param) {
	for _, p := range ps {
		clear(p.G)
	}
}

// Snapshot copies the values of ps into dst (allocating it, in one block
// on huge pages, when it does not match ps) and returns it; Restore copies
// them back. Both copy on all the kernels' threads: Fit snapshots the
// weights every few batches, and one thread copied the dense model's
// 1.7 MB in about 200 µs.
func Snapshot(dst [][]float32, ps []*Param) [][]float32 {
	ok := len(dst) == len(ps)
	for i := 0; ok && i < len(ps); i++ {
		ok = len(dst[i]) == len(ps[i].W)
	}
	if !ok {
		sizes := make([]int, len(ps))
		for i, p := range ps {
			sizes[i] = p.Len()
		}
		dst = blocks(sizes)
	}
	src := make([][]float32, len(ps))
	for i, p := range ps {
		src[i] = p.W
	}
	copyAll(dst, src)
	return dst
}

// Restore copies a Snapshot back into ps.
func Restore(ps []*Param, snap [][]float32) {
	dst := make([][]float32, len(ps))
	for i, p := range ps {
		dst[i] = p.W
	}
	copyAll(dst, snap)
}

// copyChunk is how many values one task of copyAll copies.
const copyChunk = 1 << 15

// copyAll copies src[i] into dst[i] for every i, in chunks of copyChunk
// values spread over the kernels' threads.
func copyAll(dst, src [][]float32) {
	tasks := 0
	for _, s := range src {
		tasks += (len(s) + copyChunk - 1) / copyChunk
	}
	nnops.Parallel(tasks, func(t int) {
		for i, s := range src {
			c := (len(s) + copyChunk - 1) / copyChunk
			if t >= c {
				t -= c
				continue
			}
			lo := t * copyChunk
			hi := min(lo+copyChunk, len(s))
			copy(dst[i][lo:hi], s[lo:hi])
			return
		}
	})
}
