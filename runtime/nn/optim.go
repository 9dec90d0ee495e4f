package nn

import (
	"fmt"
	"math"

	"github.com/latent-ai/latent/nnops"
)

// Optimizer updates parameters from their gradients: SGD with momentum,
// Adam, or AdamW (Adam with decoupled weight decay). ClipNorm > 0 rescales
// the gradients first so that their global L2 norm is at most ClipNorm.
// Its state (step count and moment buffers) is exported so that
// checkpoints can save and restore it.
type Optimizer struct {
	Kind        string  // "sgd", "adam" or "adamw"
	LR          float32 // base learning rate
	Momentum    float32 // SGD momentum (0 = plain SGD)
	Beta1       float32
	Beta2       float32
	Eps         float32
	WeightDecay float32 // AdamW's decoupled decay, or SGD's L2 term
	ClipNorm    float32

	Steps int         // updates made so far
	M, V  [][]float32 // per-parameter moment (SGD: velocity in M)

	ws, gs [][]float32 // the parameters' weights and gradients, for one Adam call
}

// SGD returns stochastic gradient descent with the given learning rate and
// momentum.
func SGD(lr, momentum float32) *Optimizer {
	return &Optimizer{Kind: "sgd", LR: lr, Momentum: momentum}
}

// Adam returns Adam with PyTorch's defaults (β1 0.9, β2 0.999, ε 1e-8).
func Adam(lr float32) *Optimizer {
	return &Optimizer{Kind: "adam", LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
}

// AdamW returns Adam with decoupled weight decay.
func AdamW(lr, weightDecay float32) *Optimizer {
	o := Adam(lr)
	o.Kind, o.WeightDecay = "adamw", weightDecay
	return o
}

// Validate reports a clear error for settings that cannot train.
func (o *Optimizer) Validate() error {
	switch o.Kind {
	case "sgd", "adam", "adamw":
	default:
		return fmt.Errorf("nn: unknown optimizer %q; use sgd, adam or adamw", o.Kind)
	}
	if !(o.LR > 0) || math.IsInf(float64(o.LR), 0) {
		return fmt.Errorf("nn: learning rate must be a positive number, got %g", o.LR)
	}
	in01 := func(v float32) bool { return v >= 0 && v < 1 }
	switch {
	case !in01(o.Momentum):
		return fmt.Errorf("nn: momentum must be in [0, 1), got %g (0.9 is usual)", o.Momentum)
	case !(o.WeightDecay >= 0) || math.IsInf(float64(o.WeightDecay), 0):
		return fmt.Errorf("nn: weight decay must be a finite number ≥ 0, got %g (0.01 is usual for AdamW)", o.WeightDecay)
	case !(o.ClipNorm >= 0) || math.IsInf(float64(o.ClipNorm), 0):
		return fmt.Errorf("nn: ClipNorm must be a finite number ≥ 0 (0 turns clipping off), got %g", o.ClipNorm)
	case o.Kind != "sgd" && (!in01(o.Beta1) || !in01(o.Beta2) || !(o.Eps > 0)):
		return fmt.Errorf("nn: Adam needs β1 and β2 in [0, 1) and ε > 0, got %g, %g and %g (Adam's defaults are 0.9, 0.999 and 1e-8)", o.Beta1, o.Beta2, o.Eps)
	}
	return nil
}

// Reset forgets the step count and moments.
func (o *Optimizer) Reset() { o.Steps, o.M, o.V = 0, nil, nil }

func (o *Optimizer) ensure(ps []*Param) {
	if len(o.M) == len(ps) {
		ok := true
		for i, p := range ps {
			if len(o.M[i]) != p.Len() {
				ok = false
			}
		}
		if ok {
			return
		}
	}
	// The moments share one block of memory (see Pack).
	sizes := make([]int, 0, 2*len(ps))
	for _, p := range ps {
		sizes = append(sizes, p.Len())
	}
	if o.Kind != "sgd" {
		sizes = append(sizes, sizes...)
	}
	parts := blocks(sizes)
	o.M, o.V = parts[:len(ps)], make([][]float32, len(ps))
	if o.Kind != "sgd" {
		o.V = parts[len(ps):]
	}
}

// GradNorm returns the global L2 norm of the gradients of ps.
func GradNorm(ps []*Param) float64 {
	var s float64
	for _, p := range ps {
		for _, g := range p.G {
			s += float64(g) * float64(g)
		}
	}
	return math.Sqrt(s)
}

// Step applies one update to ps with learning rate LR·lrScale.
func (o *Optimizer) Step(ps []*Param, lrScale float32) {
	o.ensure(ps)
	o.Steps++
	if o.ClipNorm > 0 {
		if n := GradNorm(ps); n > float64(o.ClipNorm) {
			f := float32(float64(o.ClipNorm) / n)
			for _, p := range ps {
				for i := range p.G {
					p.G[i] *= f
				}
			}
		}
	}
	lr := o.LR * lrScale
	if o.Kind != "sgd" {
		wd := float32(0)
		if o.Kind == "adamw" {
			wd = o.WeightDecay
		}
		o.ws, o.gs = o.ws[:0], o.gs[:0]
		for _, p := range ps {
			o.ws, o.gs = append(o.ws, p.W), append(o.gs, p.G)
		}
		nnops.AdamTensors(o.ws, o.gs, o.M, o.V, lr, o.Beta1, o.Beta2, o.Eps, wd, o.Steps)
		clear(o.ws) // hold no reference to the parameters between steps
		clear(o.gs)
		return
	}
	for i, p := range ps {
		m := o.M[i]
		for j, g := range p.G {
			g += o.WeightDecay * p.W[j]
			if o.Momentum != 0 {
				m[j] = o.Momentum*m[j] + g
				g = m[j]
			}
			p.W[j] -= lr * g
		}
	}
}

// Schedule gives the learning-rate multiplier for a 0-based epoch.
type Schedule func(epoch int) float64

// StepDecay multiplies the rate by gamma every `every` epochs.
func StepDecay(every int, gamma float64) Schedule {
	if every <= 0 {
		every = 1
	}
	return func(epoch int) float64 { return math.Pow(gamma, float64(epoch/every)) }
}

// Cosine anneals the rate from 1 to minFactor over total epochs.
func Cosine(total int, minFactor float64) Schedule {
	return func(epoch int) float64 {
		if total <= 1 {
			return 1
		}
		t := math.Min(float64(epoch)/float64(total-1), 1)
		return minFactor + (1-minFactor)*0.5*(1+math.Cos(math.Pi*t))
	}
}
