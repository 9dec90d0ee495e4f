package main

import (
	"bytes"
	"fmt"
)

// The AVX2+FMA elementwise kernels, for CPUs without AVX-512. They walk 8
// values at a time and finish with a VMASKMOVPS partial vector (mask from
// the table ewmask<>), so they never touch memory past n. AVX2 has no
// VSCALEFPS, so exp builds 2^n in the exponent bits and clamps its argument
// to [−86, 88] to keep that exponent normal.
//
// Register use: Y0 the value, Y1–Y6 temporaries, Y7 the second stream, Y8
// the bias, Y14 the tail mask, Y15 the scalar argument. Constants are
// 8-lane vectors in ewconst<> used as memory operands.

// consts256 names the vectors of ewconst<>, in order.
var consts256 = []struct {
	name string
	bits uint32
}{
	{"one", 0x3f800000}, {"two", 0x40000000}, {"hi", 0x42b00000}, {"lo", 0xc2ac0000},
	{"log2e", 0x3fb8aa3b}, {"ln2hi", 0x3f318000}, {"ln2lo", 0xb95e8083},
	{"c6", 0x3ab60b61}, {"c5", 0x3c088889}, {"c4", 0x3d2aaaab}, {"c3", 0x3e2aaaab}, {"c2", 0x3f000000},
	{"abs", 0x7fffffff}, {"thr", 0x3d800000}, {"t3", 0xbeaaaaab}, {"t5", 0x3e088889}, {"t7", 0xbd5d0dd1},
}

// k is the memory operand of constant name.
func k(name string) string {
	for i, c := range consts256 {
		if c.name == name {
			return fmt.Sprintf("ewconst<>+%d(SB)", 32*i)
		}
	}
	panic("no constant " + name)
}

func exp256(p func(string, ...any)) {
	p("VMOVUPS %s, Y2", k("hi"))
	p("VMINPS Y1, Y2, Y1")
	p("VMOVUPS %s, Y2", k("lo"))
	p("VMAXPS Y1, Y2, Y1")
	p("VMULPS %s, Y1, Y2", k("log2e"))
	p("VROUNDPS $0, Y2, Y2")
	p("VFNMADD231PS %s, Y2, Y1", k("ln2hi"))
	p("VFNMADD231PS %s, Y2, Y1", k("ln2lo"))
	p("VMOVUPS %s, Y3", k("c6"))
	for _, c := range []string{"c5", "c4", "c3", "c2", "one", "one"} {
		p("VFMADD213PS %s, Y1, Y3", k(c))
	}
	p("VCVTPS2DQ Y2, Y2")
	p("VPSLLD $23, Y2, Y2")
	p("VPADDD Y2, Y3, Y1")
}

var activations256 = map[string]ewBody{
	"Identity": func(p func(string, ...any)) {},
	"ReLU": func(p func(string, ...any)) {
		p("VXORPS Y1, Y1, Y1")
		p("VMAXPS Y0, Y1, Y0")
	},
	"LeakyReLU": func(p func(string, ...any)) {
		p("VMULPS Y15, Y0, Y1")
		p("VXORPS Y2, Y2, Y2")
		p("VCMPPS $1, Y2, Y0, Y3")
		p("VBLENDVPS Y3, Y1, Y0, Y0")
	},
	"Sigmoid": func(p func(string, ...any)) {
		p("VXORPS Y1, Y1, Y1")
		p("VSUBPS Y0, Y1, Y1")
		exp256(p)
		p("VADDPS %s, Y1, Y1", k("one"))
		p("VMOVUPS %s, Y2", k("one"))
		p("VDIVPS Y1, Y2, Y0")
	},
	"Tanh": func(p func(string, ...any)) {
		p("VANDPS %s, Y0, Y4", k("abs"))
		p("VADDPS Y0, Y0, Y1")
		exp256(p)
		p("VADDPS %s, Y1, Y1", k("one"))
		p("VMOVUPS %s, Y2", k("two"))
		p("VDIVPS Y1, Y2, Y1")
		p("VMOVUPS %s, Y2", k("one"))
		p("VSUBPS Y1, Y2, Y1")
		p("VMULPS Y0, Y0, Y5")
		p("VMOVUPS %s, Y3", k("t7"))
		p("VFMADD213PS %s, Y5, Y3", k("t5"))
		p("VFMADD213PS %s, Y5, Y3", k("t3"))
		p("VMULPS Y0, Y5, Y5")
		p("VMOVAPS Y0, Y6")
		p("VFMADD231PS Y3, Y5, Y6")
		p("VCMPPS $1, %s, Y4, Y3", k("thr"))
		p("VBLENDVPS Y3, Y6, Y1, Y0")
	},
}

var derivatives256 = map[string]ewBody{
	"ReLU": func(p func(string, ...any)) {
		p("VXORPS Y1, Y1, Y1")
		p("VCMPPS $6, Y1, Y7, Y3")
		p("VANDPS Y3, Y0, Y0")
	},
	"LeakyReLU": func(p func(string, ...any)) {
		p("VMULPS Y15, Y0, Y1")
		p("VXORPS Y2, Y2, Y2")
		p("VCMPPS $1, Y2, Y7, Y3")
		p("VBLENDVPS Y3, Y1, Y0, Y0")
	},
	"Sigmoid": func(p func(string, ...any)) {
		p("VMOVUPS %s, Y1", k("one"))
		p("VSUBPS Y7, Y1, Y1")
		p("VMULPS Y7, Y1, Y1")
		p("VMULPS Y1, Y0, Y0")
	},
	"Tanh": func(p func(string, ...any)) {
		p("VMOVUPS %s, Y1", k("one"))
		p("VFNMADD231PS Y7, Y7, Y1")
		p("VMULPS Y1, Y0, Y0")
	},
}

var avx2 = isa{
	lanes: 8, reg: "Y", slope: "Y15",
	prologue: func(p func(string, ...any)) {},
	tailMask: func(p func(string, ...any)) {
		// Mask of CX leading lanes: ewmask<> holds 8 all-ones then 8 zeros.
		p("LEAQ ewmask<>+32(SB), AX")
		p("SHLQ $2, CX")
		p("SUBQ CX, AX")
		p("VMOVUPS (AX), Y14")
	},
	load: func(mem, vec string, masked bool) string {
		if masked {
			return fmt.Sprintf("VMASKMOVPS %s, Y14, %s", mem, vec)
		}
		return fmt.Sprintf("VMOVUPS %s, %s", mem, vec)
	},
	store: func(mem, vec string, masked bool) string {
		if masked {
			return fmt.Sprintf("VMASKMOVPS %s, Y14, %s", vec, mem)
		}
		return fmt.Sprintf("VMOVUPS %s, %s", vec, mem)
	},
}

func writeAdam256(w *bytes.Buffer) {
	header := "// func adam256(w, grad, m, v *float32, n int, h *adamParams)\nTEXT ·adam256(SB), NOSPLIT, $8-48\n"
	args := []string{
		"MOVQ w+0(FP), DI", "MOVQ grad+8(FP), SI", "MOVQ m+16(FP), R8", "MOVQ v+24(FP), R9", "MOVQ n+32(FP), CX",
		"MOVQ h+40(FP), DX",
	}
	for i, reg := range []int{4, 5, 6, 7, 8, 9, 10, 11, 12} {
		args = append(args, fmt.Sprintf("VBROADCASTSS %d(DX), Y%d", 4*i, reg))
	}
	streams := []stream{{"DI", 0, true, false, false}, {"SI", 1, false, false, false}, {"R8", 2, true, false, false}, {"R9", 3, true, false, false}}
	vecLoopFinish(w, avx2, header, append(args, flushDenormals...), streams, func(p func(string, ...any)) {
		p("VMULPS Y5, Y1, Y13")
		p("VFMADD231PS Y4, Y2, Y13")
		p("VMOVAPS Y13, Y2")
		p("VMULPS Y1, Y1, Y13")
		p("VMULPS Y7, Y13, Y13")
		p("VFMADD231PS Y6, Y3, Y13")
		p("VMOVAPS Y13, Y3")
		p("VMULPS Y9, Y3, Y1")
		p("VSQRTPS Y1, Y1")
		p("VADDPS Y10, Y1, Y1")
		p("VMULPS Y8, Y2, Y13")
		p("VDIVPS Y1, Y13, Y13")
		p("VFMADD231PS Y11, Y0, Y13")
		p("VFNMADD231PS Y12, Y13, Y0")
	}, restoreDenormals)
}

// writeElementwise256 appends the AVX2 kernels to s and their declarations
// to d.
func writeElementwise256(s, d *bytes.Buffer) {
	for i, c := range consts256 {
		for lane := 0; lane < 8; lane++ {
			fmt.Fprintf(s, "DATA ewconst<>+%d(SB)/4, $0x%08x\n", 32*i+4*lane, c.bits)
		}
	}
	fmt.Fprintf(s, "GLOBL ewconst<>(SB), RODATA|NOPTR, $%d\n", 32*len(consts256))
	for lane := 0; lane < 16; lane++ {
		v := uint32(0xffffffff)
		if lane >= 8 {
			v = 0
		}
		fmt.Fprintf(s, "DATA ewmask<>+%d(SB)/4, $0x%08x\n", 4*lane, v)
	}
	fmt.Fprintf(s, "GLOBL ewmask<>(SB), RODATA|NOPTR, $64\n")
	decl := func(name, doc string) {
		fmt.Fprintf(d, "// %s %s (AVX2+FMA).\n//\n//go:noescape\nfunc %s(x, y *float32, n int, slope float32)\n\n", name, doc, name)
	}
	for _, a := range activations {
		body := activations256[a.name]
		name := "bias" + a.name + "256"
		ewLoop(s, avx2, name, "add", body)
		decl(name, fmt.Sprintf("sets x[i] = %s(x[i] + y[i]) for i < n", a.name))
		if a.name == "Identity" {
			continue
		}
		name = "act" + a.name + "256"
		ewLoop(s, avx2, name, "", body)
		decl(name, fmt.Sprintf("sets x[i] = %s(x[i]) for i < n; y is unused", a.name))
	}
	for _, a := range derivatives {
		name := "grad" + a.name + "256"
		ewLoop(s, avx2, name, "load", derivatives256[a.name])
		decl(name, fmt.Sprintf("multiplies x[i] by the %s derivative at output y[i]", a.name))
	}
	ewLoop(s, avx2, "addScalar256", "", func(p func(string, ...any)) { p("VADDPS Y15, Y0, Y0") })
	decl("addScalar256", "adds slope to x[i] for i < n; y is unused")
	ewLoop(s, avx2, "scale256", "", func(p func(string, ...any)) { p("VMULPS Y15, Y0, Y0") })
	decl("scale256", "multiplies x[i] by slope for i < n; y is unused")
	ewLoop(s, avx2, "axpy256", "load", func(p func(string, ...any)) { p("VFMADD231PS Y15, Y7, Y0") })
	decl("axpy256", "sets x[i] += slope·y[i] for i < n, with one rounding (FMA)")
	writeSum(s, avx2, "256", false)
	writeSum(s, avx2, "256", true)
	fmt.Fprintf(d, "// sum256 returns the sum of x[:n] in a fixed order (AVX2).\n//\n//go:noescape\nfunc sum256(x *float32, n int) float32\n\n")
	fmt.Fprintf(d, "// dot256 returns the dot product of x[:n] and y[:n] in a fixed order (AVX2+FMA).\n//\n//go:noescape\nfunc dot256(x, y *float32, n int) float32\n\n")
	writeMinMax(s, avx2, "256")
	fmt.Fprintf(d, "// minMax256 writes the lane-wise minima, maxima and sums of x·0 of x[:n],\n// n a positive multiple of 16, into out[0:8], out[8:16] and out[16:24]\n// (AVX).\n//\n//go:noescape\nfunc minMax256(x *float32, n int, out *float32)\n\n")
	writeTranspose8(s)
	fmt.Fprintf(d, "// transpose8x256 sets dst[p·ldd+r] = src[r·lds+p] for r < 8, p < n&^7\n// (AVX).\n//\n//go:noescape\nfunc transpose8x256(dst *float32, ldd int, src *float32, lds, n int)\n\n")
	writeAdam256(s)
	fmt.Fprintf(d, "// adam256 is the one-pass Adam(W) update of n weights (AVX2+FMA).\n//\n//go:noescape\nfunc adam256(w, grad, m, v *float32, n int, h *adamParams)\n\n")
}
