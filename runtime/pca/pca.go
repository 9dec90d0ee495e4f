package pca

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/latent-ai/latent/runtime/data"
	"github.com/latent-ai/latent/runtime/metrics"
)

// blockRows is how many samples are turned into float64 at a time, which
// bounds the extra memory to blockRows×D float64s.
const blockRows = 2048

// PCA is a fitted principal component analysis: the mean of the training
// data and its first K principal directions.
type PCA struct {
	K, D       int        // number of components, input features
	Mean       []float64  // per-feature mean of the training data
	Components *mat.Dense // D×K, column j is the j-th principal direction (unit length)
	Variances  []float64  // variance along each component, decreasing
	// TotalVariance is the sum of the variances of all D features, so that
	// Variances[j]/TotalVariance is the share explained by component j.
	TotalVariance float64
	C, H, W       int    // image shape of the training data, for reconstructions
	Name          string // e.g. "PCA-64 of Fashion-MNIST train"
}

// Fit computes the first k principal components of s (covariance over the
// samples, eigen-decomposed with gonum). It panics with a clear message when
// k or s are unusable; FitErr returns the error instead.
func Fit(s *data.Set, k int) *PCA {
	p, err := FitErr(s, k)
	if err != nil {
		panic(err.Error())
	}
	return p
}

// FitErr is Fit returning an error instead of panicking.
func FitErr(s *data.Set, k int) (*PCA, error) {
	if s == nil {
		return nil, fmt.Errorf("pca: Fit on a nil set; pass a loaded data.Set")
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("pca: %w", err)
	}
	if s.N < 2 {
		return nil, fmt.Errorf("pca: Fit on %d samples; PCA needs at least 2", s.N)
	}
	if k < 1 || k > s.D {
		return nil, fmt.Errorf("pca: Fit with k=%d components on %d features; choose 1 <= k <= %d", k, s.D, s.D)
	}
	d := s.D
	mean := make([]float64, d)
	for i := 0; i < s.N; i++ {
		for j, v := range s.Row(i) {
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= float64(s.N)
	}
	cov := mat.NewSymDense(d, nil)
	buf := make([]float64, blockRows*d)
	for start := 0; start < s.N; start += blockRows {
		b := centredBlock(s, start, mean, buf)
		cov.SymRankK(cov, 1/float64(s.N-1), b.T())
	}
	total := 0.0
	for j := 0; j < d; j++ {
		total += cov.At(j, j)
	}
	var eig mat.EigenSym
	if !eig.Factorize(cov, true) {
		return nil, fmt.Errorf("pca: the eigen-decomposition of the %d×%d covariance did not converge; check the data for NaN or Inf values", d, d)
	}
	vals := eig.Values(nil) // ascending
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	comps := mat.NewDense(d, k, nil)
	vars := make([]float64, k)
	for j := 0; j < k; j++ {
		src := d - 1 - j
		vars[j] = max(vals[src], 0)
		// Fix the sign so that the largest entry is positive: results do
		// not depend on the eigen solver's arbitrary choice.
		big, sign := 0.0, 1.0
		for r := 0; r < d; r++ {
			if v := vecs.At(r, src); math.Abs(v) > big {
				big, sign = math.Abs(v), math.Copysign(1, v)
			}
		}
		for r := 0; r < d; r++ {
			comps.Set(r, j, sign*vecs.At(r, src))
		}
	}
	return &PCA{
		K: k, D: d, Mean: mean, Components: comps, Variances: vars, TotalVariance: total,
		C: s.C, H: s.H, W: s.W, Name: fmt.Sprintf("PCA-%d of %s", k, s.Name),
	}, nil
}

// centredBlock returns rows start.. of s (at most blockRows) minus mean, as
// a Dense backed by buf.
func centredBlock(s *data.Set, start int, mean []float64, buf []float64) *mat.Dense {
	n := min(blockRows, s.N-start)
	d := s.D
	for i := 0; i < n; i++ {
		row := s.Row(start + i)
		out := buf[i*d : (i+1)*d]
		for j, v := range row {
			out[j] = float64(v) - mean[j]
		}
	}
	return mat.NewDense(n, d, buf[:n*d])
}

// check panics with a clear message when s does not have the features p was
// fitted on.
func (p *PCA) check(op string, s *data.Set, d int) {
	if s == nil {
		panic(fmt.Sprintf("pca: %s of a nil set", op))
	}
	if s.D != d {
		panic(fmt.Sprintf("pca: %s of %q with %d features, but %s expects %d", op, s.Name, s.D, p.Name, d))
	}
}

// Transform projects s onto the components: the result has K features per
// sample (the codes) and keeps s's labels.
func (p *PCA) Transform(s *data.Set) *data.Set {
	p.check("Transform", s, p.D)
	out := &data.Set{Name: s.Name + " (" + p.Name + " codes)", N: s.N, D: p.K, Labels: s.Labels, ClassNames: s.ClassNames,
		X: make([]float32, s.N*p.K)}
	buf := make([]float64, blockRows*p.D)
	var codes mat.Dense
	for start := 0; start < s.N; start += blockRows {
		b := centredBlock(s, start, p.Mean, buf)
		codes.Reset()
		codes.Mul(b, p.Components)
		n, _ := b.Dims()
		for i := 0; i < n; i++ {
			row := out.X[(start+i)*p.K : (start+i+1)*p.K]
			for j := range row {
				row[j] = float32(codes.At(i, j))
			}
		}
	}
	return out
}

// Inverse maps codes (K features per sample, as Transform returns) back to
// the input space: mean + codes · componentsᵀ.
func (p *PCA) Inverse(codes *data.Set) *data.Set {
	p.check("Inverse", codes, p.K)
	out := &data.Set{Name: strings.TrimSuffix(codes.Name, " ("+p.Name+" codes)") + " (" + p.Name + " reconstruction)",
		N: codes.N, D: p.D, C: p.C, H: p.H, W: p.W, Labels: codes.Labels, ClassNames: codes.ClassNames,
		X: make([]float32, codes.N*p.D)}
	var rec mat.Dense
	buf := make([]float64, blockRows*p.K)
	for start := 0; start < codes.N; start += blockRows {
		n := min(blockRows, codes.N-start)
		for i := 0; i < n*p.K; i++ {
			buf[i] = float64(codes.X[start*p.K+i])
		}
		c := mat.NewDense(n, p.K, buf[:n*p.K])
		rec.Reset()
		rec.Mul(c, p.Components.T())
		for i := 0; i < n; i++ {
			row := out.X[(start+i)*p.D : (start+i+1)*p.D]
			for j := range row {
				row[j] = float32(rec.At(i, j) + p.Mean[j])
			}
		}
	}
	return out
}

// Reconstruct projects s onto the components and back: the best rank-K
// approximation of s around the training mean.
func (p *PCA) Reconstruct(s *data.Set) *data.Set {
	return p.Inverse(p.Transform(s))
}

// Errors returns each sample's mean squared reconstruction error per
// feature: PCA's anomaly scores.
func (p *PCA) Errors(s *data.Set) []float64 {
	return rowMSE(p.Reconstruct(s), s)
}

// MSE returns the mean squared reconstruction error per feature (per pixel)
// over all of s.
func (p *PCA) MSE(s *data.Set) float64 {
	return meanOf(p.Errors(s))
}

// DenoiseMSE projects noisy onto the components and back, and returns the
// per-feature mean squared error against clean: PCA's denoising baseline.
// noisy and clean must hold the same samples in the same order.
func (p *PCA) DenoiseMSE(noisy, clean *data.Set) float64 {
	if noisy.N != clean.N || noisy.D != clean.D {
		panic(fmt.Sprintf("pca: DenoiseMSE of %d×%d noisy against %d×%d clean samples; pass the same samples twice", noisy.N, noisy.D, clean.N, clean.D))
	}
	return meanOf(rowMSE(p.Reconstruct(noisy), clean))
}

// rowMSE returns the per-sample mean squared difference of a and b.
func rowMSE(a, b *data.Set) []float64 {
	return metrics.RowMSE(a.X[:a.N*a.D], b.X[:b.N*b.D], a.D)
}

func meanOf(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// ExplainedVarianceRatio returns the share of the total variance explained
// by each component.
func (p *PCA) ExplainedVarianceRatio() []float64 {
	out := make([]float64, p.K)
	for j, v := range p.Variances {
		out[j] = v / p.TotalVariance
	}
	return out
}

// Explained returns the share of the total variance the K components
// explain together.
func (p *PCA) Explained() float64 {
	s := 0.0
	for _, r := range p.ExplainedVarianceRatio() {
		s += r
	}
	return s
}

// ComponentImages returns the components as a set of K samples in the
// input's shape (the "eigen-images" of an image set), each scaled to [0,1]
// for display, with 0.5 meaning zero.
func (p *PCA) ComponentImages() *data.Set {
	out := &data.Set{Name: p.Name + " components", N: p.K, D: p.D, C: p.C, H: p.H, W: p.W, X: make([]float32, p.K*p.D)}
	for j := 0; j < p.K; j++ {
		big := 0.0
		for r := 0; r < p.D; r++ {
			big = max(big, math.Abs(p.Components.At(r, j)))
		}
		if big == 0 {
			big = 1
		}
		for r := 0; r < p.D; r++ {
			out.X[j*p.D+r] = float32(0.5 + 0.5*p.Components.At(r, j)/big)
		}
	}
	return out
}

// String summarises the fit, e.g. "PCA-64 of Fashion-MNIST train: 784 → 64,
// explains 86.3% of the variance".
func (p *PCA) String() string {
	return fmt.Sprintf("%s: %d → %d, explains %.1f%% of the variance", p.Name, p.D, p.K, 100*p.Explained())
}
