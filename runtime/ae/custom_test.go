package ae

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latent-ai/latent/runtime/data"
	"github.com/latent-ai/latent/runtime/nn"
)

// mseFunc is MSE written as a user would, as a LossFunc.
func mseFunc(recon, target []float32) (float64, []float32) {
	g := make([]float32, len(recon))
	var s float64
	scale := 1 / float64(len(recon))
	for i, r := range recon {
		d := r - target[i]
		s += float64(d * d)
		g[i] = float32(2*scale) * d
	}
	return s * scale, g
}

func TestCustomLossMatchesBuiltin(t *testing.T) {
	train := blobs("train", 256, 1, 4, 4, 1)
	a := Dense(16, 8, 4)
	ha := a.Fit(train, Epochs(3), Batch(64), Quiet())
	b := Dense(16, 8, 4)
	hb := b.Fit(train, Epochs(3), Batch(64), Quiet(), CustomLoss(mseFunc))
	for i := range ha.Train {
		if math.Abs(ha.Train[i]-hb.Train[i]) > 1e-6*ha.Train[i] {
			t.Fatalf("epoch %d: built-in MSE %v, custom %v", i+1, ha.Train[i], hb.Train[i])
		}
	}
	if b.lossFn != nil {
		t.Fatal("CustomLoss stayed on the model after Fit")
	}
}

func TestCustomLossWithEarlyStopCheckpointCancel(t *testing.T) {
	train := blobs("train", 256, 1, 4, 4, 1)
	huber := func(recon, target []float32) (float64, []float32) {
		g := make([]float32, len(recon))
		var s float64
		for i, r := range recon {
			d := float64(r - target[i])
			if math.Abs(d) < 0.1 {
				s += 0.5 * d * d
				g[i] = float32(d / float64(len(recon)))
			} else {
				s += 0.1 * (math.Abs(d) - 0.05)
				g[i] = float32(0.1 * math.Copysign(1, d) / float64(len(recon)))
			}
		}
		return s / float64(len(recon)), g
	}
	path := filepath.Join(t.TempDir(), "ck")
	m := Dense(16, 8, 4)
	h := m.Fit(train, Epochs(4), Batch(64), Quiet(), CustomLoss(huber), Checkpoint(path), EarlyStop(2), Validate(train))
	if len(h.Train) == 0 || h.Train[len(h.Train)-1] >= h.Train[0] {
		t.Fatalf("huber did not train: %v", h.Train)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	h2 := Dense(16, 8, 4).Fit(train, Epochs(5), Batch(16), Quiet(), CustomLoss(huber), Context(ctx), AfterBatch(func(*Step) {
		if n++; n == 20 {
			cancel()
		}
	}))
	if !strings.Contains(h2.Stopped, "interrupted") {
		t.Fatalf("cancel: %q", h2.Stopped)
	}
	bad := func(recon, target []float32) (float64, []float32) { return 0, make([]float32, 3) }
	if _, err := Dense(16, 4).FitE(train, Quiet(), CustomLoss(bad)); err == nil || !strings.Contains(err.Error(), "gradient of 3 values") {
		t.Fatalf("short gradient: %v", err)
	}
	if _, err := Dense(16, 4).WithLoss(BCE).FitE(train, Quiet(), CustomLoss(mseFunc)); err == nil || !strings.Contains(err.Error(), "WithLoss(ae.MSE)") {
		t.Fatalf("custom loss on BCE: %v", err)
	}
}

// scaleLayer is a layer written outside nn: y = x·s elementwise with a
// trainable s per feature.
type scaleLayer struct {
	d    int
	s    *nn.Param
	x, y []float32
}

func newScale(d int) *scaleLayer {
	l := &scaleLayer{d: d, s: nn.NewParam("scale.s", d)}
	for i := range l.s.W {
		l.s.W[i] = 1
	}
	return l
}
func (l *scaleLayer) Spec() nn.Spec       { return nn.Spec{Type: "scale", In: nn.Flat(l.d)} }
func (l *scaleLayer) InShape() nn.Shape   { return nn.Flat(l.d) }
func (l *scaleLayer) OutShape() nn.Shape  { return nn.Flat(l.d) }
func (l *scaleLayer) Params() []*nn.Param { return []*nn.Param{l.s} }
func (l *scaleLayer) Forward(x []float32, n int, train bool) []float32 {
	l.x, l.y = x, make([]float32, n*l.d)
	for i := range l.y {
		l.y[i] = x[i] * l.s.W[i%l.d]
	}
	return l.y
}
func (l *scaleLayer) Backward(dy []float32, n int, needDx bool) []float32 {
	clear(l.s.G)
	for i, g := range dy[:n*l.d] {
		l.s.G[i%l.d] += g * l.x[i]
		dy[i] = g * l.s.W[i%l.d]
	}
	return dy
}

func TestCustomLayer(t *testing.T) {
	train := blobs("train", 256, 1, 4, 4, 1)
	enc := []nn.Layer{newScale(16), nn.NewDense("enc1", 16, 4, nn.Identity)}
	dec := []nn.Layer{nn.NewDense("dec1", 4, 16, nn.Sigmoid)}
	m := FromLayers(enc, dec)
	h := m.Fit(train, Epochs(3), Batch(32), Quiet())
	if h.Train[2] >= h.Train[0] {
		t.Fatalf("no learning: %v", h.Train)
	}
	if s := m.Summary().String(); !strings.Contains(s, "scale") || !strings.Contains(s, "encoder/scale") {
		t.Fatalf("summary:\n%s", s)
	}
	dir := t.TempDir()
	err := m.SaveE(filepath.Join(dir, "m.ae"))
	if err == nil || !strings.Contains(err.Error(), `encoder layer 0 ("scale")`) || !strings.Contains(err.Error(), "SaveNPZ") {
		t.Fatalf("Save: %v", err)
	}
	if _, err := m.FitE(train, Quiet(), Checkpoint(filepath.Join(dir, "ck"))); err == nil || !strings.Contains(err.Error(), "Checkpoint") {
		t.Fatalf("Checkpoint: %v", err)
	}
	m.SaveNPZ(filepath.Join(dir, "w.npz"))
	m2 := FromLayers([]nn.Layer{newScale(16), nn.NewDense("enc1", 16, 4, nn.Identity)}, []nn.Layer{nn.NewDense("dec1", 4, 16, nn.Sigmoid)})
	m2.LoadWeights(filepath.Join(dir, "w.npz"))
	if a, b := m.Loss(train), m2.Loss(train); a != b {
		t.Fatalf("weights loaded from npz: loss %v, want %v", b, a)
	}
}

func TestAnomalyThresholdFromTraining(t *testing.T) {
	train := blobs("train", 256, 1, 4, 4, 1)
	test := blobs("test", 64, 1, 4, 4, 2)
	m := Dense(16, 4)
	m.Fit(train, Epochs(2), Quiet())
	r := Anomaly(m, test, Normal(0))
	if !strings.Contains(r.Method, "training set train") || r.Warning != "" {
		t.Fatalf("method %q warning %q", r.Method, r.Warning)
	}
	if want := Anomaly(m, test, Normal(0), Reference(train)).Threshold; r.Threshold != want {
		t.Fatalf("threshold %v, want the training set's %v", r.Threshold, want)
	}
	loaded, err := FromBytes(m.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	r = Anomaly(loaded, test, Normal(0))
	if !strings.Contains(r.Warning, "tuned on test") || !strings.Contains(r.String(), "WARNING") {
		t.Fatalf("loaded model: warning %q", r.Warning)
	}
}

func TestEpochsTrainedOnInterruptInValidation(t *testing.T) {
	train := blobs("train", 64, 1, 4, 4, 1)
	val := blobs("val", 4096, 1, 4, 4, 3)
	ctx, cancel := context.WithCancel(context.Background())
	m := Dense(16, 4)
	h := m.Fit(train, Epochs(3), Batch(64), Quiet(), Validate(val), Context(ctx), AfterBatch(func(*Step) { cancel() }))
	if m.EpochsTrained() != len(h.Train) {
		t.Fatalf("EpochsTrained %d, history %d epochs (%s)", m.EpochsTrained(), len(h.Train), h.Stopped)
	}
}

func TestSummaryAndConfig(t *testing.T) {
	s := Dense(784, 256, 64).Summary()
	if s.Total != 435536 || len(s.Rows) != 4 || s.Rows[0].Output != "256" {
		t.Fatalf("summary %+v", s)
	}
	txt := s.String()
	for _, want := range []string{"encoder/enc1", "dense relu", "200,960", "Total params: 435,536"} {
		if !strings.Contains(txt, want) {
			t.Errorf("summary lacks %q:\n%s", want, txt)
		}
	}
	if h := s.Render().Data["text/html"].(string); !strings.Contains(h, "<table>") || !strings.Contains(h, "200,960") {
		t.Errorf("html: %s", h)
	}
	c := Convolutional(1, 28, 28).Config().String()
	for _, want := range []string{"kind:        convolutional", "input:       1×28×28", "enc1   conv", "k 3 stride 2"} {
		if !strings.Contains(c, want) {
			t.Errorf("config lacks %q:\n%s", want, c)
		}
	}
}

func TestNNLoss(t *testing.T) {
	train := blobs("train", 256, 1, 4, 4, 1)
	a := Dense(16, 4).Fit(train, Epochs(2), Quiet())
	b := Dense(16, 4).Fit(train, Epochs(2), Quiet(), CustomLoss(NNLoss(nn.MSE)))
	if a.Last() != b.Last() {
		t.Fatalf("NNLoss(nn.MSE) %v, built-in MSE %v", b.Last(), a.Last())
	}
	mae := Dense(16, 4).WithLoss(MAE).Fit(train, Epochs(2), Quiet())
	c := Dense(16, 4).Fit(train, Epochs(2), Quiet(), CustomLoss(NNLoss(nn.MAE)))
	if math.Abs(mae.Last()-c.Last()) > 1e-9 {
		t.Fatalf("NNLoss(nn.MAE) %v, built-in MAE %v", c.Last(), mae.Last())
	}
}

func TestShuffleByBlocksOnDisk(t *testing.T) {
	s := &data.Set{N: 10, OnDisk: true}
	perm := make([]int, 10)
	for seed := uint64(0); seed < 20; seed++ {
		shuffle(nn.NewRNG(seed), perm, s, 4)
		checkBlocks(t, perm)
	}
}

func checkBlocks(t *testing.T, perm []int) {
	seen := map[int]bool{}
	for k := 0; k < 10; k += 4 {
		block := perm[k:min(k+4, 10)]
		lo := block[0] / 4 * 4
		for _, p := range block {
			if p/4*4 != lo {
				t.Fatalf("batch %v mixes blocks (perm %v)", block, perm)
			}
			seen[p] = true
		}
	}
	if len(seen) != 10 {
		t.Fatalf("not a permutation: %v", perm)
	}
}
