package nnops

import (
	"fmt"
	"testing"

	"github.com/latent-ai/latent/internal/hugemem"
)

// denseStep lists the products of one training step of the dense
// autoencoder 784-256-64-256-784 at batch 256, as runtime/nn issues them:
// forward (with the bias and activation epilogue), then per layer the
// weight gradient (Aᵀ·δ) and the input gradient (δ·Wᵀ).
var denseStep = []struct {
	tA, tB  bool
	m, n, k int
}{
	{false, false, 256, 256, 784}, {false, false, 256, 64, 256}, {false, false, 256, 256, 64}, {false, false, 256, 784, 256},
	{true, false, 256, 784, 256}, {false, true, 256, 256, 784},
	{true, false, 64, 256, 256}, {false, true, 256, 64, 256},
	{true, false, 256, 64, 256}, {false, true, 256, 256, 64},
	{true, false, 784, 256, 256},
}

// BenchmarkDenseStepProducts reports CPU-GFLOP/s of each product of the
// dense training step (run with -cpu 1,2), and of all of them together.
func BenchmarkDenseStepProducts(b *testing.B) {
	for _, s := range denseStep {
		b.Run(fmt.Sprintf("tA%v-tB%v-%dx%dx%d", s.tA, s.tB, s.m, s.k, s.n), func(b *testing.B) {
			benchProducts(b, s.tA, s.tB, s.m, s.n, s.k)
		})
	}
}

// benchProducts times C = op(A)·op(B) for m×k by k×n operands, reporting
// GFLOP/s of wall time and of CPU time (steadier than wall time on a loaded
// machine, and comparable at one thread) and allocations.
func benchProducts(b *testing.B, tA, tB bool, m, n, k int) {
	r := NewRNG(1)
	b.ReportAllocs()
	// The operands sit on huge pages where the kernel allows, as the
	// runtime's do and as numpy's large arrays do in bench/nnops.sh.
	a, bb, c := hugemem.Float32s(m*k), hugemem.Float32s(k*n), hugemem.Float32s(m*n)
	r.FillUniform(a, -1, 1)
	r.FillUniform(bb, -1, 1)
	lda, ldb := k, n
	if tA {
		lda = m
	}
	if tB {
		ldb = k
	}
	cpu0 := cpuSeconds()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Sgemm(tA, tB, m, n, k, 1, a, lda, bb, ldb, 0, c, n)
	}
	b.StopTimer()
	flop := 2 * float64(m) * float64(k) * float64(n) * float64(b.N)
	b.ReportMetric(flop/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	b.ReportMetric(flop/(cpuSeconds()-cpu0)/1e9, "cpuGFLOP/s")
}
