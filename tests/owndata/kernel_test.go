package owndata

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestKernel builds the latent binary, installs its kernelspec into a
// temporary Jupyter directory and runs check_kernel.py, which interrupts
// training over the real protocol with Debian's jupyter_client.
func TestKernel(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the kernel check in -short mode")
	}
	const py = "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import jupyter_client").Run(); err != nil {
		t.Skip("Debian's python3-jupyter-client is needed (make setup)")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "latent")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/latent").CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/latent: %v\n%s", err, out)
	}
	jd := filepath.Join(dir, "jupyter")
	env := append(os.Environ(), "JUPYTER_DATA_DIR="+jd, "JUPYTER_PATH="+jd,
		"JUPYTER_RUNTIME_DIR="+filepath.Join(dir, "runtime"), "JUPYTER_CONFIG_DIR="+filepath.Join(dir, "config"),
		"PYDEVD_DISABLE_FILE_VALIDATION=1", "PYTHONWARNINGS=ignore")
	inst := exec.Command(bin, "install")
	inst.Env = env
	if out, err := inst.CombinedOutput(); err != nil {
		t.Fatalf("latent install: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, "-Xfrozen_modules=off", "check_kernel.py")
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		t.Log(l)
	}
	if err != nil {
		t.Fatalf("check_kernel.py: %v", err)
	}
}
