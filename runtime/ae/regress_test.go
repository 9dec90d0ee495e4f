package ae

import (
	"strings"
	"testing"

	"github.com/latent-ai/latent/runtime/nn"
)

// lastAct returns the activation of the model's last decoder layer.
func lastAct(m *Model) nn.Activation {
	return m.dec.Layers[len(m.dec.Layers)-1].Spec().Act
}

// wantPanic runs f and fails unless it panics with an *Error containing want.
func wantPanic(t *testing.T, name, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		e, ok := r.(*Error)
		if !ok || !strings.Contains(e.Error(), want) {
			t.Errorf("%s: panic %v, want an *Error containing %q", name, r, want)
		}
	}()
	f()
}

// TestConvBCEGivesLogits checks that the convolutional models follow the
// dense ones under BCE: the last layer gives logits (a sigmoid on top of a
// sigmoid kept every reconstruction in (0.5, 0.74)), and another loss
// brings the sigmoid back; a custom decoder ending in a sigmoid is refused.
func TestConvBCEGivesLogits(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    *Model
		want nn.Activation
	}{
		{"conv", Convolutional(1, 8, 8), nn.Sigmoid},
		{"conv bce", Convolutional(1, 8, 8).WithLoss(BCE), nn.Identity},
		{"conv bce then mse", Convolutional(1, 8, 8).WithLoss(BCE).WithLoss(MSE), nn.Sigmoid},
		{"conv vae", ConvVariational(1, 8, 8, 2), nn.Identity},
		{"conv vae mse", ConvVariational(1, 8, 8, 2).WithLoss(MSE), nn.Sigmoid},
		{"dense bce", Dense(64, 8).WithLoss(BCE), nn.Identity},
		{"vae mse", Variational(64, 8, 2).WithLoss(MSE), nn.Sigmoid},
	} {
		if got := lastAct(tc.m); got != tc.want {
			t.Errorf("%s: last layer %q, want %q", tc.name, got, tc.want)
		}
	}
	train := blobs("train", 128, 1, 8, 8, 1)
	m := Convolutional(1, 8, 8).WithLoss(BCE)
	m.Fit(train, Epochs(3), Batch(32), Quiet(), LR(3e-3))
	lo := float32(1)
	for _, v := range m.Reconstruct(train.Take(16)).Reconstructions.X {
		lo = min(lo, v)
	}
	if lo >= 0.5 {
		t.Errorf("conv BCE reconstructions all ≥ %v: a second sigmoid is applied", lo)
	}
	wantPanic(t, "custom sigmoid bce", "build that layer with nn.Identity", func() {
		FromLayers([]nn.Layer{nn.NewDense("e", 64, 8, nn.ReLU)}, []nn.Layer{nn.NewDense("d", 8, 64, nn.Sigmoid)}).WithLoss(BCE)
	})
}
