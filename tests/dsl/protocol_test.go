package dsl

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const systemPython = "/usr/bin/python3"

// TestProtocol builds the latent binary, installs its kernelspec into a
// temporary Jupyter data directory and runs check_dsl.py, which drives the
// kernel with jupyter_client and checks every session rule over the wire.
func TestProtocol(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the protocol tests in -short mode")
	}
	if _, err := os.Stat(systemPython); err != nil {
		t.Skipf("skipping: %s is missing; install Debian's python3-jupyter-client (make setup)", systemPython)
	}
	if err := exec.Command(systemPython, "-c", "import jupyter_client").Run(); err != nil {
		t.Skip("skipping: the Python module jupyter_client is missing; install python3-jupyter-client (make setup)")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "latent")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/latent").CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/latent: %v\n%s", err, out)
	}
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
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, systemPython, "-Xfrozen_modules=off", "check_dsl.py")
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		t.Log(l)
	}
	if err != nil {
		t.Fatalf("check_dsl.py: %v", err)
	}
}
