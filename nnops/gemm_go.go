package nnops

// goKernel is the portable micro-kernel: a 4×8 tile in plain Go.
var goKernel = microKernel{name: "go", mr: 4, nr: 8, kc: 256, nb: 512, mc: 1024, masked: true, run: runGo}

func runGo(mr, nr, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, alpha, beta float32) {
	var acc [4][8]float32
	// A is packed (lda 0: k groups of mr values) or read in place, by rows
	// (lda > 0) or by columns (lda < 0).
	rs, ps := 1, mr
	switch {
	case lda > 0:
		rs, ps = lda, 1
	case lda < 0:
		ps = -lda
	}
	for p := 0; p < k; p++ {
		bp := b[p*ldb : p*ldb+nr]
		for r := 0; r < mr; r++ {
			av := a[r*rs+p*ps]
			row := &acc[r]
			for j, bv := range bp {
				row[j] += av * bv
			}
		}
	}
	for r := 0; r < mr; r++ {
		crow := c[r*ldc : r*ldc+nr]
		for j := range crow {
			t := alpha * acc[r][j]
			if beta == 0 {
				crow[j] = t
			} else {
				crow[j] = t + beta*crow[j]
			}
		}
	}
}
