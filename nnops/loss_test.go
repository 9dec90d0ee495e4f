package nnops

import (
	"math"
	"testing"
)

// TestBCELogits compares the vector kernels on every level this CPU has
// with a float64 reference written with the math package, on logits from
// −100 to 100 (both tails of the sigmoid), odd lengths (masked tails) and
// NaN.
func TestBCELogits(t *testing.T) {
	defer func(l int) { ewLevel = l }(ewLevel)
	r := NewRNG(5)
	for _, level := range availableLevels() {
		ewLevel = level
		for _, n := range []int{0, 1, 7, 15, 16, 17, 255, 256, 1000} {
			z, tg, g := make([]float32, n), make([]float32, n), make([]float32, n)
			for i := range z {
				z[i] = (r.Float32()*2 - 1) * []float32{1, 10, 100}[i%3]
				tg[i] = r.Float32()
			}
			loss, ok := BCELogits(g, z, tg, 0.5)
			if level == levelGo {
				if ok {
					t.Fatalf("portable level claims a kernel")
				}
				continue
			}
			if !ok {
				t.Fatalf("level %d: no kernel", level)
			}
			var want float64
			for i, zv := range z {
				z64, t64 := float64(zv), float64(tg[i])
				e := math.Exp(-math.Abs(z64))
				want += math.Max(z64, 0) - z64*t64 + math.Log1p(e)
				sig := 1 / (1 + e)
				if z64 < 0 {
					sig = e / (1 + e)
				}
				if gw := 0.5 * (sig - t64); math.Abs(float64(g[i])-gw) > 1e-6 {
					t.Fatalf("level %d n=%d: grad[%d] = %g, want %g (z=%g t=%g)", level, n, i, g[i], gw, zv, tg[i])
				}
			}
			if math.Abs(loss-want) > 1e-5*(1+math.Abs(want)) {
				t.Fatalf("level %d n=%d: loss %g, want %g", level, n, loss, want)
			}
		}
		if level == levelGo {
			continue
		}
		z := []float32{1, float32(math.NaN()), 2}
		g := make([]float32, 3)
		if loss, _ := BCELogits(g, z, []float32{0, 0, 0}, 1); !math.IsNaN(loss) || !math.IsNaN(float64(g[1])) {
			t.Fatalf("level %d: NaN logit gave loss %g, grad %v", level, loss, g)
		}
	}
}

// TestSquaredError compares the vector kernels on every level this CPU has
// with a float64 reference, on odd lengths (masked tails), lengths across
// blocks, and NaN.
func TestSquaredError(t *testing.T) {
	defer func(l int) { ewLevel = l }(ewLevel)
	r := NewRNG(6)
	for _, level := range availableLevels() {
		ewLevel = level
		for _, n := range []int{0, 1, 7, 15, 16, 17, 1023, 1024, 1025, 5000} {
			x, tg, g := randSlice(r, n), randSlice(r, n), make([]float32, n)
			loss, ok := SquaredError(g, x, tg, 0.25)
			if ok != (level != levelGo) {
				t.Fatalf("level %d: kernel %v", level, ok)
			}
			if !ok {
				continue
			}
			var want float64
			for i := range x {
				d := float64(x[i]) - float64(tg[i])
				want += d * d
				if gw := 0.25 * float32(x[i]-tg[i]); g[i] != gw {
					t.Fatalf("level %d n=%d: grad[%d] = %g, want %g", level, n, i, g[i], gw)
				}
			}
			if math.Abs(loss-want) > 1e-5*(1+want) {
				t.Fatalf("level %d n=%d: loss %g, want %g", level, n, loss, want)
			}
		}
		if level == levelGo {
			continue
		}
		g := make([]float32, 3)
		if loss, _ := SquaredError(g, []float32{1, float32(math.NaN()), 2}, []float32{0, 0, 0}, 1); !math.IsNaN(loss) || !math.IsNaN(float64(g[1])) {
			t.Fatalf("level %d: NaN prediction gave loss %g, grad %v", level, loss, g)
		}
	}
}

// TestLossGradientOnlyWritten checks that the loss kernels only write the
// gradient (they no longer load it first): with the gradient's memory
// full of NaN beforehand, loss and gradient are those of a zeroed one bit
// for bit, and nothing past it is touched, for lengths within one block
// and across blocks.
func TestLossGradientOnlyWritten(t *testing.T) {
	losses := []struct {
		name string
		fn   func(grad, x, t []float32, scale float32) (float64, bool)
	}{
		{"SquaredError", SquaredError},
		{"BCELogits", BCELogits},
	}
	withKernels(t, func(t *testing.T) {
		r := NewRNG(18)
		for _, l := range losses {
			for _, n := range []int{1, 17, 255, 256, 257, 1023, 1024, 1025, 3000} {
				x, tg := randSlice(r, n), randSlice(r, n)
				want := make([]float32, n)
				buf := make([]float32, n+16)
				for i := range buf {
					buf[i] = float32(math.NaN())
				}
				got := buf[:n]
				lw, okw := l.fn(want, x, tg, 0.5)
				lg, okg := l.fn(got, x, tg, 0.5)
				if okw != okg || math.Float64bits(lw) != math.Float64bits(lg) {
					t.Fatalf("%s n=%d: loss %g (%v), want %g (%v)", l.name, n, lg, okg, lw, okw)
				}
				if !okw {
					continue
				}
				for i := range n {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%s n=%d: grad[%d] = %g, want %g", l.name, n, i, got[i], want[i])
					}
				}
				for i := n; i < len(buf); i++ {
					if !math.IsNaN(float64(buf[i])) {
						t.Fatalf("%s n=%d: wrote past the gradient at %d", l.name, n, i)
					}
				}
			}
		}
	})
}
