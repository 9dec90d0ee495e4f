//go:build amd64 && !purego

package nnops

import "golang.org/x/sys/cpu"

//go:generate go run ./internal/gen .

var (
	avx512Kernel = microKernel{name: "avx512", mr: 12, nr: 32, kc: 384, nb: 480, mc: 1536, masked: true, run: run512}
	avx2Kernel   = microKernel{name: "avx2", mr: 6, nr: 16, kc: 256, nb: 512, mc: 1536, masked: false, run: run256}
)

// activeKernel is the fastest micro-kernel this CPU runs.
var activeKernel = bestKernel()

func bestKernel() *microKernel {
	switch {
	case cpu.X86.HasAVX512F:
		return &avx512Kernel
	case cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		return &avx2Kernel
	}
	return &goKernel
}

// availableKernels lists every kernel this CPU can run, for tests.
func availableKernels() []*microKernel {
	ks := []*microKernel{&goKernel}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ks = append(ks, &avx2Kernel)
	}
	if cpu.X86.HasAVX512F {
		ks = append(ks, &avx512Kernel)
	}
	return ks
}

type asmKernel = func(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int, alpha, beta float32, mask uint32)

// k512 and k256 hold the kernels by row count: [0] with packed A, [1] with
// A read in place by rows, [2] by columns (A stored transposed); k512n the
// AVX-512 ones for tiles of at most 16 columns.
var (
	k512 = [3][12]asmKernel{
		{k512m1, k512m2, k512m3, k512m4, k512m5, k512m6, k512m7, k512m8, k512m9, k512m10, k512m11, k512m12},
		{k512a1, k512a2, k512a3, k512a4, k512a5, k512a6, k512a7, k512a8, k512a9, k512a10, k512a11, k512a12},
		{k512t1, k512t2, k512t3, k512t4, k512t5, k512t6, k512t7, k512t8, k512t9, k512t10, k512t11, k512t12},
	}
	k512n = [3][12]asmKernel{
		{k512mn1, k512mn2, k512mn3, k512mn4, k512mn5, k512mn6, k512mn7, k512mn8, k512mn9, k512mn10, k512mn11, k512mn12},
		{k512an1, k512an2, k512an3, k512an4, k512an5, k512an6, k512an7, k512an8, k512an9, k512an10, k512an11, k512an12},
		{k512tn1, k512tn2, k512tn3, k512tn4, k512tn5, k512tn6, k512tn7, k512tn8, k512tn9, k512tn10, k512tn11, k512tn12},
	}
	k256 = [3][6]asmKernel{
		{k256m1, k256m2, k256m3, k256m4, k256m5, k256m6},
		{k256a1, k256a2, k256a3, k256a4, k256a5, k256a6},
		{k256t1, k256t2, k256t3, k256t4, k256t5, k256t6},
	}
)

// checkTile panics unless the slices hold the whole tile a kernel touches.
func checkTile(mr, nr, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	checkAB(mr, nr, k, a, lda, b, ldb)
	_ = c[(mr-1)*ldc+nr-1]
}

func checkAB(mr, nr, k int, a []float32, lda int, b []float32, ldb int) {
	switch {
	case lda == 0:
		_ = a[k*mr-1]
	case lda < 0:
		_ = a[(k-1)*-lda+mr-1]
	default:
		_ = a[(mr-1)*lda+k-1]
	}
	_ = b[(k-1)*ldb+nr-1]
}

// direct is the kernel table index for A as lda describes it (see
// microKernel.run).
func direct(lda int) int {
	switch {
	case lda == 0:
		return 0
	case lda < 0:
		return 2
	}
	return 1
}

func run512(mr, nr, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, alpha, beta float32) {
	// The kernel touches exactly the tile; check it once so it cannot stray.
	checkTile(mr, nr, k, a, lda, b, ldb, c, ldc)
	kern := &k512
	if nr <= 16 {
		kern = &k512n // same arithmetic per element, half the work
	}
	kern[direct(lda)][mr-1](k, &a[0], lda, &b[0], ldb, &c[0], ldc, alpha, beta, uint32(uint64(1)<<nr-1))
}

func run256(mr, nr, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, alpha, beta float32) {
	// The kernel reads 16 columns of b (packed, zero-padded).
	checkAB(mr, 16, k, a, lda, b, ldb)
	if nr == 16 {
		_ = c[(mr-1)*ldc+15]
		k256[direct(lda)][mr-1](k, &a[0], lda, &b[0], ldb, &c[0], ldc, alpha, beta, 0)
		return
	}
	// Partial tile: run on a copy so the kernel never touches C past nr.
	var t [6 * 16]float32
	if beta != 0 {
		for r := 0; r < mr; r++ {
			copy(t[r*16:r*16+nr], c[r*ldc:r*ldc+nr])
		}
	}
	k256[direct(lda)][mr-1](k, &a[0], lda, &b[0], ldb, &t[0], 16, alpha, beta, 0)
	for r := 0; r < mr; r++ {
		copy(c[r*ldc:r*ldc+nr], t[r*16:r*16+nr])
	}
}

// fmaPeak runs n rounds of 24 independent FMAs with the active kernel's
// vector width and returns the flops done, or 0 without assembly.
func fmaPeak(n int) float64 {
	switch activeKernel {
	case &avx512Kernel:
		fmaPeak512(n)
		return float64(n) * 24 * 16 * 2
	case &avx2Kernel:
		fmaPeak256(n)
		return float64(n) * 24 * 8 * 2
	}
	return 0
}
