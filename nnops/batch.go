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
// other or any A or B) in one parallel region: the tiles of all of them
// are claimed by the pool's threads one at a time, so two small products
// (a layer's weight and input gradients, say) run side by side on two
// cores instead of each being cut in two. Every element is computed with
// the same operations whatever the split, so results are bit-identical for
// any number of threads. Bad sizes panic with a message naming the
// argument.
func SgemmBatch(ps ...Product) { sgemmBatch(activeKernel, ps...) }

// sgemmBatch is SgemmBatch with micro-kernel kn.
func sgemmBatch(kn *microKernel, ps ...Product) {
	bp := getJobList()
	jobs := (*bp)[:0]
	t := threads()
	share := max(1, (t+len(ps)-1)/len(ps))
	for i := range ps {
		jobs = splitProduct(jobs, kn, &ps[i], share)
	}
	runRegion(len(jobs), t, task{gemms: jobs})
	clear(jobs) // drop the references to the matrices
	*bp = jobs[:0]
	putJobList(bp)
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

// splitProduct validates p, handles its trivial cases at once, and appends
// the tasks that compute it: tile-aligned rectangles of C along M or N, at
// most share of them (one per thread: every extra task packs its share of
// the other operand again, which cost the dense training step 7% of its
// time on 2 threads against 2·share tasks), each with at least
// minTaskWork.
func splitProduct(jobs []gemmJob, kn *microKernel, p *Product, share int) []gemmJob {
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
	// one pack all of B. Duplicate the smaller, if there are tiles enough
	// to go round.
	splitN := rowVec || tilesN >= parts && (m <= n || tilesM < parts)
	if !splitN && tilesM < parts {
		splitN = tilesN > tilesM
	}
	tiles := tilesM
	if splitN {
		tiles = tilesN
	}
	parts = min(parts, tiles)
	for w := 0; w < parts; w++ {
		lo, hi := w*tiles/parts, (w+1)*tiles/parts
		j := base
		if splitN {
			j.n0, j.n1 = min(lo*nr, n), min(hi*nr, n)
		} else {
			j.m0, j.m1 = min(lo*mr, m), min(hi*mr, m)
		}
		jobs = append(jobs, j)
	}
	return jobs
}
