package metrics_test

import (
	"fmt"

	"github.com/latent-ai/latent/runtime/metrics"
)

// Anomaly detection: reconstruction errors as scores, a threshold from the
// training errors, then AUROC and the confusion matrix on test data.
func Example() {
	trainErrors := []float64{0.010, 0.012, 0.011, 0.009, 0.013, 0.010, 0.011, 0.012}
	testErrors := []float64{0.010, 0.011, 0.030, 0.012, 0.045, 0.009, 0.013, 0.050}
	isAnomaly := []bool{false, false, true, false, true, false, true, true}

	th := metrics.MeanStdThreshold(trainErrors, 3)
	c := metrics.Classify(testErrors, isAnomaly, th)
	fmt.Printf("AUROC %.3f\n", metrics.AUROC(testErrors, isAnomaly))
	fmt.Printf("threshold %.4f: TP %d FP %d TN %d FN %d, F1 %.3f\n", th, c.TP, c.FP, c.TN, c.FN, c.F1())
	// Output:
	// AUROC 1.000
	// threshold 0.0147: TP 3 FP 0 TN 4 FN 1, F1 0.857
}

func ExampleRMSE() {
	pred := []float32{3.5, 4.0, 2.0, 5.0}
	truth := []float32{4, 4, 1, 5}
	heldOut := []bool{true, false, true, false}
	fmt.Printf("%.4f\n", metrics.RMSE(pred, truth, heldOut))
	// Output: 0.7906
}

func ExampleROC() {
	fpr, tpr, th := metrics.ROC([]float64{0.1, 0.4, 0.35, 0.8}, []bool{false, false, true, true})
	fmt.Println(fpr, tpr, th)
	// Output: [0 0 0.5 0.5 1] [0 0.5 0.5 1 1] [+Inf 0.8 0.4 0.35 0.1]
}
