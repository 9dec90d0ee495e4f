package ae

import (
	"fmt"
	"math"
	"time"

	"github.com/latent-ai/latent/runtime/data"
	"github.com/latent-ai/latent/runtime/host"
	"github.com/latent-ai/latent/runtime/nn"
)

// TwoDecoderModel is one encoder with a decoder per domain: the "swap the
// decoders" demo. Trained on domains A and B (alternating batches), it
// decodes A's codes with B's decoder (Swap), turning A-style inputs into
// B-style outputs that keep what the shared code captured.
type TwoDecoderModel struct {
	A, B   *Model // the two autoencoders; they share one encoder
	epochs int
}

// TwoDecoders returns a dense two-decoder model: a shared encoder with the
// given widths and two mirrored decoders. Example: TwoDecoders(784, 256, 32).
func TwoDecoders(widths ...int) *TwoDecoderModel {
	a, err := newDense("dense", widths)
	must(err)
	b, err := newDense("dense", widths)
	must(err)
	b.cfg.Seed = 2
	must(b.rebuild("TwoDecoders"))
	b.enc = a.enc // share the encoder
	b.params = append(append([]*nn.Param{}, a.enc.Params()...), b.dec.Params()...)
	return &TwoDecoderModel{A: a, B: b}
}

// String describes the model.
func (t *TwoDecoderModel) String() string {
	return fmt.Sprintf("shared encoder [%s] with decoders A [%s] and B [%s]", t.A.enc, t.A.dec, t.B.dec)
}

// Fit trains the shared encoder and both decoders, alternating a batch of
// a (through decoder A) with a batch of b (through decoder B); an epoch
// ends when the larger set has been seen once. History.Train is the mean
// of both losses; Metrics["a"] and ["b"] hold each. Options as for
// Model.Fit, except that Validate, Checkpoint, KeepBest, EarlyStop and
// CustomLoss are refused.
func (t *TwoDecoderModel) Fit(a, b *data.Set, opts ...Option) *History {
	h, err := t.FitE(a, b, opts...)
	must(err)
	return h
}

// FitE is Fit returning an error.
func (t *TwoDecoderModel) FitE(a, b *data.Set, opts ...Option) (hist *History, err error) {
	defer catch("Fit", &err)
	cfg := DefaultFitConfig()
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	for _, p := range []struct {
		s    *data.Set
		what string
	}{{a, "domain A set"}, {b, "domain B set"}} {
		if err := t.A.checkSet("Fit", p.s, p.what); err != nil {
			return nil, err
		}
		if err := t.A.checkRange(p.s, p.what); err != nil {
			return nil, err
		}
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if err := cfg.twoDecodersRefused(); err != nil {
		return nil, err
	}
	for _, m := range []*Model{t.A, t.B} {
		if m.cfg.Image.Size() == 0 && a.C > 0 && a.C*a.H*a.W == a.D {
			m.cfg.Image = nn.Shape{C: a.C, H: a.H, W: a.W}
		}
	}
	ctx := cfg.Ctx
	if ctx == nil {
		ctx = host.Context()
	}
	var rep host.Reporter
	if !cfg.NoReport {
		rep = cfg.Reporter
		if rep == nil {
			rep = host.NewReporter()
		}
	}
	if t.A.opt == nil || cfg.Optimizer != nil || t.A.opt.LR != float32(cfg.LR) {
		t.A.opt, t.B.opt = nn.Adam(float32(cfg.LR)), nn.Adam(float32(cfg.LR))
		if o := cfg.Optimizer; o != nil {
			ca, cb := *o, *o
			t.A.opt, t.B.opt = &ca, &cb
		}
	}
	for _, o := range []*nn.Optimizer{t.A.opt, t.B.opt} {
		if cfg.ClipNorm > 0 {
			o.ClipNorm = float32(cfg.ClipNorm)
		}
		if err := o.Validate(); err != nil {
			return nil, wrap("Fit", err, "bad optimizer settings")
		}
	}
	d := a.D
	B := cfg.Batch
	na, nb := (a.N+B-1)/B, (b.N+B-1)/B
	batches := max(na, nb)
	hist = &History{Model: t.String(), Best: -1}
	start := time.Now()
	report := func(p host.Progress) {
		if rep == nil {
			return
		}
		p.Model, p.Epochs, p.Batches, p.Elapsed = hist.Model, cfg.Epochs, batches, time.Since(start)
		if hist.Samples > 0 {
			p.SamplesPerSec = float64(hist.Samples) / p.Elapsed.Seconds()
			left := float64((cfg.Epochs-p.Epoch)*batches+batches-p.Batch) * 2 * float64(B)
			if !p.Done {
				p.ETA = time.Duration(left / p.SamplesPerSec * float64(time.Second))
			}
		}
		p.ValLoss = math.NaN()
		p.TrainHistory = append([]float64(nil), hist.Train...)
		rep(p)
	}
	done := func(stopped string, err error) (*History, error) {
		hist.Stopped, hist.Elapsed = stopped, time.Since(start)
		if hist.Elapsed > 0 {
			hist.SamplesPerSec = float64(hist.Samples) / hist.Elapsed.Seconds()
		}
		hist.Best = hist.best(cfg.MinDelta)
		report(host.Progress{Epoch: len(hist.Train), Batch: batches, Loss: hist.Last(), Done: true, Stopped: stopped})
		return hist, err
	}
	diverged := func(what string, ep, k int) (*History, error) {
		e := errf("Fit", "%s in epoch %d, batch %d; lower the learning rate (ae.LR) or check the data", what, ep, k)
		return done(e.Msg, e)
	}
	pa, pb := make([]int, a.N), make([]int, b.N)
	xb := make([]float32, B*d)
	for ep := 0; ep < cfg.Epochs; ep++ {
		rng := nn.NewRNG(nn.ChildSeed(cfg.Seed, uint64(ep)+1))
		rng.Perm(pa)
		rng.Perm(pb)
		lrScale, err := cfg.lrScale(ep)
		if err != nil {
			return done(fmt.Sprintf("bad learning-rate multiplier for epoch %d", ep+1), err)
		}
		var sums [2]float64
		var counts [2]int
		for k := 0; k < batches; k++ {
			if err := ctx.Err(); err != nil {
				return done(fmt.Sprintf("interrupted in epoch %d at batch %d of %d (%v)", ep+1, k+1, batches, err), nil)
			}
			for side, m := range []*Model{t.A, t.B} {
				set, perm, nbat := a, pa, na
				if side == 1 {
					set, perm, nbat = b, pb, nb
				}
				lo := (k % nbat) * B
				n := min(B, set.N-lo)
				for i, r := range perm[lo : lo+n] {
					copy(xb[i*d:(i+1)*d], set.X[r*d:(r+1)*d])
				}
				loss, _ := m.step(xb[:n*d], n, rng)
				if math.IsNaN(loss) || math.IsInf(loss, 0) {
					return diverged(fmt.Sprintf("the loss of domain %c became %v", 'A'+side, loss), ep+1, k+1)
				}
				m.opt.Step(m.params, lrScale)
				sums[side] += loss * float64(n)
				counts[side] += n
				hist.Samples += n
			}
			if cfg.AfterBatch != nil {
				cfg.AfterBatch(&Step{Epoch: ep + 1, Epochs: cfg.Epochs, Batch: k + 1, Batches: batches, RunningLoss: (sums[0]/float64(counts[0]) + sums[1]/float64(counts[1])) / 2, Model: t.A})
			}
			report(host.Progress{Epoch: ep + 1, Batch: k + 1, Loss: (sums[0]/float64(counts[0]) + sums[1]/float64(counts[1])) / 2})
		}
		for side, set := range []*data.Set{a, b} { // no loss was checked after the last updates
			n := min(B, set.N)
			if what := []*Model{t.A, t.B}[side].divergence(set.X[:n*d], n); what != "" {
				return diverged(fmt.Sprintf("%s (decoder %c)", what, 'A'+side), ep+1, batches)
			}
		}
		la, lb := sums[0]/float64(counts[0]), sums[1]/float64(counts[1])
		hist.Train = append(hist.Train, (la+lb)/2)
		hist.addMetric("a", la)
		hist.addMetric("b", lb)
		t.epochs++
		t.A.epochs, t.B.epochs = t.epochs, t.epochs
		report(host.Progress{Epoch: ep + 1, Batch: batches, Loss: hist.Last(), EpochEnd: true})
		if cfg.AfterEpoch != nil {
			e := &Epoch{Epoch: ep + 1, Epochs: cfg.Epochs, Train: hist.Last(), Val: math.NaN(), History: hist, Model: t.A}
			cfg.AfterEpoch(e)
			if e.stop {
				return done(fmt.Sprintf("stopped by AfterEpoch after epoch %d", ep+1), nil)
			}
		}
	}
	return done("", nil)
}

// Swap encodes the samples of s and decodes them with the other domain's
// decoder: from A to B when fromA, else from B to A. The result shows the
// originals over the swapped decodings.
func (t *TwoDecoderModel) Swap(s *data.Set, fromA bool) *Reconstruction {
	src, dst := t.A, t.B
	if !fromA {
		src, dst = t.B, t.A
	}
	if err := src.checkSet("Swap", s, "set"); err != nil {
		panic(err)
	}
	codes := src.Encode(s)
	out := dst.decode(codes.Z, codes.N, s.Name+" swapped")
	labelsLike(out, s)
	r := &Reconstruction{Originals: s, Reconstructions: out, Errors: sampleErrors(s.X, out.X, s.N, s.D)}
	for _, e := range r.Errors {
		r.MSE += e
	}
	r.MSE /= float64(s.N)
	return r
}

// twoDecodersKind marks a saved two-decoder model: the config of A with
// DecoderB holding B's decoder, and the parameters encoder, decoder A,
// decoder B.
const twoDecodersKind = "two-decoders"

// Save writes the model (shared encoder and both decoders) to path
// atomically, in the format of Model.Save. It panics with an *Error on
// failure; SaveE returns it.
func (t *TwoDecoderModel) Save(path string) { must(t.SaveE(path)) }

// SaveE is Save returning an error.
func (t *TwoDecoderModel) SaveE(path string) error {
	cfg := t.A.cfg
	cfg.Kind = twoDecodersKind
	cfg.DecoderB = t.B.cfg.DecoderSpec
	cfg.SeedB = t.B.cfg.Seed
	params := append(append([]*nn.Param{}, t.A.params...), t.B.dec.Params()...)
	b, err := encodeFile(cfg, params, t.epochs, nil, nil)
	if err != nil {
		return err
	}
	if err := writeAtomic(path, b); err != nil {
		return wrap("Save", err, "cannot write %s; check the directory exists and is writable", path)
	}
	return nil
}

// LoadTwoDecoders reads a model written by TwoDecoderModel.Save. It panics
// with an *Error on a missing, corrupt or mismatched file; LoadTwoDecodersE
// returns it.
func LoadTwoDecoders(path string) *TwoDecoderModel {
	t, err := LoadTwoDecodersE(path)
	must(err)
	return t
}

// LoadTwoDecodersE is LoadTwoDecoders returning an error.
func LoadTwoDecodersE(path string) (t *TwoDecoderModel, err error) {
	f, err := readFile(path)
	if err != nil {
		return nil, err
	}
	defer catch("Load", &err)
	c := f.Config
	if c.Kind != twoDecodersKind || len(c.Widths) < 2 {
		return nil, errf("Load", "%s does not hold a two-decoder model; load it with ae.Load", path)
	}
	t = TwoDecoders(c.Widths...)
	if len(t.A.params)+len(t.B.dec.Params()) != len(f.Params) {
		return nil, errf("Load", "%s: the file has %d parameter tensors, the model %d; the file is inconsistent", path, len(f.Params), len(t.A.params)+len(t.B.dec.Params()))
	}
	all := append(append([]*nn.Param{}, t.A.params...), t.B.dec.Params()...)
	for i, p := range all {
		if len(f.Params[i]) != p.Len() {
			return nil, errf("Load", "%s: parameter %s has %d values in the file, the model needs %d", path, p.Name, len(f.Params[i]), p.Len())
		}
		copy(p.W, f.Params[i])
	}
	t.epochs, t.A.epochs, t.B.epochs = f.Epochs, f.Epochs, f.Epochs
	t.A.cfg.Image, t.B.cfg.Image = c.Image, c.Image
	return t, nil
}
