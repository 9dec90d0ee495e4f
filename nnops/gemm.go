package nnops

import "fmt"

// Sgemm computes C = alpha·op(A)·op(B) + beta·C on row-major matrices, where
// op(A) is m×k, op(B) is k×n and C is m×n; op(X) is X transposed when the
// matching flag is set. lda, ldb and ldc are the row strides of the matrices
// as stored. As in BLAS, C is not read when beta is 0 (NaN or Inf already in C
// does not propagate), and A and B are not read when alpha is 0 or k is 0.
//
// The work is split over GOMAXPROCS goroutines by whole tiles of C, and every
// element of C is computed with the same sequence of operations whatever the
// split, so results are bit-identical from run to run and for any GOMAXPROCS.
// Bad sizes panic with a message naming the argument.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if gemmTrivial("Sgemm", transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
		return
	}
	sgemmParallel(activeKernel, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// sgemmParallel is Sgemm with micro-kernel kn, split over the pool.
func sgemmParallel(kn *microKernel, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	sgemmBatch(kn, false, Product{TransA: transA, TransB: transB, M: m, N: n, K: k, Alpha: alpha, A: a, Lda: lda, B: b, Ldb: ldb, Beta: beta, C: c, Ldc: ldc})
}

// sgemmSerial is Sgemm on the calling goroutine only (for callers that are
// already parallel, such as the convolution layers).
func sgemmSerial(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if gemmTrivial("Sgemm", transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
		return
	}
	if gemvRows(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) {
		return
	}
	if m == 1 && !transB {
		runPart(gemmJob{n1: n, k: k, alpha: alpha, a: a, lda: lda, transA: transA, b: b, ldb: ldb, beta: beta, c: c, rowVec: true}, nil)
		return
	}
	gemmPart(activeKernel, directMaxPanels, nil, transA, transB, 0, m, 0, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// rowChunk is how many columns of C a row-vector product accumulates at
// once (64 KiB of accumulators, kept in L2; measured best here).
const rowChunk = 16384

// gemvCols computes columns [j0, j1) of the one-row product C = alpha·a·B +
// beta·C (B not transposed) by adding a[p]·B[p, j0:j1] for p in order with
// fused multiply-adds: B is read along its rows, as stored, once.
func gemvCols(j0, j1, k int, alpha float32, a []float32, lda int, transA bool, b []float32, ldb int, beta float32, c []float32) {
	accBuf := getScratch(j1 - j0)
	acc := *accBuf
	clear(acc)
	aStride := 1
	if transA {
		aStride = lda
	}
	p := 0
	if n16 := len(acc) &^ 15; n16 > 0 && hasAxpy4() {
		// Four rows at a time, then the columns past n16 one row at a
		// time: the same fused multiply-adds in the same order.
		var a4 [4]float32
		for ; p+4 <= k; p += 4 {
			for i := range a4 {
				a4[i] = a[(p+i)*aStride]
			}
			axpy4(acc[:n16], b[p*ldb+j0:], ldb, &a4)
			for i := range a4 {
				axpy(acc[n16:], b[(p+i)*ldb+j0+n16:(p+i)*ldb+j1], a4[i])
			}
		}
	}
	for ; p < k; p++ {
		axpy(acc, b[p*ldb+j0:p*ldb+j1], a[p*aStride])
	}
	cr := c[j0:j1]
	switch {
	case alpha == 1 && beta == 0:
		copy(cr, acc)
	case alpha == 1 && beta == 1:
		addTo(cr, acc) // the same single addition per element
	default:
		for j, v := range acc {
			t := alpha * v
			if beta == 0 {
				cr[j] = t
			} else {
				cr[j] = t + beta*cr[j]
			}
		}
	}
	putScratch(accBuf)
}

// gemvRows computes a single-column product (n = 1) with contiguous rows of
// A and a contiguous B as m dot products, where a tile kernel would waste
// all but one of its lanes. It reports whether the shape qualified; the
// choice depends only on the shape, so results stay independent of how
// work is split.
func gemvRows(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) bool {
	if n != 1 || transA || !(transB || ldb == 1) {
		return false
	}
	for i := 0; i < m; i++ {
		t := alpha * dot(a[i*lda:i*lda+k], b[:k])
		if beta == 0 {
			c[i*ldc] = t
		} else {
			c[i*ldc] = t + beta*c[i*ldc]
		}
	}
	return true
}

// gemmTrivial validates the arguments and handles the cases that need no
// product (empty C, alpha = 0, k = 0). It reports whether it did the work.
func gemmTrivial(fn string, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) bool {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("nnops.%s: negative size m=%d n=%d k=%d", fn, m, n, k))
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	checkMatrix(fn, "A", a, ar, ac, lda)
	checkMatrix(fn, "B", b, br, bc, ldb)
	checkMatrix(fn, "C", c, m, n, ldc)
	if m == 0 || n == 0 {
		return true
	}
	if alpha == 0 || k == 0 {
		for i := 0; i < m; i++ {
			row := c[i*ldc : i*ldc+n]
			if beta == 0 {
				clear(row)
			} else if beta != 1 {
				for j := range row {
					row[j] *= beta
				}
			}
		}
		return true
	}
	return false
}

// checkMatrix panics unless s can hold a rows×cols matrix with row stride ld.
func checkMatrix(fn, name string, s []float32, rows, cols, ld int) {
	if ld < max(1, cols) {
		panic(fmt.Sprintf("nnops.%s: ld%s = %d is less than the %d columns of %s as stored", fn, lower(name), ld, cols, name))
	}
	if rows > 0 && cols > 0 && len(s) < (rows-1)*ld+cols {
		panic(fmt.Sprintf("nnops.%s: %s has %d elements, a %d×%d matrix with stride %d needs %d", fn, name, len(s), rows, cols, ld, (rows-1)*ld+cols))
	}
}

func lower(s string) string {
	if s == "" {
		return s
	}
	return string(s[0] | 0x20)
}

// microKernel is one implementation of the innermost GEMM loop and its
// blocking parameters.
type microKernel struct {
	name   string
	mr, nr int // tile of C computed by one call
	kc     int // depth of one packed block (K blocking)
	nb     int // columns of B packed at once (B block of kc×nb stays in L2)
	mc     int // rows of A packed at once (a multiple of mr)
	// masked kernels handle partial column tiles themselves without
	// touching lanes past nr, so they can also read B unpacked.
	masked bool
	// run computes the mr×nr tile C = alpha·A·B + beta·C (C unread when beta
	// is 0); a is packed as k groups of mr values when lda is 0, is read in
	// place as mr rows spaced lda apart when lda > 0, or as k groups of mr
	// contiguous values spaced −lda apart when lda < 0 (A stored
	// transposed, read without packing); b holds k rows of at
	// least nr values spaced ldb apart (zero-padded to the kernel's nr when
	// not masked).
	run func(mr, nr, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, alpha, beta float32)
}

// gemmPart computes the block rows [m0, m1) × columns [n0, n1) of C on the
// calling goroutine: the GotoBLAS/BLIS loop nest with packed panels.
// B is read unpacked by a block of at most directPanels A panels (see
// gemmBlock). Its packing buffers come from ls (nil: the shared lists).
func gemmPart(kn *microKernel, directPanels int, ls *localScratch, transA, transB bool, m0, m1, n0, n1, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	for i3 := m0; i3 < m1; i3 += kn.mc {
		gemmBlock(kn, directPanels, ls, transA, transB, i3, min(i3+kn.mc, m1), n0, n1, k, alpha, a, lda, b, ldb, beta, c, ldc)
	}
}

// gemmBlock is gemmPart for at most kn.mc rows: A is packed kc columns at a
// time (kept in L2/L3 while B streams past), B kc×nb at a time (kept in L2).
func gemmBlock(kn *microKernel, directPanels int, ls *localScratch, transA, transB bool, m0, m1, n0, n1, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	MR, NR := kn.mr, kn.nr
	rows := m1 - m0
	panels := (rows + MR - 1) / MR
	kcMax := min(kn.kc, k)
	// A is read in place: not transposed by its rows, which are already
	// contiguous along k, transposed by its columns, whose mr values for
	// one k are contiguous as in a packed panel. Packing would cost as
	// much as a thin product.
	directA := useDirectA
	var abuf *[]float32
	var ap []float32
	if !directA {
		abuf = ls.get(panels * MR * kcMax)
		ap = *abuf
	}
	// B is read in place when it is not transposed and each of its panels
	// would be used by only a few A panels: packing would cost more than it
	// saves. The arithmetic is the same either way.
	direct := kn.masked && !transB && panels <= directPanels
	var bbuf *[]float32
	var bp []float32
	if !direct {
		nbMax := min(kn.nb, n1-n0)
		bbuf = ls.get(kcMax * ((nbMax + NR - 1) / NR) * NR)
		bp = *bbuf
	}
	for p0 := 0; p0 < k; p0 += kn.kc {
		kc := min(kn.kc, k-p0)
		bet := beta
		if p0 > 0 {
			bet = 1
		}
		if !directA {
			packA(ap, transA, a, lda, m0, m1, p0, kc, MR)
		}
		for j2 := n0; j2 < n1; j2 += kn.nb {
			nb := min(kn.nb, n1-j2)
			if !direct {
				packB(bp, transB, b, ldb, p0, kc, j2, nb, NR)
			}
			for i := m0; i < m1; i += MR {
				mr := min(MR, m1-i)
				apan, alda := aPanel(directA, transA, a, lda, ap, m0, i, p0, kc, MR)
				for j := j2; j < j2+nb; j += NR {
					nr := min(NR, j2+nb-j)
					if direct {
						kn.run(mr, nr, kc, apan, alda, b[p0*ldb+j:], ldb, c[i*ldc+j:], ldc, alpha, bet)
					} else {
						kn.run(mr, nr, kc, apan, alda, bp[(j-j2)/NR*NR*kc:], NR, c[i*ldc+j:], ldc, alpha, bet)
					}
				}
			}
		}
	}
	if abuf != nil {
		ls.put(abuf)
	}
	if bbuf != nil {
		ls.put(bbuf)
	}
}

// aPanel returns the A panel of rows [i, i+MR) at depth p0 for a kernel
// and its lda (see microKernel.run): read in place when direct, else the
// panel of ap, which holds op(A)[m0:, p0:p0+kc] packed.
func aPanel(direct, transA bool, a []float32, lda int, ap []float32, m0, i, p0, kc, MR int) ([]float32, int) {
	switch {
	case direct && transA:
		return a[p0*lda+i:], -lda
	case direct:
		return a[i*lda+p0:], lda
	}
	return ap[(i-m0)/MR*MR*kc:], 0
}

// packA copies op(A)[m0:m1, p0:p0+kc] into panels of MR rows: panel q starts
// at q·MR·kc and holds, for each p, the (up to MR) values of column p.
func packA(dst []float32, trans bool, a []float32, lda, m0, m1, p0, kc, MR int) {
	if trans {
		// Each row of op(A)ᵀ holds MR values of every panel: copy them
		// row by row, the full panels in one call per row.
		full := (m1 - m0) / MR
		if full > 0 {
			for p := 0; p < kc; p++ {
				copyRows(dst[p*MR:], MR*kc, a[(p0+p)*lda+m0:], MR, full, MR)
			}
		}
		if i := m0 + full*MR; i < m1 {
			copyRows(dst[full*MR*kc:], m1-i, a[p0*lda+i:], lda, kc, m1-i)
		}
		return
	}
	for i := m0; i < m1; i += MR {
		mr := min(MR, m1-i)
		d := dst[(i-m0)/MR*MR*kc : (i-m0)/MR*MR*kc+mr*kc]
		for r := 0; r < mr; r++ {
			row := a[(i+r)*lda+p0 : (i+r)*lda+p0+kc]
			for p, v := range row {
				d[p*mr+r] = v
			}
		}
	}
}

// packB copies op(B)[p0:p0+kc, j2:j2+nb] into panels of NR columns: panel q
// starts at q·NR·kc and holds, for each p, NR values (zero past the edge).
func packB(dst []float32, trans bool, b []float32, ldb, p0, kc, j2, nb, NR int) {
	if !trans {
		// Row by row, so B is read as long contiguous runs.
		full := nb / NR * NR
		for p := 0; p < kc; p++ {
			src := b[(p0+p)*ldb+j2 : (p0+p)*ldb+j2+nb]
			if full > 0 {
				copyRows(dst[p*NR:], NR*kc, src, NR, full/NR, NR)
			}
			if full < nb {
				row := dst[full*kc+p*NR : full*kc+p*NR+NR]
				copy(row, src[full:])
				clear(row[nb-full:])
			}
		}
		return
	}
	for j := j2; j < j2+nb; j += NR {
		nr := min(NR, j2+nb-j)
		d := dst[(j-j2)/NR*NR*kc : (j-j2)/NR*NR*kc+NR*kc]
		for col := 0; col < nr; {
			if w := transposeRows(d[col:], NR, b[(j+col)*ldb+p0:], ldb, nr-col, kc); w > 0 {
				col += w
				continue
			}
			src := b[(j+col)*ldb+p0 : (j+col)*ldb+p0+kc]
			for p, v := range src {
				d[p*NR+col] = v
			}
			col++
		}
		if nr < NR {
			for p := 0; p < kc; p++ {
				clear(d[p*NR+nr : p*NR+NR])
			}
		}
	}
}

// useDirectA lets kernels read A in place (tests and benchmarks turn it off).
var useDirectA = true

// directMaxPanels is the most A panels for which B is read unpacked.
var directMaxPanels = 2

// batchDirectPanels is the most A panels for which a layer's product of a
// batch's rows (SgemmBatch) reads B, the layer's weights, unpacked on CPUs
// where batchInPlace is set. The optimizer has just written the weights
// (on two threads, half of them on the other core, and on AMD with
// non-temporal stores: see adamStepShared), so they are not in this
// core's cache, and packing them costs a slow read and a write where
// reading them in place costs the read only. For the dense autoencoder's
// 784→256 and 256→784 products on AMD Zen 5 (aebench -regions), on two
// threads, each thread's 132 rows (11 panels) took 299 and 267 µs a step,
// against 413 and 359 packing B, and training ran 1.10x faster; on one
// thread (22 panels) they took 538 and 495 µs, against 552 and 522.
const batchDirectPanels = 32

// batchInPlace says whether a layer's product reads its weights in place
// for up to batchDirectPanels A panels: on AMD CPUs. On the Intel machine,
// whose weights stay cached, reading them in place in the row parts
// measured 0.94x (an earlier round of issue 14), so it packs them as any
// product does.
var batchInPlace = isAMD()

// gemmJob is one rectangle of C for a pool worker, with the epilogue
// C = act(C + bias) when epilogue is set.
type gemmJob struct {
	kn                *microKernel
	transA, transB    bool
	m0, m1, n0, n1, k int
	alpha, beta       float32
	a, b, c           []float32
	lda, ldb, ldc     int
	directPanels      int  // B is read unpacked for at most this many A panels
	part              int  // which of its product's parts this is
	place             int  // where its output lies among a region's (see task)
	rowVec            bool // m = 1 and B not transposed: gemvCols streams B
	epilogue          bool
	bias              []float32
	act               Activation
	slope             float32
}

// runPart computes the rectangle of C that j describes, with the packing
// buffers of ls (nil: the shared lists).
func runPart(j gemmJob, ls *localScratch) {
	if j.rowVec {
		for c0 := j.n0; c0 < j.n1; c0 += rowChunk {
			gemvCols(c0, min(c0+rowChunk, j.n1), j.k, j.alpha, j.a, j.lda, j.transA, j.b, j.ldb, j.beta, j.c)
		}
	} else {
		gemmPart(j.kn, j.directPanels, ls, j.transA, j.transB, j.m0, j.m1, j.n0, j.n1, j.k, j.alpha, j.a, j.lda, j.b, j.ldb, j.beta, j.c, j.ldc)
	}
	if j.epilogue {
		epilogue(j)
	}
}

// epilogue applies C = act(C + bias) to the rectangle of C that j describes.
func epilogue(j gemmJob) {
	for i := j.m0; i < j.m1; i++ {
		var b []float32
		if j.bias != nil {
			b = j.bias[j.n0:j.n1]
		}
		biasActivate(j.c[i*j.ldc+j.n0:i*j.ldc+j.n1], b, j.act, j.slope)
	}
}

// sgemmRef is the textbook triple loop, kept as the reference for tests.
func sgemmRef(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float32
			for p := 0; p < k; p++ {
				var av, bv float32
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += av * bv
			}
			if beta == 0 {
				c[i*ldc+j] = alpha * s
			} else {
				c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
			}
		}
	}
}
