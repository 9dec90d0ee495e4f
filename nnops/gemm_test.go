package nnops

import (
	"fmt"
	"math"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/gonum"
)

func blasT(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// gemmCase is one SGEMM problem with its operands laid out as stored.
type gemmCase struct {
	tA, tB        bool
	m, n, k       int
	alpha, beta   float32
	lda, ldb, ldc int
	a, b, c       []float32
}

func newGemmCase(r *RNG, tA, tB bool, m, n, k, pad int, alpha, beta float32) *gemmCase {
	g := &gemmCase{tA: tA, tB: tB, m: m, n: n, k: k, alpha: alpha, beta: beta}
	ar, ac := m, k
	if tA {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB {
		br, bc = n, k
	}
	g.lda, g.ldb, g.ldc = max(1, ac)+pad, max(1, bc)+pad, max(1, n)+pad
	g.a = randSlice(r, max(0, (ar-1)*g.lda+ac))
	g.b = randSlice(r, max(0, (br-1)*g.ldb+bc))
	g.c = randSlice(r, max(0, (m-1)*g.ldc+n))
	return g
}

// want runs gonum's reference Sgemm on a copy of C.
func (g *gemmCase) want() []float32 {
	c := append([]float32(nil), g.c...)
	gonum.Implementation{}.Sgemm(blasT(g.tA), blasT(g.tB), g.m, g.n, g.k, g.alpha, g.a, g.lda, g.b, g.ldb, g.beta, c, g.ldc)
	return c
}

func (g *gemmCase) run(kn *microKernel, parallel bool) []float32 {
	c := append([]float32(nil), g.c...)
	if gemmTrivial("Sgemm", g.tA, g.tB, g.m, g.n, g.k, g.alpha, g.a, g.lda, g.b, g.ldb, g.beta, c, g.ldc) {
		return c
	}
	if parallel {
		sgemmParallel(kn, g.tA, g.tB, g.m, g.n, g.k, g.alpha, g.a, g.lda, g.b, g.ldb, g.beta, c, g.ldc)
	} else {
		gemmPart(kn, directMaxPanels, nil, g.tA, g.tB, 0, g.m, 0, g.n, g.k, g.alpha, g.a, g.lda, g.b, g.ldb, g.beta, c, g.ldc)
	}
	return c
}

// check compares got with want element by element (including the padding
// between rows, which must be untouched), within a rounding bound that grows
// with k.
func (g *gemmCase) check(t *testing.T, what string, got, want []float32) {
	t.Helper()
	tol := 1e-6 * float64(g.k+4) * (math.Abs(float64(g.alpha)) + math.Abs(float64(g.beta)) + 1)
	for i := range want {
		w, v := float64(want[i]), float64(got[i])
		if math.IsNaN(w) != math.IsNaN(v) || (!math.IsNaN(w) && math.Abs(w-v) > tol && !(math.IsInf(w, 0) && w == v)) {
			t.Fatalf("%s: tA=%v tB=%v m=%d n=%d k=%d alpha=%g beta=%g ld=%d,%d,%d: C[%d] = %g, want %g",
				what, g.tA, g.tB, g.m, g.n, g.k, g.alpha, g.beta, g.lda, g.ldb, g.ldc, i, v, w)
		}
	}
}

var alphaBetas = [][2]float32{{1, 0}, {1, 1}, {0.5, -1.5}, {0, 0.7}, {-2, 0}, {1, 0.25}, {0, 0}, {0.3, 1}}

func TestSgemmAllSizes(t *testing.T) {
	r := NewRNG(7)
	for _, kn := range availableKernels() {
		t.Run(kn.name, func(t *testing.T) {
			cnt := 0
			for s := 1; s <= 67; s++ {
				for tr := 0; tr < 4; tr++ {
					ab := alphaBetas[cnt%len(alphaBetas)]
					cnt++
					pad := (s + tr) % 3 // odd leading dimensions too
					g := newGemmCase(r, tr&1 != 0, tr&2 != 0, s, s, s, pad, ab[0], ab[1])
					g.check(t, kn.name, g.run(kn, false), g.want())
					// A rectangular neighbour of the cube.
					g = newGemmCase(r, tr&1 != 0, tr&2 != 0, s, 1+r.Intn(70), 1+r.Intn(70), 1+pad, ab[0], ab[1])
					g.check(t, kn.name, g.run(kn, false), g.want())
				}
			}
		})
	}
}

func TestSgemmRandomShapes(t *testing.T) {
	r := NewRNG(8)
	for _, kn := range availableKernels() {
		t.Run(kn.name, func(t *testing.T) {
			for i := 0; i < 60; i++ {
				m, n, k := 1+r.Intn(300), 1+r.Intn(300), 1+r.Intn(900)
				switch i % 10 {
				case 0:
					m = 1 + r.Intn(3) // thin shapes take the unpacked-B path (or, m = 1, row streaming)
				case 7:
					m, n = 1, 5000+r.Intn(5000) // row vector, several column chunks
				case 3:
					n = 1 // a column: dot products
				case 5:
					m, n, k = 1537+r.Intn(1600), 1+r.Intn(40), 1+r.Intn(40) // more rows than one A block
				}
				ab := alphaBetas[i%len(alphaBetas)]
				g := newGemmCase(r, r.Intn(2) == 1, r.Intn(2) == 1, m, n, k, r.Intn(5), ab[0], ab[1])
				g.check(t, kn.name, g.run(kn, true), g.want())
			}
		})
	}
}

// TestDirectBBitIdentical checks that reading B in place (as a layer's
// product does where batchInPlace is set, for up to batchDirectPanels A
// panels) gives the same bits as packing it, whatever the CPU, for shapes
// with partial row and column tiles and K blocks.
func TestDirectBBitIdentical(t *testing.T) {
	r := NewRNG(10)
	for _, kn := range availableKernels() {
		if !kn.masked {
			continue // unmasked kernels always pack B
		}
		for i := 0; i < 30; i++ {
			m, n, k := 1+r.Intn(batchDirectPanels*kn.mr), 1+r.Intn(3*kn.nr), 1+r.Intn(2*kn.kc)
			g := newGemmCase(r, r.Intn(2) == 1, false, m, n, k, r.Intn(3), 1, 0.5)
			packed := append([]float32(nil), g.c...)
			gemmPart(kn, 0, nil, g.tA, false, 0, m, 0, n, k, g.alpha, g.a, g.lda, g.b, g.ldb, g.beta, packed, g.ldc)
			direct := append([]float32(nil), g.c...)
			gemmPart(kn, batchDirectPanels, nil, g.tA, false, 0, m, 0, n, k, g.alpha, g.a, g.lda, g.b, g.ldb, g.beta, direct, g.ldc)
			for j := range packed {
				if math.Float32bits(packed[j]) != math.Float32bits(direct[j]) {
					t.Fatalf("%s %d×%d×%d transA=%v: C[%d] = %g read in place, %g packed", kn.name, m, n, k, g.tA, j, direct[j], packed[j])
				}
			}
		}
	}
}

func TestSgemmDeterministic(t *testing.T) {
	r := NewRNG(9)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	defer func(n int) { maxThreads = n }(maxThreads)
	maxThreads = 16 // split unevenly even on a 2-core machine
	for _, shape := range [][3]int{{200, 300, 500}, {37, 700, 129}, {700, 41, 400}} {
		g := newGemmCase(r, false, true, shape[0], shape[1], shape[2], 1, 1, 0.5)
		runtime.GOMAXPROCS(1)
		one := g.run(activeKernel, true)
		for _, p := range []int{2, 3, 4, 16} {
			runtime.GOMAXPROCS(p)
			for rep := 0; rep < 3; rep++ {
				got := g.run(activeKernel, true)
				for i := range one {
					if math.Float32bits(one[i]) != math.Float32bits(got[i]) {
						t.Fatalf("shape %v GOMAXPROCS=%d: C[%d] = %x, with 1 thread %x", shape, p, i, math.Float32bits(got[i]), math.Float32bits(one[i]))
					}
				}
			}
		}
	}
}

func TestSgemmNaNInf(t *testing.T) {
	r := NewRNG(10)
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	cases := []struct {
		name        string
		poison      func(g *gemmCase)
		alpha, beta float32
	}{
		{"NaN in A", func(g *gemmCase) { g.a[3] = nan }, 1, 0},
		{"Inf in B", func(g *gemmCase) { g.b[5] = inf }, 1, 1},
		{"Inf and -Inf", func(g *gemmCase) { g.a[0] = inf; g.b[0] = -inf }, 1, 0},
		{"NaN in C, beta 0", func(g *gemmCase) { g.c[2] = nan; g.c[7] = inf }, 1, 0},
		{"NaN in C, beta 1", func(g *gemmCase) { g.c[2] = nan }, 1, 1},
		{"NaN in A, alpha 0", func(g *gemmCase) { g.a[1] = nan }, 0, 1},
	}
	for _, kn := range availableKernels() {
		for _, tc := range cases {
			t.Run(kn.name+"/"+tc.name, func(t *testing.T) {
				for _, s := range []int{5, 40} {
					g := newGemmCase(r, false, false, s, s+3, s, 0, tc.alpha, tc.beta)
					tc.poison(g)
					g.check(t, kn.name, g.run(kn, true), g.want())
				}
			})
		}
	}
}

func TestSgemmBadArgs(t *testing.T) {
	cases := []struct {
		name string
		call func()
	}{
		{"short A", func() {
			Sgemm(false, false, 2, 2, 2, 1, make([]float32, 3), 2, make([]float32, 4), 2, 0, make([]float32, 4), 2)
		}},
		{"small ldc", func() {
			Sgemm(false, false, 2, 2, 2, 1, make([]float32, 4), 2, make([]float32, 4), 2, 0, make([]float32, 4), 1)
		}},
		{"negative m", func() { Sgemm(false, false, -1, 2, 2, 1, nil, 2, nil, 2, 0, nil, 2) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			tc.call()
		})
	}
}

func TestImplementationWithBlas32(t *testing.T) {
	r := NewRNG(11)
	g := newGemmCase(r, true, false, 30, 20, 10, 0, 1, 0)
	want := g.want()
	got := append([]float32(nil), g.c...)
	a := blas32.General{Rows: 10, Cols: 30, Stride: g.lda, Data: g.a}
	b := blas32.General{Rows: 10, Cols: 20, Stride: g.ldb, Data: g.b}
	c := blas32.General{Rows: 30, Cols: 20, Stride: g.ldc, Data: got}
	blas32.Use(Implementation{})
	defer blas32.Use(gonum.Implementation{})
	blas32.Gemm(blas.Trans, blas.NoTrans, 1, a, b, 0, c)
	g.check(t, "blas32", got, want)
}

func FuzzSgemm(f *testing.F) {
	f.Add(uint8(3), uint8(5), uint8(7), uint8(0), uint64(1), float32(1), float32(0))
	f.Add(uint8(13), uint8(33), uint8(1), uint8(3), uint64(2), float32(-1), float32(2))
	f.Add(uint8(1), uint8(64), uint8(65), uint8(5), uint64(3), float32(0.5), float32(1))
	f.Add(uint8(25), uint8(31), uint8(100), uint8(6), uint64(4), float32(0), float32(0))
	f.Fuzz(func(t *testing.T, m, n, k, flags uint8, seed uint64, alpha, beta float32) {
		if math.IsNaN(float64(alpha)) || math.IsNaN(float64(beta)) || math.Abs(float64(alpha)) > 1e3 || math.Abs(float64(beta)) > 1e3 {
			t.Skip("alpha and beta outside the compared range")
		}
		r := NewRNG(seed)
		g := newGemmCase(r, flags&1 != 0, flags&2 != 0, int(m%80), int(n%80), int(k%80), int(flags>>2)%4, alpha, beta)
		want := g.want()
		for _, kn := range availableKernels() {
			g.check(t, fmt.Sprint(kn.name), g.run(kn, true), want)
		}
	})
}

func TestSgemmNoAllocs(t *testing.T) {
	r := NewRNG(14)
	for _, s := range [][3]int{{64, 64, 64}, {200, 300, 100}, {1, 500, 70}} {
		g := newGemmCase(r, false, true, s[0], s[1], s[2], 0, 1, 0)
		Sgemm(g.tA, g.tB, g.m, g.n, g.k, 1, g.a, g.lda, g.b, g.ldb, 0, g.c, g.ldc) // warm the free lists
		allocs := testing.AllocsPerRun(20, func() {
			Sgemm(g.tA, g.tB, g.m, g.n, g.k, 1, g.a, g.lda, g.b, g.ldb, 0, g.c, g.ldc)
		})
		if allocs != 0 {
			t.Errorf("Sgemm %v: %v allocations per call, want 0", s, allocs)
		}
	}
}
