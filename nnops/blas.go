package nnops

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Implementation is a gonum BLAS (blas.Float32 and blas.Float64) whose Sgemm
// is nnops's, so that
//
//	blas32.Use(nnops.Implementation{})
//
// makes gonum's own float32 matrix code use the fast kernels. Every other
// routine is gonum's pure-Go implementation.
type Implementation struct {
	gonum.Implementation
}

var _ blas.Float32Level3 = Implementation{}

// Sgemm computes C = alpha·op(A)·op(B) + beta·C as blas.Float32Level3
// specifies (row-major), with nnops's kernels. Transpose flags other than
// blas.NoTrans, blas.Trans and blas.ConjTrans panic, as in gonum.
func (Implementation) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	Sgemm(transposed(tA, "tA"), transposed(tB, "tB"), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func transposed(t blas.Transpose, name string) bool {
	switch t {
	case blas.NoTrans:
		return false
	case blas.Trans, blas.ConjTrans:
		return true
	}
	panic("nnops.Implementation.Sgemm: bad transpose value for " + name + "; use blas.NoTrans, blas.Trans or blas.ConjTrans")
}
