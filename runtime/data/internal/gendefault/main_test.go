package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/latent-ai/latent/runtime/data"
)

// TestRegenerate checks that the committed built-in subsets are exactly what
// this program writes from the installed datasets.
func TestRegenerate(t *testing.T) {
	if testing.Short() {
		t.Skip("reads and recompresses both full datasets")
	}
	if _, err := data.FindFashionMNIST(); err != nil {
		t.Skip(err)
	}
	if _, err := data.FindMNIST(); err != nil {
		t.Skip(err)
	}
	out := t.TempDir()
	if err := run(out, 6000, 1000, "", ""); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"fashion-mnist", "mnist"} {
		for _, f := range []string{"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"} {
			got, err := os.ReadFile(filepath.Join(out, sub, f))
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join("..", "..", "defaultdata", sub, f))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s/%s differs from a fresh generation; run go generate ./runtime/data", sub, f)
			}
		}
	}
}
