package nnops

import (
	"fmt"
	"testing"
)

// TestAdamNoAlloc: the optimizer step runs once per parameter tensor per
// batch, so it must not allocate.
func TestAdamNoAlloc(t *testing.T) {
	w, g, m, v := make([]float32, 1000), make([]float32, 1000), make([]float32, 1000), make([]float32, 1000)
	if n := testing.AllocsPerRun(100, func() { Adam(w, g, m, v, 1e-3, 0.9, 0.999, 1e-8, 0, 1) }); n != 0 {
		t.Fatalf("Adam allocates %v times per call, want 0", n)
	}
}

// TestAdamParallel: a large update split over the pool equals the serial
// one bit for bit and allocates nothing.
func TestAdamParallel(t *testing.T) {
	r := NewRNG(2)
	n := 3*maxAdamBlock + 77
	w, g, m, v := randSlice(r, n), randSlice(r, n), randSlice(r, n), randSlice(r, n)
	for i := range v {
		v[i] *= v[i]
	}
	w2, m2, v2 := append([]float32(nil), w...), append([]float32(nil), m...), append([]float32(nil), v...)
	Adam(w, g, m, v, 1e-3, 0.9, 0.999, 1e-8, 0.01, 3)
	h := newAdamParams(1e-3, 0.9, 0.999, 1e-8, 0.01, 3)
	adamStep(w2, g, m2, v2, &h)
	for i := range w {
		if w[i] != w2[i] || m[i] != m2[i] || v[i] != v2[i] {
			t.Fatalf("weight %d: parallel %g %g %g, serial %g %g %g", i, w[i], m[i], v[i], w2[i], m2[i], v2[i])
		}
	}
	if a := testing.AllocsPerRun(20, func() { Adam(w, g, m, v, 1e-3, 0.9, 0.999, 1e-8, 0, 1) }); a != 0 {
		t.Fatalf("parallel Adam allocates %v times per call, want 0", a)
	}
}

// TestAdamTensors: one region over several tensors (small ones beside
// large ones split into blocks) equals Adam on each, bit for bit, and
// allocates nothing.
func TestAdamTensors(t *testing.T) {
	r := NewRNG(4)
	sizes := []int{2*maxAdamBlock + 5, 300, maxAdamBlock, 1, 4 * maxAdamBlock}
	for _, sim := range []int{0, 16} { // 16 threads: smaller blocks
		t.Run(fmt.Sprint("simulated threads ", sim), func(t *testing.T) {
			Simulate(sim)
			defer Simulate(0)
			checkAdamTensors(t, r, sizes)
		})
	}
}

func checkAdamTensors(t *testing.T, r *RNG, sizes []int) {
	var ws, gs, ms, vs, want [][]float32
	for _, n := range sizes {
		w, m, v := randSlice(r, n), randSlice(r, n), randSlice(r, n)
		for i := range v {
			v[i] *= v[i]
		}
		ws, gs, ms, vs = append(ws, w), append(gs, randSlice(r, n)), append(ms, m), append(vs, v)
		want = append(want, append([]float32(nil), w...), append([]float32(nil), m...), append([]float32(nil), v...))
	}
	for i := range sizes {
		Adam(want[3*i], gs[i], want[3*i+1], want[3*i+2], 1e-3, 0.9, 0.999, 1e-8, 0.01, 2)
	}
	AdamTensors(ws, gs, ms, vs, 1e-3, 0.9, 0.999, 1e-8, 0.01, 2)
	for i := range sizes {
		for j, got := range [][]float32{ws[i], ms[i], vs[i]} {
			for k := range got {
				if got[k] != want[3*i+j][k] {
					t.Fatalf("tensor %d, array %d, element %d: %g, want %g", i, j, k, got[k], want[3*i+j][k])
				}
			}
		}
	}
	if simThreads() > 0 {
		return // the simulation's bookkeeping allocates
	}
	if a := testing.AllocsPerRun(20, func() { AdamTensors(ws, gs, ms, vs, 1e-3, 0.9, 0.999, 1e-8, 0, 1) }); a != 0 {
		t.Fatalf("AdamTensors allocates %v times per call, want 0", a)
	}
}
