// Package metrics scores what the autoencoder runtime produces: ROC curves
// and AUROC for anomaly scores, precision, recall, F1 and the confusion
// matrix at a threshold, thresholds taken from training errors (a
// percentile, or mean + k·σ), and reconstruction and rating errors (MSE,
// per-sample MSE, RMSE over a mask).
//
// Scores are float64, higher meaning "more likely positive" (more
// anomalous); labels are []bool, true for a positive. Bools and NotIn turn
// class labels into that form.
package metrics
