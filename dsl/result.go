package dsl

import (
	"fmt"
	"path"
	"reflect"
	"slices"
	"strings"

	"github.com/latent-ai/latent/dsl/symbols/stdlib"
	"github.com/latent-ai/latent/modules"

	"github.com/latent-ai/latent/display"
	"github.com/latent-ai/latent/dsl/symbols"
)

// The cell's result: the value of its last expression. A call with one
// result shows it; a call with none shows nothing; a call with several, or
// a list of expressions (v, err), shows them all on one line, as
// fmt.Println would print them (Tuple).

// Tuple is the result of a last line with several values.
type Tuple []any

// String prints the values as fmt.Println does, without the newline.
func (t Tuple) String() string { return strings.TrimSuffix(fmt.Sprintln([]any(t)...), "\n") }

// newTuple is the compiled helper a last line with several values is
// passed to (tupleFunc).
func newTuple(vs ...any) Tuple { return Tuple(vs) }

// lastResults returns the source to evaluate for c: when c ends in a call,
// the variant for the number of its results.
func (s *Session) lastResults(c *chunk) string {
	if c.srcTuple == "" {
		return c.src
	}
	switch n := s.results(c.lastCall); {
	case n == 0 || n > 1 && writes(c.lastCall):
		c.showLast = false
		return c.srcNone
	case n > 1:
		return c.srcTuple
	}
	return c.src
}

// writes reports whether callee prints or writes (fmt.Println,
// w.WriteString): its results, a count and an error, are not shown.
func writes(callee string) bool {
	name := callee[strings.LastIndex(callee, ".")+1:]
	return strings.HasPrefix(name, "Print") || strings.HasPrefix(name, "Fprint") || strings.HasPrefix(name, "Write")
}

// results implements rewriteEnv: the number of results of a call of callee
// ("f", "pkg.F", "x.M", "pkg.V.M"), or -1 when the session cannot tell.
func (s *Session) results(callee string) int {
	if callee == "" {
		return -1
	}
	if i, ok := s.declIdx[callee]; ok {
		return s.decls[i].results
	}
	// A method of a notebook type called on a literal: T{...}.M.
	if recv, m, ok := cutLast(callee, "."); ok && strings.HasSuffix(recv, "}") {
		if t, _, ok := strings.Cut(recv, "{"); ok {
			if i, ok := s.declIdx[t+"."+m]; ok {
				return s.decls[i].results
			}
		}
		return -1
	}
	parts := strings.Split(callee, ".")
	if len(parts) == 1 { // a variable holding a func
		if g := s.globals()[callee]; g.IsValid() && g.Kind() == reflect.Func {
			return g.Type().NumOut()
		}
		return -1
	}
	var v reflect.Value
	p, pkg := s.aliases[parts[0]]
	if !pkg && len(parts) > 1 && !s.userDefined(parts[0]) {
		p, pkg = stdPackageFor(parts[0], parts[1]) // imported by this cell
	}
	if pkg && len(parts) > 1 {
		if _, user := s.declIdx[parts[0]]; user {
			return -1
		}
		var ok bool
		v, ok = lookupSymbol(p, parts[1])
		if !ok {
			return -1
		}
		if len(parts) > 2 && v.Kind() == reflect.Pointer && v.Type().Elem().Kind() != reflect.Func {
			v = v.Elem() // a package variable: symbol tables hold its address
		}
		parts = parts[2:]
	} else if len(parts) == 2 {
		g, ok := s.globals()[parts[0]]
		if !ok || !g.IsValid() {
			return -1
		}
		v, parts = g, parts[1:]
	} else {
		return -1
	}
	if len(parts) > 1 || !v.IsValid() {
		return -1
	}
	t := v.Type()
	if len(parts) == 1 {
		if m, ok := t.MethodByName(parts[0]); ok {
			return m.Type.NumOut()
		}
		if t.Kind() != reflect.Pointer {
			if m, ok := reflect.PointerTo(t).MethodByName(parts[0]); ok {
				return m.Type.NumOut()
			}
		}
		// A notebook type's methods are the session's declarations.
		if name, ok := typeExpr(t, userTypes(s.in, s.decls)); ok {
			if i, ok := s.declIdx[strings.TrimPrefix(name, "*")+"."+parts[0]]; ok {
				return s.decls[i].results
			}
		}
		return -1
	}
	if t.Kind() == reflect.Func {
		return t.NumOut()
	}
	return -1
}

// cutLast slices s around the last sep.
func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}

// internalValue reports values that are the interpreter's own (what yaegi
// returns for a call without results), not something to show.
func internalValue(v reflect.Value, call bool) bool {
	t := v.Type()
	if call && t == reflect.TypeOf((*any)(nil)) {
		return true // a method call without results
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return interpType(t)
}

// renderUser shows a value of a notebook type that implements
// display.Renderer (a Render() display.Bundle method) or image.Image. yaegi
// hands such values to compiled code without their methods, so the session
// converts them inside the interpreter, where the methods are known.
func (s *Session) renderUser(v reflect.Value) (b display.Bundle, ok bool) {
	var renders, images []string
	for k := range s.declIdx {
		recv, m, found := strings.Cut(k, ".")
		switch {
		case !found:
		case m == "Render":
			renders = append(renders, recv)
		case m == "At":
			images = append(images, recv)
		}
	}
	if len(renders)+len(images) == 0 {
		return b, false
	}
	name, ok := typeExpr(v.Type(), userTypes(s.in, s.decls))
	if !ok {
		return b, false
	}
	base := strings.TrimPrefix(name, "*")
	var conv string
	switch {
	case slices.Contains(renders, base):
		conv = "(func() display.Bundle { var r display.Renderer = __latentV.(" + name + "); return r.Render() })()"
	case slices.Contains(images, base) && s.declIdx[base+".Bounds"] >= 0 && s.declIdx[base+".ColorModel"] >= 0:
		conv = "display.Image(__latentV.(" + name + "))"
	default:
		return b, false
	}
	defer func() {
		if r := recover(); r != nil {
			ok = false
		}
	}()
	g := s.globals()["__latentV"]
	if !g.IsValid() || !g.CanSet() {
		return b, false
	}
	g.Set(v)
	defer g.Set(reflect.Zero(g.Type()))
	r, err := s.in.Eval(conv)
	if err != nil || !r.IsValid() || !r.CanInterface() {
		return b, false
	}
	b, ok = r.Interface().(display.Bundle)
	return b, ok
}

// lookupSymbol finds a compiled package member.
func lookupSymbol(pkgPath, name string) (reflect.Value, bool) {
	v, ok := packageTable(pkgPath)[name]
	return v, ok
}

// packageTable is the compiled symbol table of pkgPath: a preloaded
// package, the standard library, or a module got with %go get (nil when
// none has it).
func packageTable(pkgPath string) map[string]reflect.Value {
	key := pkgPath + "/" + path.Base(pkgPath)
	if m, ok := symbols.Symbols[key]; ok {
		return m
	}
	if m, ok := stdlib.Symbols[key]; ok {
		return m
	}
	return modules.Default().Symbols()[key]
}
