package tools

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/latent-ai/latent/tests/jupytertest"
)

// TestKernel runs check_tools.py, which drives the latent kernel with
// jupyter_client: the notebook tools, then %go get and the import of an
// unknown module, each in a fresh kernel.
func TestKernel(t *testing.T) {
	jupytertest.Require(t)
	bin := jupytertest.Build(t)
	env := jupytertest.Install(t, bin)
	script, _ := filepath.Abs("check_tools.py")
	work := filepath.Join(t.TempDir(), "work")
	os.Mkdir(work, 0o755)
	jupytertest.RunScriptIn(t, env, work, script, 15*time.Minute)
}

// TestRun runs a notebook that uses the tools and a module with `latent
// run`, and checks the outputs it records.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	bin := jupytertest.Build(t)
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
