package ae

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/latent-ai/latent/nnops"
	"github.com/latent-ai/latent/runtime/data"
	"github.com/latent-ai/latent/runtime/host"
	"github.com/latent-ai/latent/runtime/nn"
)

// blobs returns n synthetic c×h×w images in [0, 1]: each is a sum of two
// of four fixed smooth patterns with random weights, so the data has low
// intrinsic dimension and an autoencoder can learn it quickly. Labels are
// the index of the dominant pattern.
func blobs(name string, n, c, h, w int, seed uint64) *data.Set {
	d := c * h * w
	rng := nn.NewRNG(seed)
	pat := make([][]float32, 4)
	for k := range pat {
		pat[k] = make([]float32, d)
		for i := range pat[k] {
			y, x := (i/w)%h, i%w
			pat[k][i] = float32(0.5 + 0.5*math.Sin(float64(k+1)*float64(x)/float64(w)*3+float64(k)*float64(y)/float64(h)*2))
		}
	}
	s := &data.Set{Name: name, X: make([]float32, n*d), N: n, D: d, C: c, H: h, W: w, Labels: make([]int, n), ClassNames: []string{"a", "b", "c", "d"}}
	for i := 0; i < n; i++ {
		a, b := rng.Intn(4), rng.Intn(4)
		wa, wb := 0.5+0.5*rng.Float32(), 0.5*rng.Float32()
		for j := 0; j < d; j++ {
			s.X[i*d+j] = (wa*pat[a][j] + wb*pat[b][j]) / 1.5
		}
		s.Labels[i] = a
	}
	return s
}

// TestModelsLearn trains every model type briefly on synthetic images and
// checks that the loss falls and the results have the right shapes.
func TestModelsLearn(t *testing.T) {
	train, test := blobs("train", 512, 1, 8, 8, 1), blobs("test", 64, 1, 8, 8, 2)
	tests := []struct {
		name  string
		model func() *Model
		fall  float64 // final training loss must be below fall × first
	}{
		{"dense", func() *Model { return Dense(64, 32, 8) }, 0.6},
		{"dense bce", func() *Model { return Dense(64, 16).WithLoss(BCE) }, 0.95},
		{"dense mae", func() *Model { return Dense(64, 16).WithLoss(MAE) }, 0.8},
		{"sparse l1", func() *Model { return Sparse(64, 128) }, 0.8},
		{"sparse kl", func() *Model { return Sparse(64, 32).WithKLSparsity(0.1, 0.5) }, 0.9},
		{"denoising gaussian", func() *Model { return Denoising(64, 16) }, 0.8},
		{"denoising masking", func() *Model { return Denoising(64, 16).WithNoise("masking", 0.3) }, 0.8},
		{"denoising salt and pepper", func() *Model { return Denoising(64, 16).WithNoise("saltpepper", 0.1) }, 0.8},
		{"variational", func() *Model { return Variational(64, 32, 4) }, 0.95},
		{"convolutional", func() *Model { return Convolutional(1, 8, 8) }, 0.8},
		{"conv variational", func() *Model { return ConvVariational(1, 8, 8, 4) }, 0.95},
		{"conv denoising", func() *Model { return Convolutional(1, 8, 8).WithNoise("gaussian", 0.1) }, 0.8},
		{"conv sparse", func() *Model { return Convolutional(1, 8, 8).WithL1(1e-4) }, 0.8},
		{"custom layers with dropout", func() *Model {
			return FromLayers([]nn.Layer{nn.NewDense("e1", 64, 32, nn.Tanh), nn.NewNoise(nn.Flat(32), nn.NoiseDropout, 0.1, 1), nn.NewDense("e2", 32, 8, nn.LeakyReLU)},
				[]nn.Layer{nn.NewDense("d1", 8, 64, nn.Sigmoid)})
		}, 0.8},
		{"custom decoder", func() *Model { return Dense(64, 8).WithDecoder(32, 64) }, 0.6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.model()
			h := m.Fit(train, Epochs(8), Batch(32), Validate(test), Quiet(), LR(3e-3))
			if len(h.Train) != 8 || len(h.Val) != 8 {
				t.Fatalf("history has %d train and %d val epochs, want 8", len(h.Train), len(h.Val))
			}
			if !(h.Last() < tc.fall*h.Train[0]) {
				t.Errorf("loss went from %.4g to %.4g, want below %.2f×", h.Train[0], h.Last(), tc.fall)
			}
			r := m.Reconstruct(test.Take(5))
			if r.Reconstructions.N != 5 || r.Reconstructions.H != 8 || len(r.Errors) != 5 {
				t.Errorf("reconstruction shape: %+v", r.Reconstructions)
			}
			if (m.cfg.Noise != "") != (r.Corrupted != nil) {
				t.Errorf("corrupted set present = %v for noise %q", r.Corrupted != nil, m.cfg.Noise)
			}
			for _, v := range r.Reconstructions.X {
				if !(v >= 0 && v <= 1) {
					t.Fatalf("reconstruction value %v outside [0, 1]", v)
				}
			}
			c := m.Encode(test)
			if c.N != test.N || c.L != m.LatentSize() || len(c.Labels) != test.N {
				t.Errorf("codes %v", c)
			}
			if d := m.Decode(c); d.N != test.N || d.D != 64 {
				t.Errorf("decoded %v", d)
			}
			if m.IsVariational() {
				s := m.Sample(6)
				if s.Images.N != 6 || s.Images.H != 8 {
					t.Errorf("samples %v", s.Images)
				}
				in := m.Interpolate(test.Row(0), test.Row(1), 5)
				if in.Images.N != 5 {
					t.Errorf("interpolation %v", in.Images)
				}
			}
			for _, s := range []string{m.String(), h.String(), r.String(), c.String()} {
				if s == "" {
					t.Error("empty String()")
				}
			}
		})
	}
}

func weightsOf(m *Model) []float32 {
	var w []float32
	for _, p := range m.Params() {
		w = append(w, p.W...)
	}
	return w
}

func equalWeights(t *testing.T, a, b *Model, what string) {
	t.Helper()
	wa, wb := weightsOf(a), weightsOf(b)
	for i := range wa {
		if wa[i] != wb[i] {
			t.Fatalf("%s: weight %d differs: %v vs %v", what, i, wa[i], wb[i])
		}
	}
}

// TestDeterministic checks that the same seeds give bit-identical training
// and a different shuffle seed gives different weights.
func TestDeterministic(t *testing.T) {
	train := blobs("train", 300, 1, 8, 8, 1)
	for _, mk := range []func() *Model{
		func() *Model { return Denoising(64, 16) },
		func() *Model { return Variational(64, 16, 4) },
	} {
		a, b, c := mk(), mk(), mk()
		a.Fit(train, Epochs(2), Batch(50), Quiet())
		b.Fit(train, Epochs(2), Batch(50), Quiet())
		c.Fit(train, Epochs(2), Batch(50), Quiet(), Seed(7))
		equalWeights(t, a, b, "same seed")
		if wa, wc := weightsOf(a), weightsOf(c); wa[0] == wc[0] && wa[100] == wc[100] {
			t.Error("a different seed gave the same weights")
		}
	}
}

// TestCancel checks that a cancelled context stops training between
// batches, returning the history of the finished epochs and keeping the
// weights of the last whole batch.
func TestCancel(t *testing.T) {
	train := blobs("train", 320, 1, 8, 8, 1)
	ctx, cancel := context.WithCancel(context.Background())
	m := Dense(64, 16)
	var last []float32
	h := m.Fit(train, Epochs(5), Batch(32), Quiet(), Context(ctx), AfterBatch(func(s *Step) {
		if s.Epoch == 2 && s.Batch == 4 {
			cancel()
			last = weightsOf(s.Model)
		}
	}))
	if len(h.Train) != 1 || !strings.Contains(h.Stopped, "interrupted in epoch 2 at batch 5") {
		t.Fatalf("history %v (stopped %q), want 1 epoch and an interruption at epoch 2 batch 5", h.Train, h.Stopped)
	}
	if w := weightsOf(m); w[0] != last[0] || w[len(w)-1] != last[len(last)-1] {
		t.Error("weights changed after the last whole batch")
	}

	// Cancelled during the validation pass after an epoch.
	ctx3, cancel3 := context.WithCancel(context.Background())
	h3 := Dense(64, 8).Fit(train, Epochs(3), Batch(32), Quiet(), Context(ctx3), Validate(train), AfterBatch(func(s *Step) {
		if s.Epoch == 2 && s.Batch == s.Batches {
			cancel3()
		}
	}))
	if len(h3.Train) != 1 || len(h3.Val) != 1 || !strings.Contains(h3.Stopped, "validating epoch 2") {
		t.Errorf("history %v %v stopped %q; want 1 epoch and an interruption while validating epoch 2", h3.Train, h3.Val, h3.Stopped)
	}

	// The host's context is used by default.
	ctx2, cancel2 := context.WithCancel(context.Background())
	cancel2()
	host.Set(func() context.Context { return ctx2 }, nil)
	defer host.Set(nil, nil)
	if h := Dense(64, 8).Fit(train, Quiet()); len(h.Train) != 0 || h.Stopped == "" {
		t.Errorf("host context not honoured: %v", h)
	}
}

// TestNaNStops checks that a diverging loss stops training with an error
// naming the epoch and batch and leaves finite weights.
func TestNaNStops(t *testing.T) {
	train := blobs("train", 256, 1, 8, 8, 1)
	m := FromLayers([]nn.Layer{nn.NewDense("e", 64, 32, nn.Identity)}, []nn.Layer{nn.NewDense("d", 32, 64, nn.Identity)})
	h, err := m.FitE(train, Epochs(3), Batch(32), Quiet(), Optimizer(nn.SGD(1e4, 0)))
	var ae *Error
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "epoch 1, batch") || !strings.Contains(err.Error(), "restored") {
		t.Fatalf("err = %v, want an *Error naming epoch and batch", err)
	}
	if h == nil || h.Stopped == "" {
		t.Fatalf("history %v should say why it stopped", h)
	}
	for _, v := range weightsOf(m) {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			t.Fatal("weights not restored to finite values")
		}
	}
	// The panicking form panics with the same *Error.
	func() {
		defer func() {
			if r, ok := recover().(*Error); !ok || !strings.Contains(r.Error(), "batch") {
				t.Errorf("Fit panicked with %v", r)
			}
		}()
		m.Fit(train, Epochs(1), Batch(32), Quiet(), Optimizer(nn.SGD(1e4, 0)))
	}()
}

// TestMisuse checks the clear errors for common mistakes.
func TestMisuse(t *testing.T) {
	train := blobs("train", 10, 1, 8, 8, 1)
	bad := &data.Set{Name: "nan", X: make([]float32, 64*2), N: 2, D: 64}
	bad.X[70] = float32(math.NaN())
	tests := []struct {
		name string
		f    func()
		want string
	}{
		{"width mismatch", func() { Dense(784, 32).Fit(train, Quiet()) }, "has 64 features per sample but the model takes 784"},
		{"nil set", func() { Dense(64, 8).Fit(nil) }, "nil"},
		{"nan data", func() { Dense(64, 8).Fit(bad, Quiet()) }, "sample 1 feature 6 is NaN"},
		{"one width", func() { Dense(64) }, "at least an input width"},
		{"sample plain", func() { Dense(64, 8).Sample(3) }, "variational"},
		{"bad loss", func() { Dense(64, 8).WithLoss("huber") }, "unknown loss"},
		{"bad batch", func() { Dense(64, 8).Fit(train, Batch(0), Quiet()) }, "batch"},
		{"conv shape", func() { Convolutional(1, 7, 7) }, "divisible by 4"},
		{"load missing", func() { Load(filepath.Join(t.TempDir(), "nope.ae")) }, "cannot read"},
		{"decode width", func() { Dense(64, 8).DecodeVec(make([]float32, 3)) }, "code of 3 values"},
		{"unscaled data", func() { Dense(64, 8).Fit(scaled(train, 255), Quiet()) }, "WithOutputActivation(nn.Identity)"},
		{"unscaled data bce", func() { Variational(64, 8, 2).Fit(scaled(train, 255), Quiet()) }, "rescale it to [0, 1]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				e, ok := r.(*Error)
				if !ok || !strings.Contains(e.Error(), tc.want) {
					t.Fatalf("panic %v, want an *Error containing %q", r, tc.want)
				}
			}()
			tc.f()
		})
	}
}

// TestSaveLoad checks the round trip and the rejection of damaged files.
func TestSaveLoad(t *testing.T) {
	train := blobs("train", 128, 1, 8, 8, 1)
	dir := t.TempDir()
	for _, m := range []*Model{Dense(64, 16, 4), Variational(64, 8, 2), Convolutional(1, 8, 8), Sparse(64, 80).WithKLSparsity(0.1, 1)} {
		m.Fit(train, Epochs(1), Batch(32), Quiet())
		p := filepath.Join(dir, "m.ae")
		m.Save(p)
		l := Load(p)
		equalWeights(t, m, l, m.String())
		if l.String() != m.String() {
			t.Errorf("loaded %q, saved %q", l, m)
		}
		if a, b := m.Errors(train), l.Errors(train); a[3] != b[3] {
			t.Errorf("loaded model reconstructs differently")
		}
	}
	good, _ := os.ReadFile(filepath.Join(dir, "m.ae"))
	flip := append([]byte(nil), good...)
	flip[len(flip)/2] ^= 1
	ver := append([]byte(nil), good...)
	ver[8] = 9
	tests := []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "not a Latent model file"},
		{"other file", []byte("PK\x03\x04 zip"), "not a Latent model file"},
		{"truncated", good[:len(good)-100], "checksum"},
		{"header only", good[:30], "truncated"},
		{"flipped bit", flip, "checksum mismatch"},
		{"newer version", ver, "format version 9"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, "bad.ae")
			os.WriteFile(p, tc.b, 0o644)
			_, err := LoadE(p)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("LoadE = %v, want error containing %q", err, tc.want)
			}
		})
	}
	// No temporary files are left behind.
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

// TestCheckpointResume checks that training interrupted after an epoch and
// resumed from its checkpoint ends with exactly the weights of an
// uninterrupted run.
func TestCheckpointResume(t *testing.T) {
	train := blobs("train", 256, 1, 8, 8, 1)
	for _, mk := range []func() *Model{
		func() *Model { return Dense(64, 16) },
		func() *Model { return Variational(64, 16, 4) },
		func() *Model { return Denoising(64, 16) },
	} {
		full := mk()
		hf := full.Fit(train, Epochs(4), Batch(32), Quiet())

		p := filepath.Join(t.TempDir(), "ck.ae")
		part := mk()
		part.Fit(train, Epochs(4), Batch(32), Quiet(), Checkpoint(p), AfterEpoch(func(e *Epoch) {
			if e.Epoch == 2 {
				e.Stop()
			}
		}))
		resumed := mk() // a fresh process: same model built anew
		hr := resumed.Fit(train, Epochs(4), Batch(32), Quiet(), Checkpoint(p))
		equalWeights(t, full, resumed, "resumed "+full.String())
		if len(hr.Train) != 4 || hr.Train[3] != hf.Train[3] {
			t.Errorf("resumed history %v, want %v", hr.Train, hf.Train)
		}
		// A checkpoint of another model is refused.
		if _, err := Dense(64, 8).FitE(train, Quiet(), Checkpoint(p)); err == nil || !strings.Contains(err.Error(), "different model") {
			t.Errorf("mismatched checkpoint: %v", err)
		}
	}
}

// TestEarlyStopKeepBest checks early stopping and keep-best.
func TestEarlyStopKeepBest(t *testing.T) {
	train, val := blobs("train", 128, 1, 8, 8, 1), blobs("val", 64, 1, 8, 8, 2)
	m := Dense(64, 16)
	var best []float32
	h := m.Fit(train, Epochs(30), Batch(32), Quiet(), Validate(val), EarlyStop(2), MinDelta(1e9), KeepBest(), AfterEpoch(func(e *Epoch) {
		if e.Epoch == 1 {
			best = weightsOf(e.Model)
		}
	}))
	if len(h.Train) != 3 || !strings.Contains(h.Stopped, "early stopping") || h.Best != 0 {
		t.Fatalf("history %v best %d stopped %q; want 3 epochs, best 0", h.Train, h.Best, h.Stopped)
	}
	if w := weightsOf(m); w[5] != best[5] {
		t.Error("KeepBest did not restore the best epoch's weights")
	}
}

// TestProgress checks the reports sent to the host's reporter.
func TestProgress(t *testing.T) {
	train := blobs("train", 100, 1, 8, 8, 1)
	var ps []host.Progress
	host.Set(nil, func() host.Reporter { return func(p host.Progress) { ps = append(ps, p) } })
	defer host.Set(nil, nil)
	Dense(64, 8).Fit(train, Epochs(2), Batch(50))
	ends := 0
	for _, p := range ps {
		if p.EpochEnd {
			ends++
		}
		if p.Model == "" || p.Epochs != 2 || p.Batches != 2 || p.Epoch < 1 {
			t.Fatalf("incomplete progress %+v", p)
		}
	}
	last := ps[len(ps)-1]
	if ends != 2 || !last.Done || len(last.TrainHistory) != 2 || last.Stopped != "" {
		t.Fatalf("%d epoch ends, last %+v", ends, last)
	}
}

// TestAnomaly checks anomaly scoring on data where one class is novel.
func TestAnomaly(t *testing.T) {
	all := blobs("all", 600, 1, 8, 8, 3)
	var normal []int
	for i, l := range all.Labels {
		if l != 3 {
			normal = append(normal, i)
		}
	}
	train := subset(all, normal[:300])
	m := Dense(64, 3)
	m.Fit(train, Epochs(20), Batch(32), Quiet(), LR(3e-3))
	r := Anomaly(m, all, Normal(0, 1, 2), Reference(train))
	if !(r.AUROC > 0.6) || len(r.Errors) != 600 || r.Confusion.TP+r.Confusion.FN == 0 {
		t.Errorf("report %v", r)
	}
	if r2 := Anomaly(m, all, Normal(0, 1, 2), MeanStd(3)); !strings.Contains(r2.Method, "3·σ") {
		t.Errorf("method %q", r2.Method)
	}
	if len(r.Worst(5)) != 5 || r.String() == "" {
		t.Error("Worst/String")
	}
}

func subset(s *data.Set, idx []int) *data.Set {
	out := &data.Set{Name: s.Name + " subset", N: len(idx), D: s.D, C: s.C, H: s.H, W: s.W, ClassNames: s.ClassNames}
	for _, i := range idx {
		out.X = append(out.X, s.Row(i)...)
		out.Labels = append(out.Labels, s.Labels[i])
	}
	return out
}

// FuzzLoad feeds arbitrary bytes to the decoder: it must return a model or
// an error, never panic or allocate without bound.
func FuzzLoad(f *testing.F) {
	train := blobs("train", 16, 1, 8, 8, 1)
	for _, m := range []*Model{Dense(64, 4), Variational(64, 8, 2), Convolutional(1, 8, 8)} {
		f.Add(m.Bytes())
	}
	m := Dense(64, 4)
	p := filepath.Join(f.TempDir(), "ck.ae")
	m.Fit(train, Epochs(1), Batch(8), Quiet(), Checkpoint(p))
	ck, _ := os.ReadFile(p)
	f.Add(ck)
	f.Add([]byte("LATENTAE\x01\x00\x00\x00\x02\x00\x00\x00{}\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := FromBytes(b)
		if err == nil && m == nil {
			t.Fatal("nil model without error")
		}
		// Most mutations fail the checksum; also decode the bytes with a
		// valid checksum so the fuzzer explores the header and the model
		// rebuilding behind it.
		if len(b) >= 4 {
			fixed := append([]byte(nil), b...)
			binary.LittleEndian.PutUint32(fixed[len(fixed)-4:], crc32.Checksum(fixed[:len(fixed)-4], castagnoli))
			if m, err := FromBytes(fixed); err == nil && m == nil {
				t.Fatal("nil model without error")
			}
		}
	})
}

// TestAutoRec checks that AutoRec beats predicting each item's mean rating
// on held-out ratings and that its top-K leaves out seen items.
func TestAutoRec(t *testing.T) {
	r := data.Ratings(300, 80, 3, 0.3, 1)
	// Baseline: each item's mean training rating.
	base := make([]float32, r.Users*r.Items)
	for i := 0; i < r.Items; i++ {
		var s float32
		n := 0
		for u := 0; u < r.Users; u++ {
			if k := u*r.Items + i; r.Train[k] {
				s += r.Ratings[k]
				n++
			}
		}
		for u := 0; u < r.Users; u++ {
			base[u*r.Items+i] = s / float32(max(n, 1))
		}
	}
	baseRMSE := r.TestRMSE(base)
	for _, rec := range []*Recommender{AutoRec(r, 100), UserAutoRec(r, 20)} {
		h := rec.Fit(Quiet())
		if got := rec.RMSE(); !(got < baseRMSE) {
			t.Errorf("%s: RMSE %.3f, item-mean baseline %.3f", rec, got, baseRMSE)
		} else {
			t.Logf("%s: RMSE %.3f vs item-mean baseline %.3f (%s)", rec, got, baseRMSE, h)
		}
		top := rec.TopK(5, 10)
		seen := map[int]bool{}
		for _, i := range r.Seen(5) {
			seen[i] = true
		}
		for _, i := range top.Items {
			if seen[i] {
				t.Errorf("recommended item %d already seen", i)
			}
		}
		if len(top.Items) != 10 || top.String() == "" {
			t.Errorf("top-K %v", top)
		}
	}
}

// TestTwoDecoders checks that the shared-encoder model trains both
// decoders and swaps domains.
func TestTwoDecoders(t *testing.T) {
	a := blobs("a", 256, 1, 8, 8, 1)
	b := blobs("b", 256, 1, 8, 8, 2)
	for i := range b.X {
		b.X[i] = 1 - b.X[i]
	}
	m := TwoDecoders(64, 32, 8)
	h := m.Fit(a, b, Epochs(10), Batch(32), Quiet(), LR(3e-3))
	if len(h.Metrics["a"]) != 10 || !(h.Last() < 0.8*h.Train[0]) {
		t.Fatalf("history %v", h)
	}
	sw := m.Swap(a.Take(4), true)
	if sw.Reconstructions.N != 4 {
		t.Fatalf("swap %v", sw)
	}
	// B's decoder only ever learnt B-style (inverted, bright) images: the
	// swapped images have B's brightness, not A's.
	mean := func(x []float32) float64 {
		var s float64
		for _, v := range x {
			s += float64(v)
		}
		return s / float64(len(x))
	}
	ma, mb, ms := mean(a.X), mean(b.X), mean(sw.Reconstructions.X)
	if math.Abs(ms-mb) > math.Abs(ms-ma) {
		t.Errorf("swapped images have mean %.3f, domain A %.3f, domain B %.3f", ms, ma, mb)
	}
}

// TestScheduleAndOptimizers checks that the learning-rate schedule, the
// optimizer options and gradient clipping reach the training loop.
func TestScheduleAndOptimizers(t *testing.T) {
	train := blobs("train", 128, 1, 8, 8, 1)
	h := Dense(64, 8).Fit(train, Epochs(3), Batch(32), Quiet(), LR(1e-2), Schedule(nn.StepDecay(1, 0.5)), ClipNorm(1))
	if lr := h.Metrics["lr"]; len(lr) != 3 || math.Abs(lr[2]-2.5e-3) > 1e-9 {
		t.Errorf("learning rates %v, want 1e-2, 5e-3, 2.5e-3", lr)
	}
	for _, o := range []*nn.Optimizer{nn.SGD(0.5, 0.9), nn.AdamW(3e-3, 1e-2)} {
		h := Dense(64, 8).Fit(train, Epochs(6), Batch(32), Quiet(), Optimizer(o))
		if !(h.Last() < h.Train[0]) {
			t.Errorf("%s: loss %v did not fall", o.Kind, h.Train)
		}
	}
	if _, err := Dense(64, 8).FitE(train, Quiet(), Optimizer(&nn.Optimizer{Kind: "adam"})); err == nil || !strings.Contains(err.Error(), "learning rate") {
		t.Errorf("zero learning rate: %v", err)
	}
}

// TestDeterministicAcrossThreads checks that training gives bit-identical
// weights with one thread and with several, also with the work split for
// 16 threads (simulated: run on one core, split as for 16).
func TestDeterministicAcrossThreads(t *testing.T) {
	train := blobs("train", 512, 1, 16, 16, 1)
	// Big enough for the parallel paths.
	for _, model := range []func() *Model{
		func() *Model { return Variational(256, 512, 4) },
		func() *Model { return Convolutional(1, 16, 16) },
	} {
		fit := func(procs, simulate int) *Model {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			nnops.Simulate(simulate)
			defer nnops.Simulate(0)
			m := model()
			m.Fit(train, Epochs(2), Batch(256), Quiet())
			return m
		}
		one := fit(1, 0)
		equalWeights(t, one, fit(4, 0), one.String()+": GOMAXPROCS 1 vs 4")
		equalWeights(t, one, fit(1, 16), one.String()+": GOMAXPROCS 1 vs 16 threads simulated")
	}
}

// TestOutputActivation checks a linear output for data outside [0, 1].
func TestOutputActivation(t *testing.T) {
	s := blobs("z", 256, 1, 8, 8, 1)
	for i := range s.X {
		s.X[i] = 4*s.X[i] - 2 // roughly z-scored
	}
	m := Dense(64, 16).WithOutputActivation(nn.Identity)
	h := m.Fit(s, Epochs(10), Batch(32), Quiet(), LR(3e-3))
	r := m.Reconstruct(s.Take(10))
	neg := false
	for _, v := range r.Reconstructions.X {
		neg = neg || v < 0
	}
	if !neg || !(h.Last() < 0.2*h.Train[0]) {
		t.Errorf("linear output: negative values %v, loss %v", neg, h.Train)
	}
	defer func() {
		if _, ok := recover().(*Error); !ok {
			t.Error("WithOutputActivation under BCE did not panic with an *Error")
		}
	}()
	Dense(64, 8).WithLoss(BCE).WithOutputActivation(nn.Identity)
}

// TestAnomalyTimeSeries trains on normal windows of a synthetic series and
// finds the injected anomalies of another (0/1 labels are the ground
// truth), beating chance clearly.
func TestAnomalyTimeSeries(t *testing.T) {
	train := data.TimeSeries(2000, 48, 0, 1)
	test := data.TimeSeries(1000, 48, 0.05, 2)
	m := Dense(48, 24, 6)
	m.Fit(train, Epochs(30), Batch(64), Quiet(), LR(3e-3))
	r := Anomaly(m, test, Reference(train), Percentile(99))
	t.Logf("%v", r)
	if !(r.AUROC > 0.8) {
		t.Errorf("AUROC %.3f on injected anomalies, want > 0.8", r.AUROC)
	}
}

// TestAutoRecSaveLoad checks that a saved AutoRec model predicts the same
// after loading.
func TestAutoRecSaveLoad(t *testing.T) {
	r := data.Ratings(50, 20, 2, 0.4, 3)
	rec := AutoRec(r, 8)
	rec.Fit(Quiet(), Epochs(5))
	p := filepath.Join(t.TempDir(), "autorec.ae")
	rec.Model.Save(p)
	l := Load(p)
	x := rec.input.Row(0)
	a, b := make([]float32, len(x)), make([]float32, len(x))
	rec.Model.ReconstructInto(a, x)
	l.ReconstructInto(b, x)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("prediction %d: %v before saving, %v after loading", i, a[i], b[i])
		}
	}
}

// TestTwoDecodersSaveLoad checks the round trip of a two-decoder model and
// that ae.Load points to LoadTwoDecoders.
func TestTwoDecodersSaveLoad(t *testing.T) {
	a, b := blobs("a", 64, 1, 8, 8, 1), blobs("b", 64, 1, 8, 8, 2)
	m := TwoDecoders(64, 16, 4)
	m.Fit(a, b, Epochs(2), Batch(32), Quiet())
	p := filepath.Join(t.TempDir(), "two.ae")
	m.Save(p)
	l := LoadTwoDecoders(p)
	x, y := m.Swap(a.Take(3), true), l.Swap(a.Take(3), true)
	for i := range x.Reconstructions.X {
		if x.Reconstructions.X[i] != y.Reconstructions.X[i] {
			t.Fatal("loaded two-decoder model swaps differently")
		}
	}
	if _, err := LoadE(p); err == nil || !strings.Contains(err.Error(), "LoadTwoDecoders") {
		t.Errorf("LoadE of a two-decoder file: %v", err)
	}
	Dense(64, 4).Save(p)
	if _, err := LoadTwoDecodersE(p); err == nil || !strings.Contains(err.Error(), "ae.Load") {
		t.Errorf("LoadTwoDecodersE of a plain model: %v", err)
	}
}

// scaled returns a copy of s with every value multiplied by f.
func scaled(s *data.Set, f float32) *data.Set {
	c := *s
	c.X = make([]float32, len(s.X))
	for i, v := range s.X {
		c.X[i] = v * f
	}
	return &c
}

// TestValueRange checks Fit's data check across block boundaries: the
// extremes, and the position of the first NaN or infinity.
func TestValueRange(t *testing.T) {
	const d = 7
	n := (2*rangeBlock + 13) / d
	s := &data.Set{Name: "blocks", N: n, D: d, X: make([]float32, n*d+5)} // values past N·D are not data
	for i := range s.X {
		s.X[i] = float32(i%1000) / 1000
	}
	s.X[rangeBlock+3], s.X[n*d-1] = -2.5, 3.25
	s.X[n*d+1] = float32(math.NaN())
	lo, hi, err := valueRange(s)
	if err != nil || lo != -2.5 || hi != 3.25 {
		t.Fatalf("valueRange = %v, %v, %v; want -2.5, 3.25, nil", lo, hi, err)
	}
	for _, at := range []int{0, rangeBlock - 1, rangeBlock, 2*rangeBlock + 2, n*d - 1} {
		for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
			old, later := s.X[at], min(at+d, n*d-1)
			if later > at {
				s.X[later] = float32(math.Inf(1)) // a later one must not be the one named
			}
			s.X[at] = bad
			_, _, err := valueRange(s)
			want := fmt.Sprintf("sample %d feature %d is %v", at/d, at%d, bad)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("value %v at %d: error %v, want one naming %q", bad, at, err, want)
			}
			s.X[later], s.X[at] = 0.5, old
		}
	}
}
