package reliability

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/latent-ai/latent/tests/internal/harness"
)

// longNotebook writes a notebook of n code cells, each sleeping 100 ms and
// printing, and returns its bytes.
func longNotebook(t *testing.T, path string, n int) []byte {
	t.Helper()
	type cell struct {
		CellType       string         `json:"cell_type"`
		ID             string         `json:"id"`
		Metadata       map[string]any `json:"metadata"`
		Source         string         `json:"source"`
		Outputs        []any          `json:"outputs"`
		ExecutionCount any            `json:"execution_count"`
	}
	cells := []cell{{"code", "c0", map[string]any{}, "import (\n\t\"fmt\"\n\t\"time\"\n)", []any{}, nil}}
	for i := 1; i < n; i++ {
		src := fmt.Sprintf("time.Sleep(100 * time.Millisecond)\nfmt.Println(\"cell %d\")", i)
		cells = append(cells, cell{"code", fmt.Sprintf("c%d", i), map[string]any{}, src, []any{}, nil})
	}
	nb := map[string]any{
		"cells": cells,
		"metadata": map[string]any{"kernelspec": map[string]any{
			"name": "latent", "display_name": "Go (Latent)", "language": "go"}},
		"nbformat": 4, "nbformat_minor": 5,
	}
	b, err := json.MarshalIndent(nb, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return b
}

// dirListing returns the names in dir, sorted.
func dirListing(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// TestRunKilledMidNotebook kills `latent run` (SIGKILL, and SIGTERM) in
// the middle of a 40-cell notebook, for each way of naming the output: no
// partial file may appear, an existing output or an --inplace input keeps
// its old bytes, and no temporary file is left beside it.
func TestRunKilledMidNotebook(t *testing.T) {
	requireTools(t)
	const cells = 40
	old := []byte(`{"old": "content that must survive"}`)
	for _, tc := range []struct {
		name     string
		sig      syscall.Signal
		args     func(dir string) []string
		output   string // relative to dir
		existing bool   // output exists before the run
		atWrite  bool   // signal when the last cell has run, as the file is written
	}{
		{"kill-o-new", syscall.SIGKILL, func(d string) []string { return []string{"-o", filepath.Join(d, "out.ipynb")} }, "out.ipynb", false, false},
		{"kill-o-existing", syscall.SIGKILL, func(d string) []string { return []string{"-o", filepath.Join(d, "out.ipynb")} }, "out.ipynb", true, false},
		{"kill-default-name", syscall.SIGKILL, func(d string) []string { return nil }, "long.nbconvert.ipynb", false, false},
		{"kill-output-dir", syscall.SIGKILL, func(d string) []string { return []string{"--output-dir", filepath.Join(d, "outdir")} }, "outdir/long.ipynb", false, false},
		{"kill-inplace", syscall.SIGKILL, func(d string) []string { return []string{"--inplace"} }, "long.ipynb", true, false},
		{"kill-at-write-new", syscall.SIGKILL, func(d string) []string { return []string{"-o", filepath.Join(d, "out.ipynb")} }, "out.ipynb", false, true},
		{"kill-at-write-existing", syscall.SIGKILL, func(d string) []string { return []string{"-o", filepath.Join(d, "out.ipynb")} }, "out.ipynb", true, true},
		{"term-o-new", syscall.SIGTERM, func(d string) []string { return []string{"-o", filepath.Join(d, "out.ipynb")} }, "out.ipynb", false, false},
		{"term-inplace", syscall.SIGTERM, func(d string) []string { return []string{"--inplace"} }, "long.ipynb", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			input := filepath.Join(dir, "long.ipynb")
			inputBytes := longNotebook(t, input, cells)
			outPath := filepath.Join(dir, tc.output)
			want := old
			if tc.existing && tc.output != "long.ipynb" {
				if err := os.WriteFile(outPath, old, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if tc.output == "long.ipynb" {
				want = inputBytes
			}
			before := dirListing(t, dir)
			args := append([]string{"run", input}, tc.args(dir)...)
			cmd := exec.Command(latentBin, args...)
			cmd.Dir = dir
			stderr := &harness.SyncBuffer{}
			cmd.Stderr = stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			// Wait until a third of the cells have started.
			mark := fmt.Sprintf("cell %d/%d", cells/3, cells)
			if tc.atWrite {
				mark = "code cells run"
			}
			deadline := time.Now().Add(2 * time.Minute)
			for !strings.Contains(stderr.String(), mark) {
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					<-done
					t.Fatalf("latent run never reached %q; stderr:\n%s", mark, stderr.String())
				}
				select {
				case err := <-done:
					if tc.atWrite && err == nil {
						t.Logf("the run finished before the kill could land")
						return
					}
					t.Fatalf("latent run ended before %q (%v); stderr:\n%s", mark, err, stderr.String())
				case <-time.After(10 * time.Millisecond):
				}
			}
			cmd.Process.Signal(tc.sig)
			var err error
			select {
			case err = <-done:
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				<-done
				t.Fatalf("latent run still running 30 s after %v", tc.sig)
			}
			t.Logf("%v after %q: exit %d", tc.sig, mark, exitCode(err))
			if tc.sig == syscall.SIGTERM && exitCode(err) != 130 && exitCode(err) != 143 {
				t.Errorf("exit code %d after SIGTERM, want 130 (interrupted) or 143", exitCode(err))
			}
			got, rerr := os.ReadFile(outPath)
			if tc.atWrite && rerr == nil && !bytes.Equal(got, want) {
				// The kill came after the atomic rename: the file must be
				// the whole executed notebook.
				var nb struct {
					Cells []struct {
						Outputs []any `json:"outputs"`
					} `json:"cells"`
				}
				if err := json.Unmarshal(got, &nb); err != nil || len(nb.Cells) != cells || len(nb.Cells[cells-1].Outputs) == 0 {
					t.Errorf("a run killed while writing left a partial %s (%d bytes, JSON error %v)", tc.output, len(got), err)
				}
				t.Logf("the kill came after the rename: %s is complete", tc.output)
				return
			}
			switch {
			case tc.existing && rerr != nil:
				t.Errorf("the existing %s is gone: %v", tc.output, rerr)
			case tc.existing && !bytes.Equal(got, want):
				t.Errorf("the existing %s was changed by a killed run (%d bytes, was %d)", tc.output, len(got), len(want))
			case !tc.existing && rerr == nil:
				t.Errorf("a killed run left %s (%d bytes)", tc.output, len(got))
			}
			if after := dirListing(t, dir); strings.Join(after, ",") != strings.Join(before, ",") {
				sub := ""
				if ents, err := os.ReadDir(filepath.Join(dir, "outdir")); err == nil {
					for _, e := range ents {
						sub += " outdir/" + e.Name()
					}
				}
				if strings.Join(after, ",") != strings.Join(append(append([]string(nil), before...), "outdir"), ",") || sub != "" {
					msg := fmt.Sprintf("files before the run %v, after %v%s: a killed run left something behind", before, after, sub)
					// Replacing a file needs a named temporary file for the
					// instant between link and rename; a kill landing there
					// leaves it (the output itself is intact, checked above).
					if tc.atWrite && onlyTempLeft(before, after, tc.output) && os.Getenv("LATENT_STRICT") != "1" {
						t.Logf("KNOWN ISSUE: %s", msg)
					} else {
						t.Error(msg)
					}
				}
			}
		})
	}
}

// onlyTempLeft reports whether after differs from before only by hidden
// temporary files of output (".NAME.tmp-*").
func onlyTempLeft(before, after []string, output string) bool {
	had := map[string]bool{}
	for _, n := range before {
		had[n] = true
	}
	prefix := "." + filepath.Base(output) + ".tmp-"
	for _, n := range after {
		if !had[n] && !strings.HasPrefix(n, prefix) {
			return false
		}
	}
	return true
}
