package ae

import (
	"fmt"

	"github.com/latent-ai/latent/internal/hugemem"
	"github.com/latent-ai/latent/runtime/nn"
)

// LossFunc is a reconstruction loss written by the user: given a batch's
// reconstructions and targets (n samples × d values, row by row) it returns
// the loss and its gradient with respect to recon (len(recon) values).
// recon and target are copies that are the function's own until it
// returns, so it may write into them, e.g. its gradient over recon and
// return recon; they are reused for the next batch, so keep no reference
// to them. It is a plain func type, so a notebook cell can pass a func
// literal:
//
//	huber := func(recon, target []float32) (float64, []float32) { ... }
//	m.Fit(train, ae.CustomLoss(huber))
type LossFunc func(recon, target []float32) (loss float64, grad []float32)

// CustomLoss trains with f as the reconstruction loss instead of the
// model's own (the validation loss uses it too); the model's penalties
// (sparsity, KL) are still added. Progress, EarlyStop, Checkpoint and
// interrupts work as with the built-in losses. The model's output must be
// its reconstruction, so a model under BCE (whose decoder gives logits) is
// refused: call WithLoss(ae.MSE) first.
func CustomLoss(f LossFunc) Option { return func(c *FitConfig) { c.LossFunc = f } }

// WithLossFunc makes f the model's reconstruction loss for every later Fit,
// Loss and validation, and returns the model. A model with a custom loss
// saves as one with MSE (the function cannot be stored): set it again after
// ae.Load.
func (m *Model) WithLossFunc(f LossFunc) *Model {
	if f == nil {
		m.lossFn = nil
		return m
	}
	if err := m.checkLossFunc("WithLossFunc"); err != nil {
		panic(err)
	}
	m.lossFn = f
	return m
}

func (m *Model) checkLossFunc(op string) error {
	if m.cfg.Loss == BCE {
		return errf(op, "the model's decoder gives logits under BCE, not reconstructions; call WithLoss(ae.MSE) before giving a custom loss")
	}
	if m.cfg.Loss == MaskedMSE {
		return errf(op, "AutoRec models train on a masked loss and take no custom loss")
	}
	return nil
}

// customLoss calls the user's loss on a batch and copies its gradient into
// m.grad, checking what it returned. The loss gets copies of out and
// target: out is the output layer's cached activation, which backprop
// still needs, and target may be the caller's data set.
func (m *Model) customLoss(out, target []float32, n int) float64 {
	d := m.cfg.Input.Size()
	m.lossIn = hugemem.Grow(m.lossIn, 2*n*d)
	r, t := m.lossIn[:n*d], m.lossIn[n*d:]
	copy(r, out[:n*d])
	copy(t, target[:n*d])
	loss, g := m.lossFn(r, t)
	if len(g) != n*d {
		panic(errf("Fit", "the custom loss returned a gradient of %d values for a batch of %d×%d = %d; return one value per reconstruction value", len(g), n, d, n*d))
	}
	copy(m.grad, g)
	return loss
}

// fixedLayers reports whether the model's layers cannot be rebuilt from
// their specs: at least one was written outside nn (a type declared in a
// notebook cell, or in another Go package).
func fixedLayers(layers []nn.Layer) (int, nn.Layer) {
	for i, l := range layers {
		if _, err := nn.Build(l.Spec()); err != nil {
			return i, l
		}
	}
	return -1, nil
}

// customLayerError says which layer cannot be saved and what to do instead.
func (m *Model) customLayerError(op string) error {
	if !m.fixed {
		return nil
	}
	for _, part := range []struct {
		name string
		seq  *nn.Sequential
	}{{"encoder", m.enc}, {"decoder", m.dec}} {
		if i, l := fixedLayers(part.seq.Layers); i >= 0 {
			return errf(op, "%s layer %d (%s) is a layer type written in your code, which the model file cannot describe; "+
				"save its weights with m.SaveNPZ(path) or m.SaveSafetensors(path) and rebuild the model with the same layers to load them (m.LoadWeights(path))",
				part.name, i, layerName(l))
		}
	}
	return nil
}

// layerName names a layer for messages: its spec type or its Go type.
func layerName(l nn.Layer) string {
	if t := l.Spec().Type; t != "" {
		return fmt.Sprintf("%q", t)
	}
	return fmt.Sprintf("%T", l)
}

// NNLoss makes a LossFunc from one of nn's losses (nn.MSE, nn.MAE,
// nn.BCEWithLogits) or any function of their shape, averaged over every
// value. Custom losses can be built from them in a cell:
//
//	mse, mae := ae.NNLoss(nn.MSE), ae.NNLoss(nn.MAE)
//	mix := func(r, t []float32) (float64, []float32) {
//		a, ga := mse(r, t)
//		b, gb := mae(r, t)
//		for i := range ga {
//			ga[i] = 0.5*ga[i] + 0.5*gb[i]
//		}
//		return 0.5*a + 0.5*b, ga
//	}
func NNLoss(f func(pred, target, grad []float32, scale float64) float64) LossFunc {
	return func(recon, target []float32) (float64, []float32) {
		g := make([]float32, len(recon))
		return f(recon, target, g, 1/float64(max(len(recon), 1))), g
	}
}
