// Package data loads and prepares datasets for the autoencoder runtime:
// IDX files (MNIST, Fashion-MNIST), a built-in default dataset, numeric CSV,
// normalisation, splits, batching and synthetic generators.
package data
