package ae

import (
	"testing"

	"github.com/latent-ai/latent/runtime/data"
)

// benchSet returns Fashion-MNIST's training set (or the built-in subset).
func benchSet(b *testing.B) *data.Set {
	b.Helper()
	data.SetNoticeWriter(nil)
	train, _ := data.FashionMNIST()
	return train
}

func benchFit(b *testing.B, mk func() *Model) {
	train := benchSet(b)
	m := mk()
	m.Fit(train.Take(2560), Epochs(1), Batch(256), Quiet()) // warm up buffers
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.Fit(train, Epochs(1), Batch(256), Quiet())
	}
	b.ReportMetric(float64(train.N*b.N)/b.Elapsed().Seconds(), "samples/s")
}

// BenchmarkFitDense is one epoch of the 784-256-64-256-784 model, batch 256.
func BenchmarkFitDense(b *testing.B) { benchFit(b, func() *Model { return Dense(784, 256, 64) }) }

// BenchmarkFitVAE is one epoch of the 784-400-20 VAE, batch 256.
func BenchmarkFitVAE(b *testing.B) { benchFit(b, func() *Model { return Variational(784, 400, 20) }) }

// BenchmarkFitConv is one epoch of the reference conv autoencoder.
func BenchmarkFitConv(b *testing.B) { benchFit(b, func() *Model { return Convolutional(1, 28, 28) }) }

// BenchmarkEncodeDecode1 is the latency of encoding and decoding one image.
func BenchmarkEncodeDecode1(b *testing.B) {
	train := benchSet(b)
	m := Dense(784, 256, 64)
	x := train.Row(0)
	out := make([]float32, 784)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.ReconstructInto(out, x)
	}
}

func benchSetT(t *testing.T) *data.Set {
	data.SetNoticeWriter(nil)
	train, _ := data.FashionMNIST()
	return train
}
