package plotting

import (
	"math"
	"strings"
	"testing"
)

// fashionNames are the Fashion-MNIST class names, in label order.
var fashionNames = []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}

// clusters returns n codes of width dim in 10 labelled clusters, with
// deterministic pseudo-random spread.
func clusters(n, dim int) ([]float32, []int) {
	codes := make([]float32, n*dim)
	labels := make([]int, n)
	state := uint32(7)
	rnd := func() float64 {
		state = state*1664525 + 1013904223
		return float64(state>>8)/float64(1<<24) - 0.5
	}
	for i := 0; i < n; i++ {
		c := i % 10
		labels[i] = c
		for d := 0; d < dim; d++ {
			centre := 3 * math.Sin(float64(c*(d+1))*0.9)
			codes[i*dim+d] = float32(centre + rnd()*1.5/float64(d+1))
		}
	}
	return codes, labels
}

func TestLatentGolden(t *testing.T) {
	c2, l2 := clusters(600, 2)
	c16, l16 := clusters(600, 16)
	c1, l1 := clusters(200, 1)
	tests := []struct {
		name string
		fig  *Figure
	}{
		{"latent2d", Latent(c2, 2, l2, fashionNames)},
		{"latent_pca", Latent(c16, 16, l16, fashionNames)},
		{"latent1d", Latent(c1, 1, l1, nil)},
		{"latent_unlabelled", Latent(c2, 2, nil, nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkGolden(t, tt.name, tt.fig) })
	}
}

func TestLatentPCATitle(t *testing.T) {
	c, l := clusters(100, 8)
	f := Latent(c, 8, l, nil)
	if !strings.Contains(f.Title(), "PCA of 8-D codes") {
		t.Errorf("title %q does not say the codes were projected with PCA", f.Title())
	}
}

func TestPCA2(t *testing.T) {
	// Points on the line y = 2x (plus a small z): PC1 must lie along (1,2,0)/√5
	// and keep almost all the variance.
	var codes []float32
	var keep []int
	for i := 0; i < 50; i++ {
		x := float32(i - 25)
		codes = append(codes, x, 2*x, float32(i%2)*0.01)
		keep = append(keep, i)
	}
	xy, ratio, err := pca2(codes, 3, keep)
	if err != nil {
		t.Fatal(err)
	}
	if ratio[0] < 0.999 {
		t.Errorf("PC1 explains %.4f of the variance, want > 0.999", ratio[0])
	}
	// The centred first point is (-24.5, -49); its projection on (1,2)/√5 is -24.5·√5.
	if got, want := xy[0].X, -24.5*math.Sqrt(5); math.Abs(got-want) > 1e-3 {
		t.Errorf("first projection = %v, want %v", got, want)
	}
}

func TestLatentErrors(t *testing.T) {
	nan := float32(math.NaN())
	tests := []struct {
		name string
		fig  *Figure
		want string
	}{
		{"dim", Latent([]float32{1, 2}, 0, nil, nil), "code width"},
		{"ragged", Latent([]float32{1, 2, 3}, 2, nil, nil), "whole"},
		{"labels", Latent([]float32{1, 2, 3, 4}, 2, []int{1}, nil), "labels"},
		{"nan", Latent([]float32{nan, 1}, 2, nil, nil), "diverged"},
		{"collapsed", Latent([]float32{1, 1, 1, 1, 1, 1}, 3, nil, nil), "collapsed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.fig.Err(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Err() = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestLatentManyClassesLegend(t *testing.T) {
	n := 60
	codes := make([]float32, 2*n)
	labels := make([]int, n)
	for i := range labels {
		labels[i] = i % 30
		codes[2*i], codes[2*i+1] = float32(i), float32(i%7)
	}
	svg, err := Latent(codes, 2, labels, nil).SVG()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(svg, "… 10 more classes") || strings.Contains(svg, "class 25") {
		t.Error("legend of 30 classes is not cut after 20 with a note")
	}
}
