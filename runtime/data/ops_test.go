package data

import (
	"fmt"
	"image"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// small returns n samples of 2×2 single-channel images; sample i's pixels
// are i, i+0.1, i+0.2, i+0.3 and its label is i%3.
func small(n int) *Set {
	s := &Set{Name: "small", N: n, D: 4, C: 1, H: 2, W: 2, ClassNames: []string{"a", "b", "c"}}
	for i := 0; i < n; i++ {
		for j := 0; j < 4; j++ {
			s.X = append(s.X, float32(i)+float32(j)/10)
		}
		s.Labels = append(s.Labels, i%3)
	}
	return s
}

// firsts returns the first feature of each sample, which identifies it.
func firsts(s *Set) []int {
	out := make([]int, s.N)
	for i := range out {
		out[i] = int(s.Row(i)[0])
	}
	return out
}

func TestViewsAndCopies(t *testing.T) {
	s := small(10)
	cases := []struct {
		name   string
		got    *Set
		want   []int
		labels []int
	}{
		{"Take", s.Take(3), []int{0, 1, 2}, []int{0, 1, 2}},
		{"Take more than N", s.Take(50), []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, nil},
		{"Slice", s.Slice(4, 7), []int{4, 5, 6}, []int{1, 2, 0}},
		{"empty Slice", s.Slice(5, 5), []int{}, []int{}},
		{"Batch 0", s.Batch(0, 4), []int{0, 1, 2, 3}, nil},
		{"last Batch", s.Batch(2, 4), []int{8, 9}, []int{2, 0}},
		{"Subset", s.Subset([]int{9, 0, 9}), []int{9, 0, 9}, []int{0, 0, 0}},
		{"WithLabels", s.WithLabels([]int{1}), []int{1, 4, 7}, []int{1, 1, 1}},
		{"WithoutLabels", s.WithoutLabels([]int{0, 2}), []int{1, 4, 7}, nil},
		{"Where", s.Where(func(i int) bool { return i >= 8 }), []int{8, 9}, nil},
		{"Concat", s.Take(2).Concat(s.Slice(8, 10)), []int{0, 1, 8, 9}, []int{0, 1, 2, 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.got.Validate(); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(c.want, firsts(c.got)); diff != "" {
				t.Fatalf("samples (-want +got):\n%s", diff)
			}
			if c.labels != nil {
				if diff := cmp.Diff(c.labels, c.got.Labels); diff != "" {
					t.Fatalf("labels (-want +got):\n%s", diff)
				}
			}
			if c.got.H != 2 || len(c.got.ClassNames) != 3 {
				t.Fatalf("shape or class names lost: %v", c.got)
			}
		})
	}
	// Appending to a view must not overwrite the parent.
	v := s.Take(2)
	v.X = append(v.X, 99)
	if s.Row(2)[0] != 2 {
		t.Fatal("appending to a view overwrote the parent")
	}
	if s.NumBatches(4) != 3 || s.NumBatches(10) != 1 {
		t.Fatal("NumBatches")
	}
}

func TestShuffleSplitDeterministic(t *testing.T) {
	s := small(100)
	a, b := s.Shuffle(7), s.Shuffle(7)
	if diff := cmp.Diff(firsts(a), firsts(b)); diff != "" {
		t.Fatalf("same seed, different order:\n%s", diff)
	}
	if cmp.Equal(firsts(a), firsts(s.Shuffle(8))) || cmp.Equal(firsts(a), firsts(s)) {
		t.Fatal("shuffle did not shuffle or ignored the seed")
	}
	for i := 0; i < a.N; i++ {
		if a.Labels[i] != int(a.Row(i)[0])%3 {
			t.Fatal("labels no longer match their samples")
		}
	}
	cases := []struct {
		frac   float64
		n1, n2 int
	}{{0.9, 90, 10}, {0, 0, 100}, {1, 100, 0}, {0.333, 33, 67}}
	for _, c := range cases {
		tr, va := s.Split(c.frac, 1)
		if tr.N != c.n1 || va.N != c.n2 {
			t.Errorf("Split(%v): %d + %d, want %d + %d", c.frac, tr.N, va.N, c.n1, c.n2)
		}
		seen := map[int]bool{}
		for _, f := range append(firsts(tr), firsts(va)...) {
			if seen[f] {
				t.Fatalf("Split(%v): sample %d in both parts", c.frac, f)
			}
			seen[f] = true
		}
	}
}

func TestBadArgumentsPanicClearly(t *testing.T) {
	s := small(5)
	cases := []struct {
		name string
		f    func()
		want string
	}{
		{"Take negative", func() { s.Take(-1) }, "n must not be negative"},
		{"Slice reversed", func() { s.Slice(3, 2) }, "want 0 <= i <= j <= 5"},
		{"Batch range", func() { s.Batch(2, 4) }, "there are 2 batches"},
		{"batch size", func() { s.NumBatches(0) }, "must be positive"},
		{"Subset index", func() { s.Subset([]int{5}) }, "index out of range [0, 5)"},
		{"Split frac", func() { s.Split(1.5, 1) }, "must be in [0, 1]"},
		{"Split NaN", func() { s.Split(math.NaN(), 1) }, "must be in [0, 1]"},
		{"no labels", func() { (&Set{N: 1, D: 1, X: []float32{1}}).WithLabels([]int{1}) }, "has no labels"},
		{"Concat width", func() { s.Concat(&Set{D: 3}) }, "feature counts differ"},
		{"Image index", func() { s.Image(9) }, "Image(9)"},
		{"Row negative", func() { s.Row(-1) }, "Row(-1)"},
		{"Row past the end", func() { s.Row(5) }, "index out of range [0, 5)"},
		{"scaler width", func() { _, sc := s.Standardize(); sc.Apply(&Set{D: 2}) }, "fitted on 4 features"},
		{"Noisy sigma", func() { s.Noisy(-1, 1) }, "sigma must be >= 0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				r, _ := recover().(string)
				if !strings.Contains(r, c.want) || !strings.HasPrefix(r, "data: ") {
					t.Fatalf("panic %q, want one containing %q", r, c.want)
				}
			}()
			c.f()
		})
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		s    *Set
		want string
	}{
		{&Set{N: 2, D: 2, X: make([]float32, 4)}, ""},
		{&Set{N: 2, D: 2, X: make([]float32, 3)}, "len(X)=3"},
		{&Set{N: 1, D: 4, C: 1, H: 2, W: 3, X: make([]float32, 4)}, "image shape 1×2×3"},
		{&Set{N: 2, D: 1, X: make([]float32, 2), Labels: []int{1}}, "1 labels for 2 samples"},
		{&Set{N: -1}, "must be >= 0"},
	}
	for _, c := range cases {
		err := c.s.Validate()
		if (err == nil) != (c.want == "") || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("Validate(%+v) = %v, want %q", c.s, err, c.want)
		}
	}
	if _, err := FromRows("r", [][]float32{{1, 2}, {3}}, nil); err == nil || !strings.Contains(err.Error(), "row 1 has 1 values") {
		t.Errorf("FromRows ragged: %v", err)
	}
}

func TestScalers(t *testing.T) {
	s := &Set{Name: "t", N: 4, D: 2, X: []float32{1, 5, 2, 5, 3, 5, 4, 5}}
	z, sc := s.Standardize()
	norm, nsc := s.Normalize()
	cases := []struct {
		name string
		got  []float32
		want []float32
	}{
		{"standardized", z.X, []float32{-1.3416408, 0, -0.4472136, 0, 0.4472136, 0, 1.3416408, 0}},
		{"normalized", norm.X, []float32{0, 0, 1. / 3, 0, 2. / 3, 0, 1, 0}},
		{"standardize round trip", sc.Invert(z).X, s.X},
		{"normalize round trip", nsc.Invert(norm).X, s.X},
		{"applied to new data", nsc.Apply(&Set{N: 1, D: 2, X: []float32{7, 6}}).X, []float32{2, 1}},
	}
	for _, c := range cases {
		if diff := cmp.Diff(c.want, c.got, cmp.Comparer(func(a, b float32) bool { return math.Abs(float64(a-b)) < 1e-6 })); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, diff)
		}
	}
	if s.X[0] != 1 {
		t.Error("scaling modified the original set")
	}
}

func TestImage(t *testing.T) {
	s := small(2)
	s.X[4], s.X[5] = -3, float32(math.NaN())
	cases := []struct {
		name string
		set  *Set
		i    int
		want string
		size image.Point
		pix  []uint8
	}{
		{"gray", s, 0, "*image.Gray", image.Pt(2, 2), []uint8{0, 26, 51, 77}},
		{"clipped", s, 1, "*image.Gray", image.Pt(2, 2), []uint8{0, 0, 255, 255}},
		{"rgb", &Set{N: 1, D: 3, C: 3, H: 1, W: 1, X: []float32{1, 0.5, 0}}, 0, "*image.RGBA", image.Pt(1, 1), []uint8{255, 128, 0, 255}},
		{"no shape", &Set{N: 1, D: 3, X: []float32{0, 1, 0}}, 0, "*image.Gray", image.Pt(3, 1), []uint8{0, 255, 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			img := c.set.Image(c.i)
			if fmt.Sprintf("%T", img) != c.want || img.Bounds().Size() != c.size {
				t.Fatalf("got %T of %v", img, img.Bounds())
			}
			var pix []uint8
			switch im := img.(type) {
			case *image.Gray:
				pix = im.Pix
			case *image.RGBA:
				pix = im.Pix
			}
			if diff := cmp.Diff(c.pix, pix); diff != "" {
				t.Fatalf("pixels (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNoisy(t *testing.T) {
	s := small(3).Take(1)
	s.X = []float32{0, 0.5, 0.5, 1}
	a, b := s.Noisy(0.2, 1), s.Noisy(0.2, 1)
	if !cmp.Equal(a.X, b.X) || cmp.Equal(a.X, s.X) {
		t.Fatal("Noisy is not deterministic per seed, or added nothing")
	}
	for _, v := range a.X {
		if v < 0 || v > 1 {
			t.Fatalf("noisy value %v outside [0,1]", v)
		}
	}
	if z := s.Noisy(0, 5); !cmp.Equal(z.X, s.X) {
		t.Fatal("σ=0 changed the data")
	}
}

func TestStringAndLabels(t *testing.T) {
	s := small(4)
	cases := []struct{ got, want string }{
		{s.String(), "small: 4 samples × 4 (1×2×2), 3 classes"},
		{(&Set{N: 2, D: 3, Labels: []int{0, 1}}).String(), "data.Set: 2 samples × 3, labelled"},
		{s.ClassName(s.Label(1)), "b"},
		{s.ClassName(7), "7"},
		{fmt.Sprint(s.ClassCounts()), "[2 1 1]"},
		{fmt.Sprint((&Set{N: 1, D: 1, X: []float32{0}}).Label(0)), "-1"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
