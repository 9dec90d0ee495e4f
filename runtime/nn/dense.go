package nn

import (
	"github.com/latent-ai/latent/internal/hugemem"
	"github.com/latent-ai/latent/nnops"
)

// Dense is a fully connected layer y = act(x·W + b) with W stored in×out.
type Dense struct {
	In, Out int
	Act     Activation
	Slope   float32 // LeakyReLU's negative slope
	W, B    *Param

	op    nnops.Activation
	x     []float32
	y, dx []float32
}

// NewDense returns a dense layer from in to out features with activation
// act, its weights initialised to zero (see Init).
func NewDense(name string, in, out int, act Activation) *Dense {
	op, err := act.op()
	if err != nil {
		panic(err)
	}
	if in <= 0 || out <= 0 {
		panic(errorf("nn: dense layer %s needs positive widths, got %d→%d", name, in, out))
	}
	return &Dense{In: in, Out: out, Act: act, Slope: slopeOf(act, 0), op: op,
		W: NewParam(name+".w", in, out), B: NewParam(name+".b", out)}
}

// Spec describes the layer.
func (d *Dense) Spec() Spec {
	return Spec{Type: "dense", Name: d.nameBase(), In: Flat(d.In), Out: d.Out, Act: d.Act, Slope: d.Slope}
}

func (d *Dense) nameBase() string { return trimSuffix(d.W.Name, ".w") }

// InShape returns the input shape.
func (d *Dense) InShape() Shape { return Flat(d.In) }

// OutShape returns the output shape.
func (d *Dense) OutShape() Shape { return Flat(d.Out) }

// Params returns W and b.
func (d *Dense) Params() []*Param { return []*Param{d.W, d.B} }

// Forward computes act(x·W + b) for n rows.
func (d *Dense) Forward(x []float32, n int, train bool) []float32 {
	checkLen("dense", x, n, d.In)
	d.x = x
	d.y = hugemem.Grow(d.y, n*d.Out)
	// One parallel region: the product, with bias and activation applied
	// by each task to its part of y while it is in cache.
	nnops.SgemmBatch(nnops.Product{M: n, N: d.Out, K: d.In, Alpha: 1, A: x, Lda: d.In, B: d.W.W, Ldb: d.Out,
		C: d.y, Ldc: d.Out, Bias: d.B.W, Act: d.op, Slope: d.Slope})
	return d.y
}

// Backward sets dW = xᵀ·δ and db = Σ δ, where δ = dy·act′ (δ and db in
// one pass), and returns δ·Wᵀ when needDx.
func (d *Dense) Backward(dy []float32, n int, needDx bool) []float32 {
	return d.backward(dy, n, needDx, nil)
}

// backward is Backward, leaving the product dW = xᵀ·δ to wg when wg is
// deferring.
func (d *Dense) backward(dy []float32, n int, needDx bool, wg *WeightGrads) []float32 {
	dy = dy[:n*d.Out]
	nnops.ActivationBackwardSum(d.B.G, dy, d.y[:n*d.Out], n, d.Out, d.op, d.Slope)
	dW := nnops.Product{TransA: true, M: d.In, N: d.Out, K: n, Alpha: 1, A: d.x, Lda: d.In, B: dy, Ldb: d.Out, C: d.W.G, Ldc: d.Out}
	var dx nnops.Product
	if needDx {
		d.dx = hugemem.Grow(d.dx, n*d.In)
		dx = nnops.Product{TransB: true, M: n, N: d.In, K: d.Out, Alpha: 1, A: dy, Lda: d.Out, B: d.W.W, Ldb: d.Out, C: d.dx, Ldc: d.In}
	}
	switch {
	case wg.deferring():
		wg.add(dW)
		if needDx {
			nnops.SgemmBatch(dx)
		}
	case needDx:
		// The weight and input gradients are independent: one parallel
		// region computes both, each thread the same part of each (its
		// rows of the input gradient), with one wait at the end.
		nnops.SgemmBatch(dW, dx)
	default:
		nnops.SgemmBatch(dW)
	}
	if !needDx {
		return nil
	}
	return d.dx
}
