package ae

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/latent-ai/latent/runtime/data"
	"github.com/latent-ai/latent/runtime/metrics"
)

// Scorer gives each sample of a set an anomaly score (higher = more
// anomalous). *Model is one (its per-sample reconstruction error).
type Scorer interface {
	Errors(s *data.Set) []float64
}

// AnomalyReport is the result of anomaly detection on a set: per-sample
// errors, the threshold and how it was chosen, which samples were flagged,
// and, when the set says which samples are anomalous, AUROC, precision,
// recall, F1 and the confusion matrix.
type AnomalyReport struct {
	Name       string
	Errors     []float64 // per-sample score (reconstruction error)
	Anomalous  []bool    // ground truth (nil when unknown)
	Flagged    []bool    // Errors >= Threshold
	Threshold  float64
	Method     string    // how the threshold was chosen
	Reference  []float64 // errors the threshold was computed from
	AUROC      float64   // NaN without ground truth
	Precision  float64
	Recall     float64
	F1         float64
	Confusion  metrics.Confusion
	Labels     []int     // the set's class labels (nil when none)
	ClassNames []string  // names of the class labels
	Set        *data.Set // the scored samples (for showing the worst ones)
	Warning    string    // set when the threshold was tuned on the scored set itself
}

// trainingSet returns the set m was last trained on, when m knows it.
func trainingSet(m Scorer) *data.Set {
	if t, ok := m.(interface{ TrainingSet() *data.Set }); ok {
		return t.TrainingSet()
	}
	return nil
}

func testSetWarning(name string) string {
	return "WARNING: the threshold was tuned on " + name + " itself, the set being scored, so precision, recall and F1 are optimistic; " +
		"pass ae.Reference(train) (or train the model in this session) to take it from the training errors"
}

// Worst returns the indices of the k highest-scoring samples, highest
// first (all of them when k exceeds their number). A negative k panics
// with an *Error.
func (r *AnomalyReport) Worst(k int) []int {
	if k < 0 {
		panic(errf("Worst", "k = %d; ask for k ≥ 0 samples, e.g. r.Worst(8)", k))
	}
	idx := make([]int, len(r.Errors))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return r.Errors[idx[a]] > r.Errors[idx[b]] })
	if k < len(idx) {
		idx = idx[:k]
	}
	return idx
}

// String summarises the report.
func (r *AnomalyReport) String() string {
	var b strings.Builder
	flagged := 0
	for _, f := range r.Flagged {
		if f {
			flagged++
		}
	}
	if r.Warning != "" {
		b.WriteString(r.Warning + "\n")
	}
	fmt.Fprintf(&b, "anomaly detection on %s: %d of %d flagged, threshold %.4g (%s)", r.Name, flagged, len(r.Errors), r.Threshold, r.Method)
	if r.Anomalous != nil {
		fmt.Fprintf(&b, "; AUROC %.3f, precision %.3f, recall %.3f, F1 %.3f", r.AUROC, r.Precision, r.Recall, r.F1)
	} else {
		b.WriteString("; no ground truth (pass ae.Normal(classes...) or labels 0/1 to get AUROC)")
	}
	return b.String()
}

type anomalyConfig struct {
	normal, anomalous []int
	ref               *data.Set
	percentile        float64
	meanStd           bool // threshold mean + k·σ rather than a percentile
	k                 float64
	threshold         float64
	fixed             bool
}

// AnomalyOption changes how Anomaly labels and thresholds.
type AnomalyOption func(*anomalyConfig)

// Normal names the classes that are normal; samples of any other class are
// the anomalies.
func Normal(classes ...int) AnomalyOption {
	return func(c *anomalyConfig) { c.normal = append([]int(nil), classes...) }
}

// Anomalous names the classes that are anomalies; all others are normal.
func Anomalous(classes ...int) AnomalyOption {
	return func(c *anomalyConfig) { c.anomalous = append([]int(nil), classes...) }
}

// Reference sets the (normal) data whose errors the threshold is computed
// from, usually the training set.
func Reference(s *data.Set) AnomalyOption { return func(c *anomalyConfig) { c.ref = s } }

// Percentile sets the threshold to the p-th percentile of the reference
// errors (default 95).
func Percentile(p float64) AnomalyOption {
	return func(c *anomalyConfig) { c.percentile, c.meanStd = p, false }
}

// MeanStd sets the threshold to mean + k·σ of the reference errors
// (k = 0: their mean).
func MeanStd(k float64) AnomalyOption {
	return func(c *anomalyConfig) { c.k, c.meanStd = k, true }
}

// Threshold fixes the threshold.
func Threshold(t float64) AnomalyOption {
	return func(c *anomalyConfig) { c.threshold, c.fixed = t, true }
}

// Anomaly scores every sample of s by its reconstruction error under m and
// flags those at or above a threshold: by default the 95th percentile of
// the errors of the Reference set, or, without one, of the set the model
// was last trained on (Fit records it). Only when neither is known (a
// loaded model) is the threshold taken from the normal samples of s itself
// (all of s when it has no ground truth), and the report then carries a
// Warning saying so. Ground truth comes from
// Normal or Anomalous classes, or from 0/1 labels (1 = anomaly). It panics
// with an *Error on misuse; AnomalyE returns it.
func Anomaly(m Scorer, s *data.Set, opts ...AnomalyOption) *AnomalyReport {
	r, err := AnomalyE(m, s, opts...)
	must(err)
	return r
}

// AnomalyE is Anomaly returning an error.
func AnomalyE(m Scorer, s *data.Set, opts ...AnomalyOption) (r *AnomalyReport, err error) {
	defer catch("Anomaly", &err)
	if m == nil {
		return nil, errf("Anomaly", "no model; pass a trained model, e.g. ae.Anomaly(m, test)")
	}
	if s == nil || s.N == 0 {
		return nil, errf("Anomaly", "no samples to score")
	}
	c := anomalyConfig{percentile: 95}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	r = &AnomalyReport{Name: s.Name, Set: s, AUROC: math.NaN(), Precision: math.NaN(), Recall: math.NaN(), F1: math.NaN(), ClassNames: s.ClassNames}
	r.Errors = m.Errors(s)
	if err := finiteScores(r.Errors, s.Name); err != nil {
		return nil, err
	}
	if s.Labels != nil {
		r.Labels = s.Labels[:s.N]
		switch {
		case c.normal != nil:
			r.Anomalous = metrics.NotIn(r.Labels, c.normal)
		case c.anomalous != nil:
			r.Anomalous = metrics.NotIn(r.Labels, c.anomalous)
			for i := range r.Anomalous {
				r.Anomalous[i] = !r.Anomalous[i]
			}
		case binaryLabels(r.Labels):
			r.Anomalous = metrics.Bools(r.Labels, 1)
		}
	} else if c.normal != nil || c.anomalous != nil {
		return nil, errf("Anomaly", "%s has no labels, so ae.Normal/ae.Anomalous cannot say which samples are anomalies", s.Name)
	}
	switch {
	case c.fixed:
		r.Threshold, r.Method = c.threshold, "fixed"
	default:
		var what string
		switch {
		case c.ref != nil:
			r.Reference, what = m.Errors(c.ref), "reference "+c.ref.Name
		case trainingSet(m) != nil:
			ts := trainingSet(m)
			r.Reference, what = m.Errors(ts), "training set "+ts.Name
		case r.Anomalous != nil:
			for i, e := range r.Errors {
				if !r.Anomalous[i] {
					r.Reference = append(r.Reference, e)
				}
			}
			what = "normal samples of " + s.Name
			r.Warning = testSetWarning(s.Name)
		default:
			r.Reference, what = r.Errors, s.Name
			r.Warning = testSetWarning(s.Name)
		}
		if err := finiteScores(r.Reference, what); err != nil {
			return nil, err
		}
		if len(r.Reference) == 0 {
			return nil, errf("Anomaly", "no reference errors to set a threshold from; pass ae.Reference(train) or ae.Threshold(t)")
		}
		if r.Warning != "" {
			what += " (tuned on the scored set)"
		}
		if c.meanStd {
			if math.IsNaN(c.k) || math.IsInf(c.k, 0) {
				return nil, errf("Anomaly", "MeanStd(%g): k must be a finite number of standard deviations, e.g. ae.MeanStd(3)", c.k)
			}
			r.Threshold = metrics.MeanStdThreshold(r.Reference, c.k)
			r.Method = fmt.Sprintf("mean + %g·σ of %s errors", c.k, what)
		} else {
			if !(c.percentile > 0 && c.percentile <= 100) {
				return nil, errf("Anomaly", "percentile %g must be in (0, 100]", c.percentile)
			}
			r.Threshold = metrics.Percentile(r.Reference, c.percentile)
			r.Method = fmt.Sprintf("%gth percentile of %s errors", c.percentile, what)
		}
	}
	r.Flagged = make([]bool, len(r.Errors))
	for i, e := range r.Errors {
		r.Flagged[i] = e >= r.Threshold
	}
	if r.Anomalous != nil {
		r.AUROC = metrics.AUROC(r.Errors, r.Anomalous)
		r.Confusion = metrics.Classify(r.Errors, r.Anomalous, r.Threshold)
		r.Precision, r.Recall, r.F1 = r.Confusion.Precision(), r.Confusion.Recall(), r.Confusion.F1()
	}
	return r, nil
}

// finiteScores reports the first NaN or infinite score of the samples of
// name, which NaN or Inf values in the set give: AUROC, thresholds and
// flags would all be meaningless.
func finiteScores(scores []float64, name string) error {
	for i, e := range scores {
		if math.IsNaN(e) || math.IsInf(e, 0) {
			return errf("Anomaly", "sample %d of %s scores %v: it holds NaN or infinite values; clean or impute the data first (Fit refuses such data too)", i, name, e)
		}
	}
	return nil
}

func binaryLabels(ls []int) bool {
	for _, l := range ls {
		if l != 0 && l != 1 {
			return false
		}
	}
	return true
}
