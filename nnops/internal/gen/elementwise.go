package main

import (
	"bytes"
	"fmt"
)

// The elementwise kernels (AVX-512F) written to elementwise_amd64.s. Each
// walks n float32 values 16 at a time and finishes with a masked partial
// vector, so it never touches memory past n.
//
// Register use in the bodies: Z0 the value, Z1–Z6 temporaries, Z16–Z31
// constants loaded once by the prologue (see consts).

// consts are the broadcast constants every elementwise kernel loads.
var consts = []struct {
	reg  int
	bits uint32
	what string
}{
	{29, 0x00000000, "0"},
	{26, 0x3f800000, "1"},
	{16, 0x40000000, "2"},
	{28, 0x42b00000, "88 (exp clamp)"},
	{27, 0xc2b00000, "-88"},
	{25, 0x3fb8aa3b, "log2(e)"},
	{24, 0x3f318000, "ln2 high part"},
	{23, 0xb95e8083, "ln2 low part"},
	{22, 0x3ab60b61, "1/720"},
	{21, 0x3c088889, "1/120"},
	{20, 0x3d2aaaab, "1/24"},
	{19, 0x3e2aaaab, "1/6"},
	{18, 0x3f000000, "1/2"},
	{17, 0x7fffffff, "abs mask"},
	{15, 0x3d800000, "0.0625 (tanh series threshold)"},
	{14, 0xbeaaaaab, "-1/3"},
	{13, 0x3e088889, "2/15"},
	{12, 0xbd5d0dd1, "-17/315"},
}

type ewBody func(p func(string, ...any))

// expZ1 replaces Z1 by exp(Z1) for Z1 in [-88, 88] (NaN stays NaN): round
// to n = Z1·log2(e), reduce r = Z1 − n·ln2 in two steps, a degree-6 Taylor
// polynomial, and scale by 2^n. Uses Z2, Z3.
func expZ1(p func(string, ...any)) {
	p("VMINPS Z1, Z28, Z1")
	p("VMAXPS Z1, Z27, Z1")
	p("VMULPS Z25, Z1, Z2")
	p("VRNDSCALEPS $0, Z2, Z2")
	p("VFNMADD231PS Z24, Z2, Z1")
	p("VFNMADD231PS Z23, Z2, Z1")
	p("VMOVAPS Z22, Z3")
	for _, c := range []int{21, 20, 19, 18, 26, 26} {
		p("VFMADD213PS Z%d, Z1, Z3", c)
	}
	p("VSCALEFPS Z2, Z3, Z1")
}

var activations = []struct {
	name string
	body ewBody
}{
	{"Identity", func(p func(string, ...any)) {}},
	{"ReLU", func(p func(string, ...any)) { p("VMAXPS Z0, Z29, Z0") }},
	{"LeakyReLU", func(p func(string, ...any)) {
		p("VMULPS Z31, Z0, Z1")
		p("VCMPPS $1, Z29, Z0, K3")
		p("VBLENDMPS Z1, Z0, K3, Z0")
	}},
	{"Sigmoid", func(p func(string, ...any)) {
		p("VSUBPS Z0, Z29, Z1")
		expZ1(p)
		p("VADDPS Z26, Z1, Z1")
		p("VDIVPS Z1, Z26, Z0")
	}},
	{"Tanh", func(p func(string, ...any)) {
		// 1 − 2/(exp(2x)+1), or the odd series x + x³(−1/3 + x²(2/15 − 17x²/315))
		// where |x| < 1/16 and the difference would cancel.
		p("VPANDD Z17, Z0, Z4")
		p("VADDPS Z0, Z0, Z1")
		expZ1(p)
		p("VADDPS Z26, Z1, Z1")
		p("VDIVPS Z1, Z16, Z1")
		p("VSUBPS Z1, Z26, Z1")
		p("VMULPS Z0, Z0, Z5")
		p("VMOVAPS Z12, Z3")
		p("VFMADD213PS Z13, Z5, Z3")
		p("VFMADD213PS Z14, Z5, Z3")
		p("VMULPS Z0, Z5, Z5")
		p("VMOVAPS Z0, Z6")
		p("VFMADD231PS Z3, Z5, Z6")
		p("VCMPPS $1, Z15, Z4, K3")
		p("VBLENDMPS Z6, Z1, K3, Z0")
	}},
}

// derivatives multiply Z0 (dy) by act'(Z7), given the activation output y
// in Z7.
var derivatives = []struct {
	name string
	body ewBody
}{
	{"ReLU", func(p func(string, ...any)) {
		p("VCMPPS $6, Z29, Z7, K3") // !(y <= 0)
		p("VBLENDMPS Z0, Z29, K3, Z0")
	}},
	{"LeakyReLU", func(p func(string, ...any)) {
		p("VMULPS Z31, Z0, Z1")
		p("VCMPPS $1, Z29, Z7, K3")
		p("VBLENDMPS Z1, Z0, K3, Z0")
	}},
	{"Sigmoid", func(p func(string, ...any)) {
		p("VSUBPS Z7, Z26, Z1")
		p("VMULPS Z7, Z1, Z1")
		p("VMULPS Z1, Z0, Z0")
	}},
	{"Tanh", func(p func(string, ...any)) {
		p("VMOVAPS Z26, Z1")
		p("VFNMADD231PS Z7, Z7, Z1")
		p("VMULPS Z1, Z0, Z0")
	}},
}

// isa describes how an elementwise loop is written for one instruction
// set: vector width and register names, the masked tail, and the prologue.
type isa struct {
	lanes    int
	reg      string // "Z" or "Y"
	slope    string // register holding the scalar argument
	prologue func(p func(string, ...any))
	// tailMask sets up the mask for the CX < lanes remaining values;
	// load and store move one (partial) vector under it.
	tailMask    func(p func(string, ...any))
	load, store func(mem, vec string, masked bool) string
}

var avx512 = isa{
	lanes: 16, reg: "Z", slope: "Z31",
	prologue: func(p func(string, ...any)) {
		for _, c := range consts {
			p("MOVL $0x%08x, AX", c.bits)
			p("VPBROADCASTD AX, Z%d // %s", c.reg, c.what)
		}
	},
	tailMask: func(p func(string, ...any)) {
		p("MOVL $1, AX")
		p("SHLL CX, AX")
		p("DECL AX")
		p("KMOVW AX, K1")
	},
	load: func(mem, vec string, masked bool) string {
		if masked {
			return fmt.Sprintf("VMOVUPS.Z %s, K1, %s", mem, vec)
		}
		return fmt.Sprintf("VMOVUPS %s, %s", mem, vec)
	},
	store: func(mem, vec string, masked bool) string {
		if masked {
			return fmt.Sprintf("VMOVUPS %s, K1, %s", vec, mem)
		}
		return fmt.Sprintf("VMOVUPS %s, %s", vec, mem)
	},
}

// stream is one array an elementwise loop walks: its pointer register, the
// vector register number it is loaded into, and whether the result is
// stored back.
type stream struct {
	ptr   string
	vec   int
	store bool
	// nt stores the full vectors with non-temporal stores (VMOVNTPS),
	// which need an aligned pointer; the masked tail stores normally.
	nt bool
	// out marks a stream that is only written (body sets its vector from
	// the others): it is not loaded, so its lines are never read.
	out bool
}

// ewLoop writes one function of the (x, y *float32, n int, slope float32)
// family: x (DI) is read into vector 0 and written back after body; the
// optional second stream (SI) is added to vector 0 first ("add") or loaded
// into vector 7 ("load").
func ewLoop(w *bytes.Buffer, is isa, name, second string, body ewBody) {
	streams := []stream{{"DI", 0, true, false, false}}
	pre := func(p func(string, ...any)) {}
	switch second {
	case "add":
		streams = append(streams, stream{"SI", 8, false, false, false})
		pre = func(p func(string, ...any)) { p("VADDPS %s8, %s0, %s0", is.reg, is.reg, is.reg) }
	case "load":
		streams = append(streams, stream{"SI", 7, false, false, false})
	}
	header := fmt.Sprintf("// func %s(x, y *float32, n int, slope float32)\nTEXT ·%s(SB), NOSPLIT, $0-28\n", name, name)
	args := []string{"MOVQ x+0(FP), DI", "MOVQ y+8(FP), SI", "MOVQ n+16(FP), CX", "VBROADCASTSS slope+24(FP), " + is.slope}
	vecLoop(w, is, header, args, streams, func(p func(string, ...any)) { pre(p); body(p) })
}

// vecLoop writes a function that walks n (CX) values of each stream, a
// vector at a time and then a masked tail, running body on the loaded
// registers.
func vecLoop(w *bytes.Buffer, is isa, header string, args []string, streams []stream, body ewBody) {
	vecLoopFinish(w, is, header, args, streams, body, nil)
}

// vecLoopFinish is vecLoop with finish (when not nil) run after the last
// vector, before the function returns.
func vecLoopFinish(w *bytes.Buffer, is isa, header string, args []string, streams []stream, body, finish ewBody) {
	p := func(format string, args ...any) { fmt.Fprintf(w, "\t"+format+"\n", args...) }
	fmt.Fprintf(w, "\n%s", header)
	for _, a := range args {
		p("%s", a)
	}
	is.prologue(p)
	step := func(masked bool) {
		for _, s := range streams {
			if !s.out {
				p("%s", is.load("("+s.ptr+")", fmt.Sprintf("%s%d", is.reg, s.vec), masked))
			}
		}
		body(p)
		for _, s := range streams {
			switch {
			case s.store && s.nt && !masked:
				p("VMOVNTPS %s%d, (%s)", is.reg, s.vec, s.ptr)
			case s.store:
				p("%s", is.store("("+s.ptr+")", fmt.Sprintf("%s%d", is.reg, s.vec), masked))
			}
		}
	}
	fmt.Fprintf(w, "loop:\n")
	p("CMPQ CX, $%d", is.lanes)
	p("JL tail")
	step(false)
	for _, s := range streams {
		p("ADDQ $%d, %s", 4*is.lanes, s.ptr)
	}
	p("SUBQ $%d, CX", is.lanes)
	p("JMP loop")
	fmt.Fprintf(w, "tail:\n")
	p("TESTQ CX, CX")
	p("JZ done")
	is.tailMask(p)
	step(true)
	fmt.Fprintf(w, "done:\n")
	if finish != nil {
		finish(p)
	}
	p("VZEROUPPER")
	p("RET")
}

// writeStride2 writes gather2x512 (dst[r·ldd+i] = src[r·lds+2i]) or, with
// scatter, scatterAdd2x512 (dst[r·ldd+2i] += src[r·lds+i]) for r < rows,
// i < n: the stride-2 rows of im2col and col2im. Chunks of 16 use the mask
// 0x5555 (even lanes) with VCOMPRESSPS / VEXPANDPS; the last partial chunk
// uses tail (low 16 bits for the first 8 values, high 16 for the rest).
// Only the lanes named by the masks are read or written.
func writeStride2(w *bytes.Buffer, scatter bool) {
	p := func(format string, args ...any) { fmt.Fprintf(w, "\t"+format+"\n", args...) }
	name := "gather2x512"
	if scatter {
		name = "scatterAdd2x512"
	}
	fmt.Fprintf(w, "\n// func %s(dst *float32, ldd int, src *float32, lds, rows, n int, tail uint32)\n", name)
	fmt.Fprintf(w, "TEXT ·%s(SB), NOSPLIT, $0-52\n", name)
	loadRowArgs(p)
	p("MOVL tail+48(FP), AX")
	p("KMOVW AX, K3")
	p("SHRL $16, AX")
	p("KMOVW AX, K4")
	p("MOVL $0x5555, AX")
	p("KMOVW AX, K1")
	p("TESTQ CX, CX")
	p("JZ done")
	fmt.Fprintf(w, "row:\n")
	p("MOVQ DI, R10")
	p("MOVQ SI, R11")
	p("MOVQ DX, R12")
	chunk := func(klo, khi string) {
		if scatter {
			p("VEXPANDPS.Z (R11), %s, Z1", klo)
			p("VMOVUPS.Z (R10), %s, Z3", klo)
			p("VADDPS Z1, Z3, Z3")
			p("VMOVUPS Z3, %s, (R10)", klo)
			p("VEXPANDPS.Z 32(R11), %s, Z2", khi)
			p("VMOVUPS.Z 64(R10), %s, Z4", khi)
			p("VADDPS Z2, Z4, Z4")
			p("VMOVUPS Z4, %s, 64(R10)", khi)
		} else {
			p("VMOVUPS.Z (R11), %s, Z1", klo)
			p("VCOMPRESSPS Z1, %s, (R10)", klo)
			p("VMOVUPS.Z 64(R11), %s, Z2", khi)
			p("VCOMPRESSPS Z2, %s, 32(R10)", khi)
		}
	}
	fmt.Fprintf(w, "chunk:\n")
	p("CMPQ R12, $16")
	p("JL tail")
	chunk("K1", "K1")
	if scatter {
		p("ADDQ $128, R10")
		p("ADDQ $64, R11")
	} else {
		p("ADDQ $64, R10")
		p("ADDQ $128, R11")
	}
	p("SUBQ $16, R12")
	p("JMP chunk")
	fmt.Fprintf(w, "tail:\n")
	p("TESTQ R12, R12")
	p("JZ next")
	chunk("K3", "K4")
	nextRow(w)
}

// writeCopyRows writes copyRows512: dst[r·ldd+i] = src[r·lds+i] for
// r < rows, i < n, 16 values a move, the last n mod 16 under the lane mask
// tail: the packing of GEMM panels, one call per panel instead of a
// memmove per row of a few dozen bytes.
func writeCopyRows(w *bytes.Buffer) {
	p := func(format string, args ...any) { fmt.Fprintf(w, "\t"+format+"\n", args...) }
	fmt.Fprintf(w, "\n// func copyRows512(dst *float32, ldd int, src *float32, lds, rows, n int, tail uint16)\n")
	fmt.Fprintf(w, "TEXT ·copyRows512(SB), NOSPLIT, $0-50\n")
	loadRowArgs(p)
	p("MOVWLZX tail+48(FP), AX")
	p("KMOVW AX, K1")
	p("TESTQ CX, CX")
	p("JZ done")
	fmt.Fprintf(w, "row:\n")
	p("MOVQ DI, R10")
	p("MOVQ SI, R11")
	p("MOVQ DX, R12")
	fmt.Fprintf(w, "chunk:\n")
	p("CMPQ R12, $16")
	p("JL tail")
	p("VMOVUPS (R11), Z1")
	p("VMOVUPS Z1, (R10)")
	p("ADDQ $64, R10")
	p("ADDQ $64, R11")
	p("SUBQ $16, R12")
	p("JMP chunk")
	fmt.Fprintf(w, "tail:\n")
	p("TESTQ R12, R12")
	p("JZ next")
	p("VMOVUPS.Z (R11), K1, Z1")
	p("VMOVUPS Z1, K1, (R10)")
	nextRow(w)
}

// writeAdam writes adam512, the one-pass Adam(W) update (see Adam in api.go
// for the formula it follows step by step), or, with nt, adamNT512, which
// writes the full vectors of weights with non-temporal stores (w must be
// 64-byte aligned) and ends with SFENCE, so that the stores are visible
// before the caller reports the task done.
func writeAdam(w *bytes.Buffer, nt bool) {
	name := "adam512"
	if nt {
		name = "adamNT512"
	}
	header := fmt.Sprintf("// func %s(w, grad, m, v *float32, n int, h *adamParams)\nTEXT ·%s(SB), NOSPLIT, $8-48\n", name, name)
	args := []string{
		"MOVQ w+0(FP), DI", "MOVQ grad+8(FP), SI", "MOVQ m+16(FP), R8", "MOVQ v+24(FP), R9", "MOVQ n+32(FP), CX",
		"MOVQ h+40(FP), DX",
	}
	// adamParams field order: beta1, 1-beta1, beta2, 1-beta2, 1/c1, 1/c2, eps, weightDecay, lr.
	for i, reg := range []int{4, 5, 6, 7, 8, 9, 10, 11, 30} {
		args = append(args, fmt.Sprintf("VBROADCASTSS %d(DX), Z%d", 4*i, reg))
	}
	streams := []stream{{"DI", 0, true, nt, false}, {"SI", 1, false, false, false}, {"R8", 2, true, false, false}, {"R9", 3, true, false, false}}
	finish := restoreDenormals
	if nt {
		finish = func(p func(string, ...any)) {
			p("SFENCE")
			restoreDenormals(p)
		}
	}
	vecLoopFinish(w, avx512, header, append(args, flushDenormals...), streams, func(p func(string, ...any)) {
		p("VMULPS Z5, Z1, Z12") // (1-b1)·g
		p("VFMADD231PS Z4, Z2, Z12")
		p("VMOVAPS Z12, Z2") // m = b1·m + (1-b1)·g
		p("VMULPS Z1, Z1, Z13")
		p("VMULPS Z7, Z13, Z13") // (1-b2)·g²
		p("VFMADD231PS Z6, Z3, Z13")
		p("VMOVAPS Z13, Z3")           // v = b2·v + (1-b2)·g²
		p("VMULPS Z9, Z3, Z14")        // v/c2
		p("VSQRTPS Z14, Z14")          // sqrt
		p("VADDPS Z10, Z14, Z14")      // + eps
		p("VMULPS Z8, Z2, Z15")        // m/c1
		p("VDIVPS Z14, Z15, Z15")      // (m/c1)/(sqrt(v/c2)+eps)
		p("VFMADD231PS Z11, Z0, Z15")  // + wd·w
		p("VFNMADD231PS Z30, Z15, Z0") // w -= lr·update
	}, finish)
}

// flushDenormals is the prologue of a kernel that runs with denormal
// inputs read as zero and denormal results flushed to zero (MXCSR's DAZ
// and FTZ bits), saving the caller's MXCSR in the kernel's 8-byte frame;
// restoreDenormals, its epilogue, puts it back. A moment that decays
// towards zero (Adam's m for an input that is almost always 0, say)
// spends a hundred steps as a denormal, and each operation on one takes
// a microcode assist of about a hundred cycles: a whole Adam update ran
// 11 times slower with denormal moments. Go code never sees the changed
// MXCSR: the kernel restores it before it returns and is never preempted
// in between.
var flushDenormals = []string{
	"STMXCSR mxcsr-8(SP)",
	"MOVL mxcsr-8(SP), AX",
	"ORL $0x8040, AX", // FTZ (bit 15) | DAZ (bit 6)
	"MOVL AX, mxcsr-4(SP)",
	"LDMXCSR mxcsr-4(SP)",
}

func restoreDenormals(p func(string, ...any)) { p("LDMXCSR mxcsr-8(SP)") }

// writeSum writes sum{suffix}(x *float32, n int) float32, or with dot set
// dot{suffix}(x, y *float32, n int) float32: four accumulators over four
// vectors at a time, then one vector at a time, a masked tail and a
// fixed-order horizontal reduction, so the result depends only on the
// inputs.
func writeSum(w *bytes.Buffer, is isa, suffix string, dot bool) {
	p := func(format string, args ...any) { fmt.Fprintf(w, "\t"+format+"\n", args...) }
	r := func(i int) string { return fmt.Sprintf("%s%d", is.reg, i) }
	if dot {
		fmt.Fprintf(w, "\n// func dot%s(x, y *float32, n int) float32\nTEXT ·dot%s(SB), NOSPLIT, $0-28\n", suffix, suffix)
		p("MOVQ x+0(FP), DI")
		p("MOVQ y+8(FP), SI")
		p("MOVQ n+16(FP), CX")
	} else {
		fmt.Fprintf(w, "\n// func sum%s(x *float32, n int) float32\nTEXT ·sum%s(SB), NOSPLIT, $0-20\n", suffix, suffix)
		p("MOVQ x+0(FP), DI")
		p("MOVQ n+8(FP), CX")
	}
	vb := 4 * is.lanes // bytes per vector
	// acc adds the vector at off (under the tail mask when masked) into
	// accumulator reg.
	acc := func(off, reg int, masked bool) {
		switch {
		case dot && masked:
			p("%s", is.load(fmt.Sprintf("%d(DI)", off), r(4), true))
			p("%s", is.load(fmt.Sprintf("%d(SI)", off), r(5), true))
			p("VFMADD231PS %s, %s, %s", r(5), r(4), r(reg))
		case dot:
			p("VMOVUPS %d(DI), %s", off, r(4))
			p("VFMADD231PS %d(SI), %s, %s", off, r(4), r(reg))
		case masked:
			p("%s", is.load(fmt.Sprintf("%d(DI)", off), r(4), true))
			p("VADDPS %s, %s, %s", r(4), r(reg), r(reg))
		default:
			p("VADDPS %d(DI), %s, %s", off, r(reg), r(reg))
		}
	}
	advance := func(bytes int) {
		p("ADDQ $%d, DI", bytes)
		if dot {
			p("ADDQ $%d, SI", bytes)
		}
	}
	zero := "VXORPS" // VXORPS on zmm would need AVX512DQ
	if is.reg == "Z" {
		zero = "VPXORD"
	}
	for i := 0; i < 4; i++ {
		p("%s %s, %s, %s", zero, r(i), r(i), r(i))
	}
	fmt.Fprintf(w, "loop4:\n")
	p("CMPQ CX, $%d", 4*is.lanes)
	p("JL loop1")
	for i := 0; i < 4; i++ {
		acc(vb*i, i, false)
	}
	advance(4 * vb)
	p("SUBQ $%d, CX", 4*is.lanes)
	p("JMP loop4")
	fmt.Fprintf(w, "loop1:\n")
	p("CMPQ CX, $%d", is.lanes)
	p("JL tail")
	acc(0, 0, false)
	advance(vb)
	p("SUBQ $%d, CX", is.lanes)
	p("JMP loop1")
	fmt.Fprintf(w, "tail:\n")
	p("TESTQ CX, CX")
	p("JZ reduce")
	is.tailMask(p)
	acc(0, 1, true)
	fmt.Fprintf(w, "reduce:\n")
	p("VADDPS %s, %s, %s", r(1), r(0), r(0))
	p("VADDPS %s, %s, %s", r(3), r(2), r(2))
	p("VADDPS %s, %s, %s", r(2), r(0), r(0))
	if is.reg == "Z" {
		p("VEXTRACTF64X4 $1, Z0, Y1")
		p("VADDPS Y1, Y0, Y0")
	}
	if dot {
		reduceY0(p, 24)
	} else {
		reduceY0(p, 16)
	}
	p("VZEROUPPER")
	p("RET")
}

// writeMinMax writes minMax{suffix}(x *float32, n int, out *float32): for
// n a positive multiple of two vectors, the lane-wise minima of x into
// out[0:lanes], the maxima into out[lanes:2·lanes] and the sums of x·0
// into out[2·lanes:3·lanes], which are 0 unless x holds a NaN or an
// infinity. Two vectors a round, each into its own accumulators.
func writeMinMax(w *bytes.Buffer, is isa, suffix string) {
	p := func(format string, args ...any) { fmt.Fprintf(w, "\t"+format+"\n", args...) }
	r := func(i int) string { return fmt.Sprintf("%s%d", is.reg, i) }
	vb := 4 * is.lanes
	fmt.Fprintf(w, "\n// func minMax%s(x *float32, n int, out *float32)\nTEXT ·minMax%s(SB), NOSPLIT, $0-24\n", suffix, suffix)
	p("MOVQ x+0(FP), DI")
	p("MOVQ n+8(FP), CX")
	p("MOVQ out+16(FP), DX")
	zero := "VXORPS" // VXORPS on zmm would need AVX512DQ
	if is.reg == "Z" {
		zero = "VPXORD"
	}
	p("%s %s, %s, %s", zero, r(8), r(8), r(8))
	// The first two vectors start the minima, maxima and sums.
	p("VMOVUPS (DI), %s", r(0))
	p("VMOVUPS %d(DI), %s", vb, r(1))
	p("VMOVAPS %s, %s", r(0), r(2))
	p("VMOVAPS %s, %s", r(1), r(3))
	p("VMULPS %s, %s, %s", r(8), r(0), r(4))
	p("VMULPS %s, %s, %s", r(8), r(1), r(5))
	p("ADDQ $%d, DI", 2*vb)
	p("SUBQ $%d, CX", 2*is.lanes)
	fmt.Fprintf(w, "loop:\n")
	p("CMPQ CX, $%d", 2*is.lanes)
	p("JL done")
	p("VMOVUPS (DI), %s", r(6))
	p("VMOVUPS %d(DI), %s", vb, r(7))
	p("VMINPS %s, %s, %s", r(6), r(0), r(0))
	p("VMINPS %s, %s, %s", r(7), r(1), r(1))
	p("VMAXPS %s, %s, %s", r(6), r(2), r(2))
	p("VMAXPS %s, %s, %s", r(7), r(3), r(3))
	p("VMULPS %s, %s, %s", r(8), r(6), r(6))
	p("VMULPS %s, %s, %s", r(8), r(7), r(7))
	p("VADDPS %s, %s, %s", r(6), r(4), r(4))
	p("VADDPS %s, %s, %s", r(7), r(5), r(5))
	p("ADDQ $%d, DI", 2*vb)
	p("SUBQ $%d, CX", 2*is.lanes)
	p("JMP loop")
	fmt.Fprintf(w, "done:\n")
	p("VMINPS %s, %s, %s", r(1), r(0), r(0))
	p("VMAXPS %s, %s, %s", r(3), r(2), r(2))
	p("VADDPS %s, %s, %s", r(5), r(4), r(4))
	p("VMOVUPS %s, (DX)", r(0))
	p("VMOVUPS %s, %d(DX)", r(2), vb)
	p("VMOVUPS %s, %d(DX)", r(4), 2*vb)
	p("VZEROUPPER")
	p("RET")
}

// writeElementwise returns the assembly and the Go declarations.
func writeElementwise() (asm, decl []byte) {
	var s, d bytes.Buffer
	fmt.Fprintf(&s, "// Code generated by nnops/internal/gen; DO NOT EDIT.\n\n//go:build amd64 && !purego\n\n#include \"textflag.h\"\n")
	fmt.Fprintf(&d, "// Code generated by nnops/internal/gen; DO NOT EDIT.\n\n//go:build amd64 && !purego\n\npackage nnops\n\n")
	decl1 := func(name, doc string) {
		fmt.Fprintf(&d, "// %s %s (AVX-512F).\n//\n//go:noescape\nfunc %s(x, y *float32, n int, slope float32)\n\n", name, doc, name)
	}
	for _, a := range activations {
		name := "bias" + a.name + "512"
		ewLoop(&s, avx512, name, "add", a.body)
		decl1(name, fmt.Sprintf("sets x[i] = %s(x[i] + y[i]) for i < n", a.name))
		if a.name == "Identity" {
			continue
		}
		name = "act" + a.name + "512"
		ewLoop(&s, avx512, name, "", a.body)
		decl1(name, fmt.Sprintf("sets x[i] = %s(x[i]) for i < n; y is unused", a.name))
	}
	for _, a := range []struct {
		name, doc string
		body      ewBody
	}{
		{"addScalar512", "adds slope to x[i] for i < n; y is unused", func(p func(string, ...any)) { p("VADDPS Z31, Z0, Z0") }},
		{"scale512", "multiplies x[i] by slope for i < n; y is unused", func(p func(string, ...any)) { p("VMULPS Z31, Z0, Z0") }},
	} {
		ewLoop(&s, avx512, a.name, "", a.body)
		decl1(a.name, a.doc)
	}
	ewLoop(&s, avx512, "axpy512", "load", func(p func(string, ...any)) { p("VFMADD231PS Z31, Z7, Z0") })
	decl1("axpy512", "sets x[i] += slope·y[i] for i < n, with one rounding (FMA)")
	writeStride2(&s, false)
	writeStride2(&s, true)
	fmt.Fprintf(&d, "// gather2x512 sets dst[r·ldd+i] = src[r·lds+2i] for r < rows, i < n; tail\n// holds the lane masks of the last n mod 16 values (AVX-512F).\n//\n//go:noescape\nfunc gather2x512(dst *float32, ldd int, src *float32, lds, rows, n int, tail uint32)\n\n")
	fmt.Fprintf(&d, "// scatterAdd2x512 adds src[r·lds+i] to dst[r·ldd+2i] for r < rows, i < n;\n// tail as for gather2x512 (AVX-512F).\n//\n//go:noescape\nfunc scatterAdd2x512(dst *float32, ldd int, src *float32, lds, rows, n int, tail uint32)\n\n")
	fmt.Fprintf(&s, "\n// func spinPause()\nTEXT ·spinPause(SB), NOSPLIT, $0-0\n\tPAUSE\n\tRET\n")
	fmt.Fprintf(&d, "// spinPause executes one PAUSE: a waiting loop that calls it leaves the\n// core's execution units to a sibling hardware thread.\n//\n//go:noescape\nfunc spinPause()\n\n")
	writeCopyRows(&s)
	fmt.Fprintf(&d, "// copyRows512 sets dst[r·ldd+i] = src[r·lds+i] for r < rows, i < n; tail\n// is the lane mask of the last n mod 16 values (AVX-512F).\n//\n//go:noescape\nfunc copyRows512(dst *float32, ldd int, src *float32, lds, rows, n int, tail uint16)\n\n")
	writeTranspose(&s)
	fmt.Fprintf(&d, "// transpose16x512 sets dst[p·ldd+r] = src[r·lds+p] for r < 16, p < n\n// (AVX-512F).\n//\n//go:noescape\nfunc transpose16x512(dst *float32, ldd int, src *float32, lds, n int)\n\n")
	writeAxpy4(&s)
	fmt.Fprintf(&d, "// axpy4x512 sets x[i] += a[0]·y[i] + a[1]·y[ldy+i] + a[2]·y[2ldy+i] +\n// a[3]·y[3ldy+i] for i < n, as four fused multiply-adds in that order;\n// n must be a multiple of 16 (AVX-512F).\n//\n//go:noescape\nfunc axpy4x512(x, y *float32, ldy, n int, a *float32)\n\n")
	writeAdam(&s, false)
	fmt.Fprintf(&d, "// adam512 is the one-pass Adam(W) update of n weights (AVX-512F).\n//\n//go:noescape\nfunc adam512(w, grad, m, v *float32, n int, h *adamParams)\n\n")
	writeAdam(&s, true)
	fmt.Fprintf(&d, "// adamNT512 is adam512 writing the weights' full vectors with non-temporal\n// stores; w must be 64-byte aligned (AVX-512F).\n//\n//go:noescape\nfunc adamNT512(w, grad, m, v *float32, n int, h *adamParams)\n\n")
	writeSum(&s, avx512, "512", false)
	writeSum(&s, avx512, "512", true)
	fmt.Fprintf(&d, "// dot512 returns the dot product of x[:n] and y[:n] in a fixed order (AVX-512F).\n//\n//go:noescape\nfunc dot512(x, y *float32, n int) float32\n\n")
	fmt.Fprintf(&d, "// sum512 returns the sum of x[:n] in a fixed order (AVX-512F).\n//\n//go:noescape\nfunc sum512(x *float32, n int) float32\n\n")
	writeMinMax(&s, avx512, "512")
	fmt.Fprintf(&d, "// minMax512 writes the lane-wise minima, maxima and sums of x·0 of x[:n],\n// n a positive multiple of 32, into out[0:16], out[16:32] and out[32:48]\n// (AVX-512F).\n//\n//go:noescape\nfunc minMax512(x *float32, n int, out *float32)\n\n")
	for _, a := range derivatives {
		name := "grad" + a.name + "512"
		ewLoop(&s, avx512, name, "load", a.body)
		decl1(name, fmt.Sprintf("multiplies x[i] by the %s derivative at output y[i]", a.name))
	}
	writeElementwise256(&s, &d)
	writeBCE(&s, &d)
	writeMSE(&s, &d)
	return s.Bytes(), d.Bytes()
}

// writeAxpy4 writes axpy4x512: four rows of y added into x in one pass, so
// x is loaded and stored once per four rows. n must be a multiple of 16
// (the tail code vecLoop emits is then never reached; its loads of rows 1-3
// are not masked).
func writeAxpy4(w *bytes.Buffer) {
	header := "// func axpy4x512(x, y *float32, ldy, n int, a *float32)\nTEXT ·axpy4x512(SB), NOSPLIT, $0-40\n"
	args := []string{"MOVQ x+0(FP), DI", "MOVQ y+8(FP), SI", "MOVQ ldy+16(FP), R10", "SHLQ $2, R10",
		"MOVQ n+24(FP), CX", "MOVQ a+32(FP), DX",
		"VBROADCASTSS 0(DX), Z8", "VBROADCASTSS 4(DX), Z9", "VBROADCASTSS 8(DX), Z10", "VBROADCASTSS 12(DX), Z11",
		"LEAQ (SI)(R10*2), R11"}
	// Rows: SI, SI+ldy, R11 = SI+2ldy, R11+ldy; all advance with SI.
	streams := []stream{{"DI", 0, true, false, false}, {"SI", 1, false, false, false}}
	vecLoop(w, avx512, header, args, streams, func(p func(string, ...any)) {
		p("VFMADD231PS Z8, Z1, Z0")
		p("VFMADD231PS (SI)(R10*1), Z9, Z0")
		p("VFMADD231PS (R11), Z10, Z0")
		p("VFMADD231PS (R11)(R10*1), Z11, Z0")
		p("ADDQ $64, R11")
	})
}

// nextRow ends the row loop of the row-copying kernels (loadRowArgs's
// registers): the label next steps both pointers to their next row and
// loops back to row while rows are left; done returns.
func nextRow(w *bytes.Buffer) {
	p := func(format string, args ...any) { fmt.Fprintf(w, "\t"+format+"\n", args...) }
	fmt.Fprintf(w, "next:\n")
	p("ADDQ R8, DI")
	p("ADDQ R9, SI")
	p("DECQ CX")
	p("JNZ row")
	fmt.Fprintf(w, "done:\n")
	p("VZEROUPPER")
	p("RET")
}

// loadRowArgs loads the arguments (dst, ldd, src, lds, rows, n) that the
// row-copying kernels share: DI and SI the pointers, R8 and R9 the strides
// in bytes, CX the rows and DX the values per row.
func loadRowArgs(p func(format string, args ...any)) {
	loadStrides(p)
	p("MOVQ rows+32(FP), CX")
	p("MOVQ n+40(FP), DX")
}

// loadStrides loads the leading arguments (dst, ldd, src, lds) of the
// strided kernels: DI and SI the pointers, R8 and R9 the strides in bytes.
func loadStrides(p func(format string, args ...any)) {
	p("MOVQ dst+0(FP), DI")
	p("MOVQ ldd+8(FP), R8")
	p("SHLQ $2, R8")
	p("MOVQ src+16(FP), SI")
	p("MOVQ lds+24(FP), R9")
	p("SHLQ $2, R9")
}
