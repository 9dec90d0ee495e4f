package plotting

import (
	"errors"
	"fmt"
	"math"

	"github.com/latent-ai/latent/runtime/data"
)

// shapeOf returns the image shape of s's samples: its recorded C,H,W, or
// for a set without one whose samples have a square number of values, a
// square grey image.
func shapeOf(s *data.Set) (Shape, error) {
	if s == nil {
		return Shape{}, errors.New("nil set")
	}
	if s.C*s.H*s.W == s.D && s.D > 0 {
		return Shape{C: s.C, H: s.H, W: s.W}, nil
	}
	if r := int(math.Sqrt(float64(s.D)) + 0.5); r*r == s.D && r > 0 {
		return Shape{C: 1, H: r, W: r}, nil
	}
	return Shape{}, fmt.Errorf("set %q: samples of %d values are not images (no C,H,W recorded and not square); plot them with Latent or a histogram instead", s.Name, s.D)
}

// firstN returns s's first n samples' values (all when n <= 0 or n > N).
func firstN(s *data.Set, n int) []float32 {
	if n <= 0 || n > s.N {
		n = s.N
	}
	return s.X[:n*s.D]
}

// ImagesOf draws the first n images of s (all for n <= 0, at most 256), cols
// to a row, titled with the set's name and, when the set is labelled, each
// image captioned with its class name.
func ImagesOf(s *data.Set, n, cols int) *Figure {
	sh, err := shapeOf(s)
	if err != nil {
		return failed("image grid", err)
	}
	if n <= 0 || n > 256 {
		n = min(s.N, 256)
	}
	row := ImageRow{Pixels: firstN(s, n)}
	if len(s.Labels) == s.N {
		for _, l := range s.Labels[:len(row.Pixels)/s.D] {
			row.Labels = append(row.Labels, className(l, s.ClassNames))
		}
	}
	return ImageRows(sh, []ImageRow{row}, cols).WithTitle(s.Name)
}

// ReconstructionsOf draws the first n samples of orig above the model's
// reconstructions recon, with the corrupted inputs noisy in between when
// it is not nil (denoising).
func ReconstructionsOf(orig, noisy, recon *data.Set, n int) *Figure {
	sh, err := shapeOf(orig)
	if err != nil {
		return failed("reconstructions", err)
	}
	if recon == nil {
		return failed("reconstructions", errors.New("nil reconstruction set"))
	}
	var nx []float32
	if noisy != nil {
		nx = noisy.X
	}
	return Reconstructions(sh, orig.X, nx, recon.X, n)
}

// LatentOf draws a set of codes (one code per sample, as the runtime's
// encoders return them) coloured by the set's labels with its class names.
func LatentOf(codes *data.Set) *Figure {
	if codes == nil {
		return failed("latent space", errors.New("nil code set"))
	}
	return Latent(codes.X, codes.D, codes.Labels, codes.ClassNames)
}
