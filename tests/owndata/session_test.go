package owndata

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latent-ai/latent/display"
	"github.com/latent-ai/latent/dsl"
)

// recorder is a display sink that keeps everything a cell shows.
type recorder struct {
	onDisplay func() // called once, at the first display
	mu        sync.Mutex
	stdout    strings.Builder
	stderr    strings.Builder
	displays  []display.Bundle
}

func (r *recorder) Stream(name, text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if name == "stderr" {
		r.stderr.WriteString(text)
	} else {
		r.stdout.WriteString(text)
	}
}
func (r *recorder) Display(b display.Bundle, update bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.displays = append(r.displays, b)
	if r.onDisplay != nil {
		r.onDisplay()
		r.onDisplay = nil
	}
}
func (*recorder) Clear(bool)                         {}
func (*recorder) Input(string, bool) (string, error) { return "", display.ErrNoStdin }

// pngs counts the PNG images among the displays (the last of them per
// display ID, as a frontend shows them) and the result.
func (r *recorder) pngs(result *display.Bundle) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	last := map[string]display.Bundle{}
	var order []string
	for i, b := range r.displays {
		id := b.ID
		if id == "" {
			id = fmt.Sprint("anon-", i)
		}
		if _, ok := last[id]; !ok {
			order = append(order, id)
		}
		last[id] = b
	}
	n := 0
	for _, id := range order {
		n += imagesIn(last[id])
	}
	if result != nil {
		n += imagesIn(*result)
	}
	return n
}

// imagesIn counts images in a bundle: an image/png entry, or <img> tags in
// its HTML (the live progress display draws its plot inline).
func imagesIn(b display.Bundle) int {
	if _, ok := b.Data["image/png"]; ok {
		return 1
	}
	if h, ok := b.Data["text/html"].(string); ok {
		return strings.Count(h, "<img")
	}
	return 0
}

// session starts a notebook session closed at the end of the test.
func session(t *testing.T) *dsl.Session {
	t.Helper()
	s, err := dsl.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// run executes one cell and fails the test on an error.
func run(t *testing.T, s *dsl.Session, code string) (*display.Bundle, *recorder) {
	t.Helper()
	rec := &recorder{}
	b, err := s.Execute(context.Background(), code, rec)
	if err != nil {
		t.Fatalf("cell failed: %v\n--- cell:\n%s\n--- stderr:\n%s", err, code, rec.stderr.String())
	}
	return b, rec
}

// runErr executes one cell that must fail and returns its error text.
func runErr(t *testing.T, s *dsl.Session, code string) string {
	t.Helper()
	_, err := s.Execute(context.Background(), code, &recorder{})
	if err == nil {
		t.Fatalf("cell succeeded, want an error:\n%s", code)
	}
	return err.Error()
}

func plain(b *display.Bundle) string {
	if b == nil {
		return ""
	}
	s, _ := b.Data["text/plain"].(string)
	return s
}

// smallData is a cell giving a small training and test set.
const smallData = `train, test := data.FashionMNIST()
train = train.Take(1500)
test = test.Take(300)
`

func TestReconstructShowsPictureForEveryN(t *testing.T) {
	s := session(t)
	run(t, s, smallData+`m := ae.Dense(784, 16)
m.Fit(train, ae.Epochs(1), ae.Quiet())`)
	for _, n := range []int{1, 2, 7, 8, 12} {
		b, _ := run(t, s, fmt.Sprintf("m.Reconstruct(test.Take(%d))", n))
		if _, ok := b.Data["image/png"]; !ok {
			t.Errorf("Reconstruct(test.Take(%d)) shows no picture: %v", n, plain(b))
		}
	}
}

func TestFitCellShowsLossCurveOnce(t *testing.T) {
	s := session(t)
	run(t, s, smallData+`m := ae.Dense(784, 16)`)
	b, rec := run(t, s, `m.Fit(train, ae.Epochs(2))`)
	if n := rec.pngs(b); n != 1 {
		t.Fatalf("a cell ending in m.Fit shows %d loss curves, want 1", n)
	}
	if !strings.Contains(plain(b), "2 epochs") {
		t.Fatalf("result text %q", plain(b))
	}
	// The history shown again in a later cell draws its curve.
	run(t, s, `h := m.Fit(train, ae.Epochs(1))`)
	b, _ = run(t, s, `h`)
	if _, ok := b.Data["image/png"]; !ok {
		t.Fatalf("h in a later cell shows no curve")
	}
}

func TestCustomLossInCell(t *testing.T) {
	s := session(t)
	run(t, s, smallData)
	run(t, s, `huber := func(recon, target []float32) (float64, []float32) {
	g := make([]float32, len(recon))
	loss := 0.0
	for i := range recon {
		d := float64(recon[i] - target[i])
		if d > -0.1 && d < 0.1 {
			loss += 0.5 * d * d
			g[i] = float32(d) / float32(len(recon))
		} else {
			a := d
			if a < 0 {
				a = -a
			}
			loss += 0.1 * (a - 0.05)
			if d > 0 {
				g[i] = 0.1 / float32(len(recon))
			} else {
				g[i] = -0.1 / float32(len(recon))
			}
		}
	}
	return loss / float64(len(recon)), g
}
m := ae.Dense(784, 16)`)
	b, _ := run(t, s, `h := m.Fit(train, ae.Epochs(3), ae.CustomLoss(huber), ae.EarlyStop(2), ae.Validate(test), ae.Checkpoint("`+t.TempDir()+`/ck"))
h.Train[2] < h.Train[0]`)
	if plain(b) != "true" {
		t.Fatalf("the custom loss did not train: %v", plain(b))
	}
	b, _ = run(t, s, `mse, mae := ae.NNLoss(nn.MSE), ae.NNLoss(nn.MAE)
mix := func(r, t []float32) (float64, []float32) {
	a, ga := mse(r, t)
	c, gc := mae(r, t)
	for i := range ga {
		ga[i] = 0.5*ga[i] + 0.5*gc[i]
	}
	return 0.5*a + 0.5*c, ga
}
hm := ae.Dense(784, 16).Fit(train, ae.Epochs(2), ae.Quiet(), ae.CustomLoss(mix))
hm.Train[1] < hm.Train[0]`)
	if plain(b) != "true" {
		t.Fatalf("a loss built from nn ops did not train: %v", plain(b))
	}
	b, _ = run(t, s, `m2 := ae.Dense(784, 16).WithLossFunc(huber)
m2.Fit(train, ae.Epochs(1), ae.Quiet()).Last() > 0`)
	if plain(b) != "true" {
		t.Fatalf("WithLossFunc: %v", plain(b))
	}
}

// scaleLayer is a layer type written in a cell: a trainable scale per
// feature.
const scaleLayer = `type Scale struct {
	d    int
	s    *nn.Param
	x, y []float32
}

func (l *Scale) Spec() nn.Spec       { return nn.Spec{Type: "scale", In: nn.Flat(l.d)} }
func (l *Scale) InShape() nn.Shape   { return nn.Flat(l.d) }
func (l *Scale) OutShape() nn.Shape  { return nn.Flat(l.d) }
func (l *Scale) Params() []*nn.Param { return []*nn.Param{l.s} }
func (l *Scale) Forward(x []float32, n int, train bool) []float32 {
	l.x = x
	if len(l.y) < n*l.d {
		l.y = make([]float32, n*l.d)
	}
	for i := 0; i < n*l.d; i++ {
		l.y[i] = x[i] * l.s.W[i%l.d]
	}
	return l.y[:n*l.d]
}
func (l *Scale) Backward(dy []float32, n int, needDx bool) []float32 {
	for i := range l.s.G {
		l.s.G[i] = 0
	}
	for i := 0; i < n*l.d; i++ {
		l.s.G[i%l.d] += dy[i] * l.x[i]
		dy[i] = dy[i] * l.s.W[i%l.d]
	}
	return dy
}

func newScale(d int) *Scale {
	l := &Scale{d: d, s: nn.NewParam("scale.s", d)}
	for i := range l.s.W {
		l.s.W[i] = 1
	}
	return l
}
`

func TestLayerWrittenInCell(t *testing.T) {
	s := session(t)
	dir := t.TempDir()
	run(t, s, smallData+scaleLayer)
	b, _ := run(t, s, `m := ae.FromLayers([]nn.Layer{newScale(784), nn.NewDense("enc1", 784, 16, nn.Identity)}, []nn.Layer{nn.NewDense("dec1", 16, 784, nn.Sigmoid)})
h := m.Fit(train, ae.Epochs(2), ae.Quiet())
h.Train[1] < h.Train[0]`)
	if plain(b) != "true" {
		t.Fatalf("the model with a cell-written layer did not train: %v", plain(b))
	}
	b, _ = run(t, s, `m.Summary()`)
	if !strings.Contains(plain(b), "encoder/scale") || b.Data["text/html"] == nil {
		t.Fatalf("summary: %v", plain(b))
	}
	msg := runErr(t, s, `m.Save("`+dir+`/m.ae")`)
	if !strings.Contains(msg, `encoder layer 0 ("scale") is a layer type written in your code`) || !strings.Contains(msg, "SaveNPZ") {
		t.Fatalf("Save: %s", msg)
	}
	b, _ = run(t, s, `m.SaveNPZ("`+dir+`/w.npz")
m2 := ae.FromLayers([]nn.Layer{newScale(784), nn.NewDense("enc1", 784, 16, nn.Identity)}, []nn.Layer{nn.NewDense("dec1", 16, 784, nn.Sigmoid)})
m2.LoadWeights("`+dir+`/w.npz")
m2.Loss(test) == m.Loss(test)`)
	if plain(b) != "true" {
		t.Fatalf("weights of the custom model did not come back: %v", plain(b))
	}
}

// interruptOnTraining returns a context cancelled try·40 ms after a cell's
// first display (its training's live display: training is under way), and
// the recorder that shows it.
func interruptOnTraining(try int) (context.Context, context.CancelFunc, *recorder) {
	ctx, cancel := context.WithCancel(context.Background())
	rec := &recorder{onDisplay: func() {
		go func() {
			time.Sleep(time.Duration(try*40) * time.Millisecond)
			cancel()
		}()
	}}
	return ctx, cancel, rec
}

func TestInterruptKeepsHistory(t *testing.T) {
	s := session(t)
	run(t, s, smallData+`m := ae.Dense(784, 64)`)
	// Each try assigns a new variable: re-declaring one in an interrupted
	// cell is the engine's business (see the report), not this test's.
	for try := 0; try < 10; try++ {
		// Interrupt once training is under way, after a delay that differs
		// from try to try.
		ctx, cancel, rec := interruptOnTraining(try)
		h := fmt.Sprintf("h%d", try)
		run(t, s, `before := m.EpochsTrained()`)
		_, err := s.Execute(ctx, h+` := m.Fit(train, ae.Epochs(1000), ae.Batch(32))`, rec)
		cancel()
		if err == nil {
			t.Fatalf("try %d: the interrupted cell did not fail", try)
		}
		b, _ := run(t, s, h+` != nil && strings.HasPrefix(`+h+`.Stopped, "interrupted") && m.EpochsTrained()-before == len(`+h+`.Train)`)
		if plain(b) != "true" {
			b2, _ := run(t, s, `fmt.Sprint(`+h+` == nil, m.EpochsTrained()-before, `+h+`)`)
			t.Fatalf("try %d: after an interrupt (%v) %s is lost or disagrees with EpochsTrained: %v", try, err, h, plain(b2))
		}
	}
}

func TestAnomalyThresholdSaysWhereItCameFrom(t *testing.T) {
	s := session(t)
	run(t, s, smallData+`normal := train.WithLabels([]int{0})
m := ae.Dense(784, 16)
m.Fit(normal, ae.Epochs(2), ae.Quiet())`)
	b, _ := run(t, s, `ae.Anomaly(m, test, ae.Normal(0))`)
	if txt := plain(b); !strings.Contains(txt, "training set") || strings.Contains(txt, "WARNING") {
		t.Fatalf("threshold of a trained model: %s", txt)
	}
	dir := t.TempDir()
	b, _ = run(t, s, `m.Save("`+dir+`/m.ae")
loaded := ae.Load("`+dir+`/m.ae")
ae.Anomaly(loaded, test, ae.Normal(0))`)
	if txt := plain(b); !strings.Contains(txt, "WARNING: the threshold was tuned on") {
		t.Fatalf("threshold of a loaded model: %s", txt)
	}
}

func TestWithLossOfAFuncSaysWhatToUse(t *testing.T) {
	s := session(t)
	msg := runErr(t, s, `huber := func(recon, target []float32) (float64, []float32) { return 0, nil }
m := ae.Dense(784, 16).WithLoss(huber)`)
	if !strings.Contains(msg, "ae.CustomLoss(f)") || strings.Contains(msg, "generic") {
		t.Fatalf("WithLoss(huber): %s", msg)
	}
}

// TestInterruptStopsTheCell: an interrupt during Fit keeps the history Fit
// returns (its statement completes) and runs nothing after it.
func TestInterruptStopsTheCell(t *testing.T) {
	s := session(t)
	run(t, s, smallData+`m := ae.Dense(784, 64)
ran := false`)
	for try := 0; try < 6; try++ {
		ctx, cancel, rec := interruptOnTraining(try)
		quiet := ""
		if try%2 == 1 {
			// A quiet Fit shows nothing: interrupt it after a while. Fit
			// then returns before the session has begun its stop.
			time.AfterFunc(time.Duration(200+try*30)*time.Millisecond, cancel)
			quiet = ", ae.Quiet()"
		}
		h := fmt.Sprintf("h%d", try)
		_, err := s.Execute(ctx, h+` := m.Fit(train, ae.Epochs(1000), ae.Batch(32)`+quiet+`)
ran = true
fmt.Println("AFTER THE FIT")
m.Fit(train, ae.Epochs(1))`, rec)
		cancel()
		if err == nil {
			t.Fatalf("try %d: the interrupted cell did not fail", try)
		}
		rec.mu.Lock()
		out := rec.stdout.String()
		rec.mu.Unlock()
		if strings.Contains(out, "AFTER THE FIT") {
			t.Fatalf("try %d: the cell went on after the interrupt: %q", try, out)
		}
		b, _ := run(t, s, `fmt.Sprint(ran, `+h+` != nil && strings.HasPrefix(`+h+`.Stopped, "interrupted"))`)
		if plain(b) != "false true" {
			t.Fatalf("try %d: after the interrupt, ran and the kept history: %s", try, plain(b))
		}
	}
}
