package ae

import (
	"context"
	"math"

	"github.com/latent-ai/latent/internal/hugemem"
	"github.com/latent-ai/latent/nnops"
	"github.com/latent-ai/latent/runtime/nn"
)

// pass says how to run the model on a batch.
type pass struct {
	train   bool    // training mode (dropout and noise layers active)
	corrupt bool    // apply the model's input corruption
	sample  bool    // variational: sample z (else z = μ)
	rng     *nn.RNG // source of the corruption and of z's noise
}

// run feeds n rows of x through the model and returns the decoder output
// (values, or logits under BCE), the encoder output h (for a variational
// model μ and log σ² side by side in each row) and the code fed to the
// decoder.
func (m *Model) run(x []float32, n int, p pass) (out, h, code []float32) {
	in := x
	if m.noise != nil && p.corrupt {
		if p.rng != nil {
			m.noise.Seed(p.rng.Uint64())
		}
		in = m.noise.Forward(x, n, true)
	}
	h = m.enc.Forward(in, n, p.train)
	code = h
	if m.cfg.Variational {
		L := m.cfg.Latent
		m.z = hugemem.Grow(m.z, n*L)
		var seed uint64
		if p.sample {
			m.eps = hugemem.Grow(m.eps, n*L)
			m.std = hugemem.Grow(m.std, n*L)
			seed = p.rng.Uint64()
		}
		forRowChunks(n, n*L, func(c, lo, hi int) float64 {
			if p.sample {
				// Each piece draws ε from a stream of its own, so the
				// draws do not depend on which thread runs it.
				var r nnops.RNG
				r.Seed(nn.ChildSeed(seed, uint64(c)))
				r.FillNormal(m.eps[lo*L:hi*L], 0, 1)
			}
			for i := lo; i < hi; i++ {
				mu, lv := h[i*2*L:i*2*L+L], h[i*2*L+L:(i+1)*2*L]
				z := m.z[i*L : (i+1)*L]
				if !p.sample {
					copy(z, mu)
					continue
				}
				e, sd := m.eps[i*L:(i+1)*L], m.std[i*L:(i+1)*L]
				for j := range z {
					sd[j] = float32(math.Exp(0.5 * float64(lv[j]))) // kept for the backward pass and the KL term
					z[j] = mu[j] + e[j]*sd[j]
				}
			}
			return 0
		})
		code = m.z
	}
	out = m.dec.Forward(code, n, p.train)
	return out, h, code
}

// reconScale is the reduction of the reconstruction loss: the sum per
// sample averaged over the batch for variational models, the mean over all
// values otherwise.
func (m *Model) reconScale(n int) float64 {
	if m.cfg.Variational {
		return 1 / float64(n)
	}
	return 1 / float64(n*m.cfg.Input.Size())
}

// reconLoss returns the reconstruction loss of out against target and
// writes its gradient into m.grad.
func (m *Model) reconLoss(out, target []float32, n int) float64 {
	d := m.cfg.Input.Size()
	m.grad = hugemem.Grow(m.grad, n*d)
	if m.lossFn != nil {
		return m.customLoss(out, target, n)
	}
	sc := m.reconScale(n)
	switch m.cfg.Loss {
	case BCE:
		return nn.BCEWithLogits(out[:n*d], target[:n*d], m.grad, sc)
	case MAE:
		return nn.MAE(out[:n*d], target[:n*d], m.grad, sc)
	case MaskedMSE:
		mask := m.mb[:n*d]
		cnt := 0
		for _, v := range mask {
			if v != 0 {
				cnt++
			}
		}
		l, _ := nn.MaskedMSE(out[:n*d], target[:n*d], mask, m.grad, 1/float64(max(cnt, 1)))
		return l
	}
	return nn.MSE(out[:n*d], target[:n*d], m.grad, sc)
}

// penalty returns the regularisation term for encoder output h (the code,
// or μ and log σ² of a variational model) and, when dh is not nil, adds its
// gradient into dh.
func (m *Model) penalty(h []float32, n int, dh []float32) float64 {
	c := &m.cfg
	L := m.cfg.Latent
	if dh == nil {
		m.dh = hugemem.Grow(m.dh, len(h))
		dh = m.dh
		clear(dh)
	}
	switch {
	case c.Variational:
		var s float64
		for i := 0; i < n; i++ {
			r := h[i*2*L : (i+1)*2*L]
			g := dh[i*2*L : (i+1)*2*L]
			s += nn.GaussianKL(r[:L], r[L:], g[:L], g[L:], c.Beta/float64(n))
		}
		return s
	case c.L1 > 0:
		return nn.L1Activity(h[:n*L], dh, c.L1, 1/float64(n))
	case c.KLBeta > 0:
		return nn.KLSparsity(h[:n*L], n, L, c.KLRho, c.KLBeta, dh)
	}
	return 0
}

// step runs one training step on n rows of x (the clean targets) and
// returns the total loss and its reconstruction part; it leaves the
// gradients in the parameters.
func (m *Model) step(x []float32, n int, rng *nn.RNG) (total, recon float64) {
	out, h, _ := m.run(x, n, pass{train: true, corrupt: true, sample: true, rng: rng})
	recon = m.reconLoss(out, x, n)
	m.wgrads.Reset() // what a step that panicked left
	dcode := m.dec.BackwardDeferred(m.grad, n, true, &m.wgrads)
	var dh []float32
	reg := 0.0
	switch {
	case m.cfg.Variational:
		dh, reg = m.variationalGrad(h, dcode, n)
	case m.cfg.L1 > 0 || m.cfg.KLBeta > 0:
		dh = dcode
		reg = m.penalty(h, n, dh)
	default:
		dh = dcode
	}
	m.enc.BackwardDeferred(dh, n, false, &m.wgrads)
	m.wgrads.Run()
	return recon + reg, recon
}

// variationalGrad returns the gradient of the loss with respect to the
// encoder output h (μ and log σ² side by side in each row), given dcode,
// its gradient with respect to the sampled code z = μ + ε·σ, and the
// β-weighted KL term (nn.GaussianKL's), in one pass: σ comes from the
// forward pass and σ² = σ·σ, so no exponential is evaluated again.
func (m *Model) variationalGrad(h, dcode []float32, n int) (dh []float32, kl float64) {
	L := m.cfg.Latent
	scale := m.cfg.Beta / float64(n)
	sc := float32(scale)
	m.dh = hugemem.Grow(m.dh, n*2*L)
	kl = forRowChunks(n, n*L, func(_, lo, hi int) (kl float64) {
		for i := lo; i < hi; i++ {
			mu, lv := h[i*2*L:i*2*L+L], h[i*2*L+L:(i+1)*2*L]
			e, sd := m.eps[i*L:(i+1)*L], m.std[i*L:(i+1)*L]
			dz := dcode[i*L : (i+1)*L]
			g := m.dh[i*2*L : (i+1)*2*L]
			for j := range dz {
				v := sd[j] * sd[j]
				kl += -0.5 * float64(1+lv[j]-mu[j]*mu[j]-v)
				g[j] = dz[j] + sc*mu[j]
				g[L+j] = dz[j]*e[j]*0.5*sd[j] + sc*0.5*(v-1)
			}
		}
		return kl
	})
	return m.dh, kl * scale
}

// rowChunks is how many pieces the variational passes cut a batch's rows
// into: a fixed number, so that the draws of ε and the sums do not depend
// on the number of threads.
const rowChunks = 16

// rowChunksParallel is the least number of values (rows × code width) for
// which forRowChunks runs its pieces on the kernels' threads.
const rowChunksParallel = 1 << 11

// forRowChunks runs fn on each of rowChunks pieces [lo, hi) of n rows (c
// numbers the piece), on the kernels' threads when the rows hold
// rowChunksParallel values or more (vals in all), and returns the pieces'
// results added in order.
func forRowChunks(n, vals int, fn func(c, lo, hi int) float64) float64 {
	return nnops.SumPieces(n, rowChunks, vals >= rowChunksParallel, fn)
}

// evalLoss returns the mean total and reconstruction loss over a set's
// rows, in evaluation mode (a denoising model still sees corrupted input
// and a variational model samples its code, both from a fixed seed, so the
// figure is comparable across epochs).
// It stops early, returning ok = false, when ctx is cancelled.
func (m *Model) evalLoss(ctx context.Context, x []float32, rows, batch int, seed uint64) (total, recon float64, ok bool) {
	d := m.cfg.Input.Size()
	rng := nn.NewRNG(seed)
	for lo := 0; lo < rows; lo += batch {
		if ctx.Err() != nil {
			return math.NaN(), math.NaN(), false
		}
		n := min(batch, rows-lo)
		xb := x[lo*d : (lo+n)*d]
		out, h, _ := m.run(xb, n, pass{corrupt: true, sample: true, rng: rng})
		r := m.reconLoss(out, xb, n)
		reg := 0.0
		if m.cfg.Variational || m.cfg.L1 > 0 || m.cfg.KLBeta > 0 {
			reg = m.penalty(h, n, nil)
		}
		recon += r * float64(n)
		total += (r + reg) * float64(n)
	}
	return total / float64(rows), recon / float64(rows), true
}

// outputs converts decoder outputs to reconstructions in place (a sigmoid
// under BCE, whose decoder gives logits).
func (m *Model) outputs(out []float32) {
	if m.cfg.Loss != BCE {
		return
	}
	for i, v := range out {
		out[i] = float32(1 / (1 + math.Exp(-float64(v))))
	}
}

// gatherBlock is how many rows one task of gatherRows copies.
const gatherBlock = 16

// gatherRows copies rows rows[i] of the d-wide matrix src to row i of dst,
// in parallel blocks for a batch large enough to repay it.
func gatherRows(dst, src []float32, rows []int, d int) {
	copyRows := func(t int) {
		for i := t * gatherBlock; i < min((t+1)*gatherBlock, len(rows)); i++ {
			r := rows[i]
			copy(dst[i*d:(i+1)*d], src[r*d:(r+1)*d])
		}
	}
	if len(rows)*d < 1<<16 {
		for t := 0; t*gatherBlock < len(rows); t++ {
			copyRows(t)
		}
		return
	}
	nnops.Parallel((len(rows)+gatherBlock-1)/gatherBlock, copyRows)
}
