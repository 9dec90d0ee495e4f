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
// the smaller operand.
func splitProduct(jobs []gemmJob, kn *microKernel, p *Product, share int, batchRows bool) []gemmJob {
	epi := p.Bias != nil || p.Act != Identity
	if p.Bias != nil {
		need("SgemmBatch", "bias", p.Bias, p.N)
	}
	if gemmTrivial("Sgemm", p.TransA, p.TransB, p.M, p.N, p.K, p.Alpha, p.A, p.Lda, p.B, p.Ldb, p.Beta, p.C, p.Ldc) ||
		gemvRows(p.TransA, p.TransB, p.M, p.N, p.K, p.Alpha, p.A, p.Lda, p.B, p.Ldb, p.Beta, p.C, p.Ldc) {
		if epi && p.M > 0 && p.N > 0 {
			epilogue(gemmJob{m1: p.M, n1: p.N, c: p.C, ldc: p.Ldc, bias: p.Bias, act: p.Act, slope: p.Slope})
		}
		return jobs
	}
	m, n, k := p.M, p.N, p.K
	// A row vector times B streams B row by row (gemvCols); split it by
	// chunks of columns.
	rowVec := m == 1 && !p.TransB
	mr, nr := kn.mr, kn.nr
	if rowVec {
		nr = rowChunk
	}
	tilesM, tilesN := (m+mr-1)/mr, (n+nr-1)/nr
	base := gemmJob{kn: kn, transA: p.TransA, transB: p.TransB, m1: m, n1: n, k: k, alpha: p.Alpha, beta: p.Beta,
		a: p.A, b: p.B, c: p.C, lda: p.Lda, ldb: p.Ldb, ldc: p.Ldc, rowVec: rowVec,
		epilogue: epi, bias: p.Bias, act: p.Act, slope: p.Slope}
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
		// round.
		splitN = tilesN >= parts && (m <= n || tilesM < parts)
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
		packs := p.TransB || !kn.masked || (tilesM+gridM-1)/gridM > directMaxPanels
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
