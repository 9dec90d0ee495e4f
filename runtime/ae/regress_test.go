package ae

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latent-ai/latent/runtime/data"
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

// finiteWeights reports whether every weight of m is finite.
func finiteWeights(m *Model) bool {
	for _, v := range weightsOf(m) {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return false
		}
	}
	return true
}

// TestDivergenceOnLastBatch checks that an update on the last batch of an
// epoch that makes the model's outputs overflow is caught at the epoch's
// end: Fit returns the divergence error with the last good weights, and
// neither the history nor the checkpoint records the broken epoch.
func TestDivergenceOnLastBatch(t *testing.T) {
	train, val := blobs("train", 64, 1, 8, 8, 1), blobs("val", 16, 1, 8, 8, 2)
	ck := filepath.Join(t.TempDir(), "ck.lae")
	blowUp := func(ep int) float64 { return []float64{1, 1e30}[min(ep, 1)] } // epoch 2's only update diverges
	m := Dense(64, 8).WithOutputActivation(nn.Identity)
	h, err := m.FitE(train, Epochs(3), Batch(64), Quiet(), Validate(val), Checkpoint(ck), Optimizer(nn.SGD(0.01, 0)), Schedule(blowUp))
	if err == nil || !strings.Contains(err.Error(), "NaN or Inf in epoch 2, batch 1") || !strings.Contains(err.Error(), "restored") {
		t.Fatalf("err = %v, want the divergence error for epoch 2, batch 1", err)
	}
	if len(h.Train) != 1 || len(h.Val) != 1 || math.IsInf(h.Val[0], 0) {
		t.Errorf("history %v %v should hold epoch 1 only", h.Train, h.Val)
	}
	if l := m.Loss(val); !finiteWeights(m) || math.IsInf(l, 0) || math.IsNaN(l) {
		t.Errorf("weights not restored: loss %v", l)
	}
	c := Load(ck)
	if l := c.Loss(val); c.EpochsTrained() != 1 || !finiteWeights(c) || math.IsInf(l, 0) || math.IsNaN(l) {
		t.Errorf("checkpoint holds epoch %d with loss %v, want epoch 1's good weights", c.EpochsTrained(), l)
	}
	// Weights that are already broken are refused before training.
	m.Params()[0].W[3] = float32(math.Inf(1))
	if _, err := m.FitE(train, Epochs(1), Quiet()); err == nil || !strings.Contains(err.Error(), "NaN or Inf before training") {
		t.Errorf("Fit from Inf weights: err = %v", err)
	}
}

// TestCustomLossMayWriteItsInputs checks that a custom loss that writes its
// gradient over recon (and scribbles over target) trains exactly like one
// that allocates its gradient, and leaves the validation set as it was.
func TestCustomLossMayWriteItsInputs(t *testing.T) {
	train, val := blobs("train", 64, 1, 8, 8, 1), blobs("val", 16, 1, 8, 8, 2)
	valX := append([]float32(nil), val.X...)
	fresh := func(r, tg []float32) (float64, []float32) {
		g := make([]float32, len(r))
		s := 0.0
		for i := range r {
			d := r[i] - tg[i]
			s += float64(d * d)
			g[i] = 2 * d / float32(len(r))
		}
		return s / float64(len(r)), g
	}
	inPlace := func(r, tg []float32) (float64, []float32) {
		s := 0.0
		for i := range r {
			d := r[i] - tg[i]
			s += float64(d * d)
			r[i], tg[i] = 2*d/float32(len(r)), -1
		}
		return s / float64(len(r)), r
	}
	a, b := Dense(64, 8), Dense(64, 8)
	ha := a.Fit(train, Epochs(2), Batch(16), Quiet(), Validate(val), CustomLoss(fresh))
	hb := b.Fit(train, Epochs(2), Batch(16), Quiet(), Validate(val), CustomLoss(inPlace))
	equalWeights(t, a, b, "in-place custom loss")
	if ha.Train[1] != hb.Train[1] || ha.Val[1] != hb.Val[1] {
		t.Errorf("losses differ: %v %v against %v %v", ha.Train, ha.Val, hb.Train, hb.Val)
	}
	for i, v := range val.X {
		if v != valX[i] {
			t.Fatalf("the custom loss changed the validation set at %d", i)
		}
	}
}

// TestMeanStdZero checks that MeanStd(0) thresholds at the mean of the
// reference errors (it was taken for a percentile of 0 and refused), and
// that the last of MeanStd and Percentile wins.
func TestMeanStdZero(t *testing.T) {
	train, test := blobs("train", 64, 1, 8, 8, 1), blobs("test", 32, 1, 8, 8, 2)
	m := Dense(64, 4)
	m.Fit(train, Epochs(1), Quiet())
	r, err := AnomalyE(m, test, Normal(0), MeanStd(0))
	if err != nil {
		t.Fatal(err)
	}
	mean := 0.0
	for _, e := range r.Reference {
		mean += e
	}
	mean /= float64(len(r.Reference))
	if math.Abs(r.Threshold-mean) > 1e-12*mean || !strings.Contains(r.Method, "mean + 0·σ") {
		t.Errorf("threshold %v (%s), want the mean %v", r.Threshold, r.Method, mean)
	}
	if r, err := AnomalyE(m, test, MeanStd(0), Percentile(50)); err != nil || !strings.Contains(r.Method, "50th percentile") {
		t.Errorf("Percentile after MeanStd: %v, %v", err, r)
	}
}

// TestTwoDecodersRefusesUnsupported checks that TwoDecoderModel.Fit refuses
// the options it cannot honour, naming them all, instead of ignoring them,
// and that it honours a schedule and catches a diverged last update.
func TestTwoDecodersRefusesUnsupported(t *testing.T) {
	a, b := blobs("a", 64, 1, 8, 8, 1), blobs("b", 64, 1, 8, 8, 2)
	ck := filepath.Join(t.TempDir(), "two.lae")
	_, err := TwoDecoders(64, 8).FitE(a, b, Epochs(1), Quiet(), Checkpoint(ck), Validate(a), KeepBest(), EarlyStop(1))
	if err == nil || !strings.Contains(err.Error(), "ae.Validate, ae.Checkpoint, ae.KeepBest, ae.EarlyStop") {
		t.Errorf("err = %v, want the unsupported options named", err)
	}
	if _, err := os.Stat(ck); err == nil {
		t.Error("a checkpoint was written")
	}
	h := TwoDecoders(64, 8).Fit(a, b, Epochs(2), Batch(32), Quiet(), Schedule(nn.StepDecay(1, 0)))
	if len(h.Train) != 2 {
		t.Errorf("history %v", h)
	}
	td := TwoDecoders(64, 8)
	breakB := func(*Step) { td.B.dec.Params()[0].W[0] = float32(math.Inf(1)) } // as a diverging last update would
	_, err = td.FitE(a, b, Epochs(2), Batch(64), Quiet(), AfterBatch(breakB))
	if err == nil || !strings.Contains(err.Error(), "weights became NaN or Inf (decoder B) in epoch 1, batch 1") {
		t.Errorf("diverged two-decoder Fit: err = %v", err)
	}
}

// TestFitRefusesMeaninglessSettings checks the settings that were accepted
// silently: negative ClipNorm, EarlyStop or MinDelta, and a schedule that
// turns negative or NaN in the middle of training.
func TestFitRefusesMeaninglessSettings(t *testing.T) {
	train := blobs("train", 32, 1, 8, 8, 1)
	for _, tc := range []struct {
		name string
		opt  Option
		want string
	}{
		{"clip", ClipNorm(-1), "ClipNorm(-1)"},
		{"clip NaN", ClipNorm(math.NaN()), "ClipNorm(NaN)"},
		{"early stop", EarlyStop(-3), "EarlyStop(-3)"},
		{"min delta", MinDelta(-1), "MinDelta(-1)"},
		{"optimizer momentum", Optimizer(nn.SGD(0.1, 1.5)), "momentum"},
		{"optimizer decay", Optimizer(nn.AdamW(1e-3, -1)), "weight decay"},
	} {
		if _, err := Dense(64, 4).FitE(train, Epochs(1), Quiet(), tc.opt); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	for _, v := range []float64{-1, math.NaN()} {
		m := Dense(64, 4)
		h, err := m.FitE(train, Epochs(3), Quiet(), Schedule(func(ep int) float64 { return []float64{1, v}[min(ep, 1)] }))
		if err == nil || !strings.Contains(err.Error(), "for epoch 2") || len(h.Train) != 1 {
			t.Errorf("schedule giving %v: err = %v, history %v", v, err, h)
		}
	}
}

// TestWorstNegative checks that Worst(-1) panics with an *Error, not a
// runtime bounds error.
func TestWorstNegative(t *testing.T) {
	r := &AnomalyReport{Errors: []float64{3, 1, 2}}
	if got := r.Worst(2); len(got) != 2 || got[0] != 0 || got[1] != 2 {
		t.Errorf("Worst(2) = %v", got)
	}
	wantPanic(t, "Worst(-1)", "k ≥ 0", func() { r.Worst(-1) })
}

// TestMeaninglessSettingsRefused checks the model settings and inputs that
// were accepted silently: NaN or negative weights, impossible image
// shapes, a scored set with a NaN, and images of another shape than a
// convolutional model's with the same number of values.
func TestMeaninglessSettingsRefused(t *testing.T) {
	nan := math.NaN()
	wantPanic(t, "WithL1(NaN)", "finite number ≥ 0", func() { Dense(4, 2).WithL1(nan) })
	wantPanic(t, "WithKLSparsity(0.1, NaN)", "need 0 < ρ < 1 and β ≥ 0", func() { Dense(4, 2).WithKLSparsity(0.1, nan) })
	wantPanic(t, "WithBeta(-1)", "β must be a finite number ≥ 0", func() { Variational(4, 2).WithBeta(-1) })
	wantPanic(t, "WithImageShape(-1,-2,2)", "must be positive", func() { Dense(4, 2).WithImageShape(-1, -2, 2) })
	wantPanic(t, "WithNoise NaN", "σ must be a finite number", func() { Dense(4, 2).WithNoise("gaussian", float32(nan)) })

	train := blobs("train", 32, 1, 8, 8, 1)
	m := Dense(64, 4)
	m.Fit(train, Epochs(1), Quiet())
	bad := train.Clone()
	bad.X[70] = float32(nan)
	if _, err := AnomalyE(m, bad, Normal(0)); err == nil || !strings.Contains(err.Error(), "sample 1 of train scores NaN") {
		t.Errorf("Anomaly on a set with a NaN: %v", err)
	}
	if _, err := AnomalyE(m, train, Reference(bad)); err == nil || !strings.Contains(err.Error(), "scores NaN") {
		t.Errorf("Anomaly with a NaN in the reference set: %v", err)
	}

	rgb := &data.Set{Name: "rgb", X: make([]float32, 4*3*8*8), N: 4, D: 192, C: 3, H: 8, W: 8}
	if _, err := Convolutional(1, 8, 24).FitE(rgb, Epochs(1), Quiet()); err == nil || !strings.Contains(err.Error(), "holds 3×8×8 images but the model takes 1×8×24") {
		t.Errorf("conv model on images of another shape: %v", err)
	}
	if _, err := Dense(192, 4).FitE(rgb, Epochs(1), Quiet()); err != nil {
		t.Errorf("a dense model takes any image shape of its width: %v", err)
	}
}

// TestClipNormIsPerFit: a second Fit that continues the model's Adam clips
// only when its own options say so.
func TestClipNormIsPerFit(t *testing.T) {
	train := blobs("train", 32, 1, 8, 8, 1)
	m := Dense(64, 4)
	if _, err := m.FitE(train, Epochs(1), Quiet(), ClipNorm(0.5)); err != nil {
		t.Fatal(err)
	}
	if m.opt.ClipNorm != 0.5 {
		t.Fatalf("ClipNorm(0.5) gave %v", m.opt.ClipNorm)
	}
	steps := m.opt.Steps
	if _, err := m.FitE(train, Epochs(1), Quiet()); err != nil {
		t.Fatal(err)
	}
	if m.opt.ClipNorm != 0 || m.opt.Steps <= steps {
		t.Fatalf("the second Fit: ClipNorm %v (want 0), Adam steps %d after %d (want it continued)", m.opt.ClipNorm, m.opt.Steps, steps)
	}
}
