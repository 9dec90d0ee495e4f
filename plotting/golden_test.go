package plotting

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// checkGolden renders f as PNG and SVG twice, checks the two renderings are
// byte-identical, and compares them with testdata/name.png and .svg.
func checkGolden(t *testing.T, name string, f *Figure) {
	t.Helper()
	if err := f.Err(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	outputs := map[string]func() ([]byte, error){
		".png": f.PNG,
		".svg": func() ([]byte, error) { s, err := f.SVG(); return []byte(s), err },
	}
	for _, ext := range []string{".png", ".svg"} {
		render := outputs[ext]
		got, err := render()
		if err != nil {
			t.Fatalf("%s%s: %v", name, ext, err)
		}
		again, err := render()
		if err != nil {
			t.Fatalf("%s%s second render: %v", name, ext, err)
		}
		if !bytes.Equal(got, again) {
			t.Errorf("%s%s: two renderings of the same figure differ (%d and %d bytes)", name, ext, len(got), len(again))
		}
		path := filepath.Join("testdata", name+ext)
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./plotting -update to create it)", err)
		}
		if !bytes.Equal(got, want) {
			bad := filepath.Join(t.TempDir(), name+ext)
			os.WriteFile(bad, got, 0o644)
			t.Errorf("%s differs from the golden file (%d vs %d bytes); got written to %s; if the change is intended, run go test ./plotting -update and look at the images", path, len(got), len(want), bad)
		}
	}
}
