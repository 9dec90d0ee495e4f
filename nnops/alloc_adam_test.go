package nnops

import "testing"

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
	n := 3*adamBlock + 77
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
