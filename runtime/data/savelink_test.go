package data

import (
	"os"
	"path/filepath"
	"testing"
)

// TestSaveThroughSymlink: SaveNPY, SaveNPZ and SaveArray write the file a
// symbolic link points to and leave the link in place (issue 13).
func TestSaveThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	s := &Set{Name: "t", N: 2, D: 2, C: 1, H: 1, W: 2, X: []float32{1, 2, 3, 4}, Labels: []int{0, 1}}
	saves := map[string]func(string) error{
		"s.npy": s.SaveNPY,
		"s.npz": s.SaveNPZ,
		"a.npy": func(p string) error {
			return SaveArray(p, &Array{Shape: []int{2}, Data: []float32{1, 2}, Dtype: "<f4"})
		},
	}
	for name, save := range saves {
		target := filepath.Join(dir, "real-"+name)
		if err := os.WriteFile(target, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		link := filepath.Join(dir, name)
		if err := os.Symlink("real-"+name, link); err != nil {
			t.Fatal(err)
		}
		if err := save(link); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
			t.Errorf("%s was replaced: it is no longer a symbolic link", name)
		}
		if st, err := os.Stat(target); err != nil || st.Size() <= 3 {
			t.Errorf("the target of %s was not written", name)
		}
	}
	if _, err := LoadNPZ(filepath.Join(dir, "s.npz")); err != nil {
		t.Errorf("loading through the link: %v", err)
	}
}
