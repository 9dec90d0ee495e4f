package nn

import (
	"fmt"
	"strings"
)

// Spec is the serialisable description of a layer, enough to rebuild it
// (without its weights) with Build.
type Spec struct {
	Type   string     `json:"type"` // dense, act, reshape, noise, conv, convt, maxpool, upsample
	Name   string     `json:"name,omitempty"`
	In     Shape      `json:"in"`
	Out    int        `json:"out,omitempty"` // dense width or output channels
	To     Shape      `json:"to,omitempty"`  // reshape target
	Act    Activation `json:"act,omitempty"`
	Slope  float32    `json:"slope,omitempty"`
	Noise  string     `json:"noise,omitempty"`
	P      float32    `json:"p,omitempty"`
	K      int        `json:"k,omitempty"` // kernel (or pool/upsample factor)
	Stride int        `json:"stride,omitempty"`
	Pad    int        `json:"pad,omitempty"`
	OutPad int        `json:"outpad,omitempty"`
}

// Build makes a layer from its Spec, with zeroed weights.
func Build(s Spec) (l Layer, err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				err = e
				return
			}
			err = fmt.Errorf("nn: %v", r)
		}
	}()
	switch s.Type {
	case "dense":
		d := NewDense(s.Name, s.In.Size(), s.Out, s.Act)
		if s.Slope != 0 {
			d.Slope = s.Slope
		}
		return d, nil
	case "act":
		a := NewAct(s.In, s.Act)
		if s.Slope != 0 {
			a.Slope = s.Slope
		}
		return a, nil
	case "reshape":
		return NewReshape(s.In, s.To), nil
	case "noise":
		return NewNoise(s.In, s.Noise, s.P, 0), nil
	}
	if b := buildConv; b != nil {
		if l, ok := b(s); ok {
			return l, nil
		}
	}
	return nil, fmt.Errorf("nn: unknown layer type %q", s.Type)
}

// buildConv builds the convolution-family layers (set in conv.go).
var buildConv func(Spec) (Layer, bool)

// Sequential chains layers, each taking the previous one's output.
type Sequential struct {
	Layers []Layer
}

// NewSequential chains layers, checking that each one's input shape is the
// previous one's output shape.
func NewSequential(layers ...Layer) (*Sequential, error) {
	for i := 1; i < len(layers); i++ {
		if a, b := layers[i-1].OutShape(), layers[i].InShape(); a.Size() != b.Size() {
			return nil, fmt.Errorf("nn: layer %d (%s) gives %v values but layer %d (%s) takes %v", i-1, layers[i-1].Spec().Type, a, i, layers[i].Spec().Type, b)
		}
	}
	return &Sequential{Layers: layers}, nil
}

// InShape returns the first layer's input shape.
func (s *Sequential) InShape() Shape { return s.Layers[0].InShape() }

// OutShape returns the last layer's output shape.
func (s *Sequential) OutShape() Shape { return s.Layers[len(s.Layers)-1].OutShape() }

// Params returns the parameters of all layers in order.
func (s *Sequential) Params() []*Param {
	var ps []*Param
	for _, l := range s.Layers {
		ps = append(ps, l.Params()...)
	}
	return ps
}

// Specs returns the layers' specs.
func (s *Sequential) Specs() []Spec {
	out := make([]Spec, len(s.Layers))
	for i, l := range s.Layers {
		out[i] = l.Spec()
	}
	return out
}

// BuildSequential rebuilds a chain from specs.
func BuildSequential(specs []Spec) (*Sequential, error) {
	ls := make([]Layer, len(specs))
	for i, sp := range specs {
		l, err := Build(sp)
		if err != nil {
			return nil, fmt.Errorf("layer %d: %w", i, err)
		}
		ls[i] = l
	}
	return NewSequential(ls...)
}

// Forward runs the chain on n samples.
func (s *Sequential) Forward(x []float32, n int, train bool) []float32 {
	for _, l := range s.Layers {
		x = l.Forward(x, n, train)
	}
	return x
}

// Backward runs the chain backwards; it returns the input gradient when
// needDx, else nil (and skips the first layer's input-gradient work).
func (s *Sequential) Backward(dy []float32, n int, needDx bool) []float32 {
	for i := len(s.Layers) - 1; i >= 0; i-- {
		dy = s.Layers[i].Backward(dy, n, i > 0 || needDx)
	}
	return dy
}

// BackwardDeferred is Backward, except that the dense layers leave their
// weight-gradient products to wg (when it is deferring: see WeightGrads),
// which computes them once the caller has run every backward pass of the
// step.
func (s *Sequential) BackwardDeferred(dy []float32, n int, needDx bool, wg *WeightGrads) []float32 {
	for i := len(s.Layers) - 1; i >= 0; i-- {
		need := i > 0 || needDx
		if d, ok := s.Layers[i].(*Dense); ok {
			dy = d.backward(dy, n, need, wg)
		} else {
			dy = s.Layers[i].Backward(dy, n, need)
		}
	}
	return dy
}

// Seed reseeds every random layer, each with its own derived seed.
func (s *Sequential) Seed(seed uint64) {
	for i, l := range s.Layers {
		if r, ok := l.(Seeder); ok {
			r.Seed(ChildSeed(seed, uint64(i)))
		}
	}
}

// String lists the layers, e.g. "dense 784→256 relu, dense 256→64 relu".
func (s *Sequential) String() string {
	parts := make([]string, len(s.Layers))
	for i, l := range s.Layers {
		parts[i] = Describe(l)
	}
	return strings.Join(parts, ", ")
}

// Describe returns a short text description of one layer.
func Describe(l Layer) string {
	sp := l.Spec()
	switch sp.Type {
	case "dense":
		return fmt.Sprintf("dense %d→%d %s", sp.In.Size(), sp.Out, sp.Act)
	case "act":
		return string(sp.Act)
	case "reshape":
		return fmt.Sprintf("reshape %v→%v", sp.In, sp.To)
	case "noise":
		return fmt.Sprintf("%s %g", sp.Noise, sp.P)
	}
	return fmt.Sprintf("%s %v→%v", sp.Type, l.InShape(), l.OutShape())
}
