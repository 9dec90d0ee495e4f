// Package harness is what Latent's black-box test packages (tests/...)
// share: building the latent binary once per test package, installing its
// kernelspec into a temporary prefix, and pointing Jupyter's directories at
// temporary ones so that tests never touch the user's Jupyter setup.
package harness

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// ModuleRoot returns the directory holding Latent's go.mod.
func ModuleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %v", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("not inside the Latent module: run the tests from the repository")
	}
	return filepath.Dir(mod), nil
}

// BuildLatent builds ./cmd/latent into dir and returns the binary's path.
func BuildLatent(dir string) (string, error) {
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "latent")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/latent")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/latent: %v\n%s", err, out)
	}
	return bin, nil
}

// Kernelspec is what `latent install` wrote.
type Kernelspec struct {
	Dir           string   // the kernelspec directory (…/kernels/NAME)
	Name          string   // the kernelspec name
	JupyterPath   string   // the share/jupyter directory to put on JUPYTER_PATH
	Argv          []string `json:"argv"`
	DisplayName   string   `json:"display_name"`
	InterruptMode string   `json:"interrupt_mode"`
}

// Install runs `bin install --prefix prefix` and reads back the kernel.json
// it wrote.
func Install(bin, prefix string) (*Kernelspec, error) {
	out, err := exec.Command(bin, "install", "--prefix", prefix).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("latent install --prefix %s: %v\n%s", prefix, err, out)
	}
	share := filepath.Join(prefix, "share", "jupyter")
	specs, _ := filepath.Glob(filepath.Join(share, "kernels", "*", "kernel.json"))
	if len(specs) != 1 {
		return nil, fmt.Errorf("latent install --prefix %s: want one share/jupyter/kernels/*/kernel.json, found %d (output: %s)", prefix, len(specs), out)
	}
	b, err := os.ReadFile(specs[0])
	if err != nil {
		return nil, err
	}
	ks := &Kernelspec{Dir: filepath.Dir(specs[0]), Name: filepath.Base(filepath.Dir(specs[0])), JupyterPath: share}
	if err := json.Unmarshal(b, ks); err != nil {
		return nil, fmt.Errorf("%s: %v", specs[0], err)
	}
	if len(ks.Argv) == 0 || !strings.Contains(strings.Join(ks.Argv, " "), "{connection_file}") {
		return nil, fmt.Errorf("%s: argv %q has no {connection_file}", specs[0], ks.Argv)
	}
	return ks, nil
}

// IsolateJupyter creates data, config, runtime and home directories under
// dir and sets JUPYTER_DATA_DIR, JUPYTER_CONFIG_DIR, JUPYTER_RUNTIME_DIR and
// IPYTHONDIR to them, so that child processes see only what the test
// installs.
func IsolateJupyter(dir string) error {
	for _, d := range []string{"data", "config", "runtime", "home"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			return err
		}
	}
	for k, v := range map[string]string{
		"JUPYTER_DATA_DIR":      filepath.Join(dir, "data"),
		"JUPYTER_CONFIG_DIR":    filepath.Join(dir, "config"),
		"JUPYTER_RUNTIME_DIR":   filepath.Join(dir, "runtime"),
		"JUPYTER_PLATFORM_DIRS": "1",
		"IPYTHONDIR":            filepath.Join(dir, "home", ".ipython"),
	} {
		if err := os.Setenv(k, v); err != nil {
			return err
		}
	}
	return nil
}

// SyncBuffer is a bytes.Buffer safe for one writer and many readers: the
// destination of a child process's output that a test reads while the
// process runs.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
