// Package ae is the autoencoder runtime's front: models you build in one
// line, train with Fit, and use (reconstruct, encode, decode, sample,
// interpolate, score anomalies, recommend), from a notebook cell or a Go
// program.
//
//	train, test := data.FashionMNIST()
//	m := ae.Dense(784, 256, 64)                 // undercomplete, mirrored decoder
//	h := m.Fit(train, ae.Epochs(10), ae.Batch(256), ae.Validate(test))
//	r := m.Reconstruct(test.Take(8))             // originals over reconstructions
//	v := ae.Variational(784, 400, 20)
//	v.Fit(train)
//	s := v.Sample(16)
//	rep := ae.Anomaly(m, test, ae.Normal(0))     // errors, threshold, AUROC
//
// # Models
//
// Dense (undercomplete), Sparse (L1 or KL penalty on the code), Denoising
// (Gaussian, masking or salt-and-pepper corruption in training only),
// Variational (μ and log σ², reparameterisation, BCE or MSE plus β·KL),
// Convolutional (the conv/transposed-conv autoencoder, and a convolutional
// VAE), FromLayers (any encoder and decoder), TwoDecoders (one encoder, a
// decoder per domain, for the "swap the decoders" demo) and AutoRec
// (recommendation on rating vectors with a masked loss). Settings such as
// the loss, the sparsity penalty or the corruption are chainable methods
// used before training: ae.Dense(784, 64).WithL1(1e-4).
//
// # Errors
//
// The common path has no error plumbing: on misuse (a dataset whose width
// does not match the model, a NaN loss, an unreadable file) methods panic
// with an *Error that says what went wrong and what to do; a notebook shows
// it as an error. Every method that can fail this way has a variant with
// the suffix E that returns the error instead (FitE, LoadE, SaveE,
// ReconstructE, ...), for Go programs.
//
// # Training
//
// Fit takes options (Epochs, Batch, Seed, LR, Optimizer, Validate,
// AfterBatch, AfterEpoch, EarlyStop, KeepBest, Schedule, ClipNorm,
// Checkpoint, Context). It is deterministic given the seed, whatever the
// number of cores or GOMAXPROCS (the kernels split work so that every value
// is computed the same way on any number of threads), stops between
// batches when its context (by default host.Context()) is cancelled, and
// reports progress through host.NewReporter(). A NaN or Inf loss stops it
// with an error naming the epoch and batch, after restoring the weights of
// the last good batch.
//
// A Model is not safe for concurrent use.
package ae
