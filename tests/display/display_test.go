package display

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latent-ai/latent/notebook"
	"github.com/latent-ai/latent/tests/internal/harness"
)

const python = "/usr/bin/python3"

// setup builds latent and installs its kernelspec into a temp prefix.
func setup(t *testing.T) (bin string, ks *harness.Kernelspec) {
	t.Helper()
	dir := t.TempDir()
	bin, err := harness.BuildLatent(dir)
	if err != nil {
		t.Fatal(err)
	}
	ks, err = harness.Install(bin, filepath.Join(dir, "prefix"))
	if err != nil {
		t.Fatal(err)
	}
	return bin, ks
}

func TestLiveTrainingDisplayOverProtocol(t *testing.T) {
	if err := exec.Command(python, "-c", "import jupyter_client").Run(); err != nil {
		t.Skip("needs /usr/bin/python3 with jupyter_client (apt-get install python3-jupyter-client; scripts/setup.sh does it)")
	}
	_, ks := setup(t)
	dir := t.TempDir()
	cmd := exec.Command(python, "live_display.py", ks.Name)
	cmd.Env = append(os.Environ(), "JUPYTER_PATH="+ks.JupyterPath,
		"JUPYTER_RUNTIME_DIR="+dir, "JUPYTER_DATA_DIR="+filepath.Join(dir, "data"))
	out, err := cmd.Output()
	var got struct {
		OK      bool
		Reason  string
		Updates int
		Seconds float64
	}
	if jerr := json.Unmarshal(out, &got); jerr != nil {
		t.Fatalf("live_display.py: %v\nstdout: %s\nerr: %v", jerr, out, err)
	}
	if !got.OK {
		t.Fatalf("live display over the protocol: %s\n%s", got.Reason, out)
	}
	t.Logf("one display_data, then %d update_display_data over %.2f s", got.Updates, got.Seconds)
}

// TestExecutedNotebookKeepsFinalDisplay runs a training notebook with
// `latent run` and checks the saved cell holds one progress display, not a
// trail of updates.
func TestExecutedNotebookKeepsFinalDisplay(t *testing.T) {
	bin, _ := setup(t)
	dir := t.TempDir()
	nb := map[string]any{
		"nbformat": 4, "nbformat_minor": 5,
		"metadata": map[string]any{"kernelspec": map[string]any{"name": "latent", "display_name": "Go (Latent)", "language": "go"}},
		"cells": []any{map[string]any{
			"cell_type": "code", "id": "train", "metadata": map[string]any{}, "outputs": []any{}, "execution_count": nil,
			"source": "train := data.TimeSeries(20000, 32, 0.05, 1)\nm := ae.Dense(32, 16, 4)\nh := m.Fit(train, ae.Epochs(25), ae.Batch(16), ae.Seed(1))\n",
		}},
	}
	b, _ := json.Marshal(nb)
	in, out := filepath.Join(dir, "train.ipynb"), filepath.Join(dir, "out.ipynb")
	if err := os.WriteFile(in, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if o, err := exec.Command(bin, "run", in, "-o", out).CombinedOutput(); err != nil {
		t.Fatalf("latent run: %v\n%s", err, o)
	}
	if _, err := notebook.ReadFile(out); err != nil {
		t.Fatalf("the saved notebook does not read back: %v", err)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cells []struct {
			Outputs []struct {
				OutputType string         `json:"output_type"`
				Data       map[string]any `json:"data"`
			} `json:"outputs"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	displays := 0
	for _, o := range doc.Cells[0].Outputs {
		if o.OutputType == "display_data" {
			displays++
			if html := text(o.Data["text/html"]); !strings.Contains(html, "epoch 25/25") {
				t.Errorf("the kept display is not the progress view: %v", o.Data)
			}
		}
	}
	if displays != 1 {
		t.Fatalf("saved cell has %d display_data outputs, want exactly 1 (the final progress): %s", displays, raw)
	}
}

// text joins a multiline nbformat string, which is stored as a string or
// as a list of lines.
func text(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		var b strings.Builder
		for _, l := range v {
			s, _ := l.(string)
			b.WriteString(s)
		}
		return b.String()
	}
	return ""
}
