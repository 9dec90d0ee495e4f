// Package nnops holds the hot numeric kernels of the autoencoder runtime,
// on row-major []float32: SGEMM, convolution helpers, fused bias and
// activation, reductions, the Adam update and seeded random fills.
package nnops
