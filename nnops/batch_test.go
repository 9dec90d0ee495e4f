package nnops

import (
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"
)

// TestSgemmBatch checks products run together in one region, with and
// without the bias+activation epilogue, against Sgemm followed by
// BiasActivate, bit for bit, at several thread counts.
func TestSgemmBatch(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	defer func(n int) { maxThreads = n }(maxThreads)
	maxThreads = 16
	r := NewRNG(3)
	type prod struct {
		tA, tB  bool
		m, n, k int
		bias    bool
		act     Activation
	}
	cases := []prod{
		{false, false, 256, 256, 784, true, ReLU}, {true, false, 784, 256, 256, false, Identity},
		{false, true, 256, 784, 256, false, Identity}, {false, false, 37, 1, 50, true, Sigmoid},
		{false, false, 1, 700, 30, true, Tanh}, {false, false, 20, 30, 0, true, LeakyReLU}, {false, false, 9, 13, 5, false, Sigmoid},
	}
	var ps, want []Product
	for _, c := range cases {
		ar, ac, br, bc := c.m, c.k, c.k, c.n
		if c.tA {
			ar, ac = ac, ar
		}
		if c.tB {
			br, bc = bc, br
		}
		p := Product{TransA: c.tA, TransB: c.tB, M: c.m, N: c.n, K: c.k, Alpha: 1, A: randSlice(r, max(1, ar*ac)), Lda: max(1, ac),
			B: randSlice(r, max(1, br*bc)), Ldb: max(1, bc), Beta: 0.5, C: randSlice(r, c.m*c.n), Ldc: c.n, Act: c.act, Slope: 0.1}
		if c.bias {
			p.Bias = randSlice(r, c.n)
		}
		w := p
		w.C = append([]float32(nil), p.C...)
		Sgemm(w.TransA, w.TransB, w.M, w.N, w.K, w.Alpha, w.A, w.Lda, w.B, w.Ldb, w.Beta, w.C, w.Ldc)
		BiasActivate(w.C, w.M, w.N, w.Bias, w.Act, w.Slope)
		ps, want = append(ps, p), append(want, w)
	}
	c0 := make([][]float32, len(ps))
	for i := range ps {
		c0[i] = append([]float32(nil), ps[i].C...)
	}
	for _, fn := range []struct {
		name string
		run  func(...Product)
	}{{"SgemmBatch", SgemmBatch}, {"SgemmOwned", SgemmOwned}} {
		for _, procs := range []int{1, 2, 3, 8, 16} {
			runtime.GOMAXPROCS(procs)
			for i := range ps {
				copy(ps[i].C, c0[i])
			}
			fn.run(ps...)
			for i := range ps {
				for j, v := range ps[i].C {
					if math.Float32bits(v) != math.Float32bits(want[i].C[j]) {
						t.Fatalf("%s, GOMAXPROCS=%d product %d %+v: C[%d] = %g, want %g", fn.name, procs, i, cases[i], j, v, want[i].C[j])
					}
				}
			}
		}
	}
}

// TestOwnedRuns checks that SgemmOwned and AdamTensors give a thread the
// same tensors: with the dense model's four weight gradients (784×256,
// 256×64, 64×256, 256×784) and its tensors with their biases, thread 0 of
// two runs exactly the first two layers in both, and that the pieces of
// the products cover each output once.
func TestOwnedRuns(t *testing.T) {
	dims := [][2]int{{784, 256}, {256, 64}, {64, 256}, {256, 784}}
	var ps []Product
	var ws [][]float32
	for _, d := range dims {
		ps = append(ps, Product{TransA: true, M: d[0], N: d[1], K: 256, Alpha: 1, A: make([]float32, 256*d[0]), Lda: d[0],
			B: make([]float32, 256*d[1]), Ldb: d[1], C: make([]float32, d[0]*d[1]), Ldc: d[1]})
		ws = append(ws, make([]float32, d[0]*d[1]), make([]float32, d[1]))
	}
	jobs, span := ownedJobs(nil, activeKernel, ps, 2)
	g := task{gemms: jobs, span: span}
	cut := g.start(1, 2, len(jobs), 0)
	covered := make([]int, len(ps))
	for i, j := range jobs {
		k := 0
		for &ps[k].C[0] != &j.c[0] {
			k++
		}
		if (i < cut) != (k < 2) {
			t.Errorf("piece %d of product %d runs on thread %d", i, k, map[bool]int{true: 0, false: 1}[i < cut])
		}
		covered[k] += (j.m1 - j.m0) * (j.n1 - j.n0)
	}
	for k, p := range ps {
		if covered[k] != p.M*p.N {
			t.Errorf("product %d: pieces cover %d of its %d outputs", k, covered[k], p.M*p.N)
		}
	}
	elems := 0
	for _, w := range ws {
		elems += len(w)
	}
	a := task{adam: adamJob{ws: ws, gs: ws, ms: ws, vs: ws, block: adamBlock(elems, 2)}, span: elems}
	blocks := 0
	for _, w := range ws {
		blocks += a.adam.blocks(len(w))
	}
	first := 0 // blocks of the first two layers' four tensors
	for _, w := range ws[:4] {
		first += a.adam.blocks(len(w))
	}
	if got := a.start(1, 2, blocks, 0); got != first {
		t.Errorf("Adam: thread 1 starts at block %d, want %d (the third layer's weights)", got, first)
	}
}

// TestParallel runs every task once, also nested inside a task (which runs
// serially) and from two goroutines at once.
func TestParallel(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	runtime.GOMAXPROCS(4)
	count := func() []int32 {
		hits := make([]int32, 1000)
		Parallel(10, func(i int) {
			Parallel(100, func(j int) { hits[i*100+j]++ })
		})
		return hits
	}
	done := make(chan []int32)
	go func() { done <- count() }()
	for _, hits := range [][]int32{count(), <-done} {
		for i, h := range hits {
			if h != 1 {
				t.Fatalf("task %d ran %d times", i, h)
			}
		}
	}
}

// TestClaimOwnRunFirst checks that a participant of a region runs its own
// run of tasks first and then, in turn, what the others left.
func TestClaimOwnRunFirst(t *testing.T) {
	pool.mu.Lock() // no region may run meanwhile
	defer pool.mu.Unlock()
	const n, w = 7, 3
	var order []int
	pool.job = task{fn: func(t int) { order = append(order, t) }}
	pool.homes = make([]home, w)
	for i := range pool.homes {
		pool.homes[i].next.Store(int64(i * n / w))
		pool.homes[i].end = int64((i + 1) * n / w)
	}
	pool.done.Store(0)
	claim(1)
	pool.job = task{}
	want := []int{2, 3, 4, 5, 6, 0, 1}
	if fmt.Sprint(order) != fmt.Sprint(want) {
		t.Fatalf("participant 1 ran tasks %v, want %v", order, want)
	}
	if d := pool.done.Load(); d != n {
		t.Fatalf("done = %d, want %d", d, n)
	}
}

// TestSgemmBatchParts checks how a batch is cut for two threads (and a
// few products for sixteen): a
// product of a batch's rows is cut along M (each thread keeps its rows), a
// weight gradient by the smaller operand (along M with rowsFirst, as on
// AMD CPUs), and the parts are listed part by part, so that each thread's
// run holds the same part of every product.
func TestSgemmBatchParts(t *testing.T) {
	defer func(old bool) { rowsFirst = old }(rowsFirst)
	// The AVX-512 kernel's tiles, in every build (splitting reads only
	// the tile sizes).
	kn := &microKernel{name: "tiles", mr: 12, nr: 32, kc: 384, nb: 480, mc: 1536, masked: true}
	mat := func(r, c int) []float32 { return make([]float32, r*c) }
	dW := Product{TransA: true, M: 256, N: 784, K: 256, Alpha: 1, A: mat(256, 256), Lda: 256, B: mat(256, 784), Ldb: 784, C: mat(256, 784), Ldc: 784}
	dX := Product{TransB: true, M: 256, N: 256, K: 784, Alpha: 1, A: mat(256, 784), Lda: 784, B: mat(256, 784), Ldb: 784, C: mat(256, 256), Ldc: 256}
	type rect struct{ part, m0, m1, n0, n1, k int }
	for _, c := range []struct {
		rowsFirst bool
		want      []rect
		aloneRows int // rows of Sgemm's first part of dX
		aloneCols int
	}{
		{false, []rect{
			{0, 0, 256, 0, 384, 256}, // dW, cut along N (A is the smaller)
			{0, 0, 132, 0, 256, 784}, // dX, cut along M: the batch's rows
			{1, 0, 256, 384, 784, 256},
			{1, 132, 256, 0, 256, 784},
		}, 256, 128}, // on its own, dX packs the smaller operand twice: along N
		{true, []rect{
			{0, 0, 132, 0, 784, 256}, // dW, cut along M
			{0, 0, 132, 0, 256, 784},
			{1, 132, 256, 0, 784, 256},
			{1, 132, 256, 0, 256, 784},
		}, 132, 256},
	} {
		rowsFirst = c.rowsFirst
		var jobs []gemmJob
		for _, p := range []Product{dW, dX} {
			jobs = splitProduct(jobs, kn, &p, 2, true)
		}
		jobs = partMajor(jobs)
		var got []rect
		for _, j := range jobs {
			got = append(got, rect{j.part, j.m0, j.m1, j.n0, j.n1, j.k})
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Fatalf("rowsFirst %v: tasks %v, want %v", c.rowsFirst, got, c.want)
		}
		alone := splitProduct(nil, kn, &dX, 2, false)
		if len(alone) != 2 || alone[0].m1 != c.aloneRows || alone[0].n1 != c.aloneCols {
			t.Fatalf("rowsFirst %v: Sgemm's parts %+v and %+v, want the first %d×%d", c.rowsFirst, alone[0], alone[1], c.aloneRows, c.aloneCols)
		}
		// A conv layer's short, wide im2col products stay cut along N
		// either way: along M each part would pack all of a long B.
		for _, s := range [][3]int{{16, 9, 50176}, {144, 8, 50176}} {
			m, k, n := s[0], s[1], s[2]
			wide := Product{M: m, N: n, K: k, Alpha: 1, A: mat(m, k), Lda: k, B: mat(k, n), Ldb: n, C: mat(m, n), Ldc: n}
			parts := splitProduct(nil, kn, &wide, 2, false)
			if len(parts) != 2 || parts[0].m1 != m || parts[0].n1 >= n {
				t.Fatalf("rowsFirst %v: %d×%d×%d cut into %+v, want two parts along N", c.rowsFirst, m, k, n, parts)
			}
		}
	}

	// For 16 threads: the batch's 256 rows (22 row tiles) in even shares
	// of 16 rows, not one or two whole tiles each; the input gradient,
	// whose B every part packs transposed, in a 4×4 grid of 64 rows by 64
	// columns, so that each part packs a quarter of B, not all of it.
	fwd := Product{M: 256, N: 256, K: 784, Alpha: 1, A: mat(256, 784), Lda: 784, B: mat(784, 256), Ldb: 256, C: mat(256, 256), Ldc: 256}
	for _, c := range []struct {
		p              Product
		parts, rows, n int
	}{{fwd, 16, 16, 256}, {dX, 16, 64, 64}} {
		jobs := splitProduct(nil, kn, &c.p, 16, true)
		if len(jobs) != c.parts {
			t.Fatalf("%d parts for 16 threads, want %d", len(jobs), c.parts)
		}
		for i, j := range jobs {
			if j.part != i || j.m1-j.m0 != c.rows || j.n1-j.n0 != c.n {
				t.Fatalf("part %d: rows [%d, %d) columns [%d, %d), want %d rows and %d columns", i, j.m0, j.m1, j.n0, j.n1, c.rows, c.n)
			}
		}
	}
}

// TestSumPieces checks that the pieces cover [0, n) once, in order, and
// that the sum is the same, bit for bit, serial and parallel.
func TestSumPieces(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	x := randSlice(NewRNG(8), 1000)
	for _, k := range []int{1, 7, 16, 64} {
		var got [2]float64
		for i, parallel := range []bool{false, true} {
			covered := make([]int, len(x))
			got[i] = SumPieces(len(x), k, parallel, func(c, lo, hi int) float64 {
				if lo != len(x)*c/k || hi != len(x)*(c+1)/k {
					t.Errorf("k=%d piece %d is [%d, %d)", k, c, lo, hi)
				}
				var s float64
				for j := lo; j < hi; j++ {
					covered[j]++
					s += float64(x[j]) * 1e-3
				}
				return s
			})
			for j, n := range covered {
				if n != 1 {
					t.Fatalf("k=%d: value %d covered %d times", k, j, n)
				}
			}
		}
		if math.Float64bits(got[0]) != math.Float64bits(got[1]) {
			t.Errorf("k=%d: serial %v, parallel %v", k, got[0], got[1])
		}
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "give 1 to 64") {
			t.Errorf("65 pieces: panic %v", r)
		}
	}()
	SumPieces(10, 65, false, func(int, int, int) float64 { return 0 })
}
