package plotting

import (
	"strings"
	"testing"

	"github.com/latent-ai/latent/runtime/ae"
	"github.com/latent-ai/latent/runtime/data"
)

// imageSet wraps px (28×28 images) as a data set.
func imageSet(name string, px []float32, labels []int) *data.Set {
	return &data.Set{Name: name, X: px, N: len(px) / 784, D: 784, C: 1, H: 28, W: 28, Labels: labels, ClassNames: fashionNames}
}

func TestAEAdaptersGolden(t *testing.T) {
	s, a := anomalyScores()
	imgs := synthImages(len(s))
	labels := make([]int, len(s))
	for i := range labels {
		labels[i] = i % 10
	}
	rep := &ae.AnomalyReport{Name: "Fashion-MNIST test", Errors: s, Anomalous: a, Threshold: 0.032,
		Method: "99th percentile of training errors", Labels: labels, ClassNames: fashionNames, Set: imageSet("test", imgs, labels)}
	checkGolden(t, "ae_anomaly", AnomalyFigure(rep))
	checkGolden(t, "ae_worst", AnomalyWorst(rep, 8))
}

func TestAEAdapters(t *testing.T) {
	imgs := synthImages(12)
	set := imageSet("orig", imgs, nil)
	rec := imageSet("rec", blur(imgs), nil)
	codes, labels := clusters(50, 3)
	h := &ae.History{Model: "Dense 784-64", Train: []float64{0.5, 0.3, 0.2, 0.25}, Val: []float64{0.6, 0.35, 0.3, 0.31}, Best: 1, Stopped: "early stopping"}
	tests := []struct {
		name  string
		fig   *Figure
		title string // a part of the title, or of the error when want is set
		fails bool
	}{
		{"history", HistoryLoss(h), "Dense 784-64 (stopped: early stopping)", false},
		{"compare", CompareHistories([]*ae.History{h, h}, true), "by model", false},
		{"recon", ReconstructionFigure(&ae.Reconstruction{Originals: set, Reconstructions: rec, MSE: 0.01}, 6), "MSE 0.01", false},
		{"codes", CodesFigure(&ae.Codes{Z: codes, N: 50, L: 3, Labels: labels}), "PCA of 3-D", false},
		{"samples", SamplesFigure(&ae.Samples{Images: set, L: 2}, 6), "12 samples", false},
		{"interp", InterpolationFigure(&ae.Interpolation{Images: set, Steps: 6}), "Interpolation", false},
		{"anomaly unlabelled", AnomalyFigure(&ae.AnomalyReport{Errors: []float64{1, 2, 3}, Threshold: 2.5}), "Reconstruction error", false},
		{"compare recon", CompareReconstructionFigures([]*ae.Reconstruction{{Originals: set, Reconstructions: rec}, {Originals: set, Reconstructions: set}}, []string{"a", "b"}, 4), "by model", false},
		{"nil history", HistoryLoss(nil), "nil history", true},
		{"nil codes", CodesFigure(nil), "nil codes", true},
		{"worst without set", AnomalyWorst(&ae.AnomalyReport{Errors: []float64{1}}, 3), "no samples", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.fig.Err()
			if tt.fails {
				if err == nil || !strings.Contains(err.Error(), tt.title) {
					t.Fatalf("Err() = %v, want %q", err, tt.title)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(tt.fig.Title(), tt.title) {
				t.Errorf("title %q lacks %q", tt.fig.Title(), tt.title)
			}
			if _, err := tt.fig.PNG(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestHistoryBestEpochIsKept(t *testing.T) {
	// The runtime's best epoch (2) is not the lowest validation loss (3):
	// the figure must mark the runtime's choice.
	h := &ae.History{Train: []float64{3, 2, 1}, Val: []float64{3, 2, 1.999}, Best: 1}
	r := historyRun(h)
	if r.Best != 2 {
		t.Fatalf("Run.Best = %d, want 2", r.Best)
	}
	svg, err := HistoryLoss(h).SVG()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(svg, "best val 2 at epoch 2") {
		t.Error("the legend does not name epoch 2 as best")
	}
}

func TestRecommenderAdapters(t *testing.T) {
	rs := data.Ratings(30, 40, 3, 0.3, 1)
	rec := ae.AutoRec(rs, 8)
	rec.Fit(ae.Epochs(2), ae.Quiet())
	f := RecommenderFigure(rec)
	if err := f.Err(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(f.Title(), "held-out RMSE") {
		t.Errorf("title %q lacks the RMSE", f.Title())
	}
	if _, err := f.PNG(); err != nil {
		t.Fatal(err)
	}
	tab := RecommenderTopK(rec, 3, []int{0, 5})
	if err := tab.Err(); err != nil {
		t.Fatal(err)
	}
	// The table agrees with the runtime's own top-K.
	want := rec.TopK(5, 3)
	row := tab.Rows[1]
	for j, name := range want.Names {
		if !strings.HasPrefix(row[2+j], name+" (") {
			t.Errorf("user 5 #%d = %q, runtime says %q", j+1, row[2+j], name)
		}
	}
	if RecommenderTopK(nil, 3, nil).Err() == nil {
		t.Error("nil recommender gave no error")
	}
}

func TestLatentManifold(t *testing.T) {
	m := ae.Variational(784, 32, 2)
	f := LatentManifold(m, 5, 2)
	if err := f.Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.PNG(); err != nil {
		t.Fatal(err)
	}
	if w := LatentManifold(ae.Variational(784, 32, 4), 3, 2); !strings.Contains(w.Title(), "other 2 dimensions at 0") {
		t.Errorf("title %q does not say the other dimensions are held at 0", w.Title())
	}
	for _, bad := range []*Figure{LatentManifold(nil, 5, 2), LatentManifold(m, 1, 2), LatentManifold(m, 5, 0)} {
		if bad.Err() == nil {
			t.Error("bad manifold arguments gave no error")
		}
	}
}
