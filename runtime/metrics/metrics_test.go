package metrics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// pairwiseAUROC is the definition: P(score+ > score-) + ½ P(tie).
func pairwiseAUROC(scores []float64, labels []bool) float64 {
	var num, den float64
	for i := range scores {
		for j := range scores {
			if labels[i] && !labels[j] {
				den++
				switch {
				case scores[i] > scores[j]:
					num++
				case scores[i] == scores[j]:
					num += 0.5
				}
			}
		}
	}
	return num / den
}

func TestAUROC(t *testing.T) {
	cases := []struct {
		name   string
		scores []float64
		labels []bool
		want   float64
	}{
		{"perfect", []float64{0.1, 0.2, 0.8, 0.9}, []bool{false, false, true, true}, 1},
		{"inverted", []float64{0.9, 0.8, 0.2, 0.1}, []bool{false, false, true, true}, 0},
		{"all tied", []float64{1, 1, 1, 1}, []bool{false, true, false, true}, 0.5},
		{"one tie across", []float64{0.1, 0.5, 0.5, 0.9}, []bool{false, false, true, true}, 0.875},
		{"sklearn example", []float64{0.1, 0.4, 0.35, 0.8}, []bool{false, false, true, true}, 0.75},
		{"no positives", []float64{1, 2}, []bool{false, false}, math.NaN()},
		{"no negatives", []float64{1, 2}, []bool{true, true}, math.NaN()},
		{"NaN score", []float64{1, math.NaN()}, []bool{true, false}, math.NaN()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := AUROC(c.scores, c.labels)
			if math.IsNaN(c.want) != math.IsNaN(got) || (!math.IsNaN(c.want) && math.Abs(got-c.want) > 1e-12) {
				t.Fatalf("AUROC = %v, want %v", got, c.want)
			}
		})
	}
}

// TestAUROCMatchesDefinitionAndROC checks the rank formula against the
// pairwise definition and the trapezoid area under ROC, with many ties.
func TestAUROCMatchesDefinitionAndROC(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 50; trial++ {
		n := 2 + r.IntN(60)
		scores, labels := make([]float64, n), make([]bool, n)
		for i := range scores {
			scores[i] = float64(r.IntN(5)) // heavy ties
			labels[i] = r.Float64() < 0.3+0.1*scores[i]
		}
		labels[0], labels[1] = true, false
		got, want := AUROC(scores, labels), pairwiseAUROC(scores, labels)
		if math.Abs(got-want) > 1e-12 {
			t.Fatalf("trial %d: AUROC %v, pairwise %v", trial, got, want)
		}
		fpr, tpr, th := ROC(scores, labels)
		area := 0.0
		for i := 1; i < len(fpr); i++ {
			area += (fpr[i] - fpr[i-1]) * (tpr[i] + tpr[i-1]) / 2
			if th[i] >= th[i-1] || fpr[i] < fpr[i-1] || tpr[i] < tpr[i-1] {
				t.Fatalf("ROC not monotone at %d: %v %v %v", i, fpr, tpr, th)
			}
		}
		if math.Abs(area-want) > 1e-12 || fpr[len(fpr)-1] != 1 || tpr[len(tpr)-1] != 1 {
			t.Fatalf("trial %d: ROC area %v, want %v; ends at (%v, %v)", trial, area, want, fpr[len(fpr)-1], tpr[len(tpr)-1])
		}
	}
}

func TestClassify(t *testing.T) {
	scores := []float64{0.1, 0.4, 0.35, 0.8, 0.9, 0.2}
	labels := []bool{false, false, true, true, true, false}
	cases := []struct {
		th             float64
		tp, fp, tn, fn int
		p, r, f1       float64
	}{
		{0.35, 3, 1, 2, 0, 0.75, 1, 6.0 / 7},
		{0.85, 1, 0, 3, 2, 1, 1.0 / 3, 0.5},
		{2, 0, 0, 3, 3, math.NaN(), 0, 0},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.th), func(t *testing.T) {
			got := Classify(scores, labels, c.th)
			if got.TP != c.tp || got.FP != c.fp || got.TN != c.tn || got.FN != c.fn {
				t.Fatalf("got %+v", got)
			}
			for _, m := range []struct {
				name      string
				got, want float64
			}{{"precision", got.Precision(), c.p}, {"recall", got.Recall(), c.r}, {"F1", got.F1(), c.f1}} {
				if !(math.Abs(m.got-m.want) < 1e-12 || math.IsNaN(m.got) && math.IsNaN(m.want)) {
					t.Errorf("%s = %v, want %v", m.name, m.got, m.want)
				}
			}
			if !strings.Contains(got.String(), "actual +") {
				t.Errorf("String() = %q", got.String())
			}
		})
	}
}

func TestThresholds(t *testing.T) {
	errs := []float64{1, 2, 3, 4, 5}
	cases := []struct {
		name      string
		got, want float64
	}{
		{"p0", Percentile(errs, 0), 1},
		{"p50", Percentile(errs, 50), 3},
		{"p90", Percentile(errs, 90), 4.6},
		{"p100", Percentile(errs, 100), 5},
		{"single", Percentile([]float64{7}, 30), 7},
		{"percentile threshold", PercentileThreshold([]float64{5, 1, 4, 2, 3}, 75), 4},
		{"mean+2sd", MeanStdThreshold(errs, 2), 3 + 2*math.Sqrt(2)},
	}
	for _, c := range cases {
		if math.Abs(c.got-c.want) > 1e-12 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	// A NaN gives NaN, as in numpy, not the percentile of the other values.
	if got := Percentile([]float64{3, math.NaN(), 1, 2}, 50); !math.IsNaN(got) {
		t.Errorf("Percentile with a NaN = %v, want NaN", got)
	}
}

func TestErrors(t *testing.T) {
	a := []float32{1, 2, 3, 4}
	b := []float32{1, 0, 3, 0}
	cases := []struct {
		name      string
		got, want float64
	}{
		{"MSE", MSE(a, b), (4 + 16) / 4.0},
		{"RMSE all", RMSE(a, b, nil), math.Sqrt(5)},
		{"RMSE masked", RMSE(a, b, []bool{true, true, false, false}), math.Sqrt(2)},
		{"RowMSE", RowMSE(a, b, 2)[1], 8},
	}
	for _, c := range cases {
		if math.Abs(c.got-c.want) > 1e-12 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if !math.IsNaN(RMSE(a, b, make([]bool, 4))) {
		t.Error("RMSE over an empty mask is not NaN")
	}
}

func TestPanicsSayWhat(t *testing.T) {
	cases := []struct {
		name string
		f    func()
		want string
	}{
		{"AUROC length", func() { AUROC([]float64{1}, nil) }, "1 scores but 0 labels"},
		{"percentile range", func() { Percentile([]float64{1}, 101) }, "p must be in [0, 100]"},
		{"percentile empty", func() { Percentile(nil, 50) }, "no values"},
		{"RMSE mask", func() { RMSE([]float32{1}, []float32{1}, []bool{}) }, "they must match"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if s, _ := recover().(string); !strings.Contains(s, c.want) {
					t.Fatalf("panic %q, want %q", s, c.want)
				}
			}()
			c.f()
		})
	}
}

func TestAveragePrecision(t *testing.T) {
	// sklearn: average_precision_score([0,0,1,1],[0.1,0.4,0.35,0.8]) = 0.8333...
	got := AveragePrecision([]float64{0.1, 0.4, 0.35, 0.8}, []bool{false, false, true, true})
	if math.Abs(got-5.0/6) > 1e-12 {
		t.Fatalf("AP = %v, want 5/6", got)
	}
}

func TestLabelHelpers(t *testing.T) {
	if got := Bools([]int{0, 1, 2, 1}, 1); fmt.Sprint(got) != "[false true false true]" {
		t.Errorf("Bools = %v", got)
	}
	if got := NotIn([]int{0, 1, 2, 7}, []int{0, 2}); fmt.Sprint(got) != "[false true false true]" {
		t.Errorf("NotIn = %v", got)
	}
}
