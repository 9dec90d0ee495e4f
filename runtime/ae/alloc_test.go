package ae

import (
	"runtime"
	"testing"

	"github.com/latent-ai/latent/runtime/nn"
)

// TestStepAllocations checks that a training step does not allocate its
// batch buffers again once they have grown to the batch size: the bytes
// allocated per step stay far below the size of one batch.
func TestStepAllocations(t *testing.T) {
	const n = 256
	x := blobs("x", n, 1, 8, 8, 1)
	batch := n * 64 * 4 // bytes of one batch of inputs
	for _, m := range []*Model{Dense(64, 32, 8), Variational(64, 32, 4), Denoising(64, 16), Convolutional(1, 8, 8)} {
		m.Fit(x, Epochs(1), Batch(n), Quiet())
		rng := nn.NewRNG(1)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		const steps = 20
		for i := 0; i < steps; i++ {
			m.step(x.X, n, rng)
			m.opt.Step(m.params, 1)
		}
		runtime.ReadMemStats(&after)
		per := float64(after.TotalAlloc-before.TotalAlloc) / steps
		t.Logf("%s: %.0f bytes allocated per step (one batch is %d bytes)", m, per, batch)
		if per > float64(batch)/4 {
			t.Errorf("%s: %.0f bytes allocated per step; buffers are being reallocated", m, per)
		}
	}
}
