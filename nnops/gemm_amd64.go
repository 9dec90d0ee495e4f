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

var k512 = [...]func(k int, a, b *float32, ldb int, c *float32, ldc int, alpha, beta float32, mask uint32){
	k512m1, k512m2, k512m3, k512m4, k512m5, k512m6, k512m7, k512m8, k512m9, k512m10, k512m11, k512m12,
}

var k256 = [...]func(k int, a, b *float32, ldb int, c *float32, ldc int, alpha, beta float32, mask uint32){
	k256m1, k256m2, k256m3, k256m4, k256m5, k256m6,
}

func run512(mr, nr, k int, a, b []float32, ldb int, c []float32, ldc int, alpha, beta float32) {
	// The kernel reads k·mr values of a, k rows of nr values of b and
	// writes mr rows of nr values of c; check once so it cannot stray.
	_ = a[k*mr-1]
	_ = b[(k-1)*ldb+nr-1]
	_ = c[(mr-1)*ldc+nr-1]
	k512[mr-1](k, &a[0], &b[0], ldb, &c[0], ldc, alpha, beta, uint32(uint64(1)<<nr-1))
}

func run256(mr, nr, k int, a, b []float32, ldb int, c []float32, ldc int, alpha, beta float32) {
	_ = a[k*mr-1]
	_ = b[(k-1)*ldb+15]
	if nr == 16 {
		_ = c[(mr-1)*ldc+15]
		k256[mr-1](k, &a[0], &b[0], ldb, &c[0], ldc, alpha, beta, 0)
		return
	}
	// Partial tile: run on a copy so the kernel never touches C past nr.
	var t [6 * 16]float32
	if beta != 0 {
		for r := 0; r < mr; r++ {
			copy(t[r*16:r*16+nr], c[r*ldc:r*ldc+nr])
		}
	}
	k256[mr-1](k, &a[0], &b[0], ldb, &t[0], 16, alpha, beta, 0)
	for r := 0; r < mr; r++ {
		copy(c[r*ldc:r*ldc+nr], t[r*16:r*16+nr])
	}
}
