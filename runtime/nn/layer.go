package nn

import (
	"fmt"

	"github.com/latent-ai/latent/nnops"
)

// Shape is the shape of one sample: channels, height and width. A flat
// vector of d features is Shape{d, 1, 1}.
type Shape struct{ C, H, W int }

// Flat returns the shape of a flat vector of d features.
func Flat(d int) Shape { return Shape{d, 1, 1} }

// Size returns C·H·W, the number of features.
func (s Shape) Size() int { return s.C * s.H * s.W }

// String formats the shape as "784" for flat vectors and "1×28×28" for
// images.
func (s Shape) String() string {
	if s.H == 1 && s.W == 1 {
		return fmt.Sprint(s.C)
	}
	return fmt.Sprintf("%d×%d×%d", s.C, s.H, s.W)
}

// Layer is one differentiable step of a network working on batches of n
// samples stored row by row.
//
// Forward returns the output (a buffer the layer owns, valid until its next
// Forward) and remembers what Backward needs; x must stay unchanged until
// Backward. Backward takes the gradient of the loss with respect to the
// output (it may overwrite dy), sets the parameter gradients, and returns
// the gradient with respect to the input when needDx is set (else nil).
type Layer interface {
	Spec() Spec
	InShape() Shape
	OutShape() Shape
	Forward(x []float32, n int, train bool) []float32
	Backward(dy []float32, n int, needDx bool) []float32
	Params() []*Param
}

// Seeder is implemented by layers that draw random numbers (dropout and
// noise); Seed restarts their stream.
type Seeder interface{ Seed(seed uint64) }

// Activation names an elementwise activation function.
type Activation string

// The activations.
const (
	Identity  Activation = "identity"
	ReLU      Activation = "relu"
	LeakyReLU Activation = "leakyrelu" // negative slope 0.01 unless set
	Sigmoid   Activation = "sigmoid"
	Tanh      Activation = "tanh"
)

func (a Activation) op() (nnops.Activation, error) {
	switch a {
	case Identity, "":
		return nnops.Identity, nil
	case ReLU:
		return nnops.ReLU, nil
	case LeakyReLU:
		return nnops.LeakyReLU, nil
	case Sigmoid:
		return nnops.Sigmoid, nil
	case Tanh:
		return nnops.Tanh, nil
	}
	return 0, fmt.Errorf("nn: unknown activation %q; use one of identity, relu, leakyrelu, sigmoid, tanh", string(a))
}

// mustOp is op for activations already validated by a constructor.
func (a Activation) mustOp() nnops.Activation {
	o, err := a.op()
	if err != nil {
		panic(err)
	}
	return o
}

// DefaultLeakySlope is LeakyReLU's negative slope when none is given.
const DefaultLeakySlope = 0.01

func slopeOf(a Activation, s float32) float32 {
	if a == LeakyReLU && s == 0 {
		return DefaultLeakySlope
	}
	return s
}
