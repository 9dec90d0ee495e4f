package tools

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const systemPython = "/usr/bin/python3"

// buildLatent builds cmd/latent into dir.
func buildLatent(t *testing.T, dir string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping the binary tests in -short mode")
	}
	bin := filepath.Join(dir, "latent")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/latent").CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/latent: %v\n%s", err, out)
	}
	return bin
}

// TestKernel runs check_tools.py, which drives the latent kernel with
// jupyter_client: the notebook tools, then %go get and the import of an
// unknown module, each in a fresh kernel.
func TestKernel(t *testing.T) {
	if _, err := os.Stat(systemPython); err != nil {
		t.Skipf("skipping: %s is missing; install Debian's python3-jupyter-client (make setup)", systemPython)
	}
	if err := exec.Command(systemPython, "-c", "import jupyter_client").Run(); err != nil {
		t.Skip("skipping: the Python module jupyter_client is missing; install python3-jupyter-client (make setup)")
	}
	dir := t.TempDir()
	bin := buildLatent(t, dir)
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
	script, _ := filepath.Abs("check_tools.py")
	work := filepath.Join(dir, "work")
	os.Mkdir(work, 0o755)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, systemPython, "-Xfrozen_modules=off", script)
	cmd.Env, cmd.Dir = env, work
	out, err := cmd.CombinedOutput()
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		t.Log(l)
	}
	if err != nil {
		t.Fatalf("check_tools.py: %v", err)
	}
}

// TestRun runs a notebook that uses the tools and a module with `latent
// run`, and checks the outputs it records.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	bin := buildLatent(t, dir)
	cells := []string{
		"%%writefile greeting.txt\nhello from a file\n",
		"!cat greeting.txt",
		"%%bash\necho $((6 * 7))",
		"n := 7\n%go get github.com/google/uuid@v1.6.0",
		"import \"github.com/google/uuid\"\nfmt.Println(uuid.NewSHA1(uuid.NameSpaceURL, []byte(\"x\")).Version(), n)",
		"strings.Fields?",
		"%help Fit",
	}
	var list []any
	for _, src := range cells {
		list = append(list, map[string]any{"cell_type": "code", "metadata": map[string]any{}, "source": src, "outputs": []any{}, "execution_count": nil})
	}
	nb, _ := json.Marshal(map[string]any{"nbformat": 4, "nbformat_minor": 5, "metadata": map[string]any{}, "cells": list})
	in := filepath.Join(dir, "tools.ipynb")
	os.WriteFile(in, nb, 0o644)
	outPath := filepath.Join(dir, "out.ipynb")
	cmd := exec.Command(bin, "run", in, "-o", outPath)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("latent run: %v\n%s", err, out)
	}
	var got struct {
		Cells []struct {
			Outputs []struct {
				Name string `json:"name"`
				Text any    `json:"text"`
			} `json:"outputs"`
		} `json:"cells"`
	}
	b, _ := os.ReadFile(outPath)
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	text := func(i int) string {
		var s strings.Builder
		for _, o := range got.Cells[i].Outputs {
			switch v := o.Text.(type) {
			case string:
				s.WriteString(v)
			case []any:
				for _, x := range v {
					s.WriteString(x.(string))
				}
			}
		}
		return s.String()
	}
	want := []string{"Writing greeting.txt", "hello from a file", "42", "github.com/google/uuid v1.6.0", "VERSION_5 7", "Fields splits", "ae: func (m *Model) Fit("}
	for i, w := range want {
		if !strings.Contains(text(i), w) {
			t.Errorf("cell %d (%q) printed %q, want %q", i+1, cells[i], text(i), w)
		}
	}
}
