package data

// Set is a dataset of N samples with D float32 features each, stored row
// by row in X. Image datasets record their shape (channels, height, width);
// labelled datasets keep one label per sample beside the features.
type Set struct {
	Name       string    // e.g. "Fashion-MNIST train"
	X          []float32 // N×D, row-major
	N, D       int
	C, H, W    int      // image shape when the samples are images (C*H*W == D), else 0
	Labels     []int    // nil or length N
	ClassNames []string // names of the label values, when known
	Features   []string // names of the D features (CSV columns), when known
	OnDisk     bool     // X is mapped from a file (OpenNPY, OpenIDX): Fit reads it in stretches
}

// Row returns sample i's features (a view, not a copy). It panics with a
// clear message when i is not in [0, N).
func (s *Set) Row(i int) []float32 {
	s.checkIndex("Row", i)
	return s.X[i*s.D : (i+1)*s.D]
}
