package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// nbconvertEnv installs the Latent kernelspec under dir and returns the
// environment in which Jupyter finds it (and only it, besides the system's).
func nbconvertEnv(t *testing.T, dir string) []string {
	const py = "/usr/bin/python3"
	if out, err := exec.Command(py, "-c", "import nbconvert, nbclient, jupyter_client").CombinedOutput(); err != nil {
		t.Skipf("Debian's nbconvert is missing (apt-get install python3-nbconvert python3-nbclient): %s", out)
	}
	bin := latentBinary(t)
	prefix := filepath.Join(dir, "prefix")
	if out, err := exec.Command(bin, "install", "--prefix", prefix).CombinedOutput(); err != nil {
		t.Fatalf("latent install: %v\n%s", err, out)
	}
	return append(os.Environ(),
		"JUPYTER_PATH="+filepath.Join(prefix, "share", "jupyter"),
		"JUPYTER_DATA_DIR="+filepath.Join(dir, "data"),
		"JUPYTER_RUNTIME_DIR="+filepath.Join(dir, "runtime"),
		"JUPYTER_CONFIG_DIR="+filepath.Join(dir, "config"),
		"PATH="+filepath.Dir(bin)+":"+os.Getenv("PATH"),
	)
}

// executeWithNbconvert runs `jupyter nbconvert --execute` on dir/name.ipynb
// with the given kernel and returns the executed notebook.
func executeWithNbconvert(t *testing.T, dir, name, kernel string, env []string) map[string]any {
	t.Helper()
	cmd := exec.Command("/usr/bin/python3", "-m", "nbconvert", "--to", "notebook", "--execute",
		"--ExecutePreprocessor.kernel_name="+kernel, "--ExecutePreprocessor.timeout=120",
		"--output", name+".nbclient.ipynb", name+".ipynb")
	cmd.Dir, cmd.Env = dir, env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nbconvert --execute: %v\n%s", err, out)
	}
	return readNotebook(t, filepath.Join(dir, name+".nbclient.ipynb"))
}

// sameNotebooks requires equal cells (nbclient's timing metadata aside) and
// language_info.
func sameNotebooks(t *testing.T, what string, want, got map[string]any) {
	t.Helper()
	for _, nb := range []map[string]any{want, got} {
		for _, c := range nb["cells"].([]any) {
			meta := c.(map[string]any)["metadata"].(map[string]any)
			delete(meta, "execution") // nbclient's timestamps
		}
	}
	if diff := cmp.Diff(want["cells"], got["cells"]); diff != "" {
		t.Errorf("%s: cells differ (-want +got):\n%s", what, diff)
	}
	li := func(nb map[string]any) any { return nb["metadata"].(map[string]any)["language_info"] }
	if diff := cmp.Diff(li(want), li(got)); diff != "" {
		t.Errorf("%s: language_info differs (-want +got):\n%s", what, diff)
	}
}

func copyTestdata(t *testing.T, dir, name string) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "..", "notebook", "testdata", name+".ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".ipynb"), src, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRunMatchesNbconvert executes the same notebooks three ways: with
// Debian's `jupyter nbconvert --execute` against the installed Latent
// kernel, with `latent run` in-process, and with `latent run --kernel
// latent` over ZeroMQ; all three must give the same cells and outputs.
func TestRunMatchesNbconvert(t *testing.T) {
	dir := t.TempDir()
	env := nbconvertEnv(t, dir)
	for _, name := range []string{"basic", "display", "params"} {
		t.Run(name, func(t *testing.T) {
			copyTestdata(t, dir, name)
			theirs := executeWithNbconvert(t, dir, name, "latent", env)
			for _, args := range [][]string{nil, {"--kernel", "latent"}} {
				out := name + ".latent" + strings.Join(args, "") + ".ipynb"
				r := runLatentEnv(t, dir, env, append(args, "-q", "-o", out, name+".ipynb")...)
				if r.code != 0 {
					t.Fatalf("latent run %v: exit %d\n%s", args, r.code, r.stderr)
				}
				sameNotebooks(t, fmt.Sprintf("nbconvert vs latent run %v", args), theirs, readNotebook(t, filepath.Join(dir, out)))
			}
		})
	}
}

// TestRunKernelPythonMatchesNbconvert runs a Python notebook on Debian's
// ipykernel with `latent run --kernel python3` and with nbconvert: the Go
// client must record exactly what nbclient records.
func TestRunKernelPythonMatchesNbconvert(t *testing.T) {
	if out, err := exec.Command("/usr/bin/python3", "-c", "import ipykernel").CombinedOutput(); err != nil {
		t.Skipf("Debian's ipykernel is missing: %s", out)
	}
	dir := t.TempDir()
	env := nbconvertEnv(t, dir)
	copyTestdata(t, dir, "python")
	theirs := executeWithNbconvert(t, dir, "python", "python3", env)
	r := runLatentEnv(t, dir, env, "--kernel", "python3", "-o", "ours.ipynb", "python.ipynb")
	if r.code != 0 {
		t.Fatalf("latent run --kernel python3: exit %d\n%s", r.code, r.stderr)
	}
	sameNotebooks(t, "nbconvert vs latent run --kernel python3", theirs, readNotebook(t, filepath.Join(dir, "ours.ipynb")))

	r = runLatentEnv(t, dir, env, "--kernel", "python3", "-p", "n=5", "-p", "label=x y", "-o", "p.ipynb", "python.ipynb")
	cells := readNotebook(t, filepath.Join(dir, "p.ipynb"))["cells"].([]any)
	if src := strings.Join(toStrings(cells[3].(map[string]any)["source"]), ""); r.code != 0 || src != "# Parameters\nn = 5\nlabel = \"x y\"" {
		t.Errorf("python parameters: exit %d, injected %q\n%s", r.code, src, r.stderr)
	}
}
