package nnops

import (
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"
)

// directConv is the textbook convolution, the reference for Conv2D.
func directConv(in, w, bias []float32, n, outC int, g ConvGeom) []float32 {
	oh, ow := g.OutH(), g.OutW()
	out := make([]float32, n*outC*oh*ow)
	for b := 0; b < n; b++ {
		for o := 0; o < outC; o++ {
			for y := 0; y < oh; y++ {
				for x := 0; x < ow; x++ {
					var s float64
					if bias != nil {
						s = float64(bias[o])
					}
					for c := 0; c < g.C; c++ {
						for kh := 0; kh < g.KH; kh++ {
							for kw := 0; kw < g.KW; kw++ {
								iy, ix := y*g.StrideH-g.PadH+kh, x*g.StrideW-g.PadW+kw
								if iy < 0 || iy >= g.H || ix < 0 || ix >= g.W {
									continue
								}
								s += float64(in[((b*g.C+c)*g.H+iy)*g.W+ix]) * float64(w[((o*g.C+c)*g.KH+kh)*g.KW+kw])
							}
						}
					}
					out[((b*outC+o)*oh+y)*ow+x] = float32(s)
				}
			}
		}
	}
	return out
}

// directConvT is the textbook transposed convolution (scatter form).
func directConvT(in, w, bias []float32, n int, l ConvTranspose2D) []float32 {
	g := l.Geom
	oh, ow := l.OutH(), l.OutW()
	out := make([]float64, n*l.OutC*oh*ow)
	for b := 0; b < n; b++ {
		for c := 0; c < g.C; c++ {
			for y := 0; y < g.H; y++ {
				for x := 0; x < g.W; x++ {
					v := float64(in[((b*g.C+c)*g.H+y)*g.W+x])
					for o := 0; o < l.OutC; o++ {
						for kh := 0; kh < g.KH; kh++ {
							for kw := 0; kw < g.KW; kw++ {
								oy, ox := y*g.StrideH-g.PadH+kh, x*g.StrideW-g.PadW+kw
								if oy < 0 || oy >= oh || ox < 0 || ox >= ow {
									continue
								}
								out[((b*l.OutC+o)*oh+oy)*ow+ox] += v * float64(w[((c*l.OutC+o)*g.KH+kh)*g.KW+kw])
							}
						}
					}
				}
			}
		}
	}
	res := make([]float32, len(out))
	for i, v := range out {
		res[i] = float32(v)
		if bias != nil {
			res[i] += bias[(i/(oh*ow))%l.OutC]
		}
	}
	return res
}

func randSlice(r *RNG, n int) []float32 {
	s := make([]float32, n)
	r.FillUniform(s, -1, 1)
	return s
}

func closeTo(t *testing.T, what string, got, want []float32, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: length %d, want %d", what, len(got), len(want))
	}
	for i := range got {
		d := math.Abs(float64(got[i]) - float64(want[i]))
		if d > tol*(1+math.Abs(float64(want[i]))) || math.IsNaN(float64(got[i])) {
			t.Fatalf("%s: [%d] = %g, want %g", what, i, got[i], want[i])
		}
	}
}

var convCases = []struct {
	g    ConvGeom
	outC int
}{
	{ConvGeom{C: 1, H: 28, W: 28, KH: 3, KW: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1}, 16},
	{ConvGeom{C: 16, H: 14, W: 14, KH: 3, KW: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1}, 8},
	{ConvGeom{C: 3, H: 7, W: 9, KH: 3, KW: 2, StrideH: 1, StrideW: 3, PadH: 0, PadW: 2}, 5},
	{ConvGeom{C: 4, H: 5, W: 5, KH: 1, KW: 1, StrideH: 1, StrideW: 1}, 3},
	{ConvGeom{C: 2, H: 6, W: 5, KH: 5, KW: 4, StrideH: 3, StrideW: 1, PadH: 2, PadW: 1}, 2},
	{ConvGeom{C: 16, H: 9, W: 8, KH: 3, KW: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1}, 1}, // shifted GEMMs, adjoint backward
	{ConvGeom{C: 9, H: 6, W: 7, KH: 2, KW: 3, StrideH: 1, StrideW: 1, PadH: 0, PadW: 2}, 12}, // shifted GEMMs, uneven kernel
	{ConvGeom{C: 5, H: 6, W: 6, KH: 3, KW: 3, StrideH: 1, StrideW: 1, PadH: 0, PadW: 1}, 2},  // adjoint backward, no vertical pad
	{ConvGeom{C: 2, H: 5, W: 70, KH: 3, KW: 4, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1}, 3}, // stride-2 rows longer than 16
	{ConvGeom{C: 1, H: 4, W: 33, KH: 2, KW: 2, StrideH: 3, StrideW: 2, PadH: 0, PadW: 0}, 2}, // stride 2 across, 3 down
}

func TestConv2DForward(t *testing.T) {
	r := NewRNG(1)
	for _, tc := range convCases {
		t.Run(fmt.Sprint(tc.g, tc.outC), func(t *testing.T) {
			l := Conv2D{Geom: tc.g, OutC: tc.outC}
			n := 3
			in, w, bias := randSlice(r, n*l.InLen()), randSlice(r, l.WeightLen()), randSlice(r, tc.outC)
			out := make([]float32, n*l.OutLen())
			l.Forward(out, in, w, bias, n)
			closeTo(t, "forward", out, directConv(in, w, bias, n, tc.outC, tc.g), 1e-5)
		})
	}
}

// lossGrad checks an analytic gradient against central differences of the
// loss L = sum(f(x) · proj), for a few coordinates of x.
func checkGrad(t *testing.T, what string, x []float32, grad []float32, loss func() float64) {
	t.Helper()
	r := NewRNG(99)
	for trial := 0; trial < 12; trial++ {
		i := r.Intn(len(x))
		old := x[i]
		const h = 1e-2
		x[i] = old + h
		lp := loss()
		x[i] = old - h
		lm := loss()
		x[i] = old
		num := (lp - lm) / (2 * h)
		if math.Abs(num-float64(grad[i])) > 2e-3*(1+math.Abs(num)) {
			t.Errorf("%s: d/dx[%d] analytic %g, numeric %g", what, i, grad[i], num)
		}
	}
}

func dot64(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// convLayer is what Conv2D and ConvTranspose2D have in common.
type convLayer interface {
	Forward(out, in, w, bias []float32, n int)
	BackwardInput(din, dout, w []float32, n int)
	BackwardWeights(dw, dbias, dout, in []float32, n int)
	InLen() int
	OutLen() int
	WeightLen() int
}

// checkLayerGradients checks BackwardInput and BackwardWeights of l (with
// outC output channels) by finite differences of L = <Forward(in), proj>.
func checkLayerGradients(t *testing.T, r *RNG, l convLayer, outC int) {
	t.Helper()
	n := 2
	in, w, bias := randSlice(r, n*l.InLen()), randSlice(r, l.WeightLen()), randSlice(r, outC)
	proj := randSlice(r, n*l.OutLen())
	out := make([]float32, n*l.OutLen())
	loss := func() float64 { l.Forward(out, in, w, bias, n); return dot64(out, proj) }
	din := make([]float32, len(in))
	dw := make([]float32, len(w))
	db := make([]float32, len(bias))
	l.BackwardInput(din, proj, w, n)
	l.BackwardWeights(dw, db, proj, in, n)
	checkGrad(t, "input", in, din, loss)
	checkGrad(t, "weights", w, dw, loss)
	checkGrad(t, "bias", bias, db, loss)
}

func TestConv2DGradients(t *testing.T) {
	r := NewRNG(2)
	for _, tc := range convCases {
		t.Run(fmt.Sprint(tc.g, tc.outC), func(t *testing.T) {
			checkLayerGradients(t, r, Conv2D{Geom: tc.g, OutC: tc.outC}, tc.outC)
		})
	}
}

var convTCases = []ConvTranspose2D{
	{Geom: ConvGeom{C: 8, H: 7, W: 7, KH: 3, KW: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1}, OutC: 8, OutPadH: 1, OutPadW: 1},
	{Geom: ConvGeom{C: 8, H: 14, W: 14, KH: 3, KW: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1}, OutC: 16, OutPadH: 1, OutPadW: 1},
	{Geom: ConvGeom{C: 3, H: 4, W: 5, KH: 2, KW: 3, StrideH: 1, StrideW: 3, PadH: 0, PadW: 1}, OutC: 2, OutPadW: 2},
	{Geom: ConvGeom{C: 2, H: 3, W: 3, KH: 4, KW: 4, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1}, OutC: 3},
	{Geom: ConvGeom{C: 3, H: 4, W: 37, KH: 3, KW: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1}, OutC: 2, OutPadH: 1, OutPadW: 1},
}

func TestConvTranspose2D(t *testing.T) {
	r := NewRNG(3)
	for _, l := range convTCases {
		t.Run(fmt.Sprint(l), func(t *testing.T) {
			if err := l.Check(); err != nil {
				t.Fatal(err)
			}
			n := 2
			in, w, bias := randSlice(r, n*l.InLen()), randSlice(r, l.WeightLen()), randSlice(r, l.OutC)
			out := make([]float32, n*l.OutLen())
			l.Forward(out, in, w, bias, n)
			closeTo(t, "forward", out, directConvT(in, w, bias, n, l), 1e-5)
			checkLayerGradients(t, r, l, l.OutC)
		})
	}
}

func TestPoolUpsampleGradients(t *testing.T) {
	r := NewRNG(4)
	n, c, h, w := 2, 3, 6, 7
	for _, ks := range [][2]int{{2, 2}, {3, 2}, {2, 1}, {3, 3}} {
		k, s := ks[0], ks[1]
		in := randSlice(r, n*c*h*w)
		oh, ow := PoolOut(h, k, s), PoolOut(w, k, s)
		out := make([]float32, n*c*oh*ow)
		am := make([]int32, len(out))
		proj := randSlice(r, len(out))
		MaxPool2D(out, am, in, n, c, h, w, k, s)
		din := make([]float32, len(in))
		MaxPool2DBackward(din, proj, am, n, c, h, w, k, s)
		checkGrad(t, fmt.Sprintf("maxpool k%d s%d", k, s), in, din, func() float64 {
			MaxPool2D(out, am, in, n, c, h, w, k, s)
			return dot64(out, proj)
		})
	}
	for _, scale := range []int{1, 2, 3} {
		in := randSlice(r, n*c*h*w)
		out := make([]float32, len(in)*scale*scale)
		proj := randSlice(r, len(out))
		din := make([]float32, len(in))
		Upsample2DBackward(din, proj, n, c, h, w, scale)
		checkGrad(t, fmt.Sprintf("upsample %d", scale), in, din, func() float64 {
			Upsample2D(out, in, n, c, h, w, scale)
			return dot64(out, proj)
		})
	}
}

func TestConvDeterministic(t *testing.T) {
	r := NewRNG(15)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, tc := range convCases[:2] {
		l := Conv2D{Geom: tc.g, OutC: tc.outC}
		n := 37
		in, w, dout := randSlice(r, n*l.InLen()), randSlice(r, l.WeightLen()), randSlice(r, n*l.OutLen())
		run := func() (out, dw []float32) {
			out, dw = make([]float32, n*l.OutLen()), make([]float32, l.WeightLen())
			l.Forward(out, in, w, nil, n)
			l.BackwardWeights(dw, nil, dout, in, n)
			return out, dw
		}
		runtime.GOMAXPROCS(1)
		out1, dw1 := run()
		for _, p := range []int{2, 3} {
			runtime.GOMAXPROCS(p)
			out, dw := run()
			for i := range out1 {
				if math.Float32bits(out[i]) != math.Float32bits(out1[i]) {
					t.Fatalf("GOMAXPROCS=%d: out[%d] differs", p, i)
				}
			}
			for i := range dw1 {
				if math.Float32bits(dw[i]) != math.Float32bits(dw1[i]) {
					t.Fatalf("GOMAXPROCS=%d: dw[%d] differs", p, i)
				}
			}
		}
	}
}

func TestConvBadInput(t *testing.T) {
	g := ConvGeom{C: 1, H: 4, W: 4, KH: 3, KW: 3, StrideH: 1, StrideW: 1}
	cases := []struct {
		name string
		call func()
		want string
	}{
		{"short input", func() {
			Conv2D{Geom: g, OutC: 1}.Forward(make([]float32, 4), make([]float32, 3), make([]float32, 9), nil, 1)
		}, "in has 3 elements"},
		{"zero stride", func() {
			bad := g
			bad.StrideH = 0
			Conv2D{Geom: bad, OutC: 1}.Forward(nil, nil, nil, nil, 1)
		}, "stride"},
		{"kernel too big", func() {
			bad := g
			bad.KH = 7
			Im2col(nil, nil, bad)
		}, "larger than the padded"},
		{"output padding", func() {
			ConvTranspose2D{Geom: g, OutC: 1, OutPadH: 1}.Forward(nil, nil, nil, nil, 1)
		}, "output padding"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil || !strings.Contains(fmt.Sprint(r), tc.want) {
					t.Fatalf("panic %v, want one mentioning %q", r, tc.want)
				}
			}()
			tc.call()
		})
	}
}
