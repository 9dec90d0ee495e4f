package plotting

import (
	"math"
	"strings"
	"testing"

	"github.com/latent-ai/latent/runtime/data"
)

var mnistShape = Shape{C: 1, H: 28, W: 28}

// synthImages returns n 28×28 grey images in [0,1]: a ring whose radius and
// centre depend on the index, and a stroke through it, so that images differ.
func synthImages(n int) []float32 {
	px := make([]float32, 0, n*784)
	for i := 0; i < n; i++ {
		cx, cy := 14+3*math.Sin(float64(i)), 14+3*math.Cos(float64(i)*0.7)
		r := 5 + float64(i%5)
		ang := float64(i) * 0.6
		for y := 0; y < 28; y++ {
			for x := 0; x < 28; x++ {
				dx, dy := float64(x)-cx, float64(y)-cy
				d := math.Abs(math.Hypot(dx, dy) - r)
				v := math.Max(0, 1-d/1.6)
				line := math.Abs(dx*math.Sin(ang) - dy*math.Cos(ang))
				if line < 1.2 && math.Hypot(dx, dy) < r+3 {
					v = math.Max(v, 1-line/1.2)
				}
				px = append(px, float32(v))
			}
		}
	}
	return px
}

// blur returns a 3×3 box blur of each 28×28 image, a stand-in for a
// reconstruction.
func blur(px []float32) []float32 {
	out := make([]float32, len(px))
	for k := 0; k < len(px)/784; k++ {
		img := px[k*784 : (k+1)*784]
		for y := 0; y < 28; y++ {
			for x := 0; x < 28; x++ {
				var s float32
				for dy := -1; dy <= 1; dy++ {
					for dx := -1; dx <= 1; dx++ {
						if xx, yy := x+dx, y+dy; xx >= 0 && xx < 28 && yy >= 0 && yy < 28 {
							s += img[yy*28+xx]
						}
					}
				}
				out[k*784+y*28+x] = s / 9
			}
		}
	}
	return out
}

// noisy adds deterministic pseudo-random noise, clipped to [0,1].
func noisy(px []float32) []float32 {
	out := make([]float32, len(px))
	state := uint32(12345)
	for i, v := range px {
		state = state*1664525 + 1013904223
		n := float32(state>>8)/float32(1<<24) - 0.5
		out[i] = min(1, max(0, v+0.6*n))
	}
	return out
}

func TestGridsGolden(t *testing.T) {
	orig := synthImages(24)
	rec := blur(orig)
	errs := make([]float64, 24)
	for i := range errs {
		errs[i] = float64((i*7)%24) / 100
	}
	// Features: signed weights with a centre-surround pattern.
	feat := make([]float32, 16*64)
	for u := 0; u < 16; u++ {
		for p := 0; p < 64; p++ {
			x, y := float64(p%8)-3.5, float64(p/8)-3.5
			a := float64(u) * math.Pi / 8
			feat[u*64+p] = float32(math.Cos(x*math.Cos(a)+y*math.Sin(a)) * math.Exp(-(x*x+y*y)/12))
		}
	}
	rgb := make([]float32, 4*3*16*16)
	for i := range rgb {
		rgb[i] = float32(i%37) / 36
	}
	tests := []struct {
		name string
		fig  *Figure
	}{
		{"reconstructions", Reconstructions(mnistShape, orig, nil, rec, 10)},
		{"denoising", Reconstructions(mnistShape, orig, noisy(orig), rec, 16)},
		{"samples", Samples(mnistShape, orig, 8)},
		{"interpolation", Interpolation(mnistShape, orig[:2*8*784], 8)},
		{"worst", WorstReconstructions(mnistShape, orig, rec, errs, 6)},
		{"features", Features(Shape{C: 1, H: 8, W: 8}, feat, 0)},
		{"features", FeaturesInOut(Shape{C: 1, H: 8, W: 8}, Transpose(feat, 16, 64), 0)}, // same figure
		{"dataset", ImagesOf(&data.Set{Name: "Fashion-MNIST (synthetic stand-in)", X: orig, N: 24, D: 784, C: 1, H: 28, W: 28,
			Labels: []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3}, ClassNames: fashionNames}, 16, 8)},
		{"nan_and_range", ImageGrid(Shape{C: 1, H: 4, W: 4}, []float32{
			-3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, // outside [0,1]: the grid's own range
			float32(math.NaN()), 0, 0, float32(math.Inf(1)), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // broken pixels: magenta
		}, 2).WithTitle("Range and NaN")},
		{"compare_reconstructions", CompareReconstructions(mnistShape, orig, [][]float32{rec, blur(rec)}, []string{"dense", "sparse"}, 8)},
		{"manifold", Manifold(mnistShape, orig[:16*784], 4, -2, 2)},
		{"rgb_grid", ImageGrid(Shape{C: 3, H: 16, W: 16}, rgb, 4).WithTitle("RGB images")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkGolden(t, tt.name, tt.fig) })
	}
}

func TestGridErrors(t *testing.T) {
	img := synthImages(3)
	tests := []struct {
		name string
		fig  *Figure
		want string
	}{
		{"bad channels", ImageGrid(Shape{C: 2, H: 28, W: 28}, img, 3), "channels"},
		{"zero shape", ImageGrid(Shape{}, []float32{1, 2, 3, 4}, 2), "channels"},
		{"zero height", ImageGrid(Shape{C: 1, W: 4}, []float32{1, 2, 3, 4}, 2), "height and width"},
		{"partial image", ImageGrid(mnistShape, img[:800], 3), "whole number"},
		{"no images", ImageGrid(mnistShape, nil, 3), "no images"},
		{"zero cols", ImageGrid(mnistShape, img, 0), "columns"},
		{"too few recon", Reconstructions(mnistShape, img, nil, img[:784], 3), "at least n"},
		{"interp strips", Interpolation(mnistShape, img, 2), "whole strips"},
		{"worst mismatch", WorstReconstructions(mnistShape, img, img, []float64{1}, 2), "one of each"},
		{"labels", ImageRows(mnistShape, []ImageRow{{Pixels: img, Labels: []string{"a"}}}, 3), "labels"},
		{"size", ImageGrid(mnistShape, img, 3).WithSize(10, 10), "out of range"},
		{"too many", ImageGrid(Shape{C: 1, H: 2, W: 2}, make([]float32, 4*2000), 40), "more than 1024"},
		{"compare names", CompareReconstructions(mnistShape, img, [][]float32{img}, nil, 2), "one name per model"},
		{"compare short", CompareReconstructions(mnistShape, img, [][]float32{img[:784]}, []string{"a"}, 2), "a: 1 images"},
		{"manifold count", Manifold(mnistShape, img, 2, -1, 1), "n*n"},
		{"manifold range", Manifold(mnistShape, img, 2, 1, -1), "lo < hi"},
		{"in-out", FeaturesInOut(mnistShape, img[:100], 2), "whole number of units"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.fig.Err(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Err() = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestTranspose(t *testing.T) {
	got := Transpose([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	want := []float32{1, 4, 2, 5, 3, 6}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Transpose = %v, want %v", got, want)
		}
	}
	if Transpose([]float32{1}, 2, 3) != nil {
		t.Error("Transpose of a wrong-sized matrix is not nil")
	}
}
