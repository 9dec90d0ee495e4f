package ae

import (
	"math"
	"testing"

	"github.com/latent-ai/latent/runtime/nn"
)

// TestModelGradients checks each model's whole training step (corruption,
// reparameterisation, penalties, loss and every layer's backward pass)
// against central finite differences of its loss, with the random draws
// fixed by re-seeding.
func TestModelGradients(t *testing.T) {
	x := blobs("x", 4, 1, 4, 4, 9)
	tests := []struct {
		name  string
		model func() *Model
	}{
		{"dense mse", func() *Model { return Dense(16, 6, 3) }},
		{"dense bce", func() *Model { return Dense(16, 5).WithLoss(BCE) }},
		{"sparse l1", func() *Model { return Sparse(16, 20).WithL1(1e-2) }},
		{"sparse kl", func() *Model { return Sparse(16, 6).WithKLSparsity(0.2, 0.5) }},
		{"denoising masking", func() *Model { return Denoising(16, 5).WithNoise("masking", 0.3) }},
		{"variational bce", func() *Model { return Variational(16, 8, 3) }},
		{"variational mse β=2", func() *Model { return Variational(16, 8, 3).WithLoss(MSE).WithBeta(2) }},
		{"conv", func() *Model { return Convolutional(1, 4, 4) }},
		{"conv variational", func() *Model { return ConvVariational(1, 4, 4, 2) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.model()
			// The seed fixes the draws, and with them where the ReLU
			// kinks fall. A conv bias feeds many units, and a few draws
			// (seed 42 with the per-piece ε streams) put several kinks
			// within the smallest step, which no finite difference
			// resolves; a single kink is handled below.
			loss := func() float64 {
				l, _ := m.step(x.X, x.N, nn.NewRNG(7))
				return l
			}
			loss()
			grads := make([][]float32, len(m.params))
			for i, p := range m.params {
				grads[i] = append([]float32(nil), p.G...)
			}
			rng := nn.NewRNG(7)
			for pi, p := range m.params {
				for k := 0; k < 6; k++ {
					j := rng.Intn(p.Len())
					a := float64(grads[pi][j])
					close := func(num float64) bool {
						return math.Abs(num-a) <= 3e-2*math.Max(1e-3, math.Max(math.Abs(a), math.Abs(num)))+1e-4
					}
					ok := false
					var num, lp, lm float64
					old := p.W[j]
					for _, h := range []float32{1e-2, 2.5e-3, 6e-4} {
						p.W[j] = old + h
						lp = loss()
						p.W[j] = old - h
						lm = loss()
						p.W[j] = old
						num = (lp - lm) / float64((old+h)-(old-h))
						if ok = close(num); ok {
							break
						}
					}
					if !ok {
						// A ReLU kink within the smallest step: the loss
						// is not differentiable there, and the gradient
						// must be the slope of one side.
						l0 := loss()
						fwd := (lp - l0) / float64((old+6e-4)-old)
						bwd := (l0 - lm) / float64(old-(old-6e-4))
						ok = !close(fwd) != !close(bwd)
						if ok {
							t.Logf("%s[%d]: gradient %.6g at a kink, one-sided slopes %.6g and %.6g", p.Name, j, a, bwd, fwd)
						}
					}
					if !ok {
						t.Errorf("%s[%d]: gradient %.6g, finite differences %.6g", p.Name, j, a, num)
					}
				}
			}
		})
	}
}
