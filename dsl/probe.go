package dsl

import (
	"context"
	"fmt"
	"go/ast"
	"go/token"
	"reflect"
	"strconv"
	"strings"

	"github.com/traefik/yaegi/interp"
)

// yaegi v0.16.1 cannot type a variable declared at a cell's top level from
// an index expression on a value of a compiled type: `p := m.Params()[0]`,
// `c := h.Metrics["a"]` or `s := strings.Fields(t)[0]` fail with "constant
// definition loop", and a nested index (`h.Metrics["a"][i]`) panics in the
// compiler. The same goes for a top-level var with such a value or with a
// type (`var e any = m`: "variable definition loop"), and the compiler
// panics on a comma-ok type assertion or receive (`v, ok := e.(int)`).
// Inside a function the same statements work. So such a `:=` (a var
// becomes one) is a chunk of its own (chunkProbe): when yaegi cannot
// compile it as written, the session runs it in a func literal that hands back pointers
// to its variables, and declares each variable from the value found there
// (a compiled value is carried in through an exported package variable; a
// value of a notebook type is declared with its type name and then set).
// The right-hand side runs once either way.

// probeVar is the interpreted global (declared in preamble) through which
// a probe hands back its pointers.
const probeVar = "__latentV"

// probePath is the package whose variables carry probed values in, and
// probeAlias the name cells import it under.
const (
	probePath  = "latentprobe"
	probeAlias = "__latentProbe"
)

// needsProbe reports whether st is a `:=` with an index expression on its
// right-hand side (outside function literals; the type of a composite
// literal and the callee of a call do not count: those are generic
// instantiations or conversions).
func needsProbe(st ast.Stmt) bool {
	a, ok := st.(*ast.AssignStmt)
	if !ok || a.Tok != token.DEFINE {
		return false
	}
	if commaOK(a) {
		return true
	}
	found := false
	for _, r := range a.Rhs {
		ast.Inspect(r, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.CompositeLit:
				for _, e := range x.Elts {
					ast.Inspect(e, func(n ast.Node) bool { found = found || isIndex(n); return !found })
				}
				return false
			case *ast.CallExpr:
				if _, ix := x.Fun.(*ast.IndexExpr); ix {
					for _, e := range x.Args {
						ast.Inspect(e, func(n ast.Node) bool { found = found || isIndex(n); return !found })
					}
					return false
				}
			case *ast.IndexExpr:
				found = true
			}
			found = found || genericStdCall(n)
			return !found
		})
	}
	return found
}

// genericStdCall reports whether n calls a function of a standard package
// whose functions are generic and interpreted (dsl/generics): yaegi cannot
// define a top-level variable from such a call (ys := slices.Clone(xs)
// failed with a nil dereference), but it can inside a function.
func genericStdCall(n ast.Node) bool {
	c, ok := n.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	if !ok {
		return false
	}
	switch pkg.Name {
	case "slices", "maps", "cmp", "iter", "unique":
		return true
	case "sync":
		return strings.HasPrefix(sel.Sel.Name, "Once")
	case "errors":
		return sel.Sel.Name == "AsType"
	case "reflect":
		return sel.Sel.Name == "TypeFor"
	}
	return false
}

// commaOK reports whether a is `v, ok := x.(T)` or `v, ok := <-ch`, on
// which yaegi's compiler panics ("nil type", logged) at a cell's top level.
func commaOK(a *ast.AssignStmt) bool {
	if len(a.Lhs) != 2 || len(a.Rhs) != 1 {
		return false
	}
	switch r := ast.Unparen(a.Rhs[0]).(type) {
	case *ast.TypeAssertExpr:
		return true
	case *ast.UnaryExpr:
		return r.Op == token.ARROW
	}
	return false
}

func isIndex(n ast.Node) bool {
	_, ok := n.(*ast.IndexExpr)
	return ok
}

// selectorBases lists the identifiers a's right-hand side selects from
// (`strings` in `strings.Fields(t)[0]`, `m` in `m.Params()[0]`), outside
// function literals.
func selectorBases(a *ast.AssignStmt) []string {
	var bases []string
	for _, r := range a.Rhs {
		ast.Inspect(r, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.FuncLit:
				return false // its own parameters and variables
			case *ast.SelectorExpr:
				if id, ok := x.X.(*ast.Ident); ok {
					bases = append(bases, id.Name)
				}
			}
			return true
		})
	}
	return bases
}

// probeNames lists the variables a := declares, "_" for blanks.
func probeNames(a *ast.AssignStmt) []string {
	names := make([]string, len(a.Lhs))
	for i, l := range a.Lhs {
		names[i] = "_"
		if id, ok := l.(*ast.Ident); ok {
			names[i] = id.Name
		}
	}
	return names
}

// probeSource wraps the statement stmt (a := declaring names), which
// follows the //line directive dir, in a func literal that stores pointers
// to its variables in probeVar. The wrapper starts before the directive,
// so that positions in stmt stay the cell's. The block around it keeps
// yaegi from running it again in later cells.
func probeSource(dir, stmt string, names []string) string {
	var ptrs []string
	for _, n := range names {
		if n != "_" {
			ptrs = append(ptrs, "&"+n)
		}
	}
	return "{ " + probeVar + " = func() any {" + dir + stmt + "\n; return []any{" + strings.Join(ptrs, ", ") + "} }() }"
}

// compiles compiles src without running it. It returns whether the
// compiler panicked, and its error.
func (s *Session) compiles(src string) (panicked bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			panicked, err = true, fmt.Errorf("%v", r)
		}
	}()
	_, err = s.in.Compile(src)
	if err != nil {
		s.fixFrame()
	}
	return false, err
}

// needsTypes reports whether yaegi fails to compile src for want of the
// types the probe supplies: "constant definition loop", or a panic of its
// compiler. Any other error is the user's, and evaluating src as written
// reports it.
func (s *Session) needsTypes(src string) bool {
	panicked, err := s.compiles(src)
	return panicked || definitionLoop(err)
}

// evalProbe runs a chunkProbe: as written when yaegi can compile it,
// otherwise through the probe (see the comment at the top of this file).
func (s *Session) evalProbe(ctx context.Context, c chunk) error {
	for _, b := range c.bases {
		if !s.isPackage(b) && !s.userDefined(b) {
			// A package not imported, say: yaegi would crash on the
			// statement, and the probe would only fail later.
			return fmt.Errorf("undefined: %s", b)
		}
	}
	if !c.direct && !s.needsTypes(c.plain) {
		// Compile does not see every failure Eval does (a typed var from a
		// compiled value); those are reported before anything runs.
		_, err := s.eval(ctx, c.plain)
		if !definitionLoop(err) {
			return err
		}
	}
	if _, err := s.compiles(c.src); err != nil {
		// Not a matter of types after all: report the statement's own error.
		_, err := s.eval(ctx, c.plain)
		return err
	}
	if _, err := s.eval(ctx, c.src); err != nil {
		return err
	}
	got, ok := s.globals()[probeVar]
	if !ok {
		return fmt.Errorf("internal error: %s is missing; restart the kernel", probeVar)
	}
	ptrs, _ := got.Interface().([]any)
	defer got.Set(reflect.Zero(got.Type()))
	types := userTypes(s.in, s.decls)
	carry := map[string]reflect.Value{}
	typed := map[string]reflect.Value{}
	var lhs, rhs []string
	k := 0
	for _, n := range c.names {
		if n == "_" {
			continue
		}
		if k >= len(ptrs) {
			return fmt.Errorf("internal error: the probe of %s returned %d values; restart the kernel", n, len(ptrs))
		}
		p := reflect.ValueOf(ptrs[k])
		k++
		if p.Kind() != reflect.Pointer || p.IsNil() {
			return fmt.Errorf("internal error: the probe of %s returned %v; restart the kernel", n, p)
		}
		v := p.Elem()
		lhs = append(lhs, n)
		if te, ok := typeExpr(v.Type(), types); ok {
			rhs = append(rhs, "*new("+te+")")
			typed[n] = v
			continue
		}
		s.probes++
		name := "P" + strconv.Itoa(s.probes)
		cv := reflect.New(v.Type()).Elem()
		cv.Set(v)
		carry[name] = cv
		rhs = append(rhs, probeAlias+"."+name)
	}
	if len(lhs) == 0 {
		return nil
	}
	if len(carry) > 0 {
		if err := s.in.Use(interp.Exports{probePath + "/" + probePath: carry}); err != nil {
			return err
		}
		if s.probeIn != s.in {
			if _, err := s.eval(ctx, `import `+probeAlias+` "`+probePath+`"`); err != nil {
				return err
			}
			s.probeIn = s.in
		}
		// The interpreted variables hold copies: drop the exported ones,
		// so that they keep nothing alive.
		defer func() {
			zero := map[string]reflect.Value{}
			for n, v := range carry {
				zero[n] = reflect.New(v.Type()).Elem()
			}
			_ = s.in.Use(interp.Exports{probePath + "/" + probePath: zero})
		}()
	}
	if _, err := s.eval(ctx, strings.Join(lhs, ", ")+" := "+strings.Join(rhs, ", ")); err != nil {
		return err
	}
	g := s.globals()
	for n, v := range typed {
		dst, ok := g[n]
		if !ok || !dst.CanSet() || !v.Type().AssignableTo(dst.Type()) {
			return fmt.Errorf("internal error: %s could not be set from its probe; restart the kernel", n)
		}
		dst.Set(v)
	}
	return nil
}
