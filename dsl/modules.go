package dsl

import (
	"context"
	"fmt"
	"go/build"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"

	"github.com/traefik/yaegi/stdlib"

	"github.com/latent-ai/latent/display"
	"github.com/latent-ai/latent/dsl/symbols"
	"github.com/latent-ai/latent/modules"
	"github.com/latent-ai/latent/nbtools"
)

// goMagic serves %go get MODULE[@VERSION]...: the module's packages are
// built into the kernel and become importable, with the session's
// variables kept.
func (s *Session) goMagic(ctx context.Context, p nbtools.Part, sink display.Sink) (*display.Bundle, error) {
	sub, rest, _ := strings.Cut(strings.TrimSpace(p.Args), " ")
	if sub != "get" {
		return nil, toolError("UsageError", fmt.Errorf("%%go %s: only %%go get MODULE[@VERSION] is a magic; run other go commands as a shell line: !go %s", sub, p.Args))
	}
	return nil, s.getModules(ctx, strings.Fields(rest), sink)
}

// getModules loads modules into the process and the running interpreter.
func (s *Session) getModules(ctx context.Context, args []string, sink display.Sink) error {
	sink.Stream("stderr", fmt.Sprintf("go get %s: resolving and compiling (the first module on a machine takes a minute or two while Go compiles the standard library for plugins, once; later ones a few seconds)\n", strings.Join(args, " ")))
	res, err := modules.Default().Get(ctx, args, func(line string) { sink.Stream("stderr", line) })
	if err != nil {
		return toolFailure(ctx, "ModuleError", err)
	}
	if err := s.in.Use(res.Symbols); err != nil {
		return toolError("ModuleError", fmt.Errorf("the interpreter refused the symbols of %s: %v; restart the kernel", strings.Join(args, " "), err))
	}
	var b strings.Builder
	for _, p := range res.Packages {
		note := ""
		if p.Cgo {
			note = ", with C code (cgo)"
		}
		fmt.Fprintf(&b, "%s %s: import %q, then use %s.Name (%%help %s. lists them)%s\n", p.Module, p.Version, p.ImportPath, p.Name, p.Name, note)
	}
	for _, p := range res.Already {
		fmt.Fprintf(&b, "%s was already importable\n", p)
	}
	if res.Offline {
		b.WriteString("(offline: the modules came from the local module cache)\n")
	}
	fmt.Fprintf(&b, "took %s; your variables are kept\n", fmtDuration(res.Took))
	sink.Stream("stdout", b.String())
	return nil
}

// fetchImports gets the modules of imports that name a package the
// interpreter does not know (neither standard, preloaded nor loaded),
// saying so first. A path without a domain that is no standard package
// either is an error that says so; one that is (the interpreter may lack
// it) is left to the interpreter.
func (s *Session) fetchImports(ctx context.Context, ims []importSpec) error {
	var get []string
	for _, im := range ims {
		if s.knownPackage(im.Path) {
			continue
		}
		first, _, _ := strings.Cut(im.Path, "/")
		switch {
		case strings.Contains(first, "."):
			get = append(get, im.Path)
		case !isDir(filepath.Join(build.Default.GOROOT, "src", im.Path)):
			return toolError("ImportError", fmt.Errorf("import %q: no such package: it is not in Go %s's standard library, not preloaded, and not a module path (those start with a domain, as github.com/google/uuid); check the spelling",
				im.Path, strings.TrimPrefix(runtime.Version(), "go")))
		}
	}
	if len(get) == 0 {
		return nil
	}
	sink := display.CurrentSink() // the running cell's
	if sink == nil {
		sink = discardSink{}
	}
	sink.Stream("stderr", fmt.Sprintf("import %q: not built into Latent, so it is fetched and compiled into the kernel now, as %%go get %s would (run that first to pick a version)\n",
		get[0], strings.Join(get, " ")))
	return s.getModules(ctx, get, sink)
}

// knownPackage reports whether the interpreter has package p: compiled
// (a symbol table) or from source.
func (s *Session) knownPackage(p string) (known bool) {
	for _, table := range []map[string]map[string]reflect.Value{stdlib.Symbols, symbols.Symbols} {
		for k := range table {
			if path.Dir(k) == p {
				return true
			}
		}
	}
	// yaegi's Symbols panics on a source package with generic functions
	// (MakeFunc of a generic type): such a package is known.
	defer func() {
		if recover() != nil {
			known = true
		}
	}()
	return len(s.in.Symbols(p)) > 0
}

func isDir(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.IsDir()
}
