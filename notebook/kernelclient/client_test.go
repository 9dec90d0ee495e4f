package kernelclient

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/latent-ai/latent/display"
	"github.com/latent-ai/latent/notebook"
)

// withSpecs points the kernelspec search at a fresh directory holding the
// given kernel.json files, and returns it.
func withSpecs(t *testing.T, specs map[string]string) string {
	dir := t.TempDir()
	for name, body := range specs {
		d := filepath.Join(dir, "kernels", name)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "kernel.json"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("JUPYTER_PATH", dir)
	t.Setenv("JUPYTER_DATA_DIR", filepath.Join(dir, "nothing-here"))
	return dir
}

func TestFindSpec(t *testing.T) {
	dir := withSpecs(t, map[string]string{
		"good":   `{"argv": ["k", "-f", "{connection_file}", "{resource_dir}"], "display_name": "Good", "language": "go", "interrupt_mode": "message"}`,
		"broken": `{"argv": [`,
		"empty":  `{"display_name": "x"}`,
	})
	spec, err := FindSpec("good")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(spec.argv("/c.json"), " ")
	if want := "k -f /c.json " + filepath.Join(dir, "kernels", "good"); got != want || spec.InterruptMode != "message" || spec.Language != "go" {
		t.Errorf("spec %+v, argv %q", spec, got)
	}
	for name, want := range map[string]string{
		"broken":  "is not valid JSON",
		"empty":   "has no argv",
		"missing": "no kernelspec named \"missing\"",
		"a/b":     "want a kernelspec name",
	} {
		if _, err := FindSpec(name); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("FindSpec(%q): got %v, want an error containing %q", name, err, want)
		}
	}
	if _, err := FindSpec("missing"); !strings.Contains(err.Error(), "installed: ") || !strings.Contains(err.Error(), "good") {
		t.Errorf("the error does not list the installed kernels: %v", err)
	}
}

func TestStartFailures(t *testing.T) {
	withSpecs(t, map[string]string{
		"dies":   `{"argv": ["/bin/sh", "-c", "echo cannot start >&2; exit 3"], "display_name": "d", "language": "x"}`,
		"silent": `{"argv": ["/bin/sh", "-c", "sleep 30"], "display_name": "s", "language": "x"}`,
		"absent": `{"argv": ["/no/such/kernel-binary"], "display_name": "a", "language": "x"}`,
	})
	for name, c := range map[string]struct {
		want    string
		timeout time.Duration
	}{
		"dies":   {"cannot start", 30 * time.Second}, // it exits long before: no wait
		"silent": {"it did not open its iopub socket within 1s", time.Second},
		"absent": {"cannot start \"/no/such/kernel-binary\"", 30 * time.Second},
	} {
		t.Run(name, func(t *testing.T) {
			spec, err := FindSpec(name)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			client, err := Start(context.Background(), spec, Options{StartTimeout: c.timeout})
			if err == nil {
				client.Close()
				t.Fatal("Start succeeded")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("Start: %v; want an error containing %q", err, c.want)
			}
			if time.Since(start) > 25*time.Second {
				t.Errorf("Start took %v to give up on a kernel that is gone", time.Since(start))
			}
		})
	}
}

// pythonKernel returns Debian's python3 kernelspec, skipping the test when
// ipykernel is not installed.
func pythonKernel(t *testing.T) *Spec {
	if out, err := exec.Command("/usr/bin/python3", "-c", "import ipykernel").CombinedOutput(); err != nil {
		t.Skipf("Debian's ipykernel is missing (apt-get install python3-ipykernel): %s", out)
	}
	return &Spec{Name: "python3", Argv: []string{"/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"},
		DisplayName: "Python 3 (ipykernel)", Language: "python"}
}

// TestPythonKernel runs cells on ipykernel through the notebook runner:
// outputs, display updates, errors, and an interrupt on timeout after which
// the kernel goes on.
func TestPythonKernel(t *testing.T) {
	spec := pythonKernel(t)
	c, err := Start(context.Background(), spec, Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.LanguageInfo["name"] != "python" {
		t.Errorf("language_info %v", c.LanguageInfo)
	}
	cells := []string{
		"import os, time\nfrom IPython.display import display, update_display\nprint('a'); print('b')\nos.getcwd()",
		"display('first', display_id='d')",
		"update_display('second', display_id='d')\nraise ValueError('bad')",
		"21 * 2",
	}
	nb := &notebook.Notebook{}
	for _, src := range cells {
		nb.Cells = append(nb.Cells, &notebook.Cell{Type: notebook.CodeCell, Source: src})
	}
	opts := notebook.Options{AllowErrors: true, KernelSpec: c.KernelSpecMetadata(), LanguageInfo: c.LanguageInfo}
	if _, err := notebook.Run(context.Background(), nb, c, opts); err != nil {
		t.Fatal(err)
	}
	out := func(i, k int) *notebook.Output { return nb.Cells[i].Outputs[k] }
	if o := out(0, 0); o.Text != "a\nb\n" {
		t.Errorf("cell 1 stream %q", o.Text)
	}
	if o := out(1, 0); o.Data["text/plain"] != "'second'" {
		t.Errorf("cell 2 display %v, want the update", o.Data)
	}
	if o := out(2, 0); o.Type != notebook.ErrorOutput || o.EName != "ValueError" || o.EValue != "bad" {
		t.Errorf("cell 3 error %+v", o)
	}
	if o := out(3, 0); o.Type != notebook.ExecuteResultOutput || o.Data["text/plain"] != "42" {
		t.Errorf("cell 4 result %+v", o)
	}

	// a cell past its timeout is interrupted (SIGINT) and the kernel lives on
	slow := &notebook.Notebook{Cells: []*notebook.Cell{{Type: notebook.CodeCell, Source: "time.sleep(60)"}}}
	opts.Timeout = time.Second
	_, err = notebook.Run(context.Background(), slow, c, opts)
	var ce *notebook.CellError
	if !errors.As(err, &ce) || !ce.Timeout || ce.Stuck {
		t.Fatalf("Run: %v; want an interrupted timeout", err)
	}
	b, err := c.Execute(context.Background(), "21 * 2", discard{})
	if err != nil || b == nil || b.Data["text/plain"] != "42" {
		t.Errorf("after an interrupt: %v, %v", b, err)
	}
}

type discard struct{}

func (discard) Stream(string, string)                 {}
func (discard) Display(b display.Bundle, update bool) {}
func (discard) Clear(bool)                            {}
func (discard) Input(string, bool) (string, error)    { return "", nil }
