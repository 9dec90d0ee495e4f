package ae

import (
	"os"
	"path/filepath"
	"testing"
)

// TestSaveThroughSymlink: Save, SaveNPZ, SaveSafetensors, SaveONNX and
// checkpoints write the file a symbolic link points to and leave the link
// in place (issue 13).
func TestSaveThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	names := []string{"model.ae", "ck.ae", "w.npz", "w.safetensors", "m.onnx"}
	for _, name := range names {
		if name != "ck.ae" { // the checkpoint's target is new
			if err := os.WriteFile(filepath.Join(dir, "real-"+name), []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Symlink("real-"+name, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	m := Dense(64, 4)
	m.Fit(blobs("train", 16, 1, 8, 8, 1), Epochs(1), Batch(8), Quiet(), Checkpoint(filepath.Join(dir, "ck.ae")))
	m.Save(filepath.Join(dir, "model.ae"))
	m.SaveNPZ(filepath.Join(dir, "w.npz"))
	m.SaveSafetensors(filepath.Join(dir, "w.safetensors"))
	m.SaveONNX(filepath.Join(dir, "m.onnx"))
	for _, name := range names {
		link := filepath.Join(dir, name)
		if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
			t.Errorf("%s was replaced: it is no longer a symbolic link", name)
		}
		if st, err := os.Stat(filepath.Join(dir, "real-"+name)); err != nil || st.Size() <= 3 {
			t.Errorf("the target of %s was not written", name)
		}
	}
	for _, name := range []string{"model.ae", "ck.ae"} {
		if _, err := LoadE(filepath.Join(dir, name)); err != nil {
			t.Errorf("loading through %s: %v", name, err)
		}
	}
}
