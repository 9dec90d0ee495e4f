package generics

import (
	"embed"
	"fmt"
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"path"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/traefik/yaegi/interp"

	"github.com/latent-ai/latent/dsl/symbols/stdlib"
)

//go:embed src/*.go.txt
var sources embed.FS

// A Package is one standard package that Load compiles from source.
type Package struct {
	Path string // import path, e.g. "sync/atomic"
	File string // source file under src/
	// Mixed is true when the package also has compiled symbols, which
	// the source re-exports.
	Mixed bool
}

// Packages lists what Load compiles, in order (later ones import earlier
// ones).
var Packages = []Package{
	{"cmp", "cmp.go.txt", false},
	{"iter", "iter.go.txt", false},
	{"slices", "slices.go.txt", false},
	{"maps", "maps.go.txt", false},
	{"errors", "errors.go.txt", true},
	{"sync", "sync.go.txt", true},
	{"sync/atomic", "atomic.go.txt", true},
	{"reflect", "reflect.go.txt", true},
	{"unique", "unique.go.txt", false},
}

// binPrefix is the import path prefix under which the compiled half of a
// mixed package is registered for its source half to re-export.
const binPrefix = "latentbin/"

// helperPath is the compiled helper package of the sources.
const helperPath = "latentgenerics"

// Load compiles the generic standard library into in, which must already
// use stdlib.Symbols. The packages become visible by their names, as
// yaegi makes every package compiled from source.
func Load(in *interp.Interpreter) error {
	exports := interp.Exports{helperPath + "/" + helperPath: {"Sort": reflect.ValueOf(fastSort)}}
	for _, p := range Packages {
		if p.Mixed {
			exports[binPrefix+p.Path+"/"+path.Base(p.Path)] = stdlib.Symbols[p.Path+"/"+path.Base(p.Path)]
		}
	}
	if err := in.Use(exports); err != nil {
		return err
	}
	for _, p := range Packages {
		src, err := sources.ReadFile("src/" + p.File)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(in.FileSet(), "go-generics/"+p.File[:len(p.File)-len(".txt")], src, parser.SkipObjectResolution)
		if err != nil {
			return fmt.Errorf("%s: %w", p.Path, err)
		}
		if p.Mixed {
			re := reexport(p.Path, declared(f))
			rf, err := parser.ParseFile(in.FileSet(), "go-generics/"+path.Base(p.Path)+"_compiled.go", re, parser.SkipObjectResolution)
			if err != nil {
				return fmt.Errorf("%s re-export: %w", p.Path, err)
			}
			if err := run(in, rf); err != nil {
				return fmt.Errorf("%s re-export: %w", p.Path, err)
			}
		}
		if err := run(in, f); err != nil {
			return fmt.Errorf("%s: %w", p.Path, err)
		}
	}
	return nil
}

// run compiles f into in and runs its variable initialisers.
func run(in *interp.Interpreter, f *ast.File) error {
	prog, err := in.CompileAST(f)
	if err != nil {
		return err
	}
	_, err = in.Execute(prog)
	return err
}

// declared lists the top-level names f declares.
func declared(f *ast.File) map[string]bool {
	names := map[string]bool{}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				names[d.Name.Name] = true
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					names[s.Name.Name] = true
				case *ast.ValueSpec:
					for _, n := range s.Names {
						names[n.Name] = true
					}
				}
			}
		}
	}
	return names
}

// reexport is Go source of package pkg that gives each compiled symbol of
// pkg not in skip under its own name: types as aliases, untyped constants
// as constants, functions and variables as variables initialised from the
// compiled ones (so assigning to such a variable changes the copy only).
func reexport(pkg string, skip map[string]bool) string {
	syms := stdlib.Symbols[pkg+"/"+path.Base(pkg)]
	names := make([]string, 0, len(syms))
	for n := range syms {
		if !skip[n] {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var b strings.Builder
	fmt.Fprintf(&b, "package %s\n\nimport bin %q\n\n", path.Base(pkg), binPrefix+pkg)
	for _, n := range names {
		v := syms[n]
		switch {
		case v.Kind() == reflect.Pointer && v.IsNil():
			fmt.Fprintf(&b, "type %s = bin.%s\n", n, n)
		case isConstant(v):
			fmt.Fprintf(&b, "const %s = bin.%s\n", n, n)
		default:
			fmt.Fprintf(&b, "var %s = bin.%s\n", n, n)
		}
	}
	return b.String()
}

func isConstant(v reflect.Value) bool {
	_, ok := v.Interface().(constant.Value)
	return ok
}

// fastSort sorts the slices of built-in ordered types compiled, in the
// order of cmp.Less; it reports false for other slices.
func fastSort(x any) bool {
	switch s := x.(type) {
	case []int:
		slices.Sort(s)
	case []int8:
		slices.Sort(s)
	case []int16:
		slices.Sort(s)
	case []int32:
		slices.Sort(s)
	case []int64:
		slices.Sort(s)
	case []uint:
		slices.Sort(s)
	case []uint8:
		slices.Sort(s)
	case []uint16:
		slices.Sort(s)
	case []uint32:
		slices.Sort(s)
	case []uint64:
		slices.Sort(s)
	case []uintptr:
		slices.Sort(s)
	case []float32:
		slices.Sort(s)
	case []float64:
		slices.Sort(s)
	case []string:
		slices.Sort(s)
	default:
		return false
	}
	return true
}

// Declared lists the exported names the source of the standard package
// path declares here (nil when Load does not compile path).
func Declared(path string) []string {
	for _, p := range Packages {
		if p.Path != path {
			continue
		}
		src, err := sources.ReadFile("src/" + p.File)
		if err != nil {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), p.File, src, parser.SkipObjectResolution)
		if err != nil {
			return nil
		}
		var names []string
		for n := range declared(f) {
			if ast.IsExported(n) {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		return names
	}
	return nil
}
