package nn

import (
	"math"
	"runtime"
	"testing"
	"time"
)

// bceReference is BCEWithLogits written with math.Exp and math.Log1p: the
// reference the benchmark compares against.
func bceReference(logits, target, grad []float32, scale float64) float64 {
	var s float64
	for i, z := range logits {
		t := float64(target[i])
		e := math.Exp(-math.Abs(float64(z)))
		s += math.Max(float64(z), 0) - float64(z)*t + math.Log1p(e)
		sig := 1 / (1 + e)
		if z < 0 {
			sig = e / (1 + e)
		}
		grad[i] = float32(scale * (sig - t))
	}
	return s * scale
}

// BenchmarkBCEWithLogits measures the loss on one VAE batch (256×784) and
// reports its speed relative to the math-package reference measured in the
// same run (x_faster), single-threaded for both.
func BenchmarkBCEWithLogits(b *testing.B) {
	const n = 256 * 784
	z, t, g := randVec(n, -8, 8, 1), randVec(n, 0, 1, 2), make([]float32, n)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var ours, ref time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		BCEWithLogits(z, t, g, 1.0/256)
		ours += time.Since(t0)
		t0 = time.Now()
		bceReference(z, t, g, 1.0/256)
		ref += time.Since(t0)
	}
	b.ReportMetric(float64(ref)/float64(ours), "x_faster")
}
