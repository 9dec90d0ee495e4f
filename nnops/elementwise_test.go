package nnops

import (
	"fmt"
	"math"
	"testing"
)

var allActivations = []Activation{Identity, ReLU, LeakyReLU, Sigmoid, Tanh}

// exactAct is act in float64, the reference for both implementations.
func exactAct(v float64, act Activation, slope float64) float64 {
	switch act {
	case ReLU:
		return math.Max(v, 0)
	case LeakyReLU:
		if v < 0 {
			return v * slope
		}
	case Sigmoid:
		return 1 / (1 + math.Exp(-v))
	case Tanh:
		return math.Tanh(v)
	}
	return v
}

// withKernels runs f with the assembly kernels on (when the CPU has them)
// and off.
func withKernels(t *testing.T, f func(t *testing.T)) {
	old := useAVX512
	defer func() { useAVX512 = old }()
	for _, on := range []bool{false, true} {
		if on && !old {
			continue
		}
		useAVX512 = on
		t.Run(fmt.Sprintf("asm=%v", on), f)
	}
}

func TestBiasActivate(t *testing.T) {
	withKernels(t, func(t *testing.T) {
		r := NewRNG(5)
		for _, act := range allActivations {
			for _, shape := range [][2]int{{1, 1}, {3, 17}, {5, 33}, {2, 100}, {4, 15}} {
				rows, cols := shape[0], shape[1]
				x := make([]float32, rows*cols)
				r.FillNormal(x, 0, 4)
				x[0] = 1e-4 // tanh series region
				if len(x) > 2 {
					x[1], x[2] = 100, -100 // saturation
				}
				for _, withBias := range []bool{false, true} {
					var bias []float32
					if withBias {
						bias = randSlice(r, cols)
					}
					got := append([]float32(nil), x...)
					BiasActivate(got, rows, cols, bias, act, 0.1)
					for i, v := range x {
						in := float64(v)
						if bias != nil {
							in = float64(v + bias[i%cols])
						}
						want := exactAct(in, act, float64(float32(0.1)))
						if d := math.Abs(float64(got[i]) - want); d > 3e-7*math.Max(1, math.Abs(want)) && d > 2e-6*math.Abs(want) {
							t.Fatalf("%v bias=%v: act(%g) = %g, want %g", act, withBias, in, got[i], want)
						}
					}
				}
			}
			// NaN propagates.
			x := []float32{float32(math.NaN()), 1}
			BiasActivate(x, 1, 2, nil, act, 0.1)
			if act != Identity && !math.IsNaN(float64(x[0])) {
				t.Errorf("%v(NaN) = %g, want NaN", act, x[0])
			}
		}
	})
}

func TestActivationBackward(t *testing.T) {
	withKernels(t, func(t *testing.T) {
		r := NewRNG(6)
		for _, act := range allActivations {
			n := 37
			x := make([]float32, n)
			r.FillNormal(x, 0, 2)
			proj := randSlice(r, n)
			y := append([]float32(nil), x...)
			BiasActivate(y, 1, n, nil, act, 0.1)
			dy := append([]float32(nil), proj...)
			ActivationBackward(dy, y, act, 0.1)
			checkGrad(t, fmt.Sprint(act), x, dy, func() float64 {
				out := append([]float32(nil), x...)
				BiasActivate(out, 1, n, nil, act, 0.1)
				return dot64(out, proj)
			})
		}
	})
}
