package metrics

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// checkPair panics with a clear message when scores and labels differ in
// length.
func checkPair(op string, scores []float64, labels []bool) {
	if len(scores) != len(labels) {
		panic(fmt.Sprintf("metrics: %s: %d scores but %d labels; pass one label per score", op, len(scores), len(labels)))
	}
}

// AUROC returns the area under the ROC curve of scores against labels
// (true = positive, e.g. an anomaly; a higher score means more likely
// positive): the probability that a random positive scores above a random
// negative, ties counting one half. It is computed from midranks, so tied
// scores are handled exactly. It returns NaN when there is no positive or no
// negative, or a score is NaN.
func AUROC(scores []float64, labels []bool) float64 {
	checkPair("AUROC", scores, labels)
	pos := positives(labels)
	neg := len(labels) - pos
	if pos == 0 || neg == 0 {
		return math.NaN()
	}
	for _, s := range scores {
		if math.IsNaN(s) {
			return math.NaN()
		}
	}
	// Sum of the (1-based, mid-) ranks of the positives.
	idx := order(scores)
	var rankSum float64
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && scores[idx[j]] == scores[idx[i]] {
			j++
		}
		mid := float64(i+j+1) / 2 // mean of ranks i+1..j
		for k := i; k < j; k++ {
			if labels[idx[k]] {
				rankSum += mid
			}
		}
		i = j
	}
	p, n := float64(pos), float64(neg)
	return (rankSum - p*(p+1)/2) / (p * n)
}

// order returns the indices of scores sorted by increasing score.
func order(scores []float64) []int {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] < scores[idx[b]] })
	return idx
}

// positives counts the true labels.
func positives(labels []bool) int {
	n := 0
	for _, l := range labels {
		if l {
			n++
		}
	}
	return n
}

// sweep walks the distinct scores from the highest down, calling visit with
// each as the threshold and the numbers of true and false positives among
// the samples scoring >= it.
func sweep(scores []float64, labels []bool, visit func(threshold float64, tp, fp int)) {
	idx := order(scores)
	tp, fp := 0, 0
	for i := len(idx) - 1; i >= 0; {
		j := i
		for j >= 0 && scores[idx[j]] == scores[idx[i]] {
			if labels[idx[j]] {
				tp++
			} else {
				fp++
			}
			j--
		}
		visit(scores[idx[i]], tp, fp)
		i = j
	}
}

// ROC returns the points of the ROC curve: for each distinct score, taken
// as a threshold from the highest down (a sample is called positive when
// its score is >= the threshold), the false and true positive rates. The
// first point is (0, 0) at threshold +Inf and the last (1, 1). When labels
// have no positive (or no negative) the tpr (or fpr) stays 0.
func ROC(scores []float64, labels []bool) (fpr, tpr, thresholds []float64) {
	checkPair("ROC", scores, labels)
	pos := positives(labels)
	neg := len(labels) - pos
	fpr, tpr, thresholds = []float64{0}, []float64{0}, []float64{math.Inf(1)}
	sweep(scores, labels, func(th float64, tp, fp int) {
		fpr = append(fpr, rate(fp, neg))
		tpr = append(tpr, rate(tp, pos))
		thresholds = append(thresholds, th)
	})
	return fpr, tpr, thresholds
}

func rate(k, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(k) / float64(n)
}

// PrecisionRecallCurve returns precision and recall for each distinct score
// taken as a threshold from the highest down (score >= threshold is called
// positive), and the thresholds. AveragePrecision summarises it.
func PrecisionRecallCurve(scores []float64, labels []bool) (precision, recall, thresholds []float64) {
	checkPair("PrecisionRecallCurve", scores, labels)
	pos := positives(labels)
	sweep(scores, labels, func(th float64, tp, fp int) {
		precision = append(precision, float64(tp)/float64(tp+fp))
		recall = append(recall, rate(tp, pos))
		thresholds = append(thresholds, th)
	})
	return precision, recall, thresholds
}

// AveragePrecision returns the area under the precision-recall curve as the
// sum over thresholds of (recall step) × precision, as scikit-learn does.
// It returns NaN when there is no positive.
func AveragePrecision(scores []float64, labels []bool) float64 {
	p, r, _ := PrecisionRecallCurve(scores, labels)
	if len(r) == 0 || r[len(r)-1] == 0 {
		return math.NaN()
	}
	ap, prev := 0.0, 0.0
	for i := range p {
		ap += (r[i] - prev) * p[i]
		prev = r[i]
	}
	return ap
}

// Confusion is a binary confusion matrix with the counts of true and false
// positives and negatives.
type Confusion struct {
	Threshold      float64 // scores >= Threshold were called positive
	TP, FP, TN, FN int
}

// Classify calls every score >= threshold positive and counts the outcomes
// against labels.
func Classify(scores []float64, labels []bool, threshold float64) Confusion {
	checkPair("Classify", scores, labels)
	c := Confusion{Threshold: threshold}
	for i, s := range scores {
		switch called := s >= threshold; {
		case called && labels[i]:
			c.TP++
		case called:
			c.FP++
		case labels[i]:
			c.FN++
		default:
			c.TN++
		}
	}
	return c
}

func ratio(a, b int) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}

// Precision returns TP / (TP + FP), NaN when nothing was called positive.
func (c Confusion) Precision() float64 { return ratio(c.TP, c.TP+c.FP) }

// Recall returns TP / (TP + FN) (the true positive rate), NaN when there is
// no positive.
func (c Confusion) Recall() float64 { return ratio(c.TP, c.TP+c.FN) }

// F1 returns the harmonic mean of precision and recall, 2TP / (2TP + FP +
// FN); NaN when there is no positive and nothing was called positive.
func (c Confusion) F1() float64 { return ratio(2*c.TP, 2*c.TP+c.FP+c.FN) }

// Accuracy returns (TP + TN) / total.
func (c Confusion) Accuracy() float64 { return ratio(c.TP+c.TN, c.TP+c.TN+c.FP+c.FN) }

// FPR returns FP / (FP + TN), the false positive rate.
func (c Confusion) FPR() float64 { return ratio(c.FP, c.FP+c.TN) }

// String prints the matrix with actual classes as rows and predictions as
// columns, followed by precision, recall and F1.
func (c Confusion) String() string {
	var b strings.Builder
	w := len(fmt.Sprint(max(c.TP, c.FP, c.TN, c.FN)))
	w = max(w, len("predicted +"))
	fmt.Fprintf(&b, "threshold %.6g\n", c.Threshold)
	fmt.Fprintf(&b, "%-10s %*s %*s\n", "", w, "predicted +", w, "predicted -")
	fmt.Fprintf(&b, "%-10s %*d %*d\n", "actual +", w, c.TP, w, c.FN)
	fmt.Fprintf(&b, "%-10s %*d %*d\n", "actual -", w, c.FP, w, c.TN)
	fmt.Fprintf(&b, "precision %.4f  recall %.4f  F1 %.4f", c.Precision(), c.Recall(), c.F1())
	return b.String()
}

// Percentile returns the p-th percentile (0..100) of values, interpolating
// linearly between order statistics (numpy's default). It returns NaN
// when a value is NaN (as numpy.percentile does) and panics on an empty
// slice or p outside [0, 100].
func Percentile(values []float64, p float64) float64 {
	if len(values) == 0 {
		panic("metrics: Percentile of no values; pass at least one")
	}
	if !(p >= 0 && p <= 100) {
		panic(fmt.Sprintf("metrics: Percentile(%v): p must be in [0, 100]", p))
	}
	s := append([]float64(nil), values...)
	sort.Float64s(s)
	if math.IsNaN(s[0]) { // sort.Float64s puts NaNs first
		return math.NaN()
	}
	pos := p / 100 * float64(len(s)-1)
	lo := int(math.Floor(pos))
	if lo >= len(s)-1 {
		return s[len(s)-1]
	}
	f := pos - float64(lo)
	return s[lo] + f*(s[lo+1]-s[lo])
}

// PercentileThreshold returns the threshold that flags the top (100 - p)%
// of the training errors: their p-th percentile. Typical p: 95 or 99.
func PercentileThreshold(trainErrors []float64, p float64) float64 {
	return Percentile(trainErrors, p)
}

// MeanStd returns the mean and the (population) standard deviation.
func MeanStd(values []float64) (mean, std float64) {
	if len(values) == 0 {
		return math.NaN(), math.NaN()
	}
	for _, v := range values {
		mean += v
	}
	mean /= float64(len(values))
	for _, v := range values {
		std += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(std / float64(len(values)))
}

// MeanStdThreshold returns mean + k·σ of the training errors, the classic
// anomaly threshold (k = 3 flags about 0.1% of Gaussian errors).
func MeanStdThreshold(trainErrors []float64, k float64) float64 {
	if len(trainErrors) == 0 {
		panic("metrics: MeanStdThreshold of no errors; pass the training errors")
	}
	m, s := MeanStd(trainErrors)
	return m + k*s
}

// RMSE returns the root mean squared difference of pred and target over the
// entries where mask is true (all entries when mask is nil), e.g. held-out
// ratings. It returns NaN when the mask selects nothing.
func RMSE(pred, target []float32, mask []bool) float64 {
	if len(pred) != len(target) || (mask != nil && len(mask) != len(pred)) {
		panic(fmt.Sprintf("metrics: RMSE: pred has %d values, target %d, mask %d; they must match", len(pred), len(target), len(mask)))
	}
	var sum float64
	n := 0
	for i, p := range pred {
		if mask != nil && !mask[i] {
			continue
		}
		d := float64(p) - float64(target[i])
		sum += d * d
		n++
	}
	if n == 0 {
		return math.NaN()
	}
	return math.Sqrt(sum / float64(n))
}

// MSE returns the mean squared difference of a and b over all entries.
func MSE(a, b []float32) float64 {
	if len(a) != len(b) {
		panic(fmt.Sprintf("metrics: MSE: %d values against %d; they must match", len(a), len(b)))
	}
	if len(a) == 0 {
		return math.NaN()
	}
	var sum float64
	for i, v := range a {
		d := float64(v) - float64(b[i])
		sum += d * d
	}
	return sum / float64(len(a))
}

// RowMSE returns the mean squared difference of each row of d values of a
// and b (both n×d, row-major): per-sample reconstruction errors.
func RowMSE(a, b []float32, d int) []float64 {
	if len(a) != len(b) || d <= 0 || len(a)%d != 0 {
		panic(fmt.Sprintf("metrics: RowMSE: %d and %d values in rows of %d; they must match and be whole rows", len(a), len(b), d))
	}
	out := make([]float64, len(a)/d)
	for r := range out {
		out[r] = MSE(a[r*d:(r+1)*d], b[r*d:(r+1)*d])
	}
	return out
}

// Bools returns labels[i] == positive for each label: turns class labels into
// the []bool the metrics take (e.g. Bools(test.Labels, 1) for "anomaly").
func Bools(labels []int, positive int) []bool {
	out := make([]bool, len(labels))
	for i, l := range labels {
		out[i] = l == positive
	}
	return out
}

// NotIn returns true for each label that is not one of normal: the positives
// of an anomaly-detection split where the normal classes are known.
func NotIn(labels []int, normal []int) []bool {
	out := make([]bool, len(labels))
	for i, l := range labels {
		out[i] = true
		for _, n := range normal {
			if l == n {
				out[i] = false
				break
			}
		}
	}
	return out
}
