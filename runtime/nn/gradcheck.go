package nn

import (
	"fmt"
	"math"
)

// GradCheckOptions tunes GradCheck; the zero value checks up to 24
// coordinates of the input and of each parameter with step 1e-3 and
// tolerance 2e-2 (relative, or absolute below 1).
type GradCheckOptions struct {
	N         int     // batch size (default 3)
	Samples   int     // coordinates checked per tensor (default 24)
	Step      float64 // finite-difference step (default 1e-3)
	Tol       float64 // tolerance (default 2e-2)
	Seed      uint64  // random inputs, weights and projection
	Train     bool    // run the layer in training mode
	InputLow  float32 // inputs are drawn from U[InputLow, InputLow+InputSpan)
	InputSpan float32
}

func (o *GradCheckOptions) defaults() {
	if o.N == 0 {
		o.N = 3
	}
	if o.Samples == 0 {
		o.Samples = 24
	}
	if o.Step == 0 {
		o.Step = 1e-3
	}
	if o.Tol == 0 {
		o.Tol = 2e-2
	}
	if o.InputSpan == 0 {
		o.InputLow, o.InputSpan = -1, 2
	}
}

// GradCheck checks a layer's Backward against central finite differences
// of the scalar L = Σ r⊙Forward(x) for random x and r: the input gradient
// and every parameter's gradient, at a sample of coordinates. Parameters
// left at zero are first initialised with Xavier. Each coordinate is tried
// with three step sizes so that a kink of ReLU or max-pooling crossed by one
// of them does not fail the check. It returns an error naming the first
// mismatch.
func GradCheck(l Layer, o GradCheckOptions) error {
	o.defaults()
	rng := NewRNG(o.Seed + 1)
	allZero := true
	for _, p := range l.Params() {
		for _, v := range p.W {
			if v != 0 {
				allZero = false
			}
		}
	}
	if allZero {
		if err := Initialize([]Layer{l}, Xavier, rng); err != nil {
			return err
		}
		for _, p := range l.Params() { // biases too, so they matter
			if len(p.Shape) == 1 {
				rng.FillUniform(p.W, -0.5, 0.5)
			}
		}
	}
	in, out := l.InShape().Size(), l.OutShape().Size()
	x := make([]float32, o.N*in)
	rng.FillUniform(x, o.InputLow, o.InputLow+o.InputSpan)
	r := make([]float32, o.N*out)
	rng.FillUniform(r, -1, 1)

	loss := func() float64 {
		if s, ok := l.(Seeder); ok {
			s.Seed(o.Seed)
		}
		y := l.Forward(x, o.N, o.Train)
		var s float64
		for i, v := range y[:o.N*out] {
			s += float64(v) * float64(r[i])
		}
		return s
	}
	loss()
	dy := append([]float32(nil), r...)
	dx := l.Backward(dy, o.N, true)
	if dx == nil {
		return fmt.Errorf("%s: Backward returned no input gradient", Describe(l))
	}
	dx = append([]float32(nil), dx[:o.N*in]...)
	grads := make([][]float32, len(l.Params()))
	for i, p := range l.Params() {
		grads[i] = append([]float32(nil), p.G...)
	}
	check := func(what string, vals []float32, analytic []float32) error {
		idx := make([]int, len(vals))
		rng.Perm(idx)
		if len(idx) > o.Samples {
			idx = idx[:o.Samples]
		}
		for _, i := range idx {
			a := float64(analytic[i])
			ok := false
			var num float64
			for _, h := range []float64{o.Step, o.Step / 4, o.Step / 16} {
				old := vals[i]
				vals[i] = old + float32(h)
				lp := loss()
				vals[i] = old - float32(h)
				lm := loss()
				vals[i] = old
				hp := float64(old+float32(h)) - float64(old-float32(h))
				num = (lp - lm) / hp
				if math.Abs(num-a) <= o.Tol*math.Max(1, math.Max(math.Abs(a), math.Abs(num))) {
					ok = true
					break
				}
			}
			if !ok {
				return fmt.Errorf("%s: gradient of %s[%d] is %.6g, finite differences give %.6g", Describe(l), what, i, a, num)
			}
		}
		return nil
	}
	if err := check("input", x, dx); err != nil {
		return err
	}
	for i, p := range l.Params() {
		if err := check(p.Name, p.W, grads[i]); err != nil {
			return err
		}
	}
	return nil
}

// LossFunc is a loss in the form of the functions in this package: it
// returns the loss of pred and writes d loss/d pred into grad.
type LossFunc func(pred, grad []float32) float64

// GradCheckLoss checks a loss's gradient against central finite
// differences at every coordinate of pred.
func GradCheckLoss(name string, f LossFunc, pred []float32, step, tol float64) error {
	grad := make([]float32, len(pred))
	f(pred, grad)
	analytic := append([]float32(nil), grad...)
	for i := range pred {
		old := pred[i]
		pred[i] = old + float32(step)
		lp := f(pred, grad)
		pred[i] = old - float32(step)
		lm := f(pred, grad)
		pred[i] = old
		num := (lp - lm) / (float64(old+float32(step)) - float64(old-float32(step)))
		a := float64(analytic[i])
		if math.Abs(num-a) > tol*math.Max(1, math.Max(math.Abs(a), math.Abs(num))) {
			return fmt.Errorf("%s: gradient at %d is %.6g, finite differences give %.6g", name, i, a, num)
		}
	}
	return nil
}
