package dsl

import (
	"context"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/latent-ai/latent/dsl/generics"
	"github.com/latent-ai/latent/dsl/symbols/stdlib"
)

// stdUnresolvable are the exported standard-library symbols (package path,
// or path.Name) that a cell cannot use, with the reason. Keep it short:
// everything else must resolve.
var stdUnresolvable = map[string]string{
	"unsafe":       "unsafe.Pointer and friends are language builtins; yaegi offers its own partial unsafe, not loaded by the session",
	"runtime/cgo":  "cgo: interpreted code cannot call C",
	"runtime/race": "exists only in -race builds",
	"syscall/js":   "exists only on GOOS=js",
	// Generic functions and types not provided by package generics.
	"iter.Pull":                    "needs a coroutine; a goroutine version crashed yaegi v0.16.1 (a panic in an interpreted goroutine ends the process); collect the sequence with slices.Collect instead",
	"iter.Pull2":                   "as iter.Pull",
	"runtime.AddCleanup":           "generic over the cleaned object's type: the runtime must instantiate it for compiled types; use runtime.SetFinalizer",
	"weak.Make":                    "weak pointers need the runtime's compiled instantiation for the pointed type; interpreted code cannot make one",
	"weak.Pointer":                 "as weak.Make",
	"hash/maphash.Comparable":      "hashes the memory layout of a compiled type instance; interpreted values have none to hash. Hash a string form with maphash.String",
	"hash/maphash.WriteComparable": "as hash/maphash.Comparable",
	"math/rand/v2.N":               "not provided: yaegi makes a source package visible by its name, and rand would hide math/rand and crypto/rand; use rand.IntN or rand.Int64N",
	"database/sql.Null":            "not provided yet (generic type with Scan/Value methods); use sql.NullString, sql.NullInt64, ...",
	"crypto/hkdf.Extract":          "not provided yet (generic over the hash constructor); golang.org/x/crypto/hkdf is the non-generic form",
	"crypto/hkdf.Expand":           "as crypto/hkdf.Extract",
	"crypto/hkdf.Key":              "as crypto/hkdf.Extract",
	"crypto/pbkdf2.Key":            "not provided yet (generic over the hash constructor)",
}

// TestStdlibCoverage lists every exported symbol of every public standard
// package of the Go toolchain running the test (go list std; the files
// that build for this GOOS/GOARCH, parsed with go/parser) and fails on any
// that the session resolves neither from its compiled tables nor from the
// generic source, unless stdUnresolvable names it. Every package must also
// import in a live session.
func TestStdlibCoverage(t *testing.T) {
	if testing.Short() {
		t.Skip("parses the whole standard library")
	}
	out, err := exec.Command("go", "list", "std").Output()
	if err != nil {
		t.Skipf("go list std: %v (needs the Go toolchain)", err)
	}
	s := newSession(t)
	total, resolved := 0, 0
	var missing, imported []string
	for _, p := range strings.Fields(string(out)) {
		if !publicStd(p) {
			continue
		}
		names := exportedNames(t, p)
		if names == nil || stdUnresolvable[p] != "" {
			continue
		}
		if _, err := s.Execute(context.Background(), fmt.Sprintf("import std%d %q", len(imported), p), newRecSink()); err != nil {
			t.Errorf("import %q: %v", p, err)
		}
		imported = append(imported, p)
		have := map[string]bool{}
		for n := range stdlib.Symbols[p+"/"+pkgName(p)] {
			have[n] = true
		}
		for _, n := range generics.Declared(p) {
			have[n] = true
		}
		for _, n := range names {
			total++
			switch {
			case have[n]:
				resolved++
			case stdUnresolvable[p+"."+n] != "":
			default:
				missing = append(missing, p+"."+n)
			}
		}
	}
	allowed := total - resolved - len(missing)
	t.Logf("%d standard packages import", len(imported))
	t.Logf("standard library coverage: %d of %d exported symbols resolve (%.2f%%); %d allowed as unresolvable, %d missing",
		resolved, total, 100*float64(resolved)/float64(total), allowed, len(missing))
	if len(missing) > 0 {
		t.Errorf("%d exported standard symbols do not resolve in a session (regenerate with go generate ./dsl/symbols/stdlib, or add them to package generics):\n%s",
			len(missing), strings.Join(missing, "\n"))
	}
}

func publicStd(p string) bool {
	for _, part := range strings.Split(p, "/") {
		if part == "internal" || part == "vendor" {
			return false
		}
	}
	return !strings.HasPrefix(p, "cmd/")
}

// pkgName is the package name of standard import path p.
func pkgName(p string) string {
	base := path.Base(p)
	if strings.HasPrefix(base, "v") && strings.Trim(base[1:], "0123456789") == "" {
		return path.Base(path.Dir(p))
	}
	return base
}

// exportedNames lists the exported top-level names of standard package p
// as built for this platform, or nil when no file of p builds here.
func exportedNames(t *testing.T, p string) []string {
	bp, err := build.Default.Import(p, "", 0)
	if err != nil {
		if _, ok := err.(*build.NoGoError); ok {
			return nil
		}
		t.Fatalf("%s: %v", p, err)
	}
	seen := map[string]bool{}
	fset := token.NewFileSet()
	for _, f := range append(bp.GoFiles, bp.CgoFiles...) {
		file, err := parser.ParseFile(fset, filepath.Join(bp.Dir, f), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.IsExported() {
					seen[d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch spec := spec.(type) {
					case *ast.TypeSpec:
						if spec.Name.IsExported() {
							seen[spec.Name.Name] = true
						}
					case *ast.ValueSpec:
						for _, n := range spec.Names {
							if n.IsExported() {
								seen[n.Name] = true
							}
						}
					}
				}
			}
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
