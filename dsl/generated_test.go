package dsl

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/traefik/yaegi/extract"

	"github.com/latent-ai/latent/dsl/symbols"
)

// TestSymbolTablesFresh fails when a preloaded package changed and
// dsl/symbols was not regenerated (run `go generate ./dsl/...`).
func TestSymbolTablesFresh(t *testing.T) {
	if testing.Short() {
		t.Skip("regenerating symbol tables takes seconds")
	}
	r := strings.NewReplacer("/", "-", ".", "_", "~", "_")
	want := map[string]bool{}
	for _, p := range symbols.Packages {
		var buf bytes.Buffer
		ext := extract.Extractor{Dest: "symbols"}
		importPath, err := ext.Extract(p, "symbols", &buf)
		if err != nil {
			t.Fatalf("extracting %s: %v", p, err)
		}
		name := r.Replace(importPath) + ".go"
		want[name] = true
		got, err := os.ReadFile(filepath.Join("symbols", name))
		if err != nil {
			t.Fatalf("%s: %v; run go generate ./dsl/...", name, err)
		}
		if !bytes.Equal(got, buf.Bytes()) {
			t.Errorf("dsl/symbols/%s is stale: %s changed; run go generate ./dsl/...", name, p)
		}
	}
	files, _ := filepath.Glob("symbols/github_com-*.go")
	for _, f := range files {
		if !want[filepath.Base(f)] {
			t.Errorf("%s is not generated from any package in symbols.Packages; delete it", f)
		}
	}
}

// TestDocsFresh fails when the docs of a preloaded package changed and
// dsl/docs was not regenerated.
func TestDocsFresh(t *testing.T) {
	if testing.Short() {
		t.Skip("regenerating docs takes seconds")
	}
	out := filepath.Join(t.TempDir(), "docs_gen.go")
	cmd := exec.Command("go", "run", "gen.go", "-out", out)
	cmd.Dir = "docs"
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run gen.go: %v\n%s", err, msg)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	have, err := os.ReadFile(filepath.Join("docs", "docs_gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, have) {
		t.Error("dsl/docs/docs_gen.go is stale; run go generate ./dsl/...")
	}
}
