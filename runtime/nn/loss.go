package nn

import (
	"math"

	"github.com/latent-ai/latent/nnops"
)

// The loss functions below return scale·Σ term over all values and write
// the gradient of that quantity with respect to their input into grad (same
// length as the input). scale picks the reduction: 1/len for the mean over
// every value (PyTorch's default), 1/n for a per-sample sum averaged over
// the batch (the VAE convention), 1 for the plain sum.

// MSE is the squared error Σ (p−t)².
func MSE(pred, target, grad []float32, scale float64) float64 {
	g := float32(2 * scale)
	return scale * chunkedSum(len(pred), func(lo, hi int) float64 {
		if s, ok := nnops.SquaredError(grad[lo:hi], pred[lo:hi], target[lo:hi], g); ok {
			return s
		}
		var s float64
		t, gr := target[lo:hi], grad[lo:hi]
		for i, p := range pred[lo:hi] {
			d := p - t[i]
			s += float64(d * d)
			gr[i] = g * d
		}
		return s
	})
}

// MAE is the absolute error Σ |p−t| (gradient sign(p−t), 0 at 0).
func MAE(pred, target, grad []float32, scale float64) float64 {
	var s float64
	g := float32(scale)
	for i, p := range pred {
		d := p - target[i]
		switch {
		case d > 0:
			s += float64(d)
			grad[i] = g
		case d < 0:
			s -= float64(d)
			grad[i] = -g
		default:
			grad[i] = 0
		}
	}
	return s * scale
}

// BCEWithLogits is the binary cross-entropy of sigmoid(z) against targets t
// in [0, 1], computed from the logits z in the numerically stable form
// max(z,0) − z·t + log(1+e^−|z|). Its gradient is sigmoid(z) − t.
func BCEWithLogits(logits, target, grad []float32, scale float64) float64 {
	g := float32(scale)
	return scale * chunkedSum(len(logits), func(lo, hi int) float64 {
		if s, ok := nnops.BCELogits(grad[lo:hi], logits[lo:hi], target[lo:hi], g); ok {
			return s
		}
		var s float64
		tg, gr := target[lo:hi], grad[lo:hi]
		for i, z := range logits[lo:hi] {
			t := tg[i]
			az := float64(z)
			if az > 0 {
				az = -az
			}
			e := expNeg(az) // e^−|z|
			l := -float64(z) * float64(t)
			if z > 0 {
				l += float64(z)
			}
			s += l + log1pUnit(e)
			sig := float32(1 / (1 + e))
			if z < 0 {
				sig = float32(e / (1 + e))
			}
			gr[i] = g * (sig - t)
		}
		return s
	})
}

// MaskedMSE is the squared error over the observed entries only (mask[i]
// non-zero); unobserved entries get zero gradient. It also returns how many
// entries were observed, so callers can form a mean.
func MaskedMSE(pred, target, mask, grad []float32, scale float64) (float64, int) {
	var s float64
	n := 0
	g := float32(2 * scale)
	for i, p := range pred {
		if mask[i] == 0 {
			grad[i] = 0
			continue
		}
		d := p - target[i]
		s += float64(d * d)
		grad[i] = g * d
		n++
	}
	return s * scale, n
}

// L1Activity adds the sparsity penalty weight·scale·Σ|h| on code
// activations h to the loss, adding its gradient into grad.
func L1Activity(h, grad []float32, weight, scale float64) float64 {
	var s float64
	g := float32(weight * scale)
	for i, v := range h {
		switch {
		case v > 0:
			s += float64(v)
			grad[i] += g
		case v < 0:
			s -= float64(v)
			grad[i] -= g
		}
	}
	return weight * scale * s
}

// KLSparsity adds the penalty β·Σ_j KL(ρ‖ρ̂_j) for n samples of d code units
// with activations h in (0, 1) (sigmoid units), where ρ̂_j is unit j's mean
// activation over the batch, adding its gradient into grad. ρ̂ is clamped
// away from 0 and 1 so the penalty stays finite.
func KLSparsity(h []float32, n, d int, rho, beta float64, grad []float32) float64 {
	const eps = 1e-6
	var loss float64
	for j := 0; j < d; j++ {
		var m float64
		for i := 0; i < n; i++ {
			m += float64(h[i*d+j])
		}
		m /= float64(n)
		m = math.Min(math.Max(m, eps), 1-eps)
		loss += rho*math.Log(rho/m) + (1-rho)*math.Log((1-rho)/(1-m))
		g := float32(beta * (-rho/m + (1-rho)/(1-m)) / float64(n))
		for i := 0; i < n; i++ {
			grad[i*d+j] += g
		}
	}
	return beta * loss
}

// GaussianKL adds scale·Σ KL(N(μ, σ²) ‖ N(0, 1)) = scale·Σ −½(1 + log σ² − μ² − σ²)
// over all entries of mu and logvar, adding its gradients into gmu and glv.
func GaussianKL(mu, logvar, gmu, glv []float32, scale float64) float64 {
	var s float64
	sc := float32(scale)
	for i, m := range mu {
		lv := logvar[i]
		e := float32(math.Exp(float64(lv)))
		s += -0.5 * float64(1+lv-m*m-e)
		gmu[i] += sc * m
		glv[i] += sc * 0.5 * (e - 1)
	}
	return s * scale
}
