package nnops

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"testing"
)

var allActivations = []Activation{Identity, ReLU, LeakyReLU, Sigmoid, Tanh}

// exactAct is act in float64, the reference for both implementations.
func exactAct(v float64, act Activation, slope float64) float64 {
	switch act {
	case ReLU:
		return math.Max(v, 0)
	case LeakyReLU:
		if v < 0 {
			return v * slope
		}
	case Sigmoid:
		return 1 / (1 + math.Exp(-v))
	case Tanh:
		return math.Tanh(v)
	}
	return v
}

// withKernels runs f at every elementwise level this CPU has: portable Go,
// AVX2, AVX-512.
func withKernels(t *testing.T, f func(t *testing.T)) {
	old := ewLevel
	defer func() { ewLevel = old }()
	for _, l := range availableLevels() {
		ewLevel = l
		t.Run(fmt.Sprintf("level=%d", l), f)
	}
}

func TestBiasActivate(t *testing.T) {
	withKernels(t, func(t *testing.T) {
		r := NewRNG(5)
		for _, act := range allActivations {
			for _, shape := range [][2]int{{1, 1}, {3, 17}, {5, 33}, {2, 100}, {4, 15}, {1, 70001}, {3, 30000}, {300, 300}} {
				rows, cols := shape[0], shape[1]
				x := make([]float32, rows*cols)
				r.FillNormal(x, 0, 4)
				x[0] = 1e-4 // tanh series region
				if len(x) > 2 {
					x[1], x[2] = 100, -100 // saturation
				}
				for _, withBias := range []bool{false, true} {
					var bias []float32
					if withBias {
						bias = randSlice(r, cols)
					}
					got := append([]float32(nil), x...)
					BiasActivate(got, rows, cols, bias, act, 0.1)
					for i, v := range x {
						in := float64(v)
						if bias != nil {
							in = float64(v + bias[i%cols])
						}
						want := exactAct(in, act, float64(float32(0.1)))
						if d := math.Abs(float64(got[i]) - want); d > 3e-7*math.Max(1, math.Abs(want)) && d > 2e-6*math.Abs(want) {
							t.Fatalf("%v bias=%v: act(%g) = %g, want %g", act, withBias, in, got[i], want)
						}
					}
				}
			}
			// NaN propagates.
			x := []float32{float32(math.NaN()), 1}
			BiasActivate(x, 1, 2, nil, act, 0.1)
			if act != Identity && !math.IsNaN(float64(x[0])) {
				t.Errorf("%v(NaN) = %g, want NaN", act, x[0])
			}
		}
	})
}

func TestActivationBackward(t *testing.T) {
	withKernels(t, func(t *testing.T) {
		r := NewRNG(6)
		for _, act := range allActivations {
			n := 37
			if act == Sigmoid {
				n = parallelElems + 5 // split over goroutines
			}
			x := make([]float32, n)
			r.FillNormal(x, 0, 2)
			proj := randSlice(r, n)
			y := append([]float32(nil), x...)
			BiasActivate(y, 1, n, nil, act, 0.1)
			dy := append([]float32(nil), proj...)
			ActivationBackward(dy, y, act, 0.1)
			checkGrad(t, fmt.Sprint(act), x, dy, func() float64 {
				out := append([]float32(nil), x...)
				BiasActivate(out, 1, n, nil, act, 0.1)
				return dot64(out, proj)
			})
		}
	})
}

func TestReductions(t *testing.T) {
	withKernels(t, func(t *testing.T) {
		r := NewRNG(12)
		for _, shape := range [][2]int{{1, 1}, {3, 7}, {16, 16}, {5, 100}, {64, 3}, {2, 1000}} {
			rows, cols := shape[0], shape[1]
			x := randSlice(r, rows*cols)
			colSum, rowSum := make([]float64, cols), make([]float64, rows)
			for i := 0; i < rows; i++ {
				for j := 0; j < cols; j++ {
					colSum[j] += float64(x[i*cols+j])
					rowSum[i] += float64(x[i*cols+j])
				}
			}
			cases := []struct {
				name string
				f    func(dst, x []float32, rows, cols int)
				want []float64
				div  float64
			}{
				{"SumRows", SumRows, colSum, 1},
				{"MeanRows", MeanRows, colSum, float64(rows)},
				{"SumCols", SumCols, rowSum, 1},
				{"MeanCols", MeanCols, rowSum, float64(cols)},
			}
			y := randSlice(r, rows*cols)
			var want float64
			for i := range x {
				want += float64(x[i]) * float64(y[i])
			}
			if got := dot(x, y); math.Abs(float64(got)-want) > 1e-5*float64(rows*cols) {
				t.Fatalf("dot of %d: %g, want %g", rows*cols, got, want)
			}
			for _, tc := range cases {
				got := make([]float32, len(tc.want))
				tc.f(got, x, rows, cols)
				for i, w := range tc.want {
					if d := math.Abs(float64(got[i]) - w/tc.div); d > 1e-5*float64(rows+cols) {
						t.Fatalf("%s %dx%d: [%d] = %g, want %g", tc.name, rows, cols, i, got[i], w/tc.div)
					}
				}
			}
		}
	})
}

func TestAdam(t *testing.T) {
	withKernels(t, func(t *testing.T) {
		r := NewRNG(13)
		for _, n := range []int{1, 15, 16, 17, 100} {
			for _, wd := range []float32{0, 0.01} {
				w, g := randSlice(r, n), randSlice(r, n)
				m, v := make([]float32, n), make([]float32, n)
				// Reference in float64, the textbook form.
				w64, m64, v64 := make([]float64, n), make([]float64, n), make([]float64, n)
				for i := range w {
					w64[i] = float64(w[i])
				}
				const lr, b1, b2, eps = 1e-2, 0.9, 0.999, 1e-8
				for step := 1; step <= 3; step++ {
					Adam(w, g, m, v, lr, b1, b2, eps, wd, step)
					for i := range w64 {
						gi := float64(g[i])
						m64[i] = b1*m64[i] + (1-b1)*gi
						v64[i] = b2*v64[i] + (1-b2)*gi*gi
						mh := m64[i] / (1 - math.Pow(b1, float64(step)))
						vh := v64[i] / (1 - math.Pow(b2, float64(step)))
						w64[i] -= lr * (mh/(math.Sqrt(vh)+eps) + float64(wd)*w64[i])
					}
				}
				for i := range w {
					if d := math.Abs(float64(w[i]) - w64[i]); d > 1e-5 {
						t.Fatalf("n=%d wd=%g: w[%d] = %g, want %g", n, wd, i, w[i], w64[i])
					}
				}
			}
		}
	})
}

// TestAdamShared checks that the update of a parallel region, which writes
// aligned whole vectors of weights with non-temporal stores, gives the
// weights and moments of adamStep bit for bit, from every alignment and
// for lengths around the vector width.
func TestAdamShared(t *testing.T) {
	defer func(on bool) { streamWeights = on }(streamWeights)
	streamWeights = true // whatever the CPU's vendor
	withKernels(t, func(t *testing.T) {
		r := NewRNG(17)
		h := newAdamParams(1e-2, 0.9, 0.999, 1e-8, 0.01, 3)
		for off := 0; off < 16; off++ {
			for _, n := range []int{63, 64, 65, 100, 1000} {
				var ws, ms, vs [2][]float32
				g := randSlice(r, n)
				w0, m0, v0 := randSlice(r, n), randSlice(r, n), randSlice(r, n)
				for i := range v0 {
					v0[i] *= v0[i]
				}
				for k := range ws {
					ws[k] = append(make([]float32, off, off+n), w0...)[off:]
					ms[k], vs[k] = slices.Clone(m0), slices.Clone(v0)
				}
				adamStep(ws[0], g, ms[0], vs[0], &h)
				adamStepShared(ws[1], g, ms[1], vs[1], &h)
				for i := range n {
					if math.Float32bits(ws[0][i]) != math.Float32bits(ws[1][i]) || ms[0][i] != ms[1][i] || vs[0][i] != vs[1][i] {
						t.Fatalf("offset %d, n=%d: [%d] = %g, %g, %g, want %g, %g, %g", off, n, i, ws[1][i], ms[1][i], vs[1][i], ws[0][i], ms[0][i], vs[0][i])
					}
				}
			}
		}
	})
}

// TestAdamDenormalMoments checks that moments decaying into float32's
// denormal range become zero in every kernel, leaving the weights as they
// were, rather than lingering as denormals (each of which cost the vector
// kernels a microcode assist: a whole update ran 11 times slower).
func TestAdamDenormalMoments(t *testing.T) {
	withKernels(t, func(t *testing.T) {
		const n = 37
		r := NewRNG(5)
		w := randSlice(r, n)
		w0 := append([]float32(nil), w...)
		g, m, v := make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range m {
			m[i], v[i] = 1e-39, 2e-39 // denormal
		}
		Adam(w, g, m, v, 1e-3, 0.9, 0.999, 1e-8, 0, 500)
		for i := range w {
			if m[i] != 0 || v[i] != 0 || w[i] != w0[i] {
				t.Fatalf("[%d]: m = %g, v = %g, w = %g (was %g); want m = v = 0 and w unchanged", i, m[i], v[i], w[i], w0[i])
			}
		}
	})
}

func TestRNG(t *testing.T) {
	a, b := NewRNG(42), NewRNG(42)
	for i := 0; i < 100; i++ {
		if a.Uint64() != b.Uint64() {
			t.Fatal("same seed, different sequences")
		}
	}
	if NewRNG(1).Uint64() == NewRNG(2).Uint64() {
		t.Error("seeds 1 and 2 start alike")
	}
	r := NewRNG(3)
	const n = 200000
	x := make([]float32, n)
	r.FillNormal(x, 2, 3)
	var s, s2 float64
	for _, v := range x {
		s += float64(v)
		s2 += float64(v) * float64(v)
	}
	mean, sd := s/n, math.Sqrt(s2/n-(s/n)*(s/n))
	if math.Abs(mean-2) > 0.03 || math.Abs(sd-3) > 0.03 {
		t.Errorf("FillNormal(2, 3): mean %.3f sd %.3f", mean, sd)
	}
	r.FillUniform(x, -1, 5)
	s = 0
	for _, v := range x {
		if v < -1 || v >= 5 {
			t.Fatalf("FillUniform(-1, 5) gave %g", v)
		}
		s += float64(v)
	}
	if math.Abs(s/n-2) > 0.02 {
		t.Errorf("FillUniform(-1, 5): mean %.3f", s/n)
	}
	counts := make([]int, 7)
	for i := 0; i < 70000; i++ {
		counts[r.Intn(7)]++
	}
	for k, c := range counts {
		if c < 9500 || c > 10500 {
			t.Errorf("Intn(7) gave %d %d times in 70000", k, c)
		}
	}
	p := r.Perm(50)
	seen := make([]bool, 50)
	for _, v := range p {
		if seen[v] {
			t.Fatalf("Perm repeats %d", v)
		}
		seen[v] = true
	}
	for i := 0; i < 1000; i++ {
		if f := r.Float32(); f < 0 || f >= 1 {
			t.Fatalf("Float32 gave %g", f)
		}
	}
	// An odd-length fill keeps the spare deviate for the next call, so
	// filling 3 then 3 equals filling 6.
	r1, r2 := NewRNG(9), NewRNG(9)
	six := make([]float32, 6)
	r1.FillNormal(six, 0, 1)
	three := make([]float32, 3)
	r2.FillNormal(three, 0, 1)
	rest := make([]float32, 3)
	r2.FillNormal(rest, 0, 1)
	for i, v := range append(three, rest...) {
		if v != six[i] {
			t.Fatalf("split fill differs at %d", i)
		}
	}
}

// TestActivationBackwardSum checks the fused delta and bias gradient
// against ActivationBackward then SumRows over each run of rows, the runs'
// sums added in order, bit for bit, on one and several threads.
func TestActivationBackwardSum(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	defer func(n int) { maxThreads = n }(maxThreads)
	maxThreads = 8
	withKernels(t, func(t *testing.T) {
		r := NewRNG(9)
		for _, act := range allActivations {
			for _, shape := range [][2]int{{1, 1}, {3, 17}, {256, 784}, {256, 64}, {300, 250}, {2, 40000}} {
				rows, cols := shape[0], shape[1]
				y := randSlice(r, rows*cols)
				BiasActivate(y, rows, cols, nil, act, 0.1)
				dy := randSlice(r, rows*cols)
				want, wantDb := append([]float32(nil), dy...), make([]float32, cols)
				ActivationBackward(want, y, act, 0.1)
				chunks := min(sumChunks, rows)
				part := make([]float32, cols)
				for c := 0; c < chunks; c++ {
					r0, r1 := rows*c/chunks, rows*(c+1)/chunks
					SumRows(part, want[r0*cols:r1*cols], r1-r0, cols)
					if c == 0 {
						copy(wantDb, part)
					} else {
						addTo(wantDb, part)
					}
				}
				for _, procs := range []int{1, 2, 3} {
					runtime.GOMAXPROCS(procs)
					got, db := append([]float32(nil), dy...), randSlice(r, cols)
					ActivationBackwardSum(db, got, y, rows, cols, act, 0.1)
					for i := range got {
						if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
							t.Fatalf("%v %dx%d, %d threads: dy[%d] = %g, want %g", act, rows, cols, procs, i, got[i], want[i])
						}
					}
					for j := range db {
						if math.Float32bits(db[j]) != math.Float32bits(wantDb[j]) {
							t.Fatalf("%v %dx%d, %d threads: db[%d] = %g, want %g", act, rows, cols, procs, j, db[j], wantDb[j])
						}
					}
				}
			}
		}
	})
}

// TestCopyRows checks the strided row copy of GEMM packing at every
// kernel level, full and partial chunks of 16, and that it writes nothing
// between or after the rows.
// TestPackBTransposed checks the packing of a transposed B panel against
// its definition, for panels of 1 to 32 columns (16-column groups go
// through transpose16 where there is a kernel) and depths with every
// remainder mod 16, leaving the rest of the buffer alone.
func TestPackBTransposed(t *testing.T) {
	withKernels(t, func(t *testing.T) {
		r := NewRNG(11)
		const NR = 32
		for _, nb := range []int{1, 15, 16, 17, 31, 32, 48, 64} {
			for _, kc := range []int{1, 7, 15, 16, 17, 33, 256} {
				ldb := kc + 5
				b := randSlice(r, (nb+2)*ldb)
				panels := (nb + NR - 1) / NR
				dst := make([]float32, panels*NR*kc+7)
				for i := range dst {
					dst[i] = -1
				}
				k := kc - 3*min(1, kc/4) // packed depth, starting at row 3
				packB(dst, true, b, ldb, 3, k, 1, nb, NR)
				for q := 0; q < panels; q++ {
					for p := 0; p < k; p++ {
						for c := 0; c < NR; c++ {
							want := float32(0)
							if j := q*NR + c; j < nb {
								want = b[(1+j)*ldb+3+p]
							}
							if got := dst[q*NR*k+p*NR+c]; got != want {
								t.Fatalf("nb=%d kc=%d: panel %d [%d][%d] = %g, want %g", nb, k, q, p, c, got, want)
							}
						}
					}
				}
				for i := panels * NR * k; i < len(dst); i++ {
					if dst[i] != -1 {
						t.Fatalf("nb=%d kc=%d: dst[%d] = %g written past the panels", nb, k, i, dst[i])
					}
				}
			}
		}
	})
}

func TestCopyRows(t *testing.T) {
	withKernels(t, func(t *testing.T) {
		r := NewRNG(10)
		for _, n := range []int{1, 5, 12, 16, 17, 32, 40} {
			rows, lds, ldd := 7, n+3, n+5
			src := randSlice(r, rows*lds)
			dst := make([]float32, rows*ldd)
			for i := range dst {
				dst[i] = -1
			}
			copyRows(dst, ldd, src, lds, rows, n)
			for i := 0; i < rows; i++ {
				for j := 0; j < ldd; j++ {
					want := float32(-1)
					if j < n {
						want = src[i*lds+j]
					}
					if dst[i*ldd+j] != want {
						t.Fatalf("n=%d: dst[%d][%d] = %g, want %g", n, i, j, dst[i*ldd+j], want)
					}
				}
			}
		}
	})
}

func TestMinMax(t *testing.T) {
	withKernels(t, func(t *testing.T) {
		r := NewRNG(9)
		for _, n := range []int{0, 1, 7, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 1000, 4099} {
			x := make([]float32, n)
			r.FillNormal(x, 0, 3)
			lo, hi, finite := MinMax(x)
			wlo, whi := float32(math.Inf(1)), float32(math.Inf(-1))
			for _, v := range x {
				wlo, whi = min(wlo, v), max(whi, v)
			}
			if lo != wlo || hi != whi || !finite {
				t.Fatalf("n=%d: MinMax = %v, %v, %v; want %v, %v, true", n, lo, hi, finite, wlo, whi)
			}
			// The extremes anywhere, the tail included.
			for _, at := range []int{0, n / 2, n - 1} {
				if n == 0 {
					break
				}
				y := append([]float32(nil), x...)
				y[at] = -1e30
				if lo, _, _ := MinMax(y); lo != -1e30 {
					t.Errorf("n=%d: minimum at %d missed: %v", n, at, lo)
				}
				y[at] = 1e30
				if _, hi, _ := MinMax(y); hi != 1e30 {
					t.Errorf("n=%d: maximum at %d missed: %v", n, at, hi)
				}
				for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
					y[at] = bad
					if _, _, finite := MinMax(y); finite {
						t.Errorf("n=%d: %v at %d not reported", n, bad, at)
					}
				}
			}
		}
	})
}
