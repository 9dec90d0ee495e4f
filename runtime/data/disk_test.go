package data

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestOpenNPYMatchesLoad(t *testing.T) {
	dir := t.TempDir()
	s := &Set{Name: "t", N: 3, D: 4, C: 1, H: 2, W: 2, X: []float32{0, .25, .5, 1, 2, 3, 4, 5, -1, -2, 1e-7, 7}}
	p := filepath.Join(dir, "f4.npy")
	if err := s.SaveNPY(p); err != nil {
		t.Fatal(err)
	}
	u8 := &Array{Shape: []int{2, 3}, Dtype: "|u1", Data: []float32{0, 51, 255, 1, 2, 3}}
	pu := filepath.Join(dir, "u8.npy")
	SaveArray(pu, u8)
	for _, path := range []string{p, pu} {
		mem, err := LoadNPY(path)
		if err != nil {
			t.Fatal(err)
		}
		disk, err := OpenNPYE(path)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(mem.X, disk.X); diff != "" || disk.N != mem.N || disk.H != mem.H {
			t.Fatalf("%s: mapped set differs from loaded (%v vs %v):\n%s", path, disk, mem, diff)
		}
		if !strings.Contains(disk.Name, "on disk") {
			t.Errorf("name %q", disk.Name)
		}
	}
	// Writing to a mapped set changes neither the file nor faults.
	disk := OpenNPY(p)
	disk.X[0] = 42
	again := OpenNPY(p)
	if again.X[0] != 0 {
		t.Fatalf("a write to a mapped set reached the file: %v", again.X[0])
	}
}

func TestOpenIDXMatchesLoad(t *testing.T) {
	dir := t.TempDir()
	img := &IDX{Type: IDXUint8, Dims: []int{3, 2, 2}, Raw: []byte{0, 255, 51, 102, 1, 2, 3, 4, 5, 6, 7, 8}}
	lab := &IDX{Type: IDXUint8, Dims: []int{3}, Raw: []byte{2, 0, 1}}
	var ib, lb, gz bytes.Buffer
	WriteIDX(&ib, img)
	WriteIDX(&lb, lab)
	zw := gzip.NewWriter(&gz)
	zw.Write(ib.Bytes())
	zw.Close()
	os.WriteFile(filepath.Join(dir, "img"), ib.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "img.gz"), gz.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "lab"), lb.Bytes(), 0o644)
	for _, name := range []string{"img", "img.gz"} {
		s, err := OpenIDXE(filepath.Join(dir, name), filepath.Join(dir, "lab"))
		if err != nil {
			t.Fatal(err)
		}
		if s.N != 3 || s.H != 2 || s.X[1] != 1 || s.X[2] != 0.2 || s.Labels[0] != 2 {
			t.Fatalf("%s: %v X=%v labels=%v", name, s, s.X, s.Labels)
		}
	}
	os.WriteFile(filepath.Join(dir, "short"), ib.Bytes()[:20], 0o644)
	if _, err := OpenIDXE(filepath.Join(dir, "short"), ""); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("truncated IDX: %v", err)
	}
	if _, err := OpenIDXE(filepath.Join(dir, "lab"), ""); err == nil || !strings.Contains(err.Error(), "N×H×W") {
		t.Fatalf("labels as images: %v", err)
	}
	full := npyHeaderBytes("<f4", []int{100, 4})
	os.WriteFile(filepath.Join(dir, "cut.npy"), append(full, make([]byte, 40)...), 0o644)
	if _, err := OpenNPYE(filepath.Join(dir, "cut.npy")); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("truncated npy: %v", err)
	}
}
