package ae

import (
	"context"
	"math"
	"strings"

	"github.com/latent-ai/latent/runtime/data"
	"github.com/latent-ai/latent/runtime/host"
	"github.com/latent-ai/latent/runtime/nn"
)

// FitConfig holds the training settings; Options change it. The zero
// value is not used directly: Fit starts from DefaultFitConfig.
type FitConfig struct {
	Epochs     int
	Batch      int
	Seed       uint64        // shuffling, corruption and sampling
	LR         float64       // learning rate of the default Adam
	Optimizer  *nn.Optimizer // overrides LR when set
	Val        *data.Set
	AfterBatch func(*Step)
	AfterEpoch func(*Epoch)
	Patience   int     // early stopping: epochs without improvement (0 = off)
	MinDelta   float64 // improvement smaller than this does not count
	KeepBest   bool    // restore the weights of the best epoch at the end
	Schedule   nn.Schedule
	ClipNorm   float64
	Checkpoint string // file saved after each epoch and resumed from
	Ctx        context.Context
	Reporter   host.Reporter
	NoReport   bool
	LossFunc   LossFunc // a custom reconstruction loss for this Fit (CustomLoss)
}

// DefaultFitConfig returns the defaults: 10 epochs, batch 256, seed 1,
// Adam with learning rate 1e-3, the host's context and progress reporter.
func DefaultFitConfig() FitConfig {
	return FitConfig{Epochs: 10, Batch: 256, Seed: 1, LR: 1e-3}
}

// Option changes one training setting.
type Option func(*FitConfig)

// Epochs sets the number of epochs (default 10).
func Epochs(n int) Option { return func(c *FitConfig) { c.Epochs = n } }

// Batch sets the batch size (default 256).
func Batch(n int) Option { return func(c *FitConfig) { c.Batch = n } }

// Seed sets the seed of shuffling, corruption and sampling (default 1).
// Training is deterministic given the model's seed and this one.
func Seed(s uint64) Option { return func(c *FitConfig) { c.Seed = s } }

// LR sets the learning rate of the default Adam optimizer (default 1e-3).
func LR(lr float64) Option { return func(c *FitConfig) { c.LR = lr } }

// Optimizer sets the optimizer (nn.SGD, nn.Adam, nn.AdamW), replacing the
// default Adam.
func Optimizer(o *nn.Optimizer) Option { return func(c *FitConfig) { c.Optimizer = o } }

// Validate sets a validation set, evaluated after each epoch.
func Validate(s *data.Set) Option { return func(c *FitConfig) { c.Val = s } }

// AfterBatch sets a function called after every batch.
func AfterBatch(f func(*Step)) Option { return func(c *FitConfig) { c.AfterBatch = f } }

// AfterEpoch sets a function called after every epoch; it may call
// Epoch.Stop to end training.
func AfterEpoch(f func(*Epoch)) Option { return func(c *FitConfig) { c.AfterEpoch = f } }

// EarlyStop stops training when the validation loss (the training loss
// without a validation set) has not improved for patience epochs.
func EarlyStop(patience int) Option { return func(c *FitConfig) { c.Patience = patience } }

// MinDelta sets the smallest decrease of the loss that counts as an
// improvement for EarlyStop and KeepBest (default 0).
func MinDelta(d float64) Option { return func(c *FitConfig) { c.MinDelta = d } }

// KeepBest restores, at the end, the weights of the epoch with the lowest
// validation loss (training loss without a validation set).
func KeepBest() Option { return func(c *FitConfig) { c.KeepBest = true } }

// Schedule sets a learning-rate schedule: a multiplier per 0-based epoch
// (see nn.StepDecay and nn.Cosine).
func Schedule(s nn.Schedule) Option { return func(c *FitConfig) { c.Schedule = s } }

// ClipNorm rescales gradients whose global L2 norm exceeds max.
func ClipNorm(max float64) Option { return func(c *FitConfig) { c.ClipNorm = max } }

// Checkpoint saves the model, optimizer and history to path (atomically)
// after every epoch. When path already holds a checkpoint of the same
// model, Fit resumes from it: it loads the weights, optimizer and history
// and continues with the next epoch, giving the same result as an
// uninterrupted run. Delete the file to start afresh. (KeepBest only
// considers the epochs run since the last resume.)
func Checkpoint(path string) Option { return func(c *FitConfig) { c.Checkpoint = path } }

// Context sets the context Fit watches between batches (default
// host.Context()).
func Context(ctx context.Context) Option { return func(c *FitConfig) { c.Ctx = ctx } }

// Progress sets the progress reporter (default host.NewReporter()).
func Progress(r host.Reporter) Option { return func(c *FitConfig) { c.Reporter = r } }

// Quiet turns progress reporting off.
func Quiet() Option { return func(c *FitConfig) { c.NoReport = true } }

// Step describes a finished batch, for AfterBatch.
type Step struct {
	Epoch, Epochs  int     // 1-based epoch and total
	Batch, Batches int     // 1-based batch and batches per epoch
	Loss           float64 // this batch's loss
	RunningLoss    float64 // mean loss of the epoch so far
	Model          *Model
}

// Epoch describes a finished epoch, for AfterEpoch.
type Epoch struct {
	Epoch, Epochs int     // 1-based epoch and total
	Train, Val    float64 // mean training loss; validation loss (NaN without a validation set)
	History       *History
	Model         *Model
	stop          bool
}

// Stop ends training after this epoch.
func (e *Epoch) Stop() { e.stop = true }

// check reports settings that cannot be meant, before training starts.
func (c *FitConfig) check() error {
	switch {
	case c.Epochs < 0 || c.Batch <= 0:
		return errf("Fit", "epochs %d and batch %d: need epochs ≥ 0 and batch ≥ 1", c.Epochs, c.Batch)
	case !(c.ClipNorm >= 0) || math.IsInf(c.ClipNorm, 0):
		return errf("Fit", "ClipNorm(%g): the largest gradient norm must be a positive number (e.g. ae.ClipNorm(1)), or leave the option out", c.ClipNorm)
	case c.Patience < 0:
		return errf("Fit", "EarlyStop(%d): patience is a number of epochs ≥ 1 (e.g. ae.EarlyStop(3)), or leave the option out", c.Patience)
	case !(c.MinDelta >= 0) || math.IsInf(c.MinDelta, 0):
		return errf("Fit", "MinDelta(%g): the smallest improvement must be a finite number ≥ 0", c.MinDelta)
	}
	return nil
}

// lrScale returns the schedule's learning-rate multiplier for 0-based
// epoch ep (1 without a schedule), or an error when it is negative, NaN
// or infinite.
func (c *FitConfig) lrScale(ep int) (float32, error) {
	if c.Schedule == nil {
		return 1, nil
	}
	v := c.Schedule(ep)
	if !(v >= 0) || math.IsInf(v, 0) || math.IsInf(float64(float32(v)), 0) {
		return 0, errf("Fit", "the schedule gave the learning-rate multiplier %g for epoch %d; it must be a finite number ≥ 0 (see nn.StepDecay and nn.Cosine)", v, ep+1)
	}
	return float32(v), nil
}

// twoDecodersRefused reports the options TwoDecoderModel.Fit does not
// support, all of them at once.
func (c *FitConfig) twoDecodersRefused() error {
	var bad []string
	for _, o := range []struct {
		set  bool
		name string
	}{{c.Val != nil, "ae.Validate"}, {c.Checkpoint != "", "ae.Checkpoint"}, {c.KeepBest, "ae.KeepBest"},
		{c.Patience > 0, "ae.EarlyStop"}, {c.LossFunc != nil, "ae.CustomLoss"}} {
		if o.set {
			bad = append(bad, o.name)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return errf("Fit", "a two-decoder model does not support %s; leave them out (stop training from ae.AfterEpoch with e.Stop(), and save with t.Save(path) after Fit)", strings.Join(bad, ", "))
}
