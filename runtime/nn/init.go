package nn

import "math"

// Init names a weight initialisation scheme.
type Init string

// The initialisation schemes. Biases start at zero except under
// TorchDefault, which draws them like PyTorch does.
const (
	TorchDefault Init = "torch"  // U(±1/√fan_in) for weights and biases (PyTorch's nn.Linear/Conv default)
	Xavier       Init = "xavier" // Glorot uniform: U(±√(6/(fan_in+fan_out)))
	He           Init = "he"     // Kaiming normal for ReLU: N(0, 2/fan_in)
)

// fanner is implemented by layers with weights: it gives the fan-in and
// fan-out the initialisers use, and the weight and bias parameters.
type fanner interface {
	fans() (fanIn, fanOut int)
	weights() (w, b *Param)
}

func (d *Dense) fans() (int, int)          { return d.In, d.Out }
func (d *Dense) weights() (*Param, *Param) { return d.W, d.B }

// Initialize sets the weights of every layer in ls with scheme, drawing from
// rng in layer order.
func Initialize(ls []Layer, scheme Init, rng *RNG) error {
	for _, l := range ls {
		f, ok := l.(fanner)
		if !ok {
			continue
		}
		fi, fo := f.fans()
		w, b := f.weights()
		switch scheme {
		case TorchDefault, "":
			bound := float32(1 / math.Sqrt(float64(fi)))
			rng.FillUniform(w.W, -bound, bound)
			rng.FillUniform(b.W, -bound, bound)
		case Xavier:
			bound := float32(math.Sqrt(6 / float64(fi+fo)))
			rng.FillUniform(w.W, -bound, bound)
			clear(b.W)
		case He:
			rng.FillNormal(w.W, 0, float32(math.Sqrt(2/float64(fi))))
			clear(b.W)
		default:
			return errorf("nn: unknown initialisation %q; use torch, xavier or he", string(scheme))
		}
	}
	return nil
}
