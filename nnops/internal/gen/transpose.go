package main

import (
	"bytes"
	"fmt"
)

// writeTranspose writes transpose16x512: dst[p·ldd+r] = src[r·lds+p] for
// the 16 rows r of src and p < n, the packing of a transposed B panel.
// Each 16×16 block is loaded as 16 rows, transposed in registers in three
// stages (32-bit and 64-bit interleaves within 128-bit lanes, then two
// rounds of 128-bit lane shuffles: 64 shuffles for 256 values) and stored
// as 16 rows; the last n mod 16 columns are loaded under a lane mask and
// only their rows stored. A scalar copy of the same block takes a store
// per value, each to another cache line.
func writeTranspose(w *bytes.Buffer) {
	p := func(format string, args ...any) { fmt.Fprintf(w, "\t"+format+"\n", args...) }
	z := func(i int) string { return fmt.Sprintf("Z%d", i) }
	fmt.Fprintf(w, "\n// func transpose16x512(dst *float32, ldd int, src *float32, lds, n int)\n")
	fmt.Fprintf(w, "TEXT ·transpose16x512(SB), NOSPLIT, $0-40\n")
	loadTransposeArgs(p)
	// Source rows 4q..4q+3 are at base q plus 0, 1, 2 and 3 strides (R12
	// holds three); the same for the destination rows with R13.
	srcBase := []string{"SI", "R10", "R11", "BX"}
	dstBase := []string{"DI", "DX", "AX", "R14"}
	bases := func(b []string, stride string) {
		for q := 1; q < 4; q++ {
			p("LEAQ (%s)(%s*4), %s", b[q-1], stride, b[q])
		}
	}
	bases(srcBase, "R9")
	bases(dstBase, "R8")
	transpose := func() {
		interleaveInLanes(p, "Z", 16)
		// Z(4g+q) now holds, in lane L, column 4L+q of rows 4g..4g+3:
		// transpose the 4×4 grid of lanes of Z(q), Z(4+q), Z(8+q), Z(12+q).
		for q := 0; q < 4; q++ {
			d := 16 + 4*q
			p("VSHUFF32X4 $0x44, %s, %s, %s", z(4+q), z(q), z(d))
			p("VSHUFF32X4 $0xEE, %s, %s, %s", z(4+q), z(q), z(d+1))
			p("VSHUFF32X4 $0x44, %s, %s, %s", z(12+q), z(8+q), z(d+2))
			p("VSHUFF32X4 $0xEE, %s, %s, %s", z(12+q), z(8+q), z(d+3))
		}
		for q := 0; q < 4; q++ { // column j = 4L+q lands in Z(j)
			d := 16 + 4*q
			p("VSHUFF32X4 $0x88, %s, %s, %s", z(d+2), z(d), z(q))
			p("VSHUFF32X4 $0xDD, %s, %s, %s", z(d+2), z(d), z(4+q))
			p("VSHUFF32X4 $0x88, %s, %s, %s", z(d+3), z(d+1), z(8+q))
			p("VSHUFF32X4 $0xDD, %s, %s, %s", z(d+3), z(d+1), z(12+q))
		}
	}
	fmt.Fprintf(w, "loop:\n")
	p("CMPQ CX, $16")
	p("JL tail")
	loadTransposed := func(load string) { // 16 rows in, 16 columns out
		for r := 0; r < 16; r++ {
			p(load, stridedRow(srcBase, "R12", "R9", r), z(r))
		}
		transpose()
	}
	loadTransposed("VMOVUPS %s, %s")
	for r := 0; r < 16; r++ {
		p("VMOVUPS %s, %s", z(r), stridedRow(dstBase, "R13", "R8", r))
	}
	for _, b := range srcBase {
		p("ADDQ $64, %s", b)
	}
	p("LEAQ (%s)(R8*4), DI", dstBase[3])
	bases(dstBase, "R8")
	p("SUBQ $16, CX")
	p("JMP loop")
	fmt.Fprintf(w, "tail:\n")
	p("TESTQ CX, CX")
	p("JZ done")
	p("MOVL $1, R9")
	p("SHLL CX, R9")
	p("DECL R9")
	p("KMOVW R9, K1")
	p("MOVQ lds+24(FP), R9") // the stride again
	p("SHLQ $2, R9")
	loadTransposed("VMOVUPS.Z %s, K1, %s")
	for r := 0; r < 15; r++ {
		p("VMOVUPS %s, %s", z(r), stridedRow(dstBase, "R13", "R8", r))
		p("CMPQ CX, $%d", r+2)
		p("JL done")
	}
	fmt.Fprintf(w, "done:\n")
	p("VZEROUPPER")
	p("RET")
}

// writeTranspose8 writes transpose8x256, the AVX2 form of transpose16x512
// for the 8 rows of src and the first n&^7 values of each (the caller
// copies the rest): each 8×8 block is transposed with 32-bit and 64-bit
// interleaves within 128-bit lanes and one lane permute per output row.
func writeTranspose8(w *bytes.Buffer) {
	p := func(format string, args ...any) { fmt.Fprintf(w, "\t"+format+"\n", args...) }
	y := func(i int) string { return fmt.Sprintf("Y%d", i) }
	fmt.Fprintf(w, "\n// func transpose8x256(dst *float32, ldd int, src *float32, lds, n int)\n")
	fmt.Fprintf(w, "TEXT ·transpose8x256(SB), NOSPLIT, $0-40\n")
	loadTransposeArgs(p)
	srcBase, dstBase := []string{"SI", "R10"}, []string{"DI", "DX"}
	p("LEAQ (SI)(R9*4), R10") // source rows 4..7
	p("LEAQ (DI)(R8*4), DX")  // destination rows 4..7
	fmt.Fprintf(w, "loop:\n")
	p("CMPQ CX, $8")
	p("JL done")
	for r := 0; r < 8; r++ {
		p("VMOVUPS %s, %s", stridedRow(srcBase, "R12", "R9", r), y(r))
	}
	interleaveInLanes(p, "Y", 8)
	for q := 0; q < 4; q++ { // columns q and 4+q: rows 0..3 from Y(q), 4..7 from Y(4+q)
		p("VPERM2F128 $0x20, %s, %s, %s", y(4+q), y(q), y(8+q))
		p("VPERM2F128 $0x31, %s, %s, %s", y(4+q), y(q), y(12+q))
	}
	for r := 0; r < 8; r++ {
		p("VMOVUPS %s, %s", y(8+r), stridedRow(dstBase, "R13", "R8", r))
	}
	p("ADDQ $32, SI")
	p("ADDQ $32, R10")
	p("LEAQ (DX)(R8*4), DI")
	p("LEAQ (DI)(R8*4), DX")
	p("SUBQ $8, CX")
	p("JMP loop")
	fmt.Fprintf(w, "done:\n")
	p("VZEROUPPER")
	p("RET")
}

// loadTransposeArgs loads the arguments (dst, ldd, src, lds, n) of the
// transposes: DI and SI the pointers, R8 and R9 the strides in bytes, R13
// and R12 three strides, CX the values per row.
func loadTransposeArgs(p func(format string, args ...any)) {
	loadStrides(p)
	p("MOVQ n+32(FP), CX")
	p("LEAQ (R9)(R9*2), R12")
	p("LEAQ (R8)(R8*2), R13")
}

// stridedRow is the address of row r of a matrix whose rows 4q..4q+3 lie
// at bases[q] plus 0, 1, 2 and 3 strides (three holds 3·stride).
func stridedRow(bases []string, three, stride string, r int) string {
	base := bases[r/4]
	switch r % 4 {
	case 0:
		return "(" + base + ")"
	case 3:
		return fmt.Sprintf("(%s)(%s*1)", base, three)
	default:
		return fmt.Sprintf("(%s)(%s*%d)", base, stride, r%4)
	}
}

// interleaveInLanes is the first half of a register transpose of rows
// rows held in reg0..reg(rows−1): 32-bit interleaves of row pairs into
// reg(rows)..reg(2·rows−1), then 64-bit interleaves back into reg0.., after
// which reg(4g+q) holds, in 128-bit lane L, column 4L+q of rows 4g..4g+3.
func interleaveInLanes(p func(format string, args ...any), reg string, rows int) {
	r := func(i int) string { return fmt.Sprintf("%s%d", reg, i) }
	for i := 0; i < rows; i += 2 {
		p("VUNPCKLPS %s, %s, %s", r(i+1), r(i), r(rows+i))
		p("VUNPCKHPS %s, %s, %s", r(i+1), r(i), r(rows+1+i))
	}
	for i := 0; i < rows; i += 4 {
		p("VUNPCKLPD %s, %s, %s", r(rows+2+i), r(rows+i), r(i))
		p("VUNPCKHPD %s, %s, %s", r(rows+2+i), r(rows+i), r(i+1))
		p("VUNPCKLPD %s, %s, %s", r(rows+3+i), r(rows+1+i), r(i+2))
		p("VUNPCKHPD %s, %s, %s", r(rows+3+i), r(rows+1+i), r(i+3))
	}
}
