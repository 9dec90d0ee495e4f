package plotting

import (
	"math"
	"testing"
	"time"

	"github.com/latent-ai/latent/runtime/host"
)

// Benchmarks of the figures a notebook draws most often. They print time
// per figure; there is no reference implementation to compare with here.

func BenchmarkLossPNG(b *testing.B) {
	f := Loss(decay(50, 0.1, 0.01, 0.1, 0.001), decay(50, 0.1, 0.012, 0.1, 0.001))
	for b.Loop() {
		if _, err := f.PNG(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLatent10kPNG(b *testing.B) {
	codes, labels := clusters(10000, 32)
	for b.Loop() {
		if _, err := Latent(codes, 32, labels, fashionNames).PNG(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReconstructionsPNG(b *testing.B) {
	orig := synthImages(10)
	rec := blur(orig)
	for b.Loop() {
		if _, err := Reconstructions(mnistShape, orig, nil, rec, 10).PNG(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLiveBatchReport is the cost the training loop pays per batch
// report that the rate limiter drops (the common case).
func BenchmarkLiveBatchReport(b *testing.B) {
	l := NewLiveProgress(nil, 0)
	p := host.Progress{Epoch: 1, Epochs: 10, Batch: 1, Batches: 100, ValLoss: math.NaN()}
	l.Report(p)
	for b.Loop() {
		l.Report(p)
	}
}

// BenchmarkLiveEpochReport is the cost of an epoch-end report that is shown
// (the rate limit is set out of the way), which redraws the loss plot.
func BenchmarkLiveEpochReport(b *testing.B) {
	l := NewLiveProgress(nil, time.Nanosecond)
	tr := decay(20, 0.1, 0.01, 0.1, 0.001)
	i := 0
	for b.Loop() {
		i++
		l.Report(host.Progress{Epoch: 20, Epochs: 20, EpochEnd: true, TrainHistory: tr[:1+i%20], ValHistory: tr[:1+i%20]})
	}
}
