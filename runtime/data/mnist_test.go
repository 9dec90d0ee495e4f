package data

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// withSearch points the dataset search at nothing but dirs for one test.
func withSearch(t *testing.T, latentData string, fashion, mnist, modCache []string) {
	t.Helper()
	oldF, oldM, oldC := fashionSystemDirs, mnistSystemDirs, modCacheDirs
	t.Cleanup(func() { fashionSystemDirs, mnistSystemDirs, modCacheDirs = oldF, oldM, oldC })
	fashionSystemDirs, mnistSystemDirs = fashion, mnist
	modCacheDirs = func() []string { return modCache }
	t.Setenv("LATENT_DATA", latentData)
}

// captureNotices collects notices for one test.
func captureNotices(t *testing.T) *bytes.Buffer {
	var b bytes.Buffer
	SetNoticeWriter(&b)
	t.Cleanup(func() { SetNoticeWriter(os.Stderr) })
	return &b
}

func checkImageSet(t *testing.T, s *Set, n int, classes []string) {
	t.Helper()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if s.N != n || s.D != 784 || s.C != 1 || s.H != 28 || s.W != 28 {
		t.Fatalf("%s: N=%d D=%d shape %dx%dx%d", s.Name, s.N, s.D, s.C, s.H, s.W)
	}
	if len(s.ClassNames) != len(classes) || s.ClassNames[0] != classes[0] || s.ClassNames[9] != classes[9] {
		t.Fatalf("%s: class names %v", s.Name, s.ClassNames)
	}
	var lo, hi float32 = 1, 0
	for _, v := range s.X {
		lo, hi = min(lo, v), max(hi, v)
	}
	if lo != 0 || hi != 1 {
		t.Fatalf("%s: pixels in [%v, %v], want [0, 1]", s.Name, lo, hi)
	}
	for l, c := range s.ClassCounts() {
		if c == 0 {
			t.Errorf("%s: no sample of class %d", s.Name, l)
		}
	}
}

func TestDefaultDatasets(t *testing.T) {
	cases := []struct {
		name    string
		load    func() (*Set, *Set)
		classes []string
	}{
		{"fashion", DefaultFashionMNIST, FashionClassNames},
		{"mnist", DefaultMNIST, DigitClassNames},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			train, test := c.load()
			checkImageSet(t, train, 6000, c.classes)
			checkImageSet(t, test, 1000, c.classes)
			for l, n := range train.ClassCounts() {
				if n != 600 {
					t.Errorf("class %d has %d training samples, want 600", l, n)
				}
			}
		})
	}
}

// TestFallbackNotice checks that on a machine with neither dataset the short
// forms return the built-in subsets and say so in one line.
func TestFallbackNotice(t *testing.T) {
	empty := t.TempDir()
	withSearch(t, empty, []string{filepath.Join(empty, "none")}, nil, []string{empty})
	cases := []struct {
		name string
		load func() (*Set, *Set)
		want string
	}{
		{"fashion", FashionMNIST, "data: Fashion-MNIST is not installed; using the built-in subset (6000 training, 1000 test images)"},
		{"mnist", MNIST, "data: MNIST is not installed; using the built-in subset (6000 training, 1000 test images)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			notes := captureNotices(t)
			train, test := c.load()
			if train.N != 6000 || test.N != 1000 || !strings.Contains(train.Name, "built-in") {
				t.Fatalf("got %v and %v", train, test)
			}
			got := notes.String()
			if !strings.HasPrefix(got, c.want) || strings.Count(got, "\n") != 1 {
				t.Fatalf("notice %q, want one line starting %q", got, c.want)
			}
		})
	}
	if _, err := FindFashionMNIST(); err == nil || !strings.Contains(err.Error(), "dataset-fashion-mnist") {
		t.Errorf("FindFashionMNIST error %v, want a hint to install dataset-fashion-mnist", err)
	}
}

// writeIDXDir writes a tiny MNIST-layout directory (gzipped) and returns it.
func writeIDXDir(t *testing.T, dir string, nTrain, nTest int) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, sp := range []struct {
		prefix string
		n      int
	}{{"train", nTrain}, {"t10k", nTest}} {
		pix := make([]byte, sp.n*4)
		lab := make([]byte, sp.n)
		for i := range pix {
			pix[i] = byte(i * 37)
		}
		for i := range lab {
			lab[i] = byte(i % 10)
		}
		img := idxBytes(t, &IDX{Type: IDXUint8, Dims: []int{sp.n, 2, 2}, Raw: pix})
		lb := idxBytes(t, &IDX{Type: IDXUint8, Dims: []int{sp.n}, Raw: lab})
		if err := os.WriteFile(filepath.Join(dir, sp.prefix+"-images-idx3-ubyte.gz"), gzipBytes(t, img), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, sp.prefix+"-labels-idx1-ubyte"), lb, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLatentDataFirst(t *testing.T) {
	root := t.TempDir()
	writeIDXDir(t, filepath.Join(root, "fashion-mnist"), 20, 10)
	writeIDXDir(t, filepath.Join(root, "mnist"), 30, 10)
	withSearch(t, filepath.Join(t.TempDir(), "missing")+string(os.PathListSeparator)+root, nil, nil, nil)
	notes := captureNotices(t)
	train, test := FashionMNIST()
	if train.N != 20 || test.N != 10 || train.H != 2 || train.Name != "Fashion-MNIST train" {
		t.Fatalf("got %v / %v", train, test)
	}
	if train.Row(1)[0] != float32(byte(4*37))/255 || train.Labels[3] != 3 {
		t.Fatalf("row 1 = %v, labels %v", train.Row(1), train.Labels[:4])
	}
	if tr, _ := MNIST(); tr.N != 30 {
		t.Fatalf("MNIST from LATENT_DATA: %v", tr)
	}
	if notes.Len() != 0 {
		t.Fatalf("unexpected notice %q", notes)
	}
}

func TestGoMNISTInModCache(t *testing.T) {
	mc := t.TempDir()
	writeIDXDir(t, filepath.Join(mc, "github.com", "petar", "!go!m!n!i!s!t@"+goMNISTVersion, "data"), 10, 10)
	withSearch(t, "", nil, nil, []string{mc})
	dir, err := FindMNIST()
	if err != nil || !strings.Contains(dir, "!go!m!n!i!s!t@") {
		t.Fatalf("FindMNIST = %q, %v", dir, err)
	}
}

func TestLoadDirErrors(t *testing.T) {
	cases := []struct {
		name    string
		breakIt func(dir string)
		want    string
	}{
		{"missing file", func(d string) { os.Remove(filepath.Join(d, "t10k-labels-idx1-ubyte")) }, "no t10k-labels-idx1-ubyte"},
		{"labels count", func(d string) {
			os.WriteFile(filepath.Join(d, "t10k-labels-idx1-ubyte"), idxBytes(t, &IDX{Type: IDXUint8, Dims: []int{3}, Raw: []byte{1, 2, 3}}), 0o644)
		}, "has 10 images but"},
		{"label range", func(d string) {
			os.WriteFile(filepath.Join(d, "t10k-labels-idx1-ubyte"), idxBytes(t, &IDX{Type: IDXUint8, Dims: []int{10}, Raw: []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}}), 0o644)
		}, "label 10 of sample 9 is outside 0..9"},
		{"swapped", func(d string) {
			b, _ := os.ReadFile(filepath.Join(d, "t10k-labels-idx1-ubyte"))
			os.WriteFile(filepath.Join(d, "t10k-images-idx3-ubyte.gz"), b, 0o644)
		}, "is it a labels file?"},
		{"truncated", func(d string) {
			p := filepath.Join(d, "train-images-idx3-ubyte.gz")
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)/2], 0o644)
		}, "train-images-idx3-ubyte.gz: gzip stream is truncated"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeIDXDir(t, t.TempDir(), 20, 10)
			c.breakIt(dir)
			_, _, err := LoadFashionMNIST(dir)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestShortFormPanicsOnCorruptData(t *testing.T) {
	root := t.TempDir()
	dir := writeIDXDir(t, filepath.Join(root, "fashion-mnist"), 20, 10)
	os.WriteFile(filepath.Join(dir, "train-labels-idx1-ubyte"), []byte("garbage"), 0o644)
	withSearch(t, root, nil, nil, nil)
	defer func() {
		r := recover()
		if s, _ := r.(string); !strings.Contains(s, "not an IDX file") {
			t.Fatalf("panic %v, want a clear message", r)
		}
	}()
	FashionMNIST()
}

// TestRealDatasets loads the installed datasets when they are present.
func TestRealDatasets(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 70000 images twice")
	}
	cases := []struct {
		name    string
		load    func(string) (*Set, *Set, error)
		classes []string
	}{
		{"Fashion-MNIST", LoadFashionMNIST, FashionClassNames},
		{"MNIST", LoadMNIST, DigitClassNames},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			train, test, err := c.load("")
			if err != nil {
				t.Skip(err)
			}
			checkImageSet(t, train, 60000, c.classes)
			checkImageSet(t, test, 10000, c.classes)
		})
	}
}

func TestImageSetShapes(t *testing.T) {
	labels := &IDX{Type: IDXUint8, Dims: []int{2}, Raw: []byte{0, 1}}
	cases := []struct {
		name    string
		img     *IDX
		c, h, w int
		first   float32 // exact: uint8 pixels are float32(v)/255
	}{
		{"uint8 N×H×W scaled", &IDX{Type: IDXUint8, Dims: []int{2, 1, 2}, Raw: []byte{255, 0, 51, 0}}, 1, 1, 2, 1},
		{"uint8 N×C×H×W", &IDX{Type: IDXUint8, Dims: []int{2, 3, 1, 1}, Raw: []byte{51, 0, 0, 0, 0, 0}}, 3, 1, 1, 51.0 / 255},
		{"float32 kept as stored", &IDX{Type: IDXFloat32, Dims: []int{2, 1, 1}, Raw: []byte{0x3f, 0xc0, 0, 0, 0, 0, 0, 0}}, 1, 1, 1, 1.5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := imageSet(c.img, labels, "img", "lab", "x", nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Validate(); err != nil {
				t.Fatal(err)
			}
			if s.C != c.c || s.H != c.h || s.W != c.w || s.X[0] != c.first {
				t.Fatalf("got %d×%d×%d, first %v", s.C, s.H, s.W, s.X[0])
			}
		})
	}
}
