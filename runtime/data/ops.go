package data

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/latent-ai/latent/internal/hugemem"
)

// String describes the set in one line, e.g.
// "Fashion-MNIST train: 60000 samples × 784 (1×28×28), 10 classes".
func (s *Set) String() string {
	if s == nil {
		return "<nil data.Set>"
	}
	var b strings.Builder
	name := s.Name
	if name == "" {
		name = "data.Set"
	}
	fmt.Fprintf(&b, "%s: %d samples × %d", name, s.N, s.D)
	if s.H > 0 {
		fmt.Fprintf(&b, " (%d×%d×%d)", s.C, s.H, s.W)
	}
	switch {
	case len(s.ClassNames) > 0:
		fmt.Fprintf(&b, ", %d classes", len(s.ClassNames))
	case s.Labels != nil:
		b.WriteString(", labelled")
	}
	return b.String()
}

// Len returns the number of samples.
func (s *Set) Len() int { return s.N }

// Label returns sample i's label, or -1 when the set has no labels.
func (s *Set) Label(i int) int {
	s.checkIndex("Label", i)
	if s.Labels == nil {
		return -1
	}
	return s.Labels[i]
}

// ClassName returns the name of label l, or its number as text when the
// set has no name for it.
func (s *Set) ClassName(l int) string {
	if l >= 0 && l < len(s.ClassNames) {
		return s.ClassNames[l]
	}
	return fmt.Sprint(l)
}

// checkIndex panics with a clear message when i is not a sample index.
func (s *Set) checkIndex(op string, i int) {
	if i < 0 || i >= s.N {
		panic(fmt.Sprintf("data: %s(%d) on %s: index out of range [0, %d)", op, i, s.describe(), s.N))
	}
}

// describe names the set for messages.
func (s *Set) describe() string {
	if s.Name != "" {
		return fmt.Sprintf("%q", s.Name)
	}
	return fmt.Sprintf("a set of %d samples", s.N)
}

// like returns an empty set with s's shape and class names and the given
// name and sample count; X and Labels are left for the caller.
func (s *Set) like(name string, n int) *Set {
	return &Set{Name: name, N: n, D: s.D, C: s.C, H: s.H, W: s.W, ClassNames: s.ClassNames, Features: s.Features, OnDisk: s.OnDisk}
}

// Slice returns samples i..j-1 as a view that shares X and Labels with s
// (capacity-capped, so appending to it never overwrites s). Methods of Set
// never modify a set in place, so views are safe to pass around.
func (s *Set) Slice(i, j int) *Set {
	if i < 0 || j > s.N || i > j {
		panic(fmt.Sprintf("data: Slice(%d, %d) on %s: want 0 <= i <= j <= %d", i, j, s.describe(), s.N))
	}
	out := s.like(s.Name, j-i)
	if i != 0 || j != s.N {
		out.Name = fmt.Sprintf("%s[%d:%d]", s.Name, i, j)
	}
	out.X = s.X[i*s.D : j*s.D : j*s.D]
	if s.Labels != nil {
		out.Labels = s.Labels[i:j:j]
	}
	return out
}

// Take returns the first n samples (all of them when n >= N) as a view, like
// Slice(0, n).
func (s *Set) Take(n int) *Set {
	if n < 0 {
		panic(fmt.Sprintf("data: Take(%d) on %s: n must not be negative", n, s.describe()))
	}
	return s.Slice(0, min(n, s.N))
}

// NumBatches returns how many batches of size cover the set (the last one
// may be short).
func (s *Set) NumBatches(size int) int {
	if size <= 0 {
		panic(fmt.Sprintf("data: batch size %d on %s: it must be positive", size, s.describe()))
	}
	return (s.N + size - 1) / size
}

// Batch returns batch k of the given size as a view: samples k*size up to
// (k+1)*size, the last batch possibly shorter.
func (s *Set) Batch(k, size int) *Set {
	nb := s.NumBatches(size)
	if k < 0 || k >= nb {
		panic(fmt.Sprintf("data: Batch(%d, %d) on %s: there are %d batches", k, size, s.describe(), nb))
	}
	return s.Slice(k*size, min((k+1)*size, s.N))
}

// Permutation returns a random order of the sample indices, the same for
// the same seed.
func (s *Set) Permutation(seed uint64) []int {
	return rand.New(rand.NewPCG(seed, 0x6c6174656e74)).Perm(s.N)
}

// CopyRows copies the features of the samples at indices, one after the
// other, into dst (which must hold len(indices)*D values) and returns dst.
// A nil dst is allocated. It is the allocation-free way to gather a
// shuffled batch.
func (s *Set) CopyRows(indices []int, dst []float32) []float32 {
	if dst == nil {
		dst = hugemem.Float32s(len(indices) * s.D)
	}
	if len(dst) < len(indices)*s.D {
		panic(fmt.Sprintf("data: CopyRows on %s: dst holds %d values, %d rows of %d need %d", s.describe(), len(dst), len(indices), s.D, len(indices)*s.D))
	}
	for k, i := range indices {
		s.checkIndex("CopyRows", i)
		copy(dst[k*s.D:(k+1)*s.D], s.X[i*s.D:(i+1)*s.D])
	}
	return dst
}

// Subset returns a copy of the samples at indices, in that order (indices
// may repeat).
func (s *Set) Subset(indices []int) *Set {
	out := s.like(s.Name, len(indices))
	out.X = s.CopyRows(indices, nil)
	if s.Labels != nil {
		out.Labels = make([]int, len(indices))
		for k, i := range indices {
			out.Labels[k] = s.Labels[i]
		}
	}
	return out
}

// Clone returns a deep copy of s (class names are shared, they are never
// modified).
func (s *Set) Clone() *Set {
	out := s.like(s.Name, s.N)
	out.X = append(hugemem.Float32s(len(s.X))[:0], s.X...)
	if s.Labels != nil {
		out.Labels = append([]int(nil), s.Labels...)
	}
	return out
}

// Shuffle returns a shuffled copy of s; the same seed gives the same order.
func (s *Set) Shuffle(seed uint64) *Set {
	out := s.Subset(s.Permutation(seed))
	out.Name = s.Name
	return out
}

// Split shuffles s with seed and cuts it in two: the first set holds
// round(frac·N) samples, the second the rest. For example
// train, val := full.Split(0.9, 1) keeps 10% for validation.
func (s *Set) Split(frac float64, seed uint64) (first, second *Set) {
	if !(frac >= 0 && frac <= 1) {
		panic(fmt.Sprintf("data: Split(%v) on %s: frac is the share of the first part and must be in [0, 1]", frac, s.describe()))
	}
	k := int(frac*float64(s.N) + 0.5)
	perm := s.Permutation(seed)
	first, second = s.Subset(perm[:k]), s.Subset(perm[k:])
	first.Name = fmt.Sprintf("%s (%d of %d)", s.Name, first.N, s.N)
	second.Name = fmt.Sprintf("%s (%d of %d)", s.Name, second.N, s.N)
	return first, second
}

// WithLabels returns a copy of the samples whose label is one of labels.
func (s *Set) WithLabels(labels []int) *Set { return s.filterLabels("WithLabels", labels, true) }

// WithoutLabels returns a copy of the samples whose label is none of labels
// (for example the normal classes of an anomaly-detection exercise).
func (s *Set) WithoutLabels(labels []int) *Set { return s.filterLabels("WithoutLabels", labels, false) }

func (s *Set) filterLabels(op string, labels []int, keep bool) *Set {
	if s.Labels == nil {
		panic(fmt.Sprintf("data: %s on %s: the set has no labels", op, s.describe()))
	}
	want := map[int]bool{}
	names := make([]string, len(labels))
	for i, l := range labels {
		want[l] = true
		names[i] = s.ClassName(l)
	}
	var idx []int
	for i, l := range s.Labels {
		if want[l] == keep {
			idx = append(idx, i)
		}
	}
	out := s.Subset(idx)
	word := "only"
	if !keep {
		word = "without"
	}
	out.Name = fmt.Sprintf("%s (%s %s)", s.Name, word, strings.Join(names, ", "))
	return out
}

// Where returns a copy of the samples for which keep returns true.
func (s *Set) Where(keep func(i int) bool) *Set {
	var idx []int
	for i := 0; i < s.N; i++ {
		if keep(i) {
			idx = append(idx, i)
		}
	}
	return s.Subset(idx)
}

// Concat returns a new set holding the samples of s followed by those of t.
// Both must have the same number of features; labels are kept when both
// have them.
func (s *Set) Concat(t *Set) *Set {
	if s.D != t.D {
		panic(fmt.Sprintf("data: Concat of %s (%d features) and %s (%d features): the feature counts differ", s.describe(), s.D, t.describe(), t.D))
	}
	out := s.like(s.Name+" + "+t.Name, s.N+t.N)
	if s.C != t.C || s.H != t.H || s.W != t.W {
		out.C, out.H, out.W = 0, 0, 0
	}
	out.X = hugemem.Float32s((s.N + t.N) * s.D)[:0]
	out.X = append(append(out.X, s.X[:s.N*s.D]...), t.X[:t.N*t.D]...)
	if s.Labels != nil && t.Labels != nil {
		out.Labels = append(append(make([]int, 0, s.N+t.N), s.Labels...), t.Labels...)
	}
	if len(t.ClassNames) > len(out.ClassNames) {
		out.ClassNames = t.ClassNames
	}
	return out
}

// ClassCounts returns how many samples carry each label 0..max label.
func (s *Set) ClassCounts() []int {
	n := len(s.ClassNames)
	for _, l := range s.Labels {
		if l+1 > n {
			n = l + 1
		}
	}
	counts := make([]int, n)
	for _, l := range s.Labels {
		if l >= 0 {
			counts[l]++
		}
	}
	return counts
}

// Validate checks that the fields agree with each other (len(X) == N*D,
// C*H*W == D for images, one label per sample) and returns a clear error
// when they do not. Sets built by hand should be validated once.
func (s *Set) Validate() error {
	switch {
	case s.N < 0 || s.D < 0:
		return fmt.Errorf("data: %s has N=%d, D=%d; both must be >= 0", s.describe(), s.N, s.D)
	case len(s.X) != s.N*s.D:
		return fmt.Errorf("data: %s has len(X)=%d but N×D = %d×%d = %d", s.describe(), len(s.X), s.N, s.D, s.N*s.D)
	case (s.C != 0 || s.H != 0 || s.W != 0) && s.C*s.H*s.W != s.D:
		return fmt.Errorf("data: %s has image shape %d×%d×%d = %d but D = %d; set C, H, W to 0 when the samples are not images", s.describe(), s.C, s.H, s.W, s.C*s.H*s.W, s.D)
	case s.Labels != nil && len(s.Labels) != s.N:
		return fmt.Errorf("data: %s has %d labels for %d samples", s.describe(), len(s.Labels), s.N)
	}
	return nil
}

// FromRows builds a set from rows of equal length (copied), with optional
// labels (nil or one per row).
func FromRows(name string, rows [][]float32, labels []int) (*Set, error) {
	d := 0
	if len(rows) > 0 {
		d = len(rows[0])
	}
	s := &Set{Name: name, N: len(rows), D: d, X: hugemem.Float32s(len(rows) * d)[:0]}
	for i, r := range rows {
		if len(r) != d {
			return nil, fmt.Errorf("data: FromRows %q: row %d has %d values, row 0 has %d", name, i, len(r), d)
		}
		s.X = append(s.X, r...)
	}
	if labels != nil {
		s.Labels = append([]int(nil), labels...)
	}
	return s, s.Validate()
}
