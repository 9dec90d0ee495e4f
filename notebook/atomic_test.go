package notebook

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.ipynb")
	if err := WriteFileAtomic(path, []byte("first"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(path, []byte("second"), 0o644); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil || string(data) != "second" {
		t.Fatalf("content %q, %v", data, err)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v: an existing file must keep its permissions", st.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the output (no temporary files left)", len(entries))
	}
}

func TestWriteFileAtomicErrors(t *testing.T) {
	dir := t.TempDir()
	if err := WriteFileAtomic(dir, []byte("x"), 0o644); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("writing over a directory: %v", err)
	}
	missing := filepath.Join(dir, "no", "such", "dir", "x.ipynb")
	if err := WriteFileAtomic(missing, []byte("x"), 0o644); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("writing into a missing directory: %v", err)
	}
	if err := writeTempCheck(dir); err != nil {
		t.Error(err)
	}
}

// writeTempCheck checks that the portable fallback also cleans up.
func writeTempCheck(dir string) error {
	name, err := writeTempPortable(dir, "x.ipynb", []byte("data"), 0o644)
	if err != nil {
		return err
	}
	defer os.Remove(name)
	if !strings.HasPrefix(filepath.Base(name), ".x.ipynb.tmp-") {
		return os.ErrInvalid
	}
	return nil
}

// TestStaleTempRemoved: a temporary file left by a writer that was killed
// before its rename is removed by the next write; a live writer's is kept.
func TestStaleTempRemoved(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, tempPrefix("out.ipynb")+"999999999-abc")
	live := filepath.Join(dir, tempPrefix("out.ipynb")+strconv.Itoa(os.Getppid())+"-abc")
	for _, f := range []string{stale, live} {
		if err := os.WriteFile(f, []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := WriteFileAtomic(filepath.Join(dir, "out.ipynb"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale temporary file of a dead writer was kept: %v", err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("temporary file of a live writer was removed: %v", err)
	}
}
