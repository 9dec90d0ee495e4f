package nnops

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

// benchShapes are the M×K×N products of the dense autoencoder (batch 256,
// 784-256-64-256-784), a large square, and the im2col products of the
// conv autoencoder on 28×28 at batch 256 (conv 1→16 and 16→8, 3×3 s2 p1;
// the transposed convs 8→8 and 8→16 as W^T·x; the final conv 16→1 3×3 p1).
var benchShapes = [][3]int{
	{256, 784, 256}, {256, 256, 64}, {256, 64, 256}, {256, 256, 784}, {1024, 1024, 1024},
	{16, 9, 196 * 256}, {8, 144, 49 * 256}, {72, 8, 49 * 256}, {144, 8, 196 * 256}, {1, 144, 784 * 256},
}

// BenchmarkSgemm reports GFLOP/s for C = A·B on each shape (M×K×N). Run it
// with -cpu 1,2 for the thread counts; bench/nnops.sh compares it with
// OpenBLAS measured in the same run.
func BenchmarkSgemm(b *testing.B) {
	shapes := benchShapes
	if v := os.Getenv("NNOPS_BENCH_SHAPES"); v != "" {
		// "M,K,N M,K,N ...", as bench/nnops.sh passes them.
		shapes = nil
		for _, f := range strings.Fields(v) {
			var s [3]int
			if _, err := fmt.Sscanf(f, "%d,%d,%d", &s[0], &s[1], &s[2]); err != nil {
				b.Fatalf("NNOPS_BENCH_SHAPES: %q is not M,K,N", f)
			}
			shapes = append(shapes, s)
		}
	}
	for _, s := range shapes {
		m, k, n := s[0], s[1], s[2]
		b.Run(fmt.Sprintf("%dx%dx%d", m, k, n), func(b *testing.B) {
			r := NewRNG(1)
			a, bb, c := randSlice(r, m*k), randSlice(r, k*n), make([]float32, m*n)
			b.ReportAllocs()
			cpu0 := cpuSeconds()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				Sgemm(false, false, m, n, k, 1, a, k, bb, n, 0, c, n)
			}
			b.StopTimer()
			flop := 2 * float64(m) * float64(k) * float64(n) * float64(b.N)
			b.ReportMetric(flop/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			// Per CPU-second of this process: steadier than wall time on a
			// loaded machine, and comparable at one thread.
			b.ReportMetric(flop/(cpuSeconds()-cpu0)/1e9, "cpuGFLOP/s")
		})
	}
}

func init() {
	if v := os.Getenv("NNOPS_DIRECT"); v != "" {
		directMaxPanels, _ = strconv.Atoi(v)
	}
}

func init() {
	if os.Getenv("NNOPS_PACKA") != "" {
		useDirectA = false
	}
}

// BenchmarkBiasActivate reports ns per element for a 256×784 batch (the
// dense autoencoder's output layer), with the assembly kernels and with the
// portable Go code.
func BenchmarkBiasActivate(b *testing.B) {
	const rows, cols = 256, 784
	r := NewRNG(1)
	x, bias := randSlice(r, rows*cols), randSlice(r, cols)
	for _, act := range []Activation{ReLU, Sigmoid, Tanh} {
		for _, asm := range []bool{true, false} {
			if asm && !useAVX512 {
				continue
			}
			b.Run(fmt.Sprintf("%v/asm=%v", act, asm), func(b *testing.B) {
				old := useAVX512
				useAVX512 = asm
				defer func() { useAVX512 = old }()
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					BiasActivate(x, rows, cols, bias, act, 0.1)
					if act != ReLU {
						r.FillUniform(x[:64], -1, 1) // keep values in range
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(rows*cols), "ns/elem")
			})
		}
	}
}
