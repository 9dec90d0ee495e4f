package main

import (
	"bytes"
	"fmt"
	"math"
)

// The binary cross-entropy kernels: for logits z and targets t they write
// the gradient g = scale·(sigmoid(z) − t) and return Σ max(z,0) − z·t +
// log(1+e^−|z|) over the n values in one pass, with e^−|z| from the exp
// of the activations and log(1+e) = 2·atanh(e/(2+e)) from its odd series
// to degree 15 (e ≤ 1, so e/(2+e) ≤ 1/3 and the series converges fast).

// atanhCoef are the series coefficients 1/15, 1/13, …, 1/3, 1 (Horner order).
var atanhCoef = []float32{1.0 / 15, 1.0 / 13, 1.0 / 11, 1.0 / 9, 1.0 / 7, 1.0 / 5, 1.0 / 3, 1}

// writeBCE appends bceLogits512 and bceLogits256 to s and their
// declarations to d.
func writeBCE(s, d *bytes.Buffer) {
	for i, c := range atanhCoef {
		fmt.Fprintf(s, "DATA bcecoef<>+%d(SB)/4, $0x%08x\n", 4*i, math.Float32bits(c))
	}
	fmt.Fprintf(s, "GLOBL bcecoef<>(SB), RODATA|NOPTR, $%d\n", 4*len(atanhCoef))
	args := func(reg string) []string {
		return []string{"MOVQ z+0(FP), DI", "MOVQ t+8(FP), SI", "MOVQ grad+16(FP), DX", "MOVQ n+24(FP), CX",
			fmt.Sprintf("VBROADCASTSS scale+32(FP), %s31", reg)}
	}
	// Streams: z in 0, t in 7, the gradient written (only) from 9.
	streams := []stream{{"DI", 0, false, false, false}, {"SI", 7, false, false, false}, {"DX", 9, true, false, true}}
	for _, is := range []isa{avx512, avx2} {
		name := fmt.Sprintf("bceLogits%d", 32*is.lanes)
		header := fmt.Sprintf("// func %s(z, t, grad *float32, n int, scale float32) float32\nTEXT ·%s(SB), NOSPLIT, $0-44\n", name, name)
		a := args(is.reg)
		body, finish := bce512, reduce512
		if is.reg == "Y" {
			a[4] = "VBROADCASTSS scale+32(FP), Y15"
			a = append(a, "VPCMPEQD Y14, Y14, Y14", "VXORPS Y10, Y10, Y10")
			body, finish = bce256, reduce256
		} else {
			a = append(a, "KXNORW K1, K1, K1", "VPXORD Z10, Z10, Z10")
		}
		vecLoopFinish(s, is, header, a, streams, body, finish)
		fmt.Fprintf(d, "// %s writes grad[i] = scale·(sigmoid(z[i]) − t[i]) for i < n and returns\n// Σ max(z,0) − z·t + log(1+e^−|z|), the binary cross-entropy of sigmoid(z)\n// against t (%s).\n//\n//go:noescape\nfunc %s(z, t, grad *float32, n int, scale float32) float32\n\n",
			name, map[string]string{"Z": "AVX-512F", "Y": "AVX2+FMA"}[is.reg], name)
	}
}

// bce512 computes the gradient into Z9 and adds the loss terms of the lanes
// under K1 into Z10 (K1 is all ones but in the tail). Slope register Z31
// holds scale.
func bce512(p func(string, ...any)) {
	p("VPANDD Z17, Z0, Z4")     // |z|
	p("VSUBPS Z4, Z29, Z1")     // −|z|
	expZ1(p)                    // e = exp(−|z|)
	p("VADDPS Z26, Z1, Z5")     // 1+e
	p("VDIVPS Z5, Z26, Z6")     // sigmoid(|z|)
	p("VMULPS Z6, Z1, Z2")      // e/(1+e) = sigmoid(−|z|)
	p("VCMPPS $1, Z29, Z0, K3") // z < 0
	p("VBLENDMPS Z2, Z6, K3, Z6")
	p("VSUBPS Z7, Z6, Z9")
	p("VMULPS Z31, Z9, Z9") // gradient
	p("VADDPS Z16, Z1, Z2")
	p("VDIVPS Z2, Z1, Z2") // s = e/(2+e)
	p("VMULPS Z2, Z2, Z3") // s²
	p("VBROADCASTSS bcecoef<>+0(SB), Z5")
	for i := 1; i < len(atanhCoef); i++ {
		p("VFMADD213PS.BCST bcecoef<>+%d(SB), Z3, Z5", 4*i)
	}
	p("VMULPS Z5, Z2, Z5")
	p("VADDPS Z5, Z5, Z5") // log(1+e)
	p("VMAXPS Z0, Z29, Z6")
	p("VFNMADD231PS Z7, Z0, Z6") // max(z,0) − z·t
	p("VADDPS Z5, Z6, Z6")
	p("VADDPS Z6, Z10, K1, Z10")
}

func reduce512(p func(string, ...any)) {
	p("VEXTRACTF64X4 $1, Z10, Y1")
	p("VADDPS Y1, Y10, Y0")
	reduceY0(p, 40)
}

func reduce256(p func(string, ...any)) {
	p("VMOVAPS Y10, Y0")
	reduceY0(p, 40)
}

// reduceY0 adds the eight lanes of Y0 in a fixed order and stores the sum
// as the float32 result at ret+off(FP).
func reduceY0(p func(string, ...any), off int) {
	p("VEXTRACTF128 $1, Y0, X1")
	p("VADDPS X1, X0, X0")
	p("VMOVHLPS X0, X1, X1")
	p("VADDPS X1, X0, X0")
	p("VMOVSHDUP X0, X1")
	p("VADDSS X1, X0, X0")
	p("MOVSS X0, ret+%d(FP)", off)
}

// bce256 is bce512 for AVX2: the gradient into Y9, the loss terms of the
// lanes under the mask Y14 added into Y10, scale in Y15.
func bce256(p func(string, ...any)) {
	p("VANDPS %s, Y0, Y4", k("abs"))
	p("VXORPS Y1, Y1, Y1")
	p("VSUBPS Y4, Y1, Y1")
	exp256(p)
	p("VADDPS %s, Y1, Y5", k("one"))
	p("VMOVUPS %s, Y6", k("one"))
	p("VDIVPS Y5, Y6, Y6")
	p("VMULPS Y6, Y1, Y2")
	p("VXORPS Y8, Y8, Y8")
	p("VCMPPS $1, Y8, Y0, Y3")
	p("VBLENDVPS Y3, Y2, Y6, Y6")
	p("VSUBPS Y7, Y6, Y9")
	p("VMULPS Y15, Y9, Y9")
	p("VADDPS %s, Y1, Y2", k("two"))
	p("VDIVPS Y2, Y1, Y2")
	p("VMULPS Y2, Y2, Y3")
	p("VBROADCASTSS bcecoef<>+0(SB), Y5")
	for i := 1; i < len(atanhCoef); i++ {
		p("VBROADCASTSS bcecoef<>+%d(SB), Y6", 4*i)
		p("VFMADD213PS Y6, Y3, Y5")
	}
	p("VMULPS Y5, Y2, Y5")
	p("VADDPS Y5, Y5, Y5")
	p("VMAXPS Y0, Y8, Y6")
	p("VFNMADD231PS Y7, Y0, Y6")
	p("VADDPS Y5, Y6, Y6")
	p("VANDPS Y14, Y6, Y6")
	p("VADDPS Y6, Y10, Y10")
}

// writeMSE appends mseGrad512 and mseGrad256 to s and their declarations
// to d: for predictions x and targets t they write the gradient
// g = scale·(x − t) and return Σ (x − t)² over the n values in one pass
// (the lanes past n are loaded as zeros, so they add nothing).
func writeMSE(s, d *bytes.Buffer) {
	streams := []stream{{"DI", 0, false, false, false}, {"SI", 7, false, false, false}, {"DX", 9, true, false, true}}
	for _, is := range []isa{avx512, avx2} {
		r := is.reg
		name := fmt.Sprintf("mseGrad%d", 32*is.lanes)
		header := fmt.Sprintf("// func %s(x, t, grad *float32, n int, scale float32) float32\nTEXT ·%s(SB), NOSPLIT, $0-44\n", name, name)
		args := []string{"MOVQ x+0(FP), DI", "MOVQ t+8(FP), SI", "MOVQ grad+16(FP), DX", "MOVQ n+24(FP), CX",
			fmt.Sprintf("VBROADCASTSS scale+32(FP), %s", is.slope), fmt.Sprintf("VXORPS %s10, %s10, %s10", r, r, r)}
		body := func(p func(string, ...any)) {
			p("VSUBPS %s7, %s0, %s1", r, r, r)
			p("VMULPS %s, %s1, %s9", is.slope, r, r)
			p("VFMADD231PS %s1, %s1, %s10", r, r, r)
		}
		finish := reduce512
		if r == "Y" {
			finish = reduce256
		}
		vecLoopFinish(s, is, header, args, streams, body, finish)
		fmt.Fprintf(d, "// %s writes grad[i] = scale·(x[i] − t[i]) for i < n and returns\n// Σ (x[i] − t[i])², the squared error (%s).\n//\n//go:noescape\nfunc %s(x, t, grad *float32, n int, scale float32) float32\n\n",
			name, map[string]string{"Z": "AVX-512F", "Y": "AVX2+FMA"}[r], name)
	}
}
