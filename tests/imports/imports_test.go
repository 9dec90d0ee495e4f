package imports

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latent-ai/latent/tests/jupytertest"
)

var (
	buildOnce sync.Once
	binDir    string
	bin       string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// latent builds the latent binary once for the tests of this package.
func latent(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		var err error
		if binDir, err = os.MkdirTemp("", "latent-imports-"); err != nil {
			buildErr = err
			return
		}
		bin = filepath.Join(binDir, "latent")
		if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/latent").CombinedOutput(); err != nil {
			buildErr = &buildError{err, string(out)}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return bin
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return "go build ./cmd/latent: " + e.err.Error() + "\n" + e.out }

// TestKernelImports runs check_imports.py against the real kernel.
func TestKernelImports(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the protocol tests in -short mode")
	}
	jupytertest.Require(t)
	env := jupytertest.Install(t, latent(t))
	jupytertest.RunScript(t, env, "check_imports.py", 5*time.Minute)
}

// TestRunNotebook runs testdata/imports.ipynb with `latent run` and checks
// each cell's output.
func TestRunNotebook(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	b := latent(t)
	out := filepath.Join(t.TempDir(), "out.ipynb")
	if msg, err := exec.Command(b, "run", "testdata/imports.ipynb", "-o", out).CombinedOutput(); err != nil {
		t.Fatalf("latent run: %v\n%s", err, msg)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var nb struct {
		Cells []struct {
			Outputs []struct {
				OutputType string         `json:"output_type"`
				Data       map[string]any `json:"data"`
				Text       any            `json:"text"`
			} `json:"outputs"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(raw, &nb); err != nil {
		t.Fatal(err)
	}
	want := []struct{ mime, has string }{
		{"text/html", "<table"}, // the inverse matrix
		{"image/png", ""},       // the *plot.Plot
		{"image/png", ""},       // plotting.Hist
		{"stdout", "from exec\ntrue [a b]"},
	}
	if len(nb.Cells) != len(want) {
		t.Fatalf("%d cells, want %d", len(nb.Cells), len(want))
	}
	for i, w := range want {
		found := false
		for _, o := range nb.Cells[i].Outputs {
			if w.mime == "stdout" && o.OutputType == "stream" {
				found = strings.Contains(text(o.Text), w.has)
			} else if v, ok := o.Data[w.mime]; ok {
				found = strings.Contains(text(v), w.has)
			}
		}
		if !found {
			t.Errorf("cell %d: no %s output holding %q: %+v", i, w.mime, w.has, nb.Cells[i].Outputs)
		}
	}
	if s := text(nb.Cells[0].Outputs[0].Data["text/plain"]); !strings.Contains(s, "0.5") || !strings.Contains(s, "0.25") {
		t.Errorf("inverse matrix text %q, want 0.5 and 0.25", s)
	}
}

// text joins nbformat's multi-line strings.
func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		var b strings.Builder
		for _, s := range x {
			b.WriteString(s.(string))
		}
		return b.String()
	}
	return ""
}
