// Package jupytertest is what a black-box test of the latent kernel needs:
// Debian's Python with jupyter_client, a kernelspec installed into a
// temporary Jupyter data directory, and a client script run against it.
package jupytertest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Python is Debian's interpreter, which has python3-jupyter-client; a pyenv
// or venv python3 first on PATH is not used.
const Python = "/usr/bin/python3"

// Require skips t unless Python can import jupyter_client.
func Require(t *testing.T) {
	t.Helper()
	if err := exec.Command(Python, "-c", "import jupyter_client").Run(); err != nil {
		t.Skipf("skipping: %s with jupyter_client is missing; install python3-jupyter-client (make setup)", Python)
	}
}

// Build builds the latent binary of this checkout (cmd/latent, two
// folders up from a package under tests/) into a temporary directory and
// returns its path. It skips t in -short mode: every black-box test needs
// a binary, and building one takes a while.
func Build(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping a test of the latent binary in -short mode")
	}
	bin := filepath.Join(t.TempDir(), "latent")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/latent").CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/latent: %v\n%s", err, out)
	}
	return bin
}

// Install installs the kernelspec of the latent binary bin into a fresh
// Jupyter data directory under t.TempDir and returns the environment in
// which Jupyter clients find it.
func Install(t *testing.T, bin string) []string {
	t.Helper()
	dir := t.TempDir()
	data := filepath.Join(dir, "jupyter-data")
	env := append(os.Environ(),
		"JUPYTER_DATA_DIR="+data,
		"JUPYTER_PATH="+data,
		"JUPYTER_RUNTIME_DIR="+filepath.Join(dir, "runtime"),
		"JUPYTER_CONFIG_DIR="+filepath.Join(dir, "config"),
		"PYDEVD_DISABLE_FILE_VALIDATION=1",
		"PYTHONWARNINGS=ignore",
	)
	inst := exec.Command(bin, "install")
	inst.Env = env
	if out, err := inst.CombinedOutput(); err != nil {
		t.Fatalf("latent install: %v\n%s", err, out)
	}
	return env
}

// RunScript runs a Python client script in env, logs its output line by
// line and fails t when it fails or runs past timeout.
func RunScript(t *testing.T, env []string, script string, timeout time.Duration) {
	t.Helper()
	RunScriptIn(t, env, "", script, timeout)
}

// RunScriptIn is RunScript with the working directory dir (the test's own
// when empty); a relative script is then found from dir.
func RunScriptIn(t *testing.T, env []string, dir, script string, timeout time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, Python, "-Xfrozen_modules=off", script)
	cmd.Env, cmd.Dir = env, dir
	out, err := cmd.CombinedOutput()
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		t.Log(l)
	}
	if err != nil {
		t.Fatalf("%s: %v", script, err)
	}
}
