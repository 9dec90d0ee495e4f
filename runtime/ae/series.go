package ae

import (
	"fmt"

	"github.com/latent-ai/latent/runtime/data"
)

// SeriesReport is anomaly detection on a time series, brought back from
// windows to the time axis: every point's score is the smallest
// reconstruction error of the windows that contain it, so a point is
// flagged (its score reaches the threshold of the window errors) only when
// every window around it is anomalous. That puts the flags on the faulty
// stretch itself rather than a window's length around it.
type SeriesReport struct {
	Series         *data.Series
	Window, Stride int
	Scores         []float64      // one per point of Series
	Flagged        []bool         // Scores >= Threshold
	Threshold      float64        // from Windows
	Windows        *AnomalyReport // the report on the windows themselves
}

// String summarises the report.
func (r *SeriesReport) String() string {
	n := 0
	for _, f := range r.Flagged {
		if f {
			n++
		}
	}
	return fmt.Sprintf("time-series anomalies in %s: %d of %d points flagged (windows of %d every %d); threshold %.4g (%s)",
		r.Series.Name, n, len(r.Flagged), r.Window, r.Stride, r.Threshold, r.Windows.Method)
}

// Segments returns the flagged stretches of the series as [start, end)
// point ranges, in time order.
func (r *SeriesReport) Segments() [][2]int {
	var out [][2]int
	for i := 0; i < len(r.Flagged); i++ {
		if !r.Flagged[i] {
			continue
		}
		j := i
		for j < len(r.Flagged) && r.Flagged[j] {
			j++
		}
		out = append(out, [2]int{i, j})
		i = j
	}
	return out
}

// SeriesAnomaly cuts s into windows of window points every stride points,
// scores each window by its reconstruction error under m (trained on
// windows of the same size, usually of a normal stretch of the series),
// thresholds them as Anomaly does (opts: Reference, Percentile, MeanStd,
// Threshold; by default the training errors), and maps the scores back onto
// the time axis. It panics with an *Error on misuse; SeriesAnomalyE
// returns it.
func SeriesAnomaly(m Scorer, s *data.Series, window, stride int, opts ...AnomalyOption) *SeriesReport {
	r, err := SeriesAnomalyE(m, s, window, stride, opts...)
	must(err)
	return r
}

// SeriesAnomalyE is SeriesAnomaly returning an error.
func SeriesAnomalyE(m Scorer, s *data.Series, window, stride int, opts ...AnomalyOption) (r *SeriesReport, err error) {
	defer catch("SeriesAnomaly", &err)
	if s == nil || data.NumWindows(s.Len(), window, stride) == 0 {
		return nil, errf("SeriesAnomaly", "need a series of at least window points, window >= 1 and stride >= 1 (got window %d, stride %d)", window, stride)
	}
	wins := s.Windows(window, stride)
	rep, err := AnomalyE(m, wins, opts...)
	if err != nil {
		return nil, err
	}
	r = &SeriesReport{Series: s, Window: window, Stride: stride, Threshold: rep.Threshold, Windows: rep,
		Scores: make([]float64, s.Len()), Flagged: make([]bool, s.Len())}
	covered := make([]bool, s.Len())
	for k, e := range rep.Errors {
		for i := k * stride; i < k*stride+window; i++ {
			if !covered[i] || e < r.Scores[i] {
				r.Scores[i], covered[i] = e, true
			}
		}
	}
	last := 0.0
	for i := range r.Scores {
		if !covered[i] { // points after the last whole window take its score
			r.Scores[i] = last
		}
		last = r.Scores[i]
		r.Flagged[i] = r.Scores[i] >= r.Threshold
	}
	return r, nil
}
