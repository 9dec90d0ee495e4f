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
