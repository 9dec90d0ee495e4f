package dsl

import (
	"context"
	"path"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/latent-ai/latent/dsl/generics"
	"github.com/latent-ai/latent/dsl/symbols/stdlib"
)

// A cell may use a standard library package without importing it, as
// goimports would add the import: `strings.ToUpper(s)` in a session that
// defines no `strings` imports "strings" first. A name is imported only
// when nothing else defines it and exactly one package of that name (the
// shortest path, of several) has the member the cell selects.

var (
	stdPkgsOnce sync.Once
	stdPkgs     map[string][]string // package name -> import paths, shortest first
)

// stdPackages maps each standard library package name to its import paths.
func stdPackages() map[string][]string {
	stdPkgsOnce.Do(func() {
		stdPkgs = map[string][]string{}
		for k := range stdlib.Symbols {
			name := path.Base(k)
			if path.Dir(k) == "." { // yaegi's own entries, such as "." for MapTypes
				continue
			}
			stdPkgs[name] = append(stdPkgs[name], path.Dir(k))
		}
		for _, ps := range stdPkgs {
			sort.Slice(ps, func(i, j int) bool { return len(ps[i]) < len(ps[j]) || len(ps[i]) == len(ps[j]) && ps[i] < ps[j] })
		}
	})
	return stdPkgs
}

// stdPackageFor returns the import path of the standard package called
// name that has member sel, and false when none or several equally short
// ones do.
func stdPackageFor(name, sel string) (string, bool) {
	var found []string
	for _, p := range stdPackages()[name] {
		if _, ok := stdlib.Symbols[p+"/"+name][sel]; ok {
			found = append(found, p)
		}
	}
	if len(found) == 0 {
		// The generic functions of slices, maps, cmp, ... are interpreted
		// source (dsl/generics), not in the compiled tables.
		if p, ok := genericMembers()[name+"."+sel]; ok {
			return p, true
		}
	}
	if len(found) == 0 || len(found) > 1 && len(found[0]) == len(found[1]) {
		return "", false
	}
	return found[0], true
}

var (
	genericOnce sync.Once
	genericIdx  map[string]string // "slices.Clone" -> "slices"
)

// genericMembers indexes the exported names of the standard packages that
// dsl/generics provides as source, by package name and member.
func genericMembers() map[string]string {
	genericOnce.Do(func() {
		genericIdx = map[string]string{}
		for _, p := range generics.Packages {
			for _, n := range generics.Declared(p.Path) {
				genericIdx[path.Base(p.Path)+"."+n] = p.Path
			}
		}
	})
	return genericIdx
}

// autoImports returns the imports the cell needs and does not write.
func (s *Session) autoImports(pc *parsedCell) []importSpec {
	if !strings.Contains(pc.code, ".") {
		return nil
	}
	uses, declared := pc.names()
	var out []importSpec
	var globals map[string]reflect.Value // listed only when a use may need an import
	seen := map[string]bool{}
	for _, u := range uses {
		if u.sel == "" || declared[u.name] || seen[u.name] || s.sessionDefines(u.name) {
			continue
		}
		p, ok := stdPackageFor(u.name, u.sel)
		if !ok {
			continue
		}
		if globals == nil {
			globals = s.globals()
		}
		if _, ok := globals[u.name]; ok {
			continue
		}
		seen[u.name] = true
		out = append(out, importSpec{Path: p})
	}
	return out
}

// evalAutoImports imports what autoImports finds, before the cell runs.
func (s *Session) evalAutoImports(ctx context.Context, pc *parsedCell) error {
	ims := s.autoImports(pc)
	if len(ims) == 0 {
		return nil
	}
	return s.evalImports(ctx, pc.code, chunk{kind: chunkImport, src: directive(s.lines.add(s.cell, 1, 1), 1), imports: ims})
}

// importHint suggests the import for name when it is a standard package.
func importHint(name string) string {
	ps := stdPackages()[name]
	if len(ps) == 0 {
		return ""
	}
	q := make([]string, len(ps))
	for i, p := range ps {
		q[i] = `import "` + p + `"`
	}
	return "; to use the standard package, write " + strings.Join(q, " or ")
}
