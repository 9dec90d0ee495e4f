package data

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// debianPython returns Debian's python3 with numpy, skipping the test when
// it is missing.
func debianPython(t *testing.T) string {
	t.Helper()
	const py = "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import numpy").Run(); err != nil {
		t.Skipf("%s with numpy is not installed (scripts/setup.sh installs python3-numpy)", py)
	}
	return py
}

func runPython(t *testing.T, py, dir, script string) string {
	t.Helper()
	cmd := exec.Command(py, "-c", script)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestNPYFromNumPy(t *testing.T) {
	py := debianPython(t)
	dir := t.TempDir()
	runPython(t, py, dir, `
import numpy as np
a = np.arange(24, dtype=np.float64).reshape(2, 3, 4) / 8
np.save("f8.npy", a)
np.save("f4.npy", a.astype(np.float32))
np.save("u1.npy", (np.arange(2*4*4*3) % 256).astype(np.uint8).reshape(2, 4, 4, 3))
np.save("fortran.npy", np.asfortranarray(a))
np.save("complex.npy", a.astype(np.complex64))
np.savez("set.npz", x=a.reshape(2, 12).astype(np.float32), y=np.array([3, 1]))
np.savez_compressed("packed.npz", images=a.astype(np.float32))
`)
	for _, name := range []string{"f8.npy", "f4.npy"} {
		s, err := LoadNPY(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if s.N != 2 || s.D != 12 || s.C != 1 || s.H != 3 || s.W != 4 || s.X[5] != 5.0/8 {
			t.Fatalf("%s: got %v, X[5]=%v", name, s, s.X[5])
		}
	}
	u, err := LoadNPY(filepath.Join(dir, "u1.npy"))
	if err != nil {
		t.Fatal(err)
	}
	// (N, H, W, C) with C=3 becomes channels first, scaled to [0, 1]:
	// pixel (0, 1) of channel 2 is element (0*4+1)*3+2 = 5 of the file.
	if u.C != 3 || u.H != 4 || u.W != 4 || u.X[2*16+1] != 5.0/255 {
		t.Fatalf("u1: shape %d×%d×%d, value %v", u.C, u.H, u.W, u.X[2*16+1])
	}
	for name, want := range map[string]string{"fortran.npy": "Fortran order", "complex.npy": `dtype "<c8" is not supported`} {
		_, err := LoadNPY(filepath.Join(dir, name))
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: got %v, want an error naming the file and %q", name, err, want)
		}
	}
	s, err := LoadNPZ(filepath.Join(dir, "set.npz"))
	if err != nil {
		t.Fatal(err)
	}
	if s.N != 2 || s.D != 12 || s.Labels[0] != 3 || s.Labels[1] != 1 {
		t.Fatalf("npz: %v labels %v", s, s.Labels)
	}
	p, err := LoadNPZ(filepath.Join(dir, "packed.npz"))
	if err != nil || p.N != 2 || p.H != 3 {
		t.Fatalf("compressed npz: %v %v", p, err)
	}
}

func TestNPYToNumPy(t *testing.T) {
	py := debianPython(t)
	dir := t.TempDir()
	s := &Set{Name: "t", N: 3, D: 4, C: 1, H: 2, W: 2, X: []float32{0, .25, .5, 1, 2, 3, 4, 5, -1, -2, 1e-7, 7}, Labels: []int{0, 2, 1}}
	if err := s.SaveNPY(filepath.Join(dir, "s.npy")); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveNPZ(filepath.Join(dir, "s.npz")); err != nil {
		t.Fatal(err)
	}
	if err := SaveArray(filepath.Join(dir, "d.npy"), &Array{Shape: []int{2, 2}, Data: []float32{1, 2, 3, 4}, Dtype: "<f8"}); err != nil {
		t.Fatal(err)
	}
	got := runPython(t, py, dir, `
import numpy as np
a = np.load("s.npy"); z = np.load("s.npz"); d = np.load("d.npy")
print(a.dtype, a.shape, a.flags["C_CONTIGUOUS"], a[2, 0, 0, 1], z["x"].shape, list(z["y"]), z["y"].dtype, d.dtype, d.sum())
`)
	want := "float32 (3, 1, 2, 2) True -2.0 (3, 1, 2, 2) [0, 2, 1] int64 float64 10.0"
	if got != want {
		t.Fatalf("numpy read back:\n got %s\nwant %s", got, want)
	}
	back, err := LoadNPZ(filepath.Join(dir, "s.npz"))
	if err != nil || back.X[10] != 1e-7 || back.Labels[1] != 2 {
		t.Fatalf("round trip: %v %v", back, err)
	}
}

func TestNPYBadFiles(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{
		"empty.npy": "",
		"text.npy":  "hello, world",
		"trunc.npy": string(npyHeaderBytes("<f4", []int{10})) + "abcd",
	}
	for name, body := range cases {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		if _, err := LoadNPY(p); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: got %v, want an error naming the file", name, err)
		}
	}
	if _, err := LoadNPZ(filepath.Join(dir, "text.npy")); err == nil || !strings.Contains(err.Error(), "not a NumPy .npz") {
		t.Errorf("npz of text: %v", err)
	}
}

// FuzzNPY: ReadNPY must never panic, and what it accepts has as many values
// as its shape says.
func FuzzNPY(f *testing.F) {
	var b bytes.Buffer
	WriteNPY(&b, &Array{Shape: []int{2, 2}, Data: []float32{1, 2, 3, 4}})
	f.Add(b.Bytes())
	b.Reset()
	WriteNPY(&b, &Array{Shape: []int{3}, Data: []float32{1, 2, 3}, Dtype: "|u1"})
	f.Add(b.Bytes())
	f.Add([]byte("\x93NUMPY\x01\x00\x10\x00{'descr': '<f8'"))
	f.Add([]byte("\x93NUMPY\x02\x00\xff\xff\xff\x7f"))
	f.Fuzz(func(t *testing.T, in []byte) {
		a, err := ReadNPY(bytes.NewReader(in), "fuzz.npy")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "data: ") {
				t.Fatalf("error without the package prefix: %v", err)
			}
			return
		}
		if a.Size() != len(a.Data) {
			t.Fatalf("shape %v but %d values", a.Shape, len(a.Data))
		}
	})
}

// TestReadNPYLarge reads an array bigger than the first buffer, so that the
// values move to larger ones as they arrive.
func TestReadNPYLarge(t *testing.T) {
	n := 3<<20 + 12345
	a := &Array{Shape: []int{n}, Dtype: "<f4", Data: make([]float32, n)}
	for i := range a.Data {
		a.Data[i] = float32(i)
	}
	var buf bytes.Buffer
	if err := WriteNPY(&buf, a); err != nil {
		t.Fatal(err)
	}
	b, err := ReadNPY(&buf, "large.npy")
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Data) != n || cap(b.Data) != n {
		t.Fatalf("read %d values into a buffer of %d, want %d", len(b.Data), cap(b.Data), n)
	}
	for i, v := range b.Data {
		if v != float32(i) {
			t.Fatalf("value %d = %v, want %v", i, v, float32(i))
		}
	}
}

// TestNPYShapeOverflow checks that a header whose shape's product
// overflows (2³²·2³² wraps to 0) is refused as damaged, by LoadNPY and by
// OpenNPYE, instead of giving a set with no values.
func TestNPYShapeOverflow(t *testing.T) {
	p := filepath.Join(t.TempDir(), "overflow.npy")
	os.WriteFile(p, npyHeaderBytes("<f4", []int{1 << 32, 1 << 32}), 0o644)
	if _, err := LoadNPY(p); err == nil || !strings.Contains(err.Error(), "impossibly large") {
		t.Errorf("LoadNPY: %v, want the damaged-file error", err)
	}
	if _, err := OpenNPYE(p); err == nil || !strings.Contains(err.Error(), "impossibly large") {
		t.Errorf("OpenNPYE: %v, want the damaged-file error", err)
	}
}

// TestNPZBadCRC checks that a .npz whose stored values were changed fails
// its CRC-32 check (numpy raises "Bad CRC-32") instead of loading.
func TestNPZBadCRC(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "set.npz")
	s := &Set{Name: "s", N: 4, D: 256, X: make([]float32, 4*256)}
	for i := range s.X {
		s.X[i] = float32(i%7) / 7
	}
	if err := s.SaveNPZ(p); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	i := bytes.Index(b, []byte("x.npy"))
	b[i+2000] ^= 0x40 // a value, well past the entry's name and the .npy header
	os.WriteFile(p, b, 0o644)
	if _, err := LoadNPZ(p); err == nil || !strings.Contains(err.Error(), "CRC-32") || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("LoadNPZ of a damaged file: %v, want the CRC-32 error", err)
	}
}
