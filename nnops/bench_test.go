package nnops

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
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
		b.Run(fmt.Sprintf("%dx%dx%d", m, k, n), func(b *testing.B) { benchProducts(b, false, false, m, n, k) })
	}
}

// BenchmarkPeak reports the fp32 FMA peak with the active kernel's vector
// width (independent register FMAs, no memory), so that GEMM figures can
// be read as a share of it: of one core at -cpu 1, and of GOMAXPROCS
// threads running at once at -cpu 2 and up — less than the one-core figure
// times the threads where CPUs share a core's FMA units (hyperthreads,
// which a virtual machine may present as separate cores).
func BenchmarkPeak(b *testing.B) {
	if fmaPeak(1) == 0 {
		b.Skip("no assembly kernels in this build")
	}
	b.Run(activeKernel.name, func(b *testing.B) {
		const rounds = 1 << 16
		var flop atomic.Int64
		cpu0 := cpuSeconds()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				flop.Add(int64(fmaPeak(rounds)))
			}
		})
		f := float64(flop.Load())
		b.ReportMetric(f/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		b.ReportMetric(f/(cpuSeconds()-cpu0)/1e9, "cpuGFLOP/s")
	})
}

// BenchmarkBiasActivate reports ns per element for a 256×784 batch (the
// dense autoencoder's output layer) at each elementwise level: 0 portable
// Go, 1 AVX2, 2 AVX-512.
func BenchmarkBiasActivate(b *testing.B) {
	const rows, cols = 256, 784
	r := NewRNG(1)
	x, bias := randSlice(r, rows*cols), randSlice(r, cols)
	for _, act := range []Activation{ReLU, Sigmoid, Tanh} {
		for _, level := range availableLevels() {
			b.Run(fmt.Sprintf("%v/level=%d", act, level), func(b *testing.B) {
				old := ewLevel
				ewLevel = level
				defer func() { ewLevel = old }()
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

// convBenchLayers are the conv autoencoder's layers on 28×28 images (the
// model of ../shared/reference/torch_autoencoders.py).
var convBenchLayers = func() []struct {
	name string
	l    convLayer
	outC int
} {
	s2 := func(c, h, outC int) Conv2D {
		return Conv2D{Geom: ConvGeom{C: c, H: h, W: h, KH: 3, KW: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1}, OutC: outC}
	}
	t2 := func(c, h, outC int) ConvTranspose2D {
		return ConvTranspose2D{Geom: ConvGeom{C: c, H: h, W: h, KH: 3, KW: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1}, OutC: outC, OutPadH: 1, OutPadW: 1}
	}
	return []struct {
		name string
		l    convLayer
		outC int
	}{
		{"conv1_1to16", s2(1, 28, 16), 16},
		{"conv2_16to8", s2(16, 14, 8), 8},
		{"convT3_8to8", t2(8, 7, 8), 8},
		{"convT4_8to16", t2(8, 14, 16), 16},
		{"conv5_16to1", Conv2D{Geom: ConvGeom{C: 16, H: 28, W: 28, KH: 3, KW: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}, OutC: 1}, 1},
	}
}()

// BenchmarkConv times forward, backward-input and backward-weights of each
// layer of the conv autoencoder at batch 256.
func BenchmarkConv(b *testing.B) {
	const n = 256
	r := NewRNG(1)
	for _, tc := range convBenchLayers {
		l := tc.l
		in, out, w := randSlice(r, n*l.InLen()), randSlice(r, n*l.OutLen()), randSlice(r, l.WeightLen())
		bias, din, dw, db := randSlice(r, tc.outC), make([]float32, n*l.InLen()), make([]float32, l.WeightLen()), make([]float32, tc.outC)
		for _, pass := range []struct {
			name string
			run  func()
		}{
			{"forward", func() { l.Forward(out, in, w, bias, n) }},
			{"backward-input", func() { l.BackwardInput(din, out, w, n) }},
			{"backward-weights", func() { l.BackwardWeights(dw, db, out, in, n) }},
		} {
			b.Run(tc.name+"/"+pass.name, func(b *testing.B) {
				b.ReportAllocs()
				cpu0 := cpuSeconds()
				for i := 0; i < b.N; i++ {
					pass.run()
				}
				b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N)*1e3, "cpu-ms/op")
			})
		}
	}
}

// init applies the tuning switches that the benchmarks read from the
// environment (they exist to compare variants; the defaults are the
// measured best):
//
//	NNOPS_KERNEL=avx512|avx2|go  micro-kernel
//	NNOPS_BLOCK=kc,nb            its K and N blocking
//	NNOPS_DIRECT=p               read B unpacked for at most p A panels
//	NNOPS_PACKA=1                pack A even when it is not transposed
//	NNOPS_IM2COL_WEIGHTS=1       conv weight gradients through im2col
func init() {
	if v := os.Getenv("NNOPS_KERNEL"); v != "" {
		for _, k := range availableKernels() {
			if k.name == v {
				activeKernel = k
			}
		}
	}
	if v := os.Getenv("NNOPS_BLOCK"); v != "" {
		fmt.Sscanf(v, "%d,%d", &activeKernel.kc, &activeKernel.nb)
	}
	if v := os.Getenv("NNOPS_DIRECT"); v != "" {
		directMaxPanels, _ = strconv.Atoi(v)
	}
	useDirectA = os.Getenv("NNOPS_PACKA") == ""
	shiftedWeights = os.Getenv("NNOPS_IM2COL_WEIGHTS") == ""
}
