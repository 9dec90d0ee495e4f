package nnops_test

import (
	"fmt"

	"github.com/latent-ai/latent/nnops"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/gonum"
)

// Sgemm on row-major matrices: C = A·B with A 2×3 and B 3×2.
func ExampleSgemm() {
	a := []float32{1, 2, 3, 4, 5, 6}
	b := []float32{1, 0, 0, 1, 1, 1}
	c := make([]float32, 4)
	nnops.Sgemm(false, false, 2, 2, 3, 1, a, 3, b, 2, 0, c, 2)
	fmt.Println(c)
	// Output: [4 5 10 11]
}

// Implementation makes gonum's float32 BLAS use nnops's Sgemm.
func ExampleImplementation() {
	blas32.Use(nnops.Implementation{})
	defer blas32.Use(gonum.Implementation{})
	a := blas32.General{Rows: 1, Cols: 2, Stride: 2, Data: []float32{1, 2}}
	b := blas32.General{Rows: 2, Cols: 1, Stride: 1, Data: []float32{3, 4}}
	c := blas32.General{Rows: 1, Cols: 1, Stride: 1, Data: []float32{0}}
	blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, a, b, 0, c)
	fmt.Println(c.Data[0])
	// Output: 11
}

// A 3×3 convolution with stride 2 and padding 1 takes a 5×5 image to 3×3;
// the kernel's bottom-right tap falls on the padding along the last row and
// column.
func ExampleConv2D() {
	l := nnops.Conv2D{Geom: nnops.ConvGeom{C: 1, H: 5, W: 5, KH: 3, KW: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1}, OutC: 1}
	in := make([]float32, 25)
	for i := range in {
		in[i] = 1
	}
	w := []float32{0, 0, 0, 0, 1, 0, 0, 0, 1} // centre + bottom-right
	out := make([]float32, l.OutLen())
	l.Forward(out, in, w, []float32{0.5}, 1)
	fmt.Println(l.Geom.OutH(), l.Geom.OutW(), out)
	// Output: 3 3 [2.5 2.5 1.5 2.5 2.5 1.5 1.5 1.5 1.5]
}

// A seeded generator gives the same draws on every run.
func ExampleRNG() {
	r := nnops.NewRNG(1)
	x := make([]float32, 3)
	r.FillUniform(x, 0, 1)
	y := make([]float32, 3)
	nnops.NewRNG(1).FillUniform(y, 0, 1)
	fmt.Println(x[0] == y[0], x[1] == y[1], r.Intn(10) < 10)
	// Output: true true true
}
