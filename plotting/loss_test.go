package plotting

import (
	"math"
	"strings"
	"testing"
)

// decay is a synthetic loss history: exponential decay towards floor with
// a little deterministic wobble.
func decay(n int, start, floor, rate, wobble float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = floor + (start-floor)*math.Exp(-rate*float64(i)) + wobble*math.Sin(float64(i)*1.7)
	}
	return out
}

func TestLossGolden(t *testing.T) {
	train := decay(20, 0.09, 0.011, 0.3, 0.0004)
	val := decay(20, 0.08, 0.014, 0.25, 0.0008)
	val[19] += 0.003 // overfitting at the end moves the best epoch back
	tests := []struct {
		name string
		fig  *Figure
	}{
		{"loss", Loss(train, val)},
		{"loss_log_compare", LossCurves([]Run{
			{Name: "dense 784-64", Train: train, Val: val},
			{Name: "sparse", Train: decay(20, 0.1, 0.02, 0.2, 0.0002), Val: decay(20, 0.1, 0.022, 0.2, 0.0003)},
			{Name: "denoising", Train: decay(12, 0.12, 0.03, 0.35, 0), Val: nil},
		}, LossOptions{LogY: true, Title: "Reconstruction loss, three autoencoders"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkGolden(t, tt.name, tt.fig) })
	}
}

func TestLossErrors(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name string
		fig  *Figure
		want string
	}{
		{"no runs", LossCurves(nil, LossOptions{}), "no runs"},
		{"empty", Loss(nil, nil), "no finite loss"},
		{"all nan", Loss([]float64{nan, math.Inf(1)}, nil), "no finite loss"},
		{"log of zero", LossCurves([]Run{{Train: []float64{0, -1}}}, LossOptions{LogY: true}), "log scale"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.fig.Err()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Err() = %v, want it to mention %q", err, tt.want)
			}
			if _, err := tt.fig.PNG(); err == nil {
				t.Error("PNG of a failed figure returned no error")
			}
			if b := tt.fig.Render(); b.Data["text/plain"] == nil || b.Data["image/png"] != nil {
				t.Errorf("Render of a failed figure = %v, want only text", b.Data)
			}
		})
	}
}

func TestLossSkipsNaN(t *testing.T) {
	f := Loss([]float64{0.5, math.NaN(), 0.3}, []float64{0.6, 0.4, math.Inf(1)})
	if _, err := f.PNG(); err != nil {
		t.Fatal(err)
	}
}

func TestLossCopiesHistories(t *testing.T) {
	train := []float64{3, 2, 1}
	f := Loss(train, nil)
	before, err := f.PNG()
	if err != nil {
		t.Fatal(err)
	}
	train[0] = 100 // the caller changes its slice after making the figure
	after, err := f.PNG()
	if err != nil {
		t.Fatal(err)
	}
	if string(before) != string(after) {
		t.Error("changing the caller's history changed the figure")
	}
}
