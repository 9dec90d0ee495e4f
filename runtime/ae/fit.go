package ae

import (
	"context"
	"fmt"
	"math"
	"os"
	"strings"
	"time"

	"github.com/latent-ai/latent/internal/hugemem"
	"github.com/latent-ai/latent/nnops"
	"github.com/latent-ai/latent/runtime/data"
	"github.com/latent-ai/latent/runtime/host"
	"github.com/latent-ai/latent/runtime/nn"
)

// History is the record of a training run: the mean training loss and the
// validation loss of every finished epoch, extra metrics per epoch, the
// best epoch, and why training stopped early (if it did).
type History struct {
	Model         string               // the model's description
	Train         []float64            // mean training loss per epoch
	Val           []float64            // validation loss per epoch (empty without a validation set)
	Best          int                  // 0-based index of the best epoch (by Val, else Train); -1 when none
	Metrics       map[string][]float64 // e.g. "recon" (the reconstruction part of the loss), "val_recon", "lr"
	Stopped       string               // why training ended early; empty when it ran all epochs
	Samples       int                  // training samples processed (over all resumed runs)
	Elapsed       time.Duration        // training time of the last Fit call
	SamplesPerSec float64              // training throughput of the last Fit call

	liveGen uint64 // host.Generation when the host's progress display showed this run; 0 when none
}

// ShownLive reports whether the host's live progress display has already
// drawn this history's loss curve in the current notebook cell, so that a
// cell ending in m.Fit(...) shows the curve once, not twice.
func (h *History) ShownLive() bool {
	return h != nil && h.liveGen != 0 && h.liveGen == host.Generation()
}

// Epochs returns the number of finished epochs.
func (h *History) Epochs() int { return len(h.Train) }

// Last returns the last training loss (NaN when none).
func (h *History) Last() float64 {
	if len(h.Train) == 0 {
		return math.NaN()
	}
	return h.Train[len(h.Train)-1]
}

// LastVal returns the last validation loss (NaN when none).
func (h *History) LastVal() float64 {
	if len(h.Val) == 0 {
		return math.NaN()
	}
	return h.Val[len(h.Val)-1]
}

// String summarises the run, e.g. "10 epochs: train 0.0102, val 0.0104
// (best epoch 10), 31250 samples/s".
func (h *History) String() string {
	if h == nil || len(h.Train) == 0 {
		s := "no epochs finished"
		if h != nil && h.Stopped != "" {
			s += " (" + h.Stopped + ")"
		}
		return s
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d epochs: train %.4g", len(h.Train), h.Last())
	if len(h.Val) > 0 {
		fmt.Fprintf(&b, ", val %.4g", h.LastVal())
	}
	if h.Best >= 0 {
		fmt.Fprintf(&b, " (best epoch %d)", h.Best+1)
	}
	if h.SamplesPerSec > 0 {
		fmt.Fprintf(&b, ", %.0f samples/s", h.SamplesPerSec)
	}
	if h.Stopped != "" {
		fmt.Fprintf(&b, "; stopped: %s", h.Stopped)
	}
	return b.String()
}

func (h *History) addMetric(name string, v float64) {
	if h.Metrics == nil {
		h.Metrics = map[string][]float64{}
	}
	h.Metrics[name] = append(h.Metrics[name], v)
}

// best returns the index of the best epoch.
func (h *History) best(minDelta float64) int {
	xs := h.Val
	if len(xs) == 0 {
		xs = h.Train
	}
	b := -1
	for i, v := range xs {
		if b < 0 || v < xs[b]-minDelta {
			b = i
		}
	}
	return b
}

// Fit trains the model on train and returns the history. It panics with an
// *Error on misuse or when the loss becomes NaN or Inf; FitE returns the
// error instead. When its context is cancelled it stops between batches and
// returns the history so far, keeping the weights of the last whole batch.
func (m *Model) Fit(train *data.Set, opts ...Option) *History {
	h, err := m.FitE(train, opts...)
	if err != nil {
		panic(err)
	}
	return h
}

// FitE is Fit returning an error instead of panicking. On a NaN or Inf
// loss it returns the history so far and an *Error naming the epoch and
// batch, with the weights of the last good batch restored.
func (m *Model) FitE(train *data.Set, opts ...Option) (hist *History, err error) {
	defer host.Cooperative()() // an interrupt waits for the history to be returned
	cfg := DefaultFitConfig()
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	defer catch("Fit", &err)
	release, err := m.holdForFit()
	if err != nil {
		return nil, err
	}
	defer release()
	if err := m.checkSet("Fit", train, "training set"); err != nil {
		return nil, err
	}
	if cfg.Val != nil {
		if err := m.checkSet("Fit", cfg.Val, "validation set"); err != nil {
			return nil, err
		}
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if err := m.checkRange(train, "training set"); err != nil {
		return nil, err
	}
	if cfg.Val != nil {
		if err := m.checkRange(cfg.Val, "validation set"); err != nil {
			return nil, err
		}
	}
	if m.cfg.Image.Size() == 0 && train.C*train.H*train.W == m.cfg.Input.Size() && train.C > 0 {
		m.cfg.Image = nn.Shape{C: train.C, H: train.H, W: train.W}
	}
	ctx := cfg.Ctx
	if ctx == nil {
		ctx = host.Context()
	}
	rep := cfg.Reporter
	if rep == nil && !cfg.NoReport {
		rep = host.NewReporter()
	}
	if cfg.NoReport {
		rep = nil
	}
	if cfg.Checkpoint != "" {
		if err := m.customLayerError("Fit"); err != nil {
			return nil, wrap("Fit", err, "ae.Checkpoint cannot save this model")
		}
	}
	if cfg.LossFunc != nil {
		if err := m.checkLossFunc("Fit"); err != nil {
			return nil, err
		}
		defer func(f LossFunc) { m.lossFn = f }(m.lossFn)
		m.lossFn = cfg.LossFunc
	}
	opt, err := m.optimizer(&cfg)
	if err != nil {
		return nil, err
	}
	m.trainSet = train
	hist, err = m.train(ctx, train, &cfg, opt, rep)
	if hist != nil && rep != nil && cfg.Reporter == nil {
		hist.liveGen = host.Generation() // the host's live display drew its loss curve
	}
	return hist, err
}

// optimizer returns the optimizer to use: the option's, or the model's
// current one when its settings match (so a second Fit continues Adam's
// moments), or a fresh Adam.
func (m *Model) optimizer(cfg *FitConfig) (*nn.Optimizer, error) {
	var o *nn.Optimizer
	switch {
	case cfg.Optimizer != nil:
		o = cfg.Optimizer
	case m.opt != nil && m.opt.Kind == "adam" && m.opt.LR == float32(cfg.LR):
		o = m.opt
		o.ClipNorm = 0 // clipping is this Fit's option, not an earlier one's
	default:
		o = nn.Adam(float32(cfg.LR))
	}
	if cfg.ClipNorm > 0 {
		o.ClipNorm = float32(cfg.ClipNorm)
	}
	if err := o.Validate(); err != nil {
		return nil, wrap("Fit", err, "bad optimizer settings")
	}
	m.opt = o
	return o, nil
}

// checkSet reports a set that cannot feed the model.
func (m *Model) checkSet(op string, s *data.Set, what string) error {
	if s == nil {
		return errf(op, "the %s is nil; load one, e.g. train, test := data.FashionMNIST()", what)
	}
	if s.N <= 0 {
		return errf(op, "the %s %q is empty", what, s.Name)
	}
	if s.D != m.cfg.Input.Size() {
		return errf(op, "the %s %q has %d features per sample but the model takes %d; build the model for %d inputs (e.g. ae.Dense(%d, ...)) or reshape the data", what, s.Name, s.D, m.cfg.Input.Size(), s.D, s.D)
	}
	if in := m.cfg.Input; (in.H > 1 || in.W > 1) && s.C > 0 && (s.C != in.C || s.H != in.H || s.W != in.W) {
		return errf(op, "the %s %q holds %d×%d×%d images but the model takes %d×%d×%d; build the model for the set's shape (e.g. ae.Convolutional(%d, %d, %d)) or reshape the data", what, s.Name, s.C, s.H, s.W, in.C, in.H, in.W, s.C, s.H, s.W)
	}
	if len(s.X) < s.N*s.D {
		return errf(op, "the %s %q holds %d values, fewer than N×D = %d×%d", what, s.Name, len(s.X), s.N, s.D)
	}
	return nil
}

// valueRange returns the smallest and largest value of s, or an error
// naming the first NaN or Inf. It runs at the start of every Fit, so blocks
// of the data are scanned in parallel with the vector kernels of
// nnops.MinMax: Fashion-MNIST's 47 million values take 9 ms on 2 threads
// and 18 ms on one (BenchmarkValueRange), against 51 and 100 ms with a Go
// loop.
func valueRange(s *data.Set) (lo, hi float32, err error) {
	x := s.X[:s.N*s.D]
	type part struct {
		lo, hi float32
		finite bool
	}
	parts := make([]part, (len(x)+rangeBlock-1)/rangeBlock)
	nnops.Parallel(len(parts), func(t int) {
		p := &parts[t]
		p.lo, p.hi, p.finite = nnops.MinMax(x[t*rangeBlock : min((t+1)*rangeBlock, len(x))])
	})
	lo, hi = float32(math.Inf(1)), float32(math.Inf(-1))
	for t, p := range parts {
		if !p.finite {
			for i, v := range x[t*rangeBlock:] {
				if v-v != 0 { // NaN or ±Inf
					i += t * rangeBlock
					return 0, 0, errf("Fit", "%s: sample %d feature %d is %v; clean or impute the data before training", s.Name, i/s.D, i%s.D, v)
				}
			}
		}
		lo, hi = min(lo, p.lo), max(hi, p.hi)
	}
	return lo, hi, nil
}

// rangeBlock is the number of values one task of valueRange scans.
const rangeBlock = 1 << 18

// checkRange reports data that a model with outputs in (0, 1) (a sigmoid
// output, or BCE) cannot reconstruct.
func (m *Model) checkRange(s *data.Set, what string) error {
	lo, hi, err := valueRange(s)
	if err != nil {
		return err
	}
	last := m.dec.Layers[len(m.dec.Layers)-1].Spec()
	bounded := m.cfg.Loss == BCE || (last.Act == nn.Sigmoid && m.cfg.Loss != MaskedMSE)
	const tol = 1e-6
	if bounded && (lo < -tol || hi > 1+tol) {
		fix := "rescale it to [0, 1] (e.g. s, scaler := train.Normalize())"
		if m.cfg.Widths != nil && m.cfg.Loss != BCE {
			fix += " or give the model a linear output with WithOutputActivation(nn.Identity)"
		}
		return errf("Fit", "the %s %q has values in [%g, %g] but the model's outputs lie in (0, 1); %s", what, s.Name, lo, hi, fix)
	}
	return nil
}

// snapshotEvery is how often (in batches) Fit copies the weights that gave
// a finite loss, to restore them if the loss later becomes NaN or Inf.
// Copying every batch would cost a few percent of a dense epoch.
const snapshotEvery = 8

// finiteParams reports whether every value of ps is finite (no NaN or
// ±Inf), with nnops.MinMax's vector kernels.
func finiteParams(ps []*nn.Param) bool {
	for _, p := range ps {
		if _, _, ok := nnops.MinMax(p.W); !ok {
			return false
		}
	}
	return true
}

// divergence says what is wrong, for Fit's error, when an update has
// made the weights NaN or Inf or, given n rows x of the last batch, so
// large that the model's outputs on them are; "" when nothing is. It costs
// a pass over the parameters and one forward pass of a batch, so Fit runs
// it at the end of each epoch (and checks the weights before it keeps a
// copy of them), not after every batch.
func (m *Model) divergence(x []float32, n int) string {
	if !finiteParams(m.params) {
		return "the weights became NaN or Inf"
	}
	if n == 0 {
		return ""
	}
	out, h, _ := m.run(x, n, pass{})
	_, _, okOut := nnops.MinMax(out[:n*m.cfg.Input.Size()])
	_, _, okH := nnops.MinMax(h[:n*m.enc.OutShape().Size()])
	if !okOut || !okH {
		return "the weights grew so large that the model's outputs are NaN or Inf"
	}
	return ""
}

// trainState is what a checkpoint records besides the weights.
type trainState struct {
	Epoch   int      `json:"epoch"` // epochs finished
	Seed    uint64   `json:"seed"`
	Batch   int      `json:"batch"`
	History *History `json:"history"`
}

func (m *Model) train(ctx context.Context, train *data.Set, cfg *FitConfig, opt *nn.Optimizer, rep host.Reporter) (*History, error) {
	d := m.cfg.Input.Size()
	B := min(cfg.Batch, train.N)
	batches := (train.N + B - 1) / B
	hist := &History{Model: m.String(), Best: -1}
	first := 0
	if cfg.Checkpoint != "" {
		if st, ok, err := m.resume(cfg.Checkpoint, cfg, B); err != nil {
			return nil, err
		} else if ok {
			hist, first = st.History, st.Epoch
			if hist.Metrics == nil {
				hist.Metrics = map[string][]float64{}
			}
		}
	}
	masked := m.cfg.Loss == MaskedMSE
	if masked && (len(m.mask) != train.N*d || cfg.Val != nil) {
		return nil, errf("Fit", "a masked loss needs the mask of its training set (use ae.AutoRec) and takes no validation set")
	}
	params := m.params
	if !finiteParams(params) {
		fix := "rebuild the model or load good weights"
		if first > 0 {
			fix = fmt.Sprintf("delete the checkpoint %s to start afresh", cfg.Checkpoint)
		}
		return nil, errf("Fit", "the model's weights hold NaN or Inf before training; %s", fix)
	}
	good := nn.Snapshot(nil, params)
	goodAt := [2]int{first + 1, 1}
	var bestSnap [][]float32
	if cfg.KeepBest && hist.Best >= 0 {
		bestSnap = nn.Snapshot(nil, params)
	}
	m.xb = hugemem.Grow(m.xb, B*d)
	perm := make([]int, train.N)
	start := time.Now()
	samples := 0
	stale := 0
	report := func(p host.Progress) {
		if rep == nil {
			return
		}
		p.Model = hist.Model
		p.Epochs, p.Batches = cfg.Epochs, batches
		p.Elapsed = time.Since(start)
		if samples > 0 {
			p.SamplesPerSec = float64(samples) / p.Elapsed.Seconds()
			left := (cfg.Epochs-p.Epoch)*train.N + (batches-p.Batch)*B
			if p.Done {
				left = 0
			}
			p.ETA = time.Duration(float64(left) / p.SamplesPerSec * float64(time.Second))
		}
		p.ValLoss = math.NaN()
		if len(hist.Val) > 0 {
			p.ValLoss = hist.LastVal()
		}
		p.TrainHistory = append([]float64(nil), hist.Train...)
		p.ValHistory = append([]float64(nil), hist.Val...)
		rep(p)
	}
	finish := func(stopped string, err error) (*History, error) {
		hist.Stopped = stopped
		hist.Elapsed = time.Since(start)
		if hist.Elapsed > 0 {
			hist.SamplesPerSec = float64(samples) / hist.Elapsed.Seconds() // this run's, after a resume too
		}
		hist.Best = hist.best(cfg.MinDelta)
		if cfg.KeepBest && bestSnap != nil && err == nil {
			nn.Restore(params, bestSnap)
		}
		report(host.Progress{Epoch: len(hist.Train), Batch: batches, Loss: hist.Last(), Done: true, Stopped: stopped})
		return hist, err
	}
	// diverged restores the last good weights and stops with what went
	// wrong (a NaN or Inf loss, or weights) in epoch ep, batch b (1-based).
	diverged := func(what string, ep, b int) (*History, error) {
		nn.Restore(params, good)
		opt.Reset()
		e := errf("Fit", "%s in epoch %d, batch %d; the weights of epoch %d, batch %d (the last good weights saved) are restored. Lower the learning rate (ae.LR), clip gradients (ae.ClipNorm) or check the data", what, ep, b, goodAt[0], goodAt[1])
		h, _ := finish(fmt.Sprintf("%s in epoch %d, batch %d", what, ep, b), e)
		return h, e
	}
	for ep := first; ep < cfg.Epochs; ep++ {
		rng := nn.NewRNG(nn.ChildSeed(cfg.Seed^m.cfg.Seed, uint64(ep)+1))
		shuffle(rng, perm, train, B)
		lrScale, err := cfg.lrScale(ep)
		if err != nil {
			return finish(fmt.Sprintf("bad learning-rate multiplier for epoch %d", ep+1), err)
		}
		var sum, sumRecon float64
		for b := 0; b < batches; b++ {
			if err := ctx.Err(); err != nil {
				return finish(fmt.Sprintf("interrupted in epoch %d at batch %d of %d (%v)", ep+1, b+1, batches, err), nil)
			}
			m.letOthersIn() // inuse.go
			lo := b * B
			n := min(B, train.N-lo)
			xb := m.xb[:n*d]
			gatherRows(xb, train.X, perm[lo:lo+n], d)
			if masked {
				m.mb = hugemem.Grow(m.mb, n*d)
				gatherRows(m.mb, m.mask, perm[lo:lo+n], d)
			}
			loss, recon := m.step(xb, n, rng)
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				return diverged(fmt.Sprintf("the loss became %v", loss), ep+1, b+1)
			}
			if b%snapshotEvery == 0 { // these weights gave a finite loss
				if what := m.divergence(nil, 0); what != "" { // made by the update of the batch before
					return diverged(what, ep+1, b)
				}
				nn.Snapshot(good, params)
				goodAt = [2]int{ep + 1, b + 1}
			}
			opt.Step(params, lrScale)
			samples += n
			hist.Samples += n
			sum += loss * float64(n)
			sumRecon += recon * float64(n)
			seen := lo + n
			if cfg.AfterBatch != nil {
				m.callback(func() {
					cfg.AfterBatch(&Step{Epoch: ep + 1, Epochs: cfg.Epochs, Batch: b + 1, Batches: batches, Loss: loss, RunningLoss: sum / float64(seen), Model: m})
				})
			}
			report(host.Progress{Epoch: ep + 1, Batch: b + 1, Loss: sum / float64(seen)})
		}
		// No loss was checked after the last batches' updates: check the
		// weights, and the outputs on the last batch (still in m.xb).
		last := train.N - (batches-1)*B
		if what := m.divergence(m.xb[:last*d], last); what != "" {
			return diverged(what, ep+1, batches)
		}
		m.epochs++
		hist.Train = append(hist.Train, sum/float64(train.N))
		hist.addMetric("recon", sumRecon/float64(train.N))
		hist.addMetric("lr", float64(opt.LR*lrScale))
		valLoss := math.NaN()
		if cfg.Val != nil {
			var vr float64
			var ok bool
			valLoss, vr, ok = m.evalLoss(ctx, cfg.Val.X, cfg.Val.N, B, nn.ChildSeed(cfg.Seed, 1<<40))
			if !ok {
				m.epochs-- // the history drops the epoch, so EpochsTrained does too
				hist.Train = hist.Train[:len(hist.Train)-1]
				for k := range hist.Metrics {
					hist.Metrics[k] = hist.Metrics[k][:len(hist.Train)]
				}
				return finish(fmt.Sprintf("interrupted while validating epoch %d (%v); the weights are those after its last batch", ep+1, ctx.Err()), nil)
			}
			hist.Val = append(hist.Val, valLoss)
			hist.addMetric("val_recon", vr)
		}
		best := hist.best(cfg.MinDelta)
		improved := best == len(hist.Train)-1
		if improved {
			stale = 0
			if cfg.KeepBest {
				bestSnap = nn.Snapshot(bestSnap, params)
			}
		} else {
			stale++
		}
		hist.Best = best
		report(host.Progress{Epoch: ep + 1, Batch: batches, Loss: hist.Last(), EpochEnd: true})
		if cfg.Checkpoint != "" {
			if err := m.saveCheckpoint(cfg.Checkpoint, trainState{Epoch: ep + 1, Seed: cfg.Seed, Batch: B, History: hist}); err != nil {
				return finish("checkpoint failed", err)
			}
		}
		if cfg.AfterEpoch != nil {
			e := &Epoch{Epoch: ep + 1, Epochs: cfg.Epochs, Train: hist.Last(), Val: valLoss, History: hist, Model: m}
			m.callback(func() { cfg.AfterEpoch(e) })
			if e.stop {
				return finish(fmt.Sprintf("stopped by AfterEpoch after epoch %d", ep+1), nil)
			}
		}
		if cfg.Patience > 0 && stale >= cfg.Patience && ep+1 < cfg.Epochs {
			return finish(fmt.Sprintf("early stopping: no improvement for %d epochs (best epoch %d)", stale, best+1), nil)
		}
	}
	return finish("", nil)
}

// resume loads a checkpoint into the model when path holds one.
func (m *Model) resume(path string, cfg *FitConfig, batch int) (trainState, bool, error) {
	if _, err := os.Stat(path); os.IsNotExist(err) {
		return trainState{}, false, nil
	}
	f, err := readFile(path)
	if err != nil {
		return trainState{}, false, wrap("Fit", err, "cannot resume from checkpoint %s; delete it to start afresh", path)
	}
	if !sameArch(f.Config, m.cfg) {
		return trainState{}, false, errf("Fit", "checkpoint %s holds a different model (%s); delete it or pass another path to ae.Checkpoint", path, f.Config.Kind)
	}
	if f.State == nil {
		return trainState{}, false, errf("Fit", "%s is a saved model, not a checkpoint; pass another path to ae.Checkpoint", path)
	}
	if f.State.Seed != cfg.Seed || f.State.Batch != batch {
		return trainState{}, false, errf("Fit", "checkpoint %s was made with seed %d and batch %d; resume with the same settings or delete it", path, f.State.Seed, f.State.Batch)
	}
	m.load(f)
	if f.Opt != nil && f.Opt.Kind == m.opt.Kind {
		m.opt.Steps, m.opt.M, m.opt.V = f.Opt.Steps, f.Opt.M, f.Opt.V
	}
	return *f.State, true, nil
}
