package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildDir  string
)

// latentBinary builds the latent command once per test run.
func latentBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "latent-run-test-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(buildDir, "latent")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = errors.New(string(out))
		}
	})
	if buildErr != nil {
		t.Fatalf("cannot build latent: %v", buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// notebookJSON writes a notebook with the given code cells (a cell source
// starting with "#tag1,tag2\n" carries those tags).
func notebookJSON(t *testing.T, path string, cells ...string) {
	t.Helper()
	var list []any
	for _, src := range cells {
		meta := map[string]any{}
		if rest, ok := strings.CutPrefix(src, "#"); ok {
			tags, body, _ := strings.Cut(rest, "\n")
			var tl []any
			for _, tag := range strings.Split(tags, ",") {
				tl = append(tl, tag)
			}
			meta["tags"], src = tl, body
		}
		list = append(list, map[string]any{"cell_type": "code", "source": src, "metadata": meta, "outputs": []any{}, "execution_count": nil})
	}
	data, err := json.Marshal(map[string]any{"cells": list, "metadata": map[string]any{}, "nbformat": 4, "nbformat_minor": 5})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

type runOutcome struct {
	code           int
	stdout, stderr string
}

func runLatent(t *testing.T, dir string, args ...string) runOutcome {
	t.Helper()
	return runLatentEnv(t, dir, nil, args...)
}

// runLatentEnv runs latent run in dir with env (nil: this process's).
func runLatentEnv(t *testing.T, dir string, env []string, args ...string) runOutcome {
	t.Helper()
	cmd := exec.Command(latentBinary(t), append([]string{"run"}, args...)...)
	cmd.Dir, cmd.Env = dir, env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return runOutcome{code, stdout.String(), stderr.String()}
}

func readNotebook(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("output notebook: %v", err)
	}
	var nb map[string]any
	if err := json.Unmarshal(data, &nb); err != nil {
		t.Fatalf("output notebook %s: %v", path, err)
	}
	return nb
}

func dirNames(t *testing.T, dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestRunCommand(t *testing.T) {
	dir := t.TempDir()
	nb := filepath.Join(dir, "nb.ipynb")
	notebookJSON(t, nb,
		"import (\n\t\"image\"\n\t\"os\"\n)",
		"#parameters\nvar epochs = 3",
		"epochs * 2",
		"wd, _ := os.Getwd()\nwd",
		"image.NewGray(image.Rect(0, 0, 3, 3))",
	)
	before, _ := os.ReadFile(nb)
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o755)

	cases := []struct {
		name    string
		args    []string
		code    int
		stderr  []string
		outputs []string // files that must exist afterwards, relative to dir
		check   func(t *testing.T, r runOutcome)
	}{
		{name: "default output beside the input", args: []string{"nb.ipynb", "-p", "epochs=21"},
			stderr: []string{"nb.ipynb: cell 3/6 (In [3]) started at", "nb.nbconvert.ipynb"}, outputs: []string{"nb.nbconvert.ipynb"},
			check: func(t *testing.T, r runOutcome) {
				out := readNotebook(t, filepath.Join(dir, "nb.nbconvert.ipynb"))
				cells := out["cells"].([]any)
				if src := strings.Join(toStrings(cells[2].(map[string]any)["source"]), ""); !strings.Contains(src, "var epochs int = 21") {
					t.Errorf("injected cell: %q", src)
				}
				if s := resultText(cells[3]); !strings.Contains(s, "42") {
					t.Errorf("epochs*2 = %q, want 42", s)
				}
				if s := resultText(cells[4]); !strings.Contains(s, dir) {
					t.Errorf("cells ran in %q, want the notebook's directory %s", s, dir)
				}
			}},
		{name: "-o, --cwd and --html, flags after the notebook", args: []string{"nb.ipynb", "-q", "-o", "sub/x.ipynb", "--cwd", "sub", "--html", "sub/x.html"},
			outputs: []string{"sub/x.ipynb", "sub/x.html"},
			check: func(t *testing.T, r runOutcome) {
				if r.stderr != "" {
					t.Errorf("-q printed %q", r.stderr)
				}
				cells := readNotebook(t, filepath.Join(sub, "x.ipynb"))["cells"].([]any)
				if s := resultText(cells[3]); !strings.Contains(s, sub) {
					t.Errorf("cells ran in %q, want --cwd %s", s, sub)
				}
				page, _ := os.ReadFile(filepath.Join(sub, "x.html"))
				if !bytes.Contains(page, []byte(`<img src="data:image/png;base64,`)) {
					t.Errorf("HTML report has no inline PNG")
				}
			}},
		{name: "-o - writes to stdout", args: []string{"-q", "-o", "-", "nb.ipynb"},
			check: func(t *testing.T, r runOutcome) {
				if !strings.HasPrefix(r.stdout, "{\n \"cells\": [") {
					t.Errorf("stdout is not a notebook: %.80q", r.stdout)
				}
			}},
		{name: "--output-dir", args: []string{"--output-dir", "sub/out", "nb.ipynb"},
			stderr: []string{"wrote sub/out/nb.ipynb"}, outputs: []string{"sub/out/nb.ipynb"}},
		{name: "-o is the input", args: []string{"-o", "nb.ipynb", "nb.ipynb"}, code: 2, stderr: []string{"is the input notebook; pass --inplace"}},
		{name: "-o with two notebooks", args: []string{"-o", "x.ipynb", "nb.ipynb", "nb.ipynb"}, code: 2, stderr: []string{"use --output-dir"}},
		{name: "conflicting outputs", args: []string{"--inplace", "-o", "x.ipynb", "nb.ipynb"}, code: 2, stderr: []string{"exclude each other"}},
		{name: "unknown parameter", args: []string{"-p", "epoch=3", "nb.ipynb"}, code: 2, stderr: []string{`nb.ipynb: parameter "epoch" is not declared in the parameters cell (cell 2), which declares epochs`}},
		{name: "bad parameter value", args: []string{"-p", "epochs=lots", "nb.ipynb"}, code: 2, stderr: []string{`parameter epochs="lots" does not fit its type int: want an integer`}},
		{name: "bad -p syntax", args: []string{"-p", "epochs", "nb.ipynb"}, code: 2, stderr: []string{"want NAME=VALUE"}},
		{name: "bad timeout", args: []string{"--timeout", "soon", "nb.ipynb"}, code: 2, stderr: []string{"number of seconds"}},
		{name: "no notebook", args: []string{"-q"}, code: 2, stderr: []string{"no notebook given"}},
		{name: "missing notebook", args: []string{"nope.ipynb"}, code: 1, stderr: []string{"nope.ipynb: no such file"}},
		{name: "help", args: []string{"--help"}, stderr: []string{"NAME.nbconvert.ipynb beside NAME.ipynb", "-allow-errors"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runLatent(t, dir, c.args...)
			if r.code != c.code {
				t.Fatalf("exit code %d, want %d\nstderr:\n%s", r.code, c.code, r.stderr)
			}
			for _, want := range c.stderr {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
				}
			}
			for _, f := range c.outputs {
				if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
					t.Errorf("output %s: %v", f, err)
				}
			}
			if c.check != nil {
				c.check(t, r)
			}
			if after, _ := os.ReadFile(nb); !bytes.Equal(before, after) {
				t.Fatal("the input notebook was modified")
			}
		})
	}
}

func toStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var s []string
		for _, item := range x {
			str, _ := item.(string)
			s = append(s, str)
		}
		return s
	}
	return nil
}

// resultText is the text/plain of a cell's last output.
func resultText(cell any) string {
	outs, _ := cell.(map[string]any)["outputs"].([]any)
	if len(outs) == 0 {
		return ""
	}
	data, _ := outs[len(outs)-1].(map[string]any)["data"].(map[string]any)
	return strings.Join(toStrings(data["text/plain"]), "")
}

func TestRunCommandFailures(t *testing.T) {
	dir := t.TempDir()
	notebookJSON(t, filepath.Join(dir, "fail.ipynb"), "x := 1\nx", "#raises-exception\nundefinedName", "s := []int{}\ns[2]", "x + 1")
	notebookJSON(t, filepath.Join(dir, "slow.ipynb"), "n := 0\nfor {\n\tn++\n}", "n")
	os.WriteFile(filepath.Join(dir, "broken.ipynb"), []byte("{\"cells\": [\n  {\"cell_type\": 1}"), 0o644)
	os.WriteFile(filepath.Join(dir, "py.ipynb"), []byte(`{"cells": [], "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}, "nbformat": 4, "nbformat_minor": 5}`), 0o644)

	r := runLatent(t, dir, "fail.ipynb")
	if r.code != 1 || !strings.Contains(r.stderr, "latent run: fail.ipynb: cell 3 (In [3]): ") || !strings.Contains(r.stderr, "cell 2 (In [2]): ") ||
		!strings.Contains(r.stderr, "undefinedName") || !strings.Contains(r.stderr, "(expected: the cell is tagged raises-exception)") {
		t.Errorf("failing cell: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	cells := readNotebook(t, filepath.Join(dir, "fail.nbconvert.ipynb"))["cells"].([]any)
	if src := strings.Join(toStrings(cells[0].(map[string]any)["source"]), ""); !strings.Contains(src, "latent run stopped at cell 3 (In [3])") {
		t.Errorf("no note at the top saying where the run stopped: %q", src)
	}
	cells = cells[1:]
	outs := cells[2].(map[string]any)["outputs"].([]any)
	if len(outs) == 0 || outs[len(outs)-1].(map[string]any)["output_type"] != "error" {
		t.Errorf("the output notebook does not hold the error: %v", outs)
	}
	if cells[3].(map[string]any)["execution_count"] != nil {
		t.Error("a cell after the failure ran")
	}

	r = runLatent(t, dir, "--allow-errors", "-o", "allowed.ipynb", "fail.ipynb")
	if r.code != 0 || !strings.Contains(r.stderr, "allowed by --allow-errors") {
		t.Errorf("--allow-errors: exit %d, stderr:\n%s", r.code, r.stderr)
	}

	r = runLatent(t, dir, "--timeout", "0.3", "slow.ipynb")
	if r.code != 1 || !strings.Contains(r.stderr, "cell 1 exceeded --timeout 300ms") {
		t.Errorf("--timeout: exit %d, stderr:\n%s", r.code, r.stderr)
	}

	r = runLatent(t, dir, "broken.ipynb")
	if r.code != 1 || !strings.Contains(r.stderr, "broken.ipynb: not a valid notebook: ") {
		t.Errorf("malformed notebook: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	r = runLatent(t, dir, "py.ipynb")
	if r.code != 1 || !strings.Contains(r.stderr, "this is a python notebook") {
		t.Errorf("python notebook: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	for _, name := range dirNames(t, dir) {
		if strings.Contains(name, ".tmp-") {
			t.Errorf("temporary file %s left behind", name)
		}
	}
}

// TestRunCommandKilled kills latent run in the middle of a notebook, with
// SIGKILL and with SIGINT, and requires that no output file and no
// temporary file is left.
func TestRunCommandKilled(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			notebookJSON(t, filepath.Join(dir, "long.ipynb"), "x := 1\nx", "n := 0\nfor {\n\tn++\n}", "n")
			cmd := exec.Command(latentBinary(t), "run", "--html", "long.html", "long.ipynb")
			cmd.Dir = dir
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			lines := bufio.NewScanner(stderr)
			started := false
			for lines.Scan() {
				if strings.Contains(lines.Text(), "cell 2/3") {
					started = true
					break
				}
			}
			if !started {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatal("latent run never reached cell 2")
			}
			time.Sleep(100 * time.Millisecond) // well inside the endless cell
			cmd.Process.Signal(sig)
			rest, _ := io.ReadAll(stderr)
			err = cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) {
				t.Fatalf("latent run ended with %v after %v", err, sig)
			}
			if sig != syscall.SIGKILL && ee.ExitCode() != 130 {
				t.Errorf("exit code %d after %v, want 130; stderr:\n%s", ee.ExitCode(), sig, rest)
			}
			if names := dirNames(t, dir); len(names) != 1 || names[0] != "long.ipynb" {
				t.Errorf("after %v the directory holds %v, want only the input", sig, names)
			}
		})
	}
}

func TestRunCommandSeveralNotebooks(t *testing.T) {
	dir := t.TempDir()
	notebookJSON(t, filepath.Join(dir, "a.ipynb"), "1 + 1")
	notebookJSON(t, filepath.Join(dir, "b.ipynb"), "2 + 2")
	os.WriteFile(filepath.Join(dir, "empty.ipynb"), []byte(`{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 4}`), 0o644)

	r := runLatent(t, dir, "-q", "--output-dir", "out", "--html", "reports", "a.ipynb", "b.ipynb", "empty.ipynb")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, f := range []string{"out/a.ipynb", "out/b.ipynb", "out/empty.ipynb", "reports/a.html", "reports/b.html", "reports/empty.html"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if s := resultText(readNotebook(t, filepath.Join(dir, "out", "b.ipynb"))["cells"].([]any)[0]); s != "4" {
		t.Errorf("b.ipynb result %q", s)
	}

	if r := runLatent(t, dir, "-q", "-o", "-", "--html", "pages/", "b.ipynb"); r.code != 0 {
		t.Fatalf("--html DIR/: exit %d\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "pages", "b.html")); err != nil {
		t.Errorf("--html pages/ with one notebook: %v", err)
	}

	before, _ := os.ReadFile(filepath.Join(dir, "a.ipynb"))
	if r := runLatent(t, dir, "-q", "--inplace", "a.ipynb"); r.code != 0 {
		t.Fatalf("--inplace: exit %d\n%s", r.code, r.stderr)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "a.ipynb"))
	if bytes.Equal(before, after) || resultText(readNotebook(t, filepath.Join(dir, "a.ipynb"))["cells"].([]any)[0]) != "2" {
		t.Errorf("--inplace did not replace the notebook with the executed one:\n%s", after)
	}
}
