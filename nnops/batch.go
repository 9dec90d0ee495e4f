package nnops

import "sync"

// Product is one matrix product of SgemmBatch: C = alpha·op(A)·op(B) +
// beta·C as for Sgemm, followed, when Act is not Identity or Bias is not
// nil, by the epilogue C[i,j] = Act(C[i,j] + Bias[j]) (Slope is
// LeakyReLU's negative slope). Each task applies the epilogue to its part
// of C as soon as it has computed it, while that part is in L2, instead of
// in a second pass over memory.
type Product struct {
	TransA, TransB bool
	M, N, K        int
	Alpha          float32
	A              []float32
	Lda            int
	B              []float32
	Ldb            int
	Beta           float32
	C              []float32
	Ldc            int
	Bias           []float32 // N values added to every row of C, or nil
	Act            Activation
	Slope          float32
}

// SgemmBatch computes independent products (their C must not overlap each
// other or any A or B) in one parallel region, with one wait at its end
// instead of one per product: each product is cut in one part per thread,
// and each thread computes the same part of every product. It is the
// layers' product: a product whose A is not transposed and has about as
// many rows as columns is taken to have a batch's rows and is cut along
// M, so that each thread keeps the rows it computed in the layer before
// (Sgemm, for a product on its own, cuts so as to pack the least). Every
// element is computed with the same operations whatever the split, so
// results are bit-identical for any number of threads. Bad sizes panic
// with a message naming the argument.
func SgemmBatch(ps ...Product) { sgemmBatch(activeKernel, true, ps...) }

// sgemmBatch is SgemmBatch with micro-kernel kn. Every product is cut in
// up to one part per thread, and the parts are listed part by part (the
// first part of every product, then the second, ...), so that the pool,
// which gives each thread one run of the list as its own, hands part i of
// every product to the same thread: the rows of a batch that a thread
// wrote in one layer's product are the rows it reads in the next.
// batchRows says whether to cut products of a batch's rows along M (see
// splitProduct).
func sgemmBatch(kn *microKernel, batchRows bool, ps ...Product) {
	bp := getJobList()
	jobs := (*bp)[:0]
	t := threads()
	for i := range ps {
		jobs = splitProduct(jobs, kn, &ps[i], t, batchRows)
	}
	if len(ps) > 1 {
		jobs = partMajor(jobs)
	}
	runRegion(len(jobs), t, task{gemms: jobs})
	clear(jobs) // drop the references to the matrices
	*bp = jobs[:0]
	putJobList(bp)
}

// partMajor reorders jobs, listed product by product with the parts of
// each product in order, so that they are listed part by part, in place:
// a stable sort by the part index.
func partMajor(jobs []gemmJob) []gemmJob {
	for i := 1; i < len(jobs); i++ {
		for j := i; j > 0 && jobs[j].part < jobs[j-1].part; j-- {
			jobs[j], jobs[j-1] = jobs[j-1], jobs[j]
		}
	}
	return jobs
}

// jobLists recycles the task lists of SgemmBatch, so that a product
// allocates nothing. Unlike a sync.Pool it survives garbage collection.
var jobLists struct {
	sync.Mutex
	free []*[]gemmJob
}

func getJobList() *[]gemmJob {
	jobLists.Lock()
	defer jobLists.Unlock()
	if n := len(jobLists.free); n > 0 {
		bp := jobLists.free[n-1]
		jobLists.free = jobLists.free[:n-1]
		return bp
	}
	s := make([]gemmJob, 0, 64)
	return &s
}

func putJobList(bp *[]gemmJob) {
	jobLists.Lock()
	jobLists.free = append(jobLists.free, bp)
	jobLists.Unlock()
}

// minTaskWork is the least m·n·k a parallel GEMM task gets: below it the
// hand-off costs more than a second core gives (about 2.5 µs of work).
const minTaskWork = 1 << 18

// rowsFirst says whether splitProduct cuts a product that is not a
// batch's rows along M when C is narrow (fewer than rowsFirstCols columns
// per part) and each part gets minPartTiles row tiles, rather than
// duplicating the smaller operand: on AMD CPUs. Cut along N, the threads'
// parts of such a C interleave within every row, a few lines each, and on
// the AMD machine (a cache line's round trip between its two CPUs:
// 880-1300 ns) that cost more than each part packing all of B.
// Alternating blocks of 100 calls in one process, 2 threads, medians
// (µs): 256×64×256 (M×K×N) 42.9 against 28.6 cut along M (one thread:
// 44.7), 256×784×256 350 against 286, 256×256×784 370 against 293, 1024³
// 6756 against 6116. Wide products keep the N cut: each part's run of a
// row spans pages, and parts along M of the conv layers' short, wide
// products would each pack all of a long B (16×9×50176 cut 12/4 along M
// ran 0.91x on two threads). Intel CPUs keep the cut that was measured
// there.
var rowsFirst = isAMD()

// rowsFirstCols is the width of C per part (4 KiB of float32: a page,
// which hardware prefetchers do not cross) from which rowsFirst keeps the
// cut along N.
const rowsFirstCols = 1024

// minPartTiles is the fewest row tiles a part of a product cut along M
// should have before its columns are cut too (see splitProduct).
const minPartTiles = 4

// cutAt returns where block b of blocks starts along a dimension of n
// values computed in tiles of t (n for b = blocks): at a tile boundary, or,
// when even is set, at an even share of the values rounded to a multiple
// of g.
func cutAt(b, blocks, n, t, g int, even bool) int {
	switch {
	case b >= blocks:
		return n
	case even:
		return min((b*n/blocks+g/2)/g*g, n)
	}
	tiles := (n + t - 1) / t
	return min(b*tiles/blocks*t, n)
}

// evenCut reports whether even shares (see cutAt) make the longest of the
// blocks at least half a tile shorter than whole tiles do: 22 row tiles of
// 12 over 16 threads give some threads two tiles (24 rows) and others one,
// where even shares give each 16 rows.
func evenCut(blocks, n, t, g int) bool {
	longest := func(even bool) int {
		l := 0
		for b := 0; b < blocks; b++ {
			l = max(l, cutAt(b+1, blocks, n, t, g, even)-cutAt(b, blocks, n, t, g, even))
		}
		return l
	}
	return 2*(longest(false)-longest(true)) >= t
}

// splitProduct validates p, handles its trivial cases at once, and appends
// the tasks that compute it: rectangles of C along M or N, at most share
// of them (one per thread: every extra task packs its share of the other
// operand again, which cost the dense training step 7% of its time on 2
// threads against 2·share tasks), each with at least minTaskWork. They
// are cut at whole tiles or in even shares (see evenCut), and parts along
// M too thin to repay packing all of B become a grid (see minPartTiles).
//
// With batchRows, a product whose A is not transposed is cut along M when
// it has about as many rows as columns: in a network those rows are the
// batch's, and a thread then reads only rows it wrote itself (reading rows
// another core wrote cost a 256×256×64 product as much time on two threads
// as on one). Other products (a weight gradient, A transposed, whose sum
// runs over the batch, or any product on its own) duplicate the packing of
// the smaller operand, except that with rowsFirst (AMD CPUs) a narrow one
// is cut along M.
func splitProduct(jobs []gemmJob, kn *microKernel, p *Product, share int, batchRows bool) []gemmJob {
	base, nr, done := productJob(kn, p)
	if done {
		return jobs
	}
	if batchRows && batchInPlace {
		base.directPanels = max(base.directPanels, batchDirectPanels)
	}
	m, n, k := p.M, p.N, p.K
	rowVec := base.rowVec
	mr := kn.mr
	tilesM, tilesN := (m+mr-1)/mr, (n+nr-1)/nr
	parts := min(share, m*n*k/minTaskWork)
	if parts < 2 || max(tilesM, tilesN) < 2 {
		return append(jobs, base)
	}
	// Splitting N makes every task pack all of A; splitting M makes every
	// one pack all of B.
	var splitN bool
	switch {
	case rowVec:
		splitN = true
	case batchRows && !p.TransA && 4*m >= n && tilesM >= parts:
		splitN = false
	default:
		// Duplicate the smaller operand, if there are tiles enough to go
		// round; with rowsFirst, cut the rows of a narrow C whenever each
		// part gets minPartTiles row tiles.
		splitN = tilesN >= parts && (m <= n || tilesM < parts)
		if rowsFirst && tilesM >= minPartTiles*parts && n < parts*rowsFirstCols {
			splitN = false
		}
		if !splitN && tilesM < parts {
			splitN = tilesN > tilesM
		}
	}
	// The parts form a grid of gridM row blocks by gridN column blocks.
	gridM, gridN := parts, 1
	if splitN {
		gridM, gridN = 1, min(parts, tilesN)
	} else {
		gridM = min(parts, tilesM)
		// A row block of a few tiles that packs all of B (transposed, or
		// with too many panels to read it in place) packs more than it
		// computes: with many threads, cut the columns too, so that each
		// part packs only its share of B.
		packs := p.TransB || !kn.masked || (tilesM+gridM-1)/gridM > base.directPanels
		for packs && gridM%2 == 0 && tilesM < minPartTiles*gridM && 2*gridN <= tilesN {
			gridM, gridN = gridM/2, 2*gridN
		}
	}
	// Even shares are rounded to a third of a row tile, and to half a
	// column tile for kernels that handle partial tiles themselves.
	gm, gn := max(1, mr/3), nr
	if kn.masked && !rowVec {
		gn = nr / 2
	}
	evenM, evenN := evenCut(gridM, m, mr, gm), evenCut(gridN, n, nr, gn)
	for w := 0; w < gridM*gridN; w++ {
		bm, bn := w/gridN, w%gridN
		j := base
		j.part = w
		j.m0, j.m1 = cutAt(bm, gridM, m, mr, gm, evenM), cutAt(bm+1, gridM, m, mr, gm, evenM)
		j.n0, j.n1 = cutAt(bn, gridN, n, nr, gn, evenN), cutAt(bn+1, gridN, n, nr, gn, evenN)
		if j.m0 < j.m1 && j.n0 < j.n1 {
			jobs = append(jobs, j)
		}
	}
	return jobs
}

// productJob validates p and computes it at once when it needs no tiles
// (an empty or trivial product, or a single column: see gemvRows),
// reporting done. Otherwise it returns the job that computes all of p with
// kn, and the width of the column tiles to cut it at.
func productJob(kn *microKernel, p *Product) (base gemmJob, nr int, done bool) {
	epi := p.Bias != nil || p.Act != Identity
	if p.Bias != nil {
		need("SgemmBatch", "bias", p.Bias, p.N)
	}
	if gemmTrivial("Sgemm", p.TransA, p.TransB, p.M, p.N, p.K, p.Alpha, p.A, p.Lda, p.B, p.Ldb, p.Beta, p.C, p.Ldc) ||
		gemvRows(p.TransA, p.TransB, p.M, p.N, p.K, p.Alpha, p.A, p.Lda, p.B, p.Ldb, p.Beta, p.C, p.Ldc) {
		if epi && p.M > 0 && p.N > 0 {
			epilogue(gemmJob{m1: p.M, n1: p.N, c: p.C, ldc: p.Ldc, bias: p.Bias, act: p.Act, slope: p.Slope})
		}
		return gemmJob{}, 0, true
	}
	// A row vector times B streams B row by row (gemvCols); it is cut in
	// chunks of columns.
	rowVec := p.M == 1 && !p.TransB
	nr = kn.nr
	if rowVec {
		nr = rowChunk
	}
	return gemmJob{kn: kn, transA: p.TransA, transB: p.TransB, m1: p.M, n1: p.N, k: p.K, alpha: p.Alpha, beta: p.Beta,
		a: p.A, b: p.B, c: p.C, lda: p.Lda, ldb: p.Ldb, ldc: p.Ldc, rowVec: rowVec, directPanels: directMaxPanels,
		epilogue: epi, bias: p.Bias, act: p.Act, slope: p.Slope}, nr, false
}

// SgemmOwned computes independent products, as SgemmBatch does, in one
// parallel region, but hands them out by their place in the list rather
// than cutting each product among all threads: the products' outputs are
// counted one after another, and each thread takes the products (or the
// pieces of a product) that lie in its equal share of that count. A
// network's weight gradients listed in the order of the tensors given to
// AdamTensors thus land on the threads that then apply them: no thread
// reads a gradient that another core wrote, and each reads the layer
// inputs and deltas of its own layers only. Products are cut into pieces
// of about an ownedPieces-th of a thread's share of the work (along N,
// then M), so that a thread that loses its core still delays only one
// piece. Every element is computed as SgemmBatch computes it, so results
// are bit-identical to it for any number of threads.
func SgemmOwned(ps ...Product) { sgemmOwned(activeKernel, ps...) }

// ownedPieces is about how many pieces SgemmOwned cuts a thread's share of
// the work into.
const ownedPieces = 8

func sgemmOwned(kn *microKernel, ps ...Product) {
	t := threads()
	if t == 1 {
		sgemmBatch(kn, true, ps...)
		return
	}
	bp := getJobList()
	jobs, span := ownedJobs((*bp)[:0], kn, ps, t)
	runRegion(len(jobs), t, task{gemms: jobs, span: span})
	clear(jobs) // drop the references to the matrices
	*bp = jobs[:0]
	putJobList(bp)
}

// ownedJobs appends the pieces of SgemmOwned's products for t threads,
// each placed at the middle of its share of its product's output (see
// task), and returns them with the products' outputs in all.
func ownedJobs(jobs []gemmJob, kn *microKernel, ps []Product, t int) ([]gemmJob, int) {
	work, span := 0, 0
	for i := range ps {
		work += ps[i].M * ps[i].N * ps[i].K
		span += ps[i].M * ps[i].N
	}
	unit := max(minTaskWork, work/(ownedPieces*t))
	off := 0
	for i := range ps {
		p := &ps[i]
		base, nr, done := productJob(kn, p)
		if !done {
			tilesM, tilesN := (p.M+kn.mr-1)/kn.mr, (p.N+nr-1)/nr
			pieces := max(1, (p.M*p.N*p.K+unit/2)/unit)
			gridN := min(pieces, tilesN)
			gridM := min(max(1, pieces/gridN), tilesM)
			if base.rowVec {
				gridM = 1
			}
			all := gridM * gridN
			for w := 0; w < all; w++ {
				bn, bm := w/gridM, w%gridM
				j := base
				j.m0, j.m1 = cutAt(bm, gridM, p.M, kn.mr, 1, false), cutAt(bm+1, gridM, p.M, kn.mr, 1, false)
				j.n0, j.n1 = cutAt(bn, gridN, p.N, nr, 1, false), cutAt(bn+1, gridN, p.N, nr, 1, false)
				j.place = off + (2*w+1)*p.M*p.N/(2*all)
				if j.m0 < j.m1 && j.n0 < j.n1 {
					jobs = append(jobs, j)
				}
			}
		}
		off += p.M * p.N
	}
	return jobs, span
}
