package plotting

import (
	"math"
	"strings"
	"testing"
)

// anomalyScores returns 400 normal scores around 0.02 and 60 anomalous
// ones around 0.05, deterministic.
func anomalyScores() ([]float64, []bool) {
	var s []float64
	var a []bool
	state := uint32(99)
	rnd := func() float64 { // sum of three uniforms: roughly normal
		v := 0.0
		for k := 0; k < 3; k++ {
			state = state*1664525 + 1013904223
			v += float64(state>>8) / float64(1<<24)
		}
		return v - 1.5
	}
	for i := 0; i < 460; i++ {
		bad := i%23 < 3
		mu, sd := 0.02, 0.006
		if bad {
			mu, sd = 0.045, 0.01
		}
		s = append(s, math.Max(0.001, mu+sd*2*rnd()))
		a = append(a, bad)
	}
	return s, a
}

func TestAnomalyGolden(t *testing.T) {
	s, a := anomalyScores()
	tests := []struct {
		name string
		fig  *Figure
	}{
		{"histogram", ErrorHistogram(s, a, 0.032)},
		{"histogram_unlabelled", ErrorHistogram(s, nil, math.NaN())},
		{"histogram_outliers", ErrorHistogram(append(append([]float64(nil), s...), 2.5, 4), append(append([]bool(nil), a...), true, true), 0.032)},
		{"roc", ROC(s, a)},
		{"roc_threshold", ROCAt(s, a, 0.032)},
		{"pr_curve", PRCurve(s, a)},
		{"value_histogram", Histogram(s, "hidden activation")},
		{"roc_compare", ROCCurves([]string{"dense", "sparse"}, [][]float64{s, shuffled(s, 0.4)}, a)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkGolden(t, tt.name, tt.fig) })
	}
}

func TestROCTitleHasAUROC(t *testing.T) {
	// Perfectly separated scores: AUROC 1.
	f := ROC([]float64{0.1, 0.2, 0.8, 0.9}, []bool{false, false, true, true})
	if !strings.Contains(f.Title(), "AUROC 1.000") {
		t.Errorf("title %q, want AUROC 1.000", f.Title())
	}
}

func TestAnomalyErrors(t *testing.T) {
	tests := []struct {
		name string
		fig  *Figure
		want string
	}{
		{"hist empty", ErrorHistogram(nil, nil, 1), "no values"},
		{"pr one class", PRCurve([]float64{1, 2}, []bool{false, false}), "both normal and anomalous"},
		{"hist labels", ErrorHistogram([]float64{1, 2}, []bool{true}, 1), "labels"},
		{"hist nan", ErrorHistogram([]float64{math.NaN()}, nil, 1), "no finite"},
		{"roc lengths", ROC([]float64{1, 2}, []bool{true}), "labels"},
		{"roc one class", ROC([]float64{1, 2}, []bool{true, true}), "both normal and anomalous"},
		{"roc nan", ROC([]float64{1, math.NaN()}, []bool{true, false}), "NaN"},
		{"roc names", ROCCurves([]string{"a"}, nil, nil), "names"},
		{"roc second model", ROCCurves([]string{"a", "b"}, [][]float64{{1, 2}, {1}}, []bool{true, false}), "b: 1 scores"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.fig.Err(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Err() = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

// shuffled returns a weaker score: s mixed with a deterministic permutation
// of itself, weight w on the permutation.
func shuffled(s []float64, w float64) []float64 {
	out := make([]float64, len(s))
	for i := range s {
		out[i] = (1-w)*s[i] + w*s[(i*7+3)%len(s)]
	}
	return out
}
