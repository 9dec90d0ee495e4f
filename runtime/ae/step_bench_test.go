package ae

import (
	"testing"

	"github.com/latent-ai/latent/internal/hugemem"
	"github.com/latent-ai/latent/runtime/data"
	"github.com/latent-ai/latent/runtime/nn"
)

// BenchmarkTrainStep times one training step (forward, loss, backward and
// the Adam update) at batch 256 on random data, for the models of
// bench/runtime.sh, reporting samples/s. Compare threads in one run:
//
//	go test -run XXX -bench TrainStep -cpu 1,2 ./runtime/ae
func BenchmarkTrainStep(b *testing.B) {
	const batch = 256
	for _, c := range []struct {
		name  string
		model func() *Model
	}{
		{"dense", func() *Model { return Dense(784, 256, 64).WithCodeActivation(nn.ReLU) }},
		{"vae", func() *Model { return Variational(784, 400, 20) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			m := c.model().WithInit(nn.TorchDefault)
			r := nn.NewRNG(1)
			x := make([]float32, batch*784)
			for i := range x {
				x[i] = r.Float32()
			}
			opt := nn.Adam(1e-3)
			step := func() {
				m.step(x, batch, r)
				opt.Step(m.params, 1)
			}
			step() // buffers and moments allocated
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				step()
			}
			b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

// BenchmarkValueRange times the data check at the start of every Fit on a
// set of Fashion-MNIST's size (60,000×784):
//
//	go test -run XXX -bench ValueRange -cpu 1,2 ./runtime/ae
func BenchmarkValueRange(b *testing.B) {
	s := &data.Set{Name: "bench", N: 60000, D: 784, X: hugemem.Float32s(60000 * 784)}
	for i := range s.X {
		s.X[i] = float32(i%255) / 255
	}
	b.SetBytes(int64(4 * len(s.X)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := valueRange(s); err != nil {
			b.Fatal(err)
		}
	}
}
