package pca

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/latent-ai/latent/runtime/data"
)

// lowRank returns n samples of d features lying on a rank-r affine subspace,
// plus Gaussian noise of the given standard deviation.
func lowRank(n, d, r int, noise float64, seed uint64) *data.Set {
	g := rand.New(rand.NewPCG(seed, 7))
	basis := make([]float64, r*d)
	for i := range basis {
		basis[i] = g.NormFloat64()
	}
	s := &data.Set{Name: "low-rank", N: n, D: d, X: make([]float32, n*d), Labels: make([]int, n)}
	for i := 0; i < n; i++ {
		row := s.Row(i)
		for k := 0; k < r; k++ {
			c := g.NormFloat64() * float64(r-k) // decreasing variance per direction
			for j := range row {
				row[j] += float32(c * basis[k*d+j])
			}
		}
		for j := range row {
			row[j] += float32(1 + float64(j)/float64(d) + noise*g.NormFloat64())
		}
		s.Labels[i] = i % 3
	}
	return s
}

func TestFitRecoversLowRankData(t *testing.T) {
	cases := []struct {
		name      string
		n, d, r   int
		k         int
		noise     float64
		maxMSE    float64
		explained float64 // at least
	}{
		{"exact rank 3, k=3", 500, 20, 3, 3, 0, 1e-9, 0.999999},
		{"exact rank 3, k=5", 300, 10, 3, 5, 0, 1e-9, 0.999999},
		{"noisy rank 4, k=4", 3000, 30, 4, 4, 0.01, 2e-4, 0.99},
		{"more samples than a block", 5000, 8, 2, 2, 0, 1e-9, 0.999999},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := lowRank(c.n, c.d, c.r, c.noise, 1)
			p := Fit(s, c.k)
			if got := p.MSE(s); got > c.maxMSE {
				t.Errorf("MSE = %g, want <= %g", got, c.maxMSE)
			}
			if got := p.Explained(); got < c.explained || got > 1+1e-9 {
				t.Errorf("explained = %v, want in [%v, 1]", got, c.explained)
			}
			// Components are orthonormal and variances decrease.
			var g mat.Dense
			g.Mul(p.Components.T(), p.Components)
			if !mat.EqualApprox(&g, eye(c.k), 1e-9) {
				t.Errorf("components are not orthonormal: %v", mat.Formatted(&g))
			}
			for j := 1; j < c.k; j++ {
				if p.Variances[j] > p.Variances[j-1] {
					t.Errorf("variances not decreasing: %v", p.Variances)
				}
			}
			codes := p.Transform(s)
			if codes.D != c.k || codes.N != c.n || codes.Labels[2] != 2 {
				t.Errorf("codes %v", codes)
			}
			// The variance of each code column equals the component variance.
			for j := 0; j < c.k; j++ {
				var m, v float64
				for i := 0; i < codes.N; i++ {
					m += float64(codes.Row(i)[j])
				}
				m /= float64(codes.N)
				for i := 0; i < codes.N; i++ {
					x := float64(codes.Row(i)[j]) - m
					v += x * x
				}
				v /= float64(codes.N - 1)
				if math.Abs(v-p.Variances[j]) > 1e-3*(1+p.Variances[j]) {
					t.Errorf("code %d variance %v, component variance %v", j, v, p.Variances[j])
				}
			}
		})
	}
}

func eye(k int) *mat.Dense {
	m := mat.NewDense(k, k, nil)
	for i := 0; i < k; i++ {
		m.Set(i, i, 1)
	}
	return m
}

func TestFitErrors(t *testing.T) {
	s := lowRank(10, 4, 2, 0, 1)
	cases := []struct {
		name string
		s    *data.Set
		k    int
		want string
	}{
		{"k too big", s, 5, "choose 1 <= k <= 4"},
		{"k zero", s, 0, "k=0"},
		{"one sample", s.Take(1), 1, "at least 2"},
		{"nil", nil, 1, "nil set"},
		{"inconsistent", &data.Set{N: 3, D: 2, X: make([]float32, 5)}, 1, "len(X)=5"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := FitErr(c.s, c.k)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
	defer func() {
		if r, _ := recover().(string); !strings.Contains(r, "expects 4") {
			t.Fatalf("panic %q", r)
		}
	}()
	Fit(s, 2).Transform(lowRank(3, 5, 1, 0, 1))
}

func TestComponentImagesAndString(t *testing.T) {
	s := lowRank(200, 16, 2, 0.01, 3)
	s.C, s.H, s.W = 1, 4, 4
	p := Fit(s, 2)
	img := p.ComponentImages()
	if img.N != 2 || img.H != 4 || img.Validate() != nil {
		t.Fatalf("component images %v", img)
	}
	for _, v := range img.X {
		if v < 0 || v > 1 {
			t.Fatalf("component pixel %v outside [0,1]", v)
		}
	}
	if rec := p.Reconstruct(s); rec.H != 4 || rec.Validate() != nil {
		t.Fatalf("reconstruction %v", rec)
	}
	if got := p.String(); !strings.HasPrefix(got, "PCA-2 of low-rank: 16 → 2, explains ") {
		t.Fatalf("String() = %q", got)
	}
}

// TestFashionMNISTBaseline checks the figures the autoencoders are measured
// against: PCA-64 fitted on the 60000 training images gives about 0.0104
// per-pixel test MSE, and projecting test images with Gaussian noise σ=0.2
// (clipped to [0,1]) onto it gives about 0.0151 against the clean images.
func TestFashionMNISTBaseline(t *testing.T) {
	if testing.Short() {
		t.Skip("fits PCA on 60000 images (about 10 s)")
	}
	train, test, err := data.LoadFashionMNIST("")
	if err != nil {
		t.Skip(err)
	}
	p := Fit(train, 64)
	cases := []struct {
		name      string
		got, want float64
	}{
		{"test MSE", p.MSE(test), 0.0104},
		{"denoising MSE", p.DenoiseMSE(test.Noisy(0.2, 1), test), 0.0151},
	}
	for _, c := range cases {
		t.Logf("%s: %.5f", c.name, c.got)
		if math.Abs(c.got-c.want) > 0.0002 {
			t.Errorf("%s = %.5f, want %.4f ± 0.0002", c.name, c.got, c.want)
		}
	}
}
