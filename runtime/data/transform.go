package data

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
)

// Noisy returns a copy of s with Gaussian noise of standard deviation sigma
// added to every feature and the result clipped to [0,1]: the noisy test
// images of a denoising exercise, for evaluation and display. (Corrupting
// inputs during training is the models' job.) The same seed gives the same
// noise.
func (s *Set) Noisy(sigma float64, seed uint64) *Set {
	if !(sigma >= 0) {
		panic(fmt.Sprintf("data: Noisy(%v) on %s: sigma must be >= 0", sigma, s.describe()))
	}
	out := s.Clone()
	out.Name = fmt.Sprintf("%s + noise σ=%g", s.Name, sigma)
	g := rand.New(rand.NewPCG(seed, 0x6e6f697379))
	for i, v := range out.X {
		out.X[i] = min(max(v+float32(sigma*g.NormFloat64()), 0), 1)
	}
	return out
}

// Image returns sample i as an image for display: *image.Gray for one
// channel, *image.RGBA for three; other channel counts show the first
// channel. Values are clipped to [0,1] and scaled to 0..255. A set without
// an image shape is shown as one row of D pixels.
func (s *Set) Image(i int) image.Image {
	s.checkIndex("Image", i)
	row := s.Row(i)
	c, h, w := s.C, s.H, s.W
	if h <= 0 || w <= 0 || c <= 0 {
		c, h, w = 1, 1, s.D
	}
	px := func(ch, y, x int) uint8 {
		v := row[(ch*h+y)*w+x]
		if !(v > 0) { // also NaN
			return 0
		}
		if v >= 1 {
			return 255
		}
		return uint8(v*255 + 0.5)
	}
	r := image.Rect(0, 0, w, h)
	if c == 3 {
		img := image.NewRGBA(r)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				img.SetRGBA(x, y, color.RGBA{px(0, y, x), px(1, y, x), px(2, y, x), 255})
			}
		}
		return img
	}
	img := image.NewGray(r)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Pix[y*img.Stride+x] = px(0, y, x)
		}
	}
	return img
}

// Scaler maps each feature j to (x - Offset[j]) / Scale[j]. Fit one on the
// training data (Standardize, Normalize) and Apply it to the test data so
// both are transformed the same way.
type Scaler struct {
	Offset, Scale []float32
}

// Standardize returns a copy of s with every feature at mean 0 and standard
// deviation 1, and the Scaler that did it. Constant features are only
// centred.
func (s *Set) Standardize() (*Set, *Scaler) {
	sc := &Scaler{Offset: make([]float32, s.D), Scale: make([]float32, s.D)}
	mean := make([]float64, s.D)
	sq := make([]float64, s.D)
	for i := 0; i < s.N; i++ {
		for j, v := range s.Row(i) {
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= float64(max(s.N, 1))
	}
	for i := 0; i < s.N; i++ {
		for j, v := range s.Row(i) {
			d := float64(v) - mean[j]
			sq[j] += d * d
		}
	}
	for j := range mean {
		sd := math.Sqrt(sq[j] / float64(max(s.N, 1)))
		if sd == 0 {
			sd = 1
		}
		sc.Offset[j], sc.Scale[j] = float32(mean[j]), float32(sd)
	}
	return sc.Apply(s), sc
}

// Normalize returns a copy of s with every feature mapped to [0,1] by its
// minimum and maximum over s, and the Scaler that did it. Constant features
// map to 0.
func (s *Set) Normalize() (*Set, *Scaler) {
	sc := &Scaler{Offset: make([]float32, s.D), Scale: make([]float32, s.D)}
	if s.N > 0 {
		lo := append([]float32(nil), s.Row(0)...)
		hi := append([]float32(nil), s.Row(0)...)
		for i := 1; i < s.N; i++ {
			for j, v := range s.Row(i) {
				lo[j], hi[j] = min(lo[j], v), max(hi[j], v)
			}
		}
		for j := range lo {
			sc.Offset[j], sc.Scale[j] = lo[j], hi[j]-lo[j]
		}
	}
	for j := range sc.Scale {
		if sc.Scale[j] == 0 {
			sc.Scale[j] = 1
		}
	}
	return sc.Apply(s), sc
}

// Apply returns a transformed copy of s.
func (sc *Scaler) Apply(s *Set) *Set {
	return sc.mapFeatures("Apply", s, func(v, off, scale float32) float32 { return (v - off) / scale })
}

// Invert undoes Apply: it returns a copy of s mapped back to the original
// units (for example to show reconstructions of standardized data).
func (sc *Scaler) Invert(s *Set) *Set {
	return sc.mapFeatures("Invert", s, func(v, off, scale float32) float32 { return v*scale + off })
}

// mapFeatures returns a copy of s with f applied to every feature and its
// offset and scale.
func (sc *Scaler) mapFeatures(op string, s *Set, f func(v, off, scale float32) float32) *Set {
	sc.check(op, s)
	out := s.Clone()
	for i := 0; i < out.N; i++ {
		row := out.Row(i)
		for j, v := range row {
			row[j] = f(v, sc.Offset[j], sc.Scale[j])
		}
	}
	return out
}

func (sc *Scaler) check(op string, s *Set) {
	if len(sc.Offset) != s.D || len(sc.Scale) != s.D {
		panic(fmt.Sprintf("data: Scaler.%s on %s with %d features; the scaler was fitted on %d features", op, s.describe(), s.D, len(sc.Offset)))
	}
}
