package nn

import (
	"fmt"

	"github.com/latent-ai/latent/internal/hugemem"
	"github.com/latent-ai/latent/nnops"
)

func init() { buildConv = buildConvSpec }

func buildConvSpec(s Spec) (Layer, bool) {
	switch s.Type {
	case "conv":
		c := NewConv2D(s.Name, s.In, s.Out, s.K, s.Stride, s.Pad, s.Act)
		if s.Slope != 0 {
			c.Slope = s.Slope
		}
		return c, true
	case "convt":
		c := NewConvTranspose2D(s.Name, s.In, s.Out, s.K, s.Stride, s.Pad, s.OutPad, s.Act)
		if s.Slope != 0 {
			c.Slope = s.Slope
		}
		return c, true
	case "maxpool":
		return NewMaxPool(s.In, s.K), true
	case "upsample":
		return NewUpsample(s.In, s.K), true
	}
	return nil, false
}

// convKernel is what nnops.Conv2D and nnops.ConvTranspose2D have in common.
type convKernel interface {
	Forward(out, in, w, bias []float32, n int)
	BackwardInput(din, dout, w []float32, n int)
	BackwardWeights(dw, dbias, dout, in []float32, n int)
}

// convCore runs a convolution kernel followed by an activation; Conv2D and
// ConvTranspose2D differ only in their kernel and shapes.
type convCore struct {
	op       nnops.Activation
	slope    float32
	kernel   convKernel
	x, y, dx []float32
}

func (c *convCore) forward(x []float32, n int, in, out Shape, w, b *Param, what string) []float32 {
	checkLen(what, x, n, in.Size())
	m := n * out.Size()
	c.x, c.y = x, hugemem.Grow(c.y, m)
	c.kernel.Forward(c.y, x, w.W, b.W, n)
	if c.op != nnops.Identity {
		nnops.BiasActivate(c.y, 1, m, nil, c.op, c.slope)
	}
	return c.y
}

func (c *convCore) backward(dy []float32, n int, needDx bool, in, out Shape, w, b *Param) []float32 {
	m := n * out.Size()
	dy = dy[:m]
	if c.op != nnops.Identity {
		nnops.ActivationBackward(dy, c.y[:m], c.op, c.slope)
	}
	clear(w.G)
	clear(b.G)
	c.kernel.BackwardWeights(w.G, b.G, dy, c.x, n)
	if !needDx {
		return nil
	}
	c.dx = hugemem.Grow(c.dx, n*in.Size())
	c.kernel.BackwardInput(c.dx, dy, w.W, n)
	return c.dx
}

// Conv2D is a 2-D convolution with square kernel K, stride and zero padding,
// followed by an activation (PyTorch's nn.Conv2d plus the activation).
// Weights are OutC×C×K×K.
type Conv2D struct {
	In          Shape
	OutC, K     int
	Stride, Pad int
	Act         Activation
	Slope       float32
	W, B        *Param
	conv        nnops.Conv2D
	core        convCore
}

// NewConv2D returns a convolution layer over samples of shape in.
func NewConv2D(name string, in Shape, outC, k, stride, pad int, act Activation) *Conv2D {
	op, err := act.op()
	if err != nil {
		panic(err)
	}
	if stride == 0 {
		stride = 1
	}
	g := nnops.ConvGeom{C: in.C, H: in.H, W: in.W, KH: k, KW: k, StrideH: stride, StrideW: stride, PadH: pad, PadW: pad}
	if err := g.Check(); err != nil || outC <= 0 {
		panic(fmt.Errorf("nn: conv layer %s on %v with %d channels, kernel %d, stride %d, padding %d: %v", name, in, outC, k, stride, pad, errOr(err, "need at least one output channel")))
	}
	c := &Conv2D{In: in, OutC: outC, K: k, Stride: stride, Pad: pad, Act: act, Slope: slopeOf(act, 0),
		conv: nnops.Conv2D{Geom: g, OutC: outC}}
	c.core = convCore{op: op, slope: c.Slope, kernel: c.conv}
	c.W = NewParam(name+".w", outC, in.C, k, k)
	c.B = NewParam(name+".b", outC)
	return c
}

func errOr(err error, msg string) string {
	if err != nil {
		return err.Error()
	}
	return msg
}

// Spec describes the layer.
func (c *Conv2D) Spec() Spec {
	return Spec{Type: "conv", Name: trimSuffix(c.W.Name, ".w"), In: c.In, Out: c.OutC, K: c.K, Stride: c.Stride, Pad: c.Pad, Act: c.Act, Slope: c.Slope}
}

// InShape returns the input shape.
func (c *Conv2D) InShape() Shape { return c.In }

// OutShape returns OutC×OutH×OutW.
func (c *Conv2D) OutShape() Shape { return Shape{c.OutC, c.conv.Geom.OutH(), c.conv.Geom.OutW()} }

// Params returns the weights and bias.
func (c *Conv2D) Params() []*Param { return []*Param{c.W, c.B} }

func (c *Conv2D) fans() (int, int)          { return c.In.C * c.K * c.K, c.OutC * c.K * c.K }
func (c *Conv2D) weights() (*Param, *Param) { return c.W, c.B }

// Forward convolves n images and applies the activation.
func (c *Conv2D) Forward(x []float32, n int, train bool) []float32 {
	c.core.slope = c.Slope
	return c.core.forward(x, n, c.In, c.OutShape(), c.W, c.B, "conv")
}

// Backward sets the weight and bias gradients and returns the input
// gradient when needDx.
func (c *Conv2D) Backward(dy []float32, n int, needDx bool) []float32 {
	return c.core.backward(dy, n, needDx, c.In, c.OutShape(), c.W, c.B)
}

// ConvTranspose2D is a transposed 2-D convolution (PyTorch's
// nn.ConvTranspose2d) with square kernel K, stride, padding and output
// padding, followed by an activation. Weights are C×OutC×K×K.
type ConvTranspose2D struct {
	In                  Shape
	OutC, K             int
	Stride, Pad, OutPad int
	Act                 Activation
	Slope               float32
	W, B                *Param
	conv                nnops.ConvTranspose2D
	core                convCore
}

// NewConvTranspose2D returns a transposed convolution over samples of shape
// in.
func NewConvTranspose2D(name string, in Shape, outC, k, stride, pad, outPad int, act Activation) *ConvTranspose2D {
	op, err := act.op()
	if err != nil {
		panic(err)
	}
	if stride == 0 {
		stride = 1
	}
	g := nnops.ConvGeom{C: in.C, H: in.H, W: in.W, KH: k, KW: k, StrideH: stride, StrideW: stride, PadH: pad, PadW: pad}
	ct := nnops.ConvTranspose2D{Geom: g, OutC: outC, OutPadH: outPad, OutPadW: outPad}
	if err := ct.Check(); err != nil || outC <= 0 {
		panic(fmt.Errorf("nn: transposed conv layer %s on %v with %d channels, kernel %d, stride %d, padding %d, output padding %d: %v", name, in, outC, k, stride, pad, outPad, errOr(err, "need at least one output channel")))
	}
	c := &ConvTranspose2D{In: in, OutC: outC, K: k, Stride: stride, Pad: pad, OutPad: outPad, Act: act, Slope: slopeOf(act, 0), conv: ct}
	c.core = convCore{op: op, slope: c.Slope, kernel: ct}
	c.W = NewParam(name+".w", in.C, outC, k, k)
	c.B = NewParam(name+".b", outC)
	return c
}

// Spec describes the layer.
func (c *ConvTranspose2D) Spec() Spec {
	return Spec{Type: "convt", Name: trimSuffix(c.W.Name, ".w"), In: c.In, Out: c.OutC, K: c.K, Stride: c.Stride, Pad: c.Pad, OutPad: c.OutPad, Act: c.Act, Slope: c.Slope}
}

// InShape returns the input shape.
func (c *ConvTranspose2D) InShape() Shape { return c.In }

// OutShape returns OutC×OutH×OutW.
func (c *ConvTranspose2D) OutShape() Shape { return Shape{c.OutC, c.conv.OutH(), c.conv.OutW()} }

// Params returns the weights and bias.
func (c *ConvTranspose2D) Params() []*Param { return []*Param{c.W, c.B} }

// PyTorch computes fan-in of a transposed convolution from weight dim 1.
func (c *ConvTranspose2D) fans() (int, int)          { return c.OutC * c.K * c.K, c.In.C * c.K * c.K }
func (c *ConvTranspose2D) weights() (*Param, *Param) { return c.W, c.B }

// Forward applies the transposed convolution and the activation.
func (c *ConvTranspose2D) Forward(x []float32, n int, train bool) []float32 {
	c.core.slope = c.Slope
	return c.core.forward(x, n, c.In, c.OutShape(), c.W, c.B, "transposed conv")
}

// Backward sets the gradients and returns the input gradient when needDx.
func (c *ConvTranspose2D) Backward(dy []float32, n int, needDx bool) []float32 {
	return c.core.backward(dy, n, needDx, c.In, c.OutShape(), c.W, c.B)
}

// MaxPool takes the maximum over K×K windows with stride K.
type MaxPool struct {
	In     Shape
	K      int
	argmax []int32
	y, dx  []float32
}

// NewMaxPool returns a K×K max-pooling layer (stride K).
func NewMaxPool(in Shape, k int) *MaxPool {
	if k <= 0 || k > in.H || k > in.W {
		panic(fmt.Errorf("nn: max-pool window %d does not fit images of %v", k, in))
	}
	return &MaxPool{In: in, K: k}
}

// Spec describes the layer.
func (p *MaxPool) Spec() Spec { return Spec{Type: "maxpool", In: p.In, K: p.K} }

// InShape returns the input shape.
func (p *MaxPool) InShape() Shape { return p.In }

// OutShape returns the pooled shape.
func (p *MaxPool) OutShape() Shape {
	return Shape{p.In.C, nnops.PoolOut(p.In.H, p.K, p.K), nnops.PoolOut(p.In.W, p.K, p.K)}
}

// Params returns nil.
func (p *MaxPool) Params() []*Param { return nil }

// Forward pools n images.
func (p *MaxPool) Forward(x []float32, n int, train bool) []float32 {
	checkLen("max-pool", x, n, p.In.Size())
	m := n * p.OutShape().Size()
	p.y = hugemem.Grow(p.y, m)
	if cap(p.argmax) < m {
		p.argmax = make([]int32, m)
	}
	nnops.MaxPool2D(p.y, p.argmax[:m], x, n, p.In.C, p.In.H, p.In.W, p.K, p.K)
	return p.y
}

// Backward routes each gradient to its window's maximum.
func (p *MaxPool) Backward(dy []float32, n int, needDx bool) []float32 {
	if !needDx {
		return nil
	}
	p.dx = hugemem.Grow(p.dx, n*p.In.Size())
	nnops.MaxPool2DBackward(p.dx, dy, p.argmax, n, p.In.C, p.In.H, p.In.W, p.K, p.K)
	return p.dx
}

// Upsample repeats each value K×K times (nearest neighbour).
type Upsample struct {
	In    Shape
	K     int
	y, dx []float32
}

// NewUpsample returns a nearest-neighbour upsampling layer by factor k.
func NewUpsample(in Shape, k int) *Upsample {
	if k <= 0 {
		panic(fmt.Errorf("nn: upsampling factor must be positive, got %d", k))
	}
	return &Upsample{In: in, K: k}
}

// Spec describes the layer.
func (u *Upsample) Spec() Spec { return Spec{Type: "upsample", In: u.In, K: u.K} }

// InShape returns the input shape.
func (u *Upsample) InShape() Shape { return u.In }

// OutShape returns the upsampled shape.
func (u *Upsample) OutShape() Shape { return Shape{u.In.C, u.In.H * u.K, u.In.W * u.K} }

// Params returns nil.
func (u *Upsample) Params() []*Param { return nil }

// Forward upsamples n images.
func (u *Upsample) Forward(x []float32, n int, train bool) []float32 {
	checkLen("upsample", x, n, u.In.Size())
	u.y = hugemem.Grow(u.y, n*u.OutShape().Size())
	nnops.Upsample2D(u.y, x, n, u.In.C, u.In.H, u.In.W, u.K)
	return u.y
}

// Backward sums each block's gradients.
func (u *Upsample) Backward(dy []float32, n int, needDx bool) []float32 {
	if !needDx {
		return nil
	}
	u.dx = hugemem.Grow(u.dx, n*u.In.Size())
	nnops.Upsample2DBackward(u.dx, dy, n, u.In.C, u.In.H, u.In.W, u.K)
	return u.dx
}
