package ae

import (
	"context"
	"fmt"
	"math"

	"github.com/latent-ai/latent/runtime/data"
	"github.com/latent-ai/latent/runtime/nn"
)

// inferBatch is the chunk size of inference over a set.
const inferBatch = 256

// Reconstruction holds originals and their reconstructions (and, for a
// denoising model, the corrupted inputs it was given), as sets that keep
// the image shape, labels and class names. A notebook shows it as rows of
// images: originals over (corrupted over) reconstructions.
type Reconstruction struct {
	Originals       *data.Set
	Corrupted       *data.Set // nil unless the model corrupts its input
	Reconstructions *data.Set
	MSE             float64   // mean squared error per value
	Errors          []float64 // per-sample mean squared error
}

// String summarises the reconstruction.
func (r *Reconstruction) String() string {
	s := fmt.Sprintf("reconstruction of %d samples: MSE %.4g per value", r.Originals.N, r.MSE)
	if r.Corrupted != nil {
		s += " (from corrupted inputs)"
	}
	return s
}

// Codes are samples mapped to the latent space (μ for a variational
// model), with their labels: what a latent scatter plot needs.
type Codes struct {
	Name       string
	Z          []float32 // N×L, row-major
	N, L       int
	Labels     []int
	ClassNames []string
}

// Row returns sample i's code.
func (c *Codes) Row(i int) []float32 { return c.Z[i*c.L : (i+1)*c.L] }

// String summarises the codes.
func (c *Codes) String() string {
	return fmt.Sprintf("%d codes of %d dimensions (%s)", c.N, c.L, c.Name)
}

// Set returns the codes as a data set (labels kept), e.g. for a PCA
// baseline or another model.
func (c *Codes) Set() *data.Set {
	return &data.Set{Name: c.Name, X: c.Z, N: c.N, D: c.L, Labels: c.Labels, ClassNames: c.ClassNames}
}

// Samples are images generated from codes drawn from the prior N(0, I).
type Samples struct {
	Images *data.Set
	Z      []float32 // the codes, N×L
	L      int
}

// String summarises the samples.
func (s *Samples) String() string {
	return fmt.Sprintf("%d samples from the prior (%d-dimensional code)", s.Images.N, s.L)
}

// Interpolation holds the images decoded along the straight line between
// two codes, endpoints included.
type Interpolation struct {
	Images *data.Set
	Z      []float32 // the codes, Steps×L
	Steps  int
}

// String summarises the interpolation.
func (in *Interpolation) String() string {
	return fmt.Sprintf("interpolation in %d steps", in.Steps)
}

// imageLike returns an empty set shaped like the model's samples.
func (m *Model) imageLike(name string, n int) *data.Set {
	d := m.cfg.Input.Size()
	s := &data.Set{Name: name, X: make([]float32, n*d), N: n, D: d}
	img := m.cfg.Image
	if img.Size() != d && m.cfg.Input.H > 1 {
		img = m.cfg.Input
	}
	if img.Size() != d {
		if r := int(math.Sqrt(float64(d))); r*r == d {
			img = nn.Shape{C: 1, H: r, W: r}
		}
	}
	if img.Size() == d {
		s.C, s.H, s.W = img.C, img.H, img.W
	}
	return s
}

func labelsLike(dst, src *data.Set) {
	if src.Labels != nil {
		dst.Labels = append([]int(nil), src.Labels[:src.N]...)
	}
	dst.ClassNames = src.ClassNames
	if src.C > 0 {
		dst.C, dst.H, dst.W = src.C, src.H, src.W
	}
}

// reconstruct writes reconstructions of n rows of x into dst; with corrupt
// it first corrupts the input (seeded) and writes that into cor.
func (m *Model) reconstruct(x []float32, n int, dst, cor []float32, corrupt bool) {
	d := m.cfg.Input.Size()
	rng := nn.NewRNG(nn.ChildSeed(m.cfg.Seed, 1<<41))
	for lo := 0; lo < n; lo += inferBatch {
		k := min(inferBatch, n-lo)
		xb := x[lo*d : (lo+k)*d]
		in := xb
		if corrupt {
			m.noise.Seed(rng.Uint64())
			in = m.noise.Forward(xb, k, true)
			copy(cor[lo*d:], in)
		}
		out, _, _ := m.run(in, k, pass{})
		copy(dst[lo*d:(lo+k)*d], out[:k*d])
	}
	m.outputs(dst[:n*d])
}

// Reconstruct runs the samples of s through the model. A denoising model
// is given corrupted inputs (seeded, so the figure repeats) and the result
// holds them too. It panics with an *Error when s does not fit the model.
func (m *Model) Reconstruct(s *data.Set) *Reconstruction {
	r, err := m.ReconstructE(s)
	must(err)
	return r
}

// ReconstructE is Reconstruct returning an error.
func (m *Model) ReconstructE(s *data.Set) (*Reconstruction, error) {
	defer m.hold()()
	if err := m.checkSet("Reconstruct", s, "set"); err != nil {
		return nil, err
	}
	rec := m.imageLike(s.Name+" reconstructed", s.N)
	labelsLike(rec, s)
	r := &Reconstruction{Originals: s, Reconstructions: rec}
	var cor []float32
	if m.noise != nil {
		c := m.imageLike(s.Name+" corrupted", s.N)
		labelsLike(c, s)
		r.Corrupted, cor = c, c.X
	}
	m.reconstruct(s.X, s.N, rec.X, cor, m.noise != nil)
	r.Errors = sampleErrors(s.X, rec.X, s.N, s.D)
	for _, e := range r.Errors {
		r.MSE += e
	}
	r.MSE /= float64(s.N)
	return r, nil
}

func sampleErrors(x, y []float32, n, d int) []float64 {
	out := make([]float64, n)
	for i := range out {
		var s float64
		a, b := x[i*d:(i+1)*d], y[i*d:(i+1)*d]
		for j, v := range a {
			e := float64(v - b[j])
			s += e * e
		}
		out[i] = s / float64(d)
	}
	return out
}

// Errors returns each sample's reconstruction error (mean squared error per
// value) from clean inputs: the anomaly score.
func (m *Model) Errors(s *data.Set) []float64 {
	defer m.hold()()
	if err := m.checkSet("Errors", s, "set"); err != nil {
		panic(err)
	}
	rec := make([]float32, s.N*s.D)
	m.reconstruct(s.X, s.N, rec, nil, false)
	return sampleErrors(s.X, rec, s.N, s.D)
}

// Loss returns the model's loss on s in evaluation mode (the figure Fit
// reports as validation loss).
func (m *Model) Loss(s *data.Set) float64 {
	defer m.hold()()
	if err := m.checkSet("Loss", s, "set"); err != nil {
		panic(err)
	}
	l, _, _ := m.evalLoss(context.Background(), s.X, s.N, inferBatch, nn.ChildSeed(1, 1<<40))
	return l
}

// Encode maps the samples of s to the latent space (μ for a variational
// model).
func (m *Model) Encode(s *data.Set) *Codes {
	defer m.hold()()
	if err := m.checkSet("Encode", s, "set"); err != nil {
		panic(err)
	}
	L, d := m.cfg.Latent, s.D
	c := &Codes{Name: s.Name + " codes", Z: make([]float32, s.N*L), N: s.N, L: L, ClassNames: s.ClassNames}
	if s.Labels != nil {
		c.Labels = append([]int(nil), s.Labels[:s.N]...)
	}
	for lo := 0; lo < s.N; lo += inferBatch {
		k := min(inferBatch, s.N-lo)
		h := m.enc.Forward(s.X[lo*d:(lo+k)*d], k, false)
		w := m.enc.OutShape().Size()
		for i := 0; i < k; i++ {
			copy(c.Z[(lo+i)*L:(lo+i+1)*L], h[i*w:i*w+L])
		}
	}
	return c
}

// EncodeVec maps one sample to its code.
func (m *Model) EncodeVec(x []float32) []float32 {
	defer m.hold()()
	if len(x) != m.cfg.Input.Size() {
		panic(errf("EncodeVec", "got %d values, the model takes %d", len(x), m.cfg.Input.Size()))
	}
	h := m.enc.Forward(x, 1, false)
	return append([]float32(nil), h[:m.cfg.Latent]...)
}

// Decode maps codes back to samples.
func (m *Model) Decode(c *Codes) *data.Set {
	defer m.hold()()
	if c == nil || c.L != m.cfg.Latent {
		panic(errf("Decode", "codes of %d dimensions do not fit the model's %d-dimensional code", codeDim(c), m.cfg.Latent))
	}
	s := m.decode(c.Z, c.N, c.Name+" decoded")
	s.Labels, s.ClassNames = c.Labels, c.ClassNames
	return s
}

func codeDim(c *Codes) int {
	if c == nil {
		return 0
	}
	return c.L
}

// DecodeVec maps one code to a sample.
func (m *Model) DecodeVec(z []float32) []float32 {
	defer m.hold()()
	if len(z) != m.cfg.Latent {
		panic(errf("DecodeVec", "got a code of %d values, the model's code has %d", len(z), m.cfg.Latent))
	}
	return m.decode(z, 1, "").X
}

func (m *Model) decode(z []float32, n int, name string) *data.Set {
	L := m.cfg.Latent
	s := m.imageLike(name, n)
	d := s.D
	for lo := 0; lo < n; lo += inferBatch {
		k := min(inferBatch, n-lo)
		out := m.dec.Forward(z[lo*L:(lo+k)*L], k, false)
		copy(s.X[lo*d:(lo+k)*d], out[:k*d])
	}
	m.outputs(s.X)
	return s
}

// Sample decodes n codes drawn from the prior N(0, I) of a variational
// model, with seed 1: every model with the same code size decodes the
// same codes, so that models can be compared on them; SampleSeed draws
// others.
func (m *Model) Sample(n int) *Samples { return m.SampleSeed(n, 1) }

// SampleSeed is Sample with an explicit seed.
func (m *Model) SampleSeed(n int, seed uint64) *Samples {
	defer m.hold()()
	if !m.cfg.Variational {
		panic(errf("Sample", "sampling from the prior needs a variational model; build one with ae.Variational"))
	}
	if n <= 0 {
		panic(errf("Sample", "need a positive number of samples, got %d", n))
	}
	m.checkOutputs("Sample", n)
	z := make([]float32, n*m.cfg.Latent)
	nn.NewRNG(nn.ChildSeed(seed, 1<<42)).FillNormal(z, 0, 1)
	return &Samples{Images: m.decode(z, n, "samples"), Z: z, L: m.cfg.Latent}
}

// Interpolate decodes steps codes evenly spaced on the line from the code
// of sample a to the code of sample b (endpoints included).
func (m *Model) Interpolate(a, b []float32, steps int) *Interpolation {
	if steps < 2 {
		panic(errf("Interpolate", "need at least 2 steps, got %d", steps))
	}
	m.checkOutputs("Interpolate", steps)
	za, zb := m.EncodeVec(a), m.EncodeVec(b)
	defer m.hold()()
	L := m.cfg.Latent
	z := make([]float32, steps*L)
	for i := 0; i < steps; i++ {
		t := float32(i) / float32(steps-1)
		for j := 0; j < L; j++ {
			z[i*L+j] = (1-t)*za[j] + t*zb[j]
		}
	}
	return &Interpolation{Images: m.decode(z, steps, "interpolation"), Z: z, Steps: steps}
}

// ReconstructInto encodes and decodes one sample x into dst (which must
// hold InputSize values) without allocating: the low-latency path for
// serving one image at a time. A variational model uses z = μ; a denoising
// model is given x as is.
func (m *Model) ReconstructInto(dst, x []float32) []float32 {
	defer m.hold()()
	d := m.cfg.Input.Size()
	if len(x) != d || len(dst) < d {
		panic(errf("ReconstructInto", "got a sample of %d values and room for %d; the model takes and gives %d", len(x), len(dst), d))
	}
	out, _, _ := m.run(x, 1, pass{})
	copy(dst, out[:d])
	m.outputs(dst[:d])
	return dst[:d]
}
