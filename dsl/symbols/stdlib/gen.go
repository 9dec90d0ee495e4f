//go:build ignore

// gen writes the yaegi symbol tables of the Go standard library of the
// running toolchain into this directory: one file per package, named after
// its import path, and one file per platform for syscall. Run it with
// `go generate ./dsl/symbols/stdlib` after changing the Go release in
// go.mod.
package main

import (
	"bytes"
	"fmt"
	"go/build"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/traefik/yaegi/extract"
)

// skipped are the standard packages without a table, each with the reason;
// the coverage test (std_test.go) allows their symbols for the same reason.
var skipped = map[string]string{
	"unsafe":       "its symbols are builtins of the interpreter (see yaegi's stdlib/unsafe)",
	"runtime/cgo":  "cgo support: interpreted cells cannot call C",
	"syscall/js":   "exists only on GOOS=js",
	"runtime/race": "exists only in -race builds",
}

// platforms get their own syscall table: its symbols differ by OS and CPU.
var platforms = [][2]string{{"linux", "amd64"}, {"linux", "arm64"}, {"darwin", "amd64"}, {"darwin", "arm64"}}

func main() {
	out, err := exec.Command("go", "list", "std").Output()
	if err != nil {
		log.Fatalf("go list std: %v", err)
	}
	old, _ := filepath.Glob("go1_*.go")
	for _, f := range old {
		os.Remove(f)
	}
	prefix := "go" + strings.Join(strings.SplitN(strings.TrimPrefix(goVersion(), "go"), ".", 3)[:2], "_")
	for _, p := range strings.Fields(string(out)) {
		if !Public(p) || skipped[p] != "" {
			continue
		}
		if p == "syscall" {
			for _, pl := range platforms {
				build.Default.GOOS, build.Default.GOARCH = pl[0], pl[1]
				write(p, prefix+"_syscall_"+pl[0]+"_"+pl[1]+".go", pl[0]+","+pl[1])
			}
			build.Default.GOOS, build.Default.GOARCH = "linux", "amd64"
			continue
		}
		write(p, prefix+"_"+strings.ReplaceAll(p, "/", "_")+".go", "")
	}
}

// Public reports whether the standard package p is importable by users.
func Public(p string) bool {
	for _, part := range strings.Split(p, "/") {
		if part == "internal" || part == "vendor" {
			return false
		}
	}
	return !strings.HasPrefix(p, "cmd/")
}

func goVersion() string {
	out, err := exec.Command("go", "env", "GOVERSION").Output()
	if err != nil {
		log.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

func write(pkg, file, tag string) {
	ext := extract.Extractor{Dest: "stdlib"}
	if tag != "" {
		ext.Tag = []string{tag}
	}
	var b bytes.Buffer
	if _, err := ext.Extract(pkg, "", &b); err != nil {
		log.Fatalf("%s: %v", pkg, err)
	}
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Fprintln(os.Stderr, "wrote", file)
}
