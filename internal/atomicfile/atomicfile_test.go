package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.ipynb")
	if err := WriteFile(path, []byte("first"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []byte("second"), 0o644); err != nil {
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

func TestWriteFileErrors(t *testing.T) {
	dir := t.TempDir()
	if err := WriteFile(dir, []byte("x"), 0o644); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("writing over a directory: %v", err)
	}
	missing := filepath.Join(dir, "no", "such", "dir", "x.ipynb")
	if err := WriteFile(missing, []byte("x"), 0o644); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("writing into a missing directory: %v", err)
	}
	if err := writeTempCheck(dir); err != nil {
		t.Error(err)
	}
}

// writeTempCheck checks that the portable fallback also cleans up.
func writeTempCheck(dir string) error {
	name, err := writeTempPortable(dir, "x.ipynb", func(w io.Writer) error { _, err := io.WriteString(w, "data"); return err }, 0o644)
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
	if err := WriteFile(filepath.Join(dir, "out.ipynb"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale temporary file of a dead writer was kept: %v", err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("temporary file of a live writer was removed: %v", err)
	}
}

// TestWriteThroughSymlink: writing to a symbolic link changes the file it
// points to, and the link stays a link (also for a chain of links, a
// relative link and a link to a file not yet there); a loop is refused.
func TestWriteThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.ipynb")
	os.WriteFile(real, []byte("old"), 0o600)
	link := filepath.Join(dir, "link.ipynb")
	chain := filepath.Join(dir, "chain.ipynb")
	dangling := filepath.Join(dir, "dangling.ipynb")
	os.Symlink("real.ipynb", link)
	os.Symlink(link, chain)
	os.Symlink(filepath.Join(dir, "later.ipynb"), dangling)
	for _, p := range []string{link, chain, dangling} {
		if err := WriteFile(p, []byte("new "+filepath.Base(p)), 0o644); err != nil {
			t.Fatal(err)
		}
		if st, err := os.Lstat(p); err != nil || st.Mode()&os.ModeSymlink == 0 {
			t.Errorf("%s is no longer a symbolic link: %v %v", p, st.Mode(), err)
		}
	}
	if data, _ := os.ReadFile(real); string(data) != "new chain.ipynb" {
		t.Errorf("the link's target holds %q", data)
	}
	if st, _ := os.Stat(real); st.Mode().Perm() != 0o600 {
		t.Errorf("the target's mode changed to %v", st.Mode().Perm())
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "later.ipynb")); string(data) != "new dangling.ipynb" {
		t.Errorf("the dangling link's target holds %q", data)
	}
	loop := filepath.Join(dir, "loop")
	os.Symlink("loop", loop)
	if err := WriteFile(loop, []byte("x"), 0o644); err == nil || !strings.Contains(err.Error(), "loop") {
		t.Errorf("a link loop: %v", err)
	}
}

// TestWriteStreamsThroughLink checks Write: content from a writer goes
// through a symbolic link, and a failing writer leaves the file as it was
// with no temporary file behind.
func TestWriteStreamsThroughLink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.npy")
	link := filepath.Join(dir, "link.npy")
	if err := os.WriteFile(real, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real.npy", link); err != nil {
		t.Fatal(err)
	}
	if err := Write(link, 0o644, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v", err)
	}
	if b, _ := os.ReadFile(real); string(b) != "new" {
		t.Fatalf("the target holds %q", b)
	}
	boom := errors.New("boom")
	if err := Write(link, 0o644, func(w io.Writer) error { io.WriteString(w, "partial"); return boom }); !errors.Is(err, boom) {
		t.Fatalf("a failing writer: %v", err)
	}
	if b, _ := os.ReadFile(real); string(b) != "new" {
		t.Fatalf("a failed write changed the file: %q", b)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) > 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}
