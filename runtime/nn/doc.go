// Package nn holds the building blocks of the autoencoder runtime: trainable
// parameters, layers (dense, convolution, transposed convolution, pooling,
// upsampling, reshaping, dropout and training-only noise), activations,
// losses, initialisers, optimizers and finite-difference gradient checks.
//
// Everything is float32 and works on batches stored row by row: a batch of
// n samples with d features each is one []float32 of length n·d. Layers own
// their output and input-gradient buffers and grow them only when the batch
// size grows, so a training loop allocates once per batch size. The heavy
// arithmetic runs in package nnops.
//
// Layer.Backward overwrites the parameter gradients (it does not add to
// them), so an optimizer step follows each backward pass.
package nn
