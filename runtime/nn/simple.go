package nn

import (
	"fmt"
	"math"
	"strings"

	"github.com/latent-ai/latent/internal/hugemem"
	"github.com/latent-ai/latent/nnops"
)

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

func trimSuffix(s, suf string) string { return strings.TrimSuffix(s, suf) }

func checkLen(layer string, x []float32, n, d int) {
	if len(x) < n*d {
		panic(errorf("nn: %s layer got %d values for a batch of %d×%d; the input width does not match the layer (want %d features per sample)", layer, len(x), n, d, d))
	}
}

// Act applies an activation function on its own (after a convolution, say).
type Act struct {
	Shape Shape
	Kind  Activation
	Slope float32

	op    nnops.Activation
	y, dx []float32
}

// NewAct returns an activation layer for samples of the given shape.
func NewAct(shape Shape, kind Activation) *Act {
	op, err := kind.op()
	if err != nil {
		panic(err)
	}
	return &Act{Shape: shape, Kind: kind, Slope: slopeOf(kind, 0), op: op}
}

// Spec describes the layer.
func (a *Act) Spec() Spec { return Spec{Type: "act", In: a.Shape, Act: a.Kind, Slope: a.Slope} }

// InShape returns the input shape.
func (a *Act) InShape() Shape { return a.Shape }

// OutShape returns the output shape (the same).
func (a *Act) OutShape() Shape { return a.Shape }

// Params returns nil: activations have no parameters.
func (a *Act) Params() []*Param { return nil }

// Forward applies the activation.
func (a *Act) Forward(x []float32, n int, train bool) []float32 {
	d := a.Shape.Size()
	checkLen("activation", x, n, d)
	a.y = hugemem.Grow(a.y, n*d)
	copy(a.y, x[:n*d])
	nnops.BiasActivate(a.y, n, d, nil, a.op, a.Slope)
	return a.y
}

// Backward multiplies dy by the activation's derivative.
func (a *Act) Backward(dy []float32, n int, needDx bool) []float32 {
	if !needDx {
		return nil
	}
	d := a.Shape.Size()
	a.dx = hugemem.Grow(a.dx, n*d)
	copy(a.dx, dy[:n*d])
	nnops.ActivationBackward(a.dx, a.y[:n*d], a.op, a.Slope)
	return a.dx
}

// Reshape changes how a sample's features are read (flatten an image, or
// view a vector as an image) without moving data.
type Reshape struct{ From, To Shape }

// NewReshape returns a reshape layer; the sizes must agree.
func NewReshape(from, to Shape) *Reshape {
	if from.Size() != to.Size() {
		panic(errorf("nn: cannot reshape %v (%d values) to %v (%d values)", from, from.Size(), to, to.Size()))
	}
	return &Reshape{from, to}
}

// Flatten returns a layer that views images of shape s as flat vectors.
func Flatten(s Shape) *Reshape { return NewReshape(s, Flat(s.Size())) }

// Spec describes the layer.
func (r *Reshape) Spec() Spec { return Spec{Type: "reshape", In: r.From, To: r.To} }

// InShape returns the input shape.
func (r *Reshape) InShape() Shape { return r.From }

// OutShape returns the output shape.
func (r *Reshape) OutShape() Shape { return r.To }

// Params returns nil.
func (r *Reshape) Params() []*Param { return nil }

// Forward returns x unchanged.
func (r *Reshape) Forward(x []float32, n int, train bool) []float32 { return x[:n*r.From.Size()] }

// Backward returns dy unchanged.
func (r *Reshape) Backward(dy []float32, n int, needDx bool) []float32 {
	if !needDx {
		return nil
	}
	return dy[:n*r.From.Size()]
}

// Noise kinds for the Noise layer.
const (
	NoiseDropout    = "dropout"    // zero with probability P, scale the rest by 1/(1-P)
	NoiseGaussian   = "gaussian"   // add N(0, P²)
	NoiseMasking    = "masking"    // zero with probability P (no rescaling)
	NoiseSaltPepper = "saltpepper" // with probability P set to 0 or 1 (even odds)
)

// Noise is a layer that perturbs its input in training only and passes it
// through unchanged otherwise: dropout, and the corruptions of a denoising
// autoencoder (Gaussian, masking, salt and pepper).
type Noise struct {
	Shape Shape
	Kind  string
	P     float32 // drop/mask/flip probability, or the Gaussian σ

	rng       *RNG
	y, dx     []float32
	keep      []float32 // per-value gradient factor of the last training pass
	lastTrain bool
}

// NewNoise returns a noise layer; kind is one of the Noise* constants.
func NewNoise(shape Shape, kind string, p float32, seed uint64) *Noise {
	switch kind {
	case NoiseDropout, NoiseMasking, NoiseSaltPepper:
		if !(p >= 0 && p < 1) {
			panic(errorf("nn: %s probability must be in [0, 1), got %g", kind, p))
		}
	case NoiseGaussian:
		if !(p >= 0) || math.IsInf(float64(p), 0) {
			panic(errorf("nn: Gaussian noise σ must be a finite number ≥ 0, got %g", p))
		}
	default:
		panic(errorf("nn: unknown noise %q; use dropout, gaussian, masking or saltpepper", kind))
	}
	return &Noise{Shape: shape, Kind: kind, P: p, rng: NewRNG(seed)}
}

// Seed restarts the layer's random stream.
func (l *Noise) Seed(seed uint64) { l.rng = NewRNG(seed) }

// Spec describes the layer.
func (l *Noise) Spec() Spec { return Spec{Type: "noise", In: l.Shape, Noise: l.Kind, P: l.P} }

// InShape returns the input shape.
func (l *Noise) InShape() Shape { return l.Shape }

// OutShape returns the output shape (the same).
func (l *Noise) OutShape() Shape { return l.Shape }

// Params returns nil.
func (l *Noise) Params() []*Param { return nil }

// Forward corrupts x when train is set and returns it unchanged otherwise.
func (l *Noise) Forward(x []float32, n int, train bool) []float32 {
	d := l.Shape.Size()
	checkLen("noise", x, n, d)
	l.lastTrain = train
	if !train || l.P == 0 {
		return x[:n*d]
	}
	m := n * d
	l.y = hugemem.Grow(l.y, m)
	switch l.Kind {
	case NoiseGaussian:
		l.rng.FillNormal(l.y, 0, l.P)
		for i, v := range x[:m] {
			l.y[i] += v
		}
		return l.y
	}
	l.keep = hugemem.Grow(l.keep, m)
	l.rng.FillUniform(l.keep, 0, 1)
	scale := float32(1)
	if l.Kind == NoiseDropout {
		scale = 1 / (1 - l.P)
	}
	for i, v := range x[:m] {
		u := l.keep[i]
		switch {
		case u >= l.P:
			l.y[i] = v * scale
			l.keep[i] = scale
		case l.Kind == NoiseSaltPepper:
			if u < l.P/2 {
				l.y[i] = 0
			} else {
				l.y[i] = 1
			}
			l.keep[i] = 0
		default:
			l.y[i] = 0
			l.keep[i] = 0
		}
	}
	return l.y
}

// Backward passes the gradient through the values that were kept.
func (l *Noise) Backward(dy []float32, n int, needDx bool) []float32 {
	if !needDx {
		return nil
	}
	m := n * l.Shape.Size()
	if !l.lastTrain || l.P == 0 || l.Kind == NoiseGaussian {
		return dy[:m]
	}
	l.dx = hugemem.Grow(l.dx, m)
	for i, g := range dy[:m] {
		l.dx[i] = g * l.keep[i]
	}
	return l.dx
}
