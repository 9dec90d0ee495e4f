package pca

import (
	"testing"

	"github.com/latent-ai/latent/runtime/data"
	"github.com/latent-ai/latent/runtime/metrics"
)

// TestTimeSeriesAnomalies runs the anomaly-detection use end to end on the
// synthetic series with the linear baseline: fit on normal training
// windows, score test windows by reconstruction error. The injected
// anomalies must be clearly separable, or the generator teaches nothing.
func TestTimeSeriesAnomalies(t *testing.T) {
	train := data.TimeSeries(2000, 48, 0.05, 1).WithLabels([]int{0})
	test := data.TimeSeries(1000, 48, 0.1, 2)
	cases := []struct {
		k        int
		minAUROC float64
	}{{4, 0.9}, {8, 0.9}}
	for _, c := range cases {
		p := Fit(train, c.k)
		scores := p.Errors(test)
		isAnomaly := metrics.Bools(test.Labels, 1)
		auc := metrics.AUROC(scores, isAnomaly)
		conf := metrics.Classify(scores, isAnomaly, metrics.PercentileThreshold(p.Errors(train), 99))
		t.Logf("PCA-%d: AUROC %.3f, at the 99th percentile of training errors: precision %.3f recall %.3f F1 %.3f", c.k, auc, conf.Precision(), conf.Recall(), conf.F1())
		if auc < c.minAUROC {
			t.Errorf("PCA-%d AUROC %.3f, want >= %.2f", c.k, auc, c.minAUROC)
		}
	}
}
