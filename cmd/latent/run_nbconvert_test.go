package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRunMatchesNbconvert executes the same notebooks with `latent run` and
// with Debian's `jupyter nbconvert --execute` against the installed Latent
// kernel, and requires the same cells and outputs from both (nbclient's
// timing metadata aside).
func TestRunMatchesNbconvert(t *testing.T) {
	const py = "/usr/bin/python3"
	if out, err := exec.Command(py, "-c", "import nbconvert, nbclient, jupyter_client").CombinedOutput(); err != nil {
		t.Skipf("Debian's nbconvert is missing (apt-get install python3-nbconvert python3-nbclient): %s", out)
	}
	bin := latentBinary(t)
	dir := t.TempDir()
	prefix := filepath.Join(dir, "prefix")
	if out, err := exec.Command(bin, "install", "--prefix", prefix).CombinedOutput(); err != nil {
		t.Fatalf("latent install: %v\n%s", err, out)
	}
	env := append(os.Environ(),
		"JUPYTER_PATH="+filepath.Join(prefix, "share", "jupyter"),
		"JUPYTER_DATA_DIR="+filepath.Join(dir, "data"),
		"JUPYTER_RUNTIME_DIR="+filepath.Join(dir, "runtime"),
		"JUPYTER_CONFIG_DIR="+filepath.Join(dir, "config"),
		"PATH="+filepath.Dir(bin)+":"+os.Getenv("PATH"),
	)
	for _, name := range []string{"basic", "display", "params"} {
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("..", "..", "notebook", "testdata", name+".ipynb"))
			if err != nil {
				t.Fatal(err)
			}
			in := filepath.Join(dir, name+".ipynb")
			if err := os.WriteFile(in, src, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(py, "-m", "nbconvert", "--to", "notebook", "--execute",
				"--ExecutePreprocessor.kernel_name=latent", "--ExecutePreprocessor.timeout=120",
				"--output", name+".nbclient.ipynb", in)
			cmd.Dir, cmd.Env = dir, env
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("nbconvert --execute: %v\n%s", err, out)
			}
			r := runLatent(t, dir, "-q", "-o", name+".latent.ipynb", name+".ipynb")
			if r.code != 0 {
				t.Fatalf("latent run: exit %d\n%s", r.code, r.stderr)
			}
			theirs := readNotebook(t, filepath.Join(dir, name+".nbclient.ipynb"))
			ours := readNotebook(t, filepath.Join(dir, name+".latent.ipynb"))
			for _, nb := range []map[string]any{theirs, ours} {
				for _, c := range nb["cells"].([]any) {
					meta := c.(map[string]any)["metadata"].(map[string]any)
					delete(meta, "execution") // nbclient's timestamps
				}
			}
			if diff := cmp.Diff(theirs["cells"], ours["cells"]); diff != "" {
				t.Errorf("cells differ (-nbconvert +latent run):\n%s", diff)
			}
			li := func(nb map[string]any) any { return nb["metadata"].(map[string]any)["language_info"] }
			if diff := cmp.Diff(li(theirs), li(ours)); diff != "" && !strings.Contains(diff, "version") {
				t.Errorf("language_info differs from the kernel's (-kernel +latent run):\n%s", diff)
			}
		})
	}
}
