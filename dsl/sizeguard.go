package dsl

import (
	"errors"
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"reflect"
	"sync/atomic"

	"github.com/latent-ai/latent/runtime/host"
)

// Go's out of memory is fatal: one allocation larger than the machine has
// ends the process and the session with it. The passes here put the
// allocations whose size a cell chooses through host.CheckAlloc first:
//
//   - an array type of constant length, anywhere in a cell ([1<<40]byte in
//     new, a var declaration, a composite literal, a struct field, a
//     parameter), is refused before anything of the cell runs when its
//     size is more than the memory available (guardArrays);
//   - make of a slice or channel passes its length and capacity, with the
//     element's real size, through a compiled check (guardMake);
//   - x.Grow(n) (strings.Builder, bytes.Buffer, reflect.Value) passes n
//     through the same check (guardGrow).
//
// An array type under a pointer (*[1<<40]byte, as in unsafe conversions)
// allocates nothing and is left alone.

// Names of the compiled helpers of sizeguard.go (see sizeSymbols).
const (
	sizeFunc = "__latent.Size"
	growFunc = "__latent.GrowShift"
)

// sizeSymbols are the compiled helpers the rewrites of this file call;
// guardedSymbols adds them to the session's latentsession package.
func sizeSymbols() map[string]reflect.Value {
	return map[string]reflect.Value{
		// Size returns the size of *p's type: a cell passes (*T)(nil).
		"Size": reflect.ValueOf(func(p any) int64 {
			t := reflect.TypeOf(p)
			if t == nil || t.Kind() != reflect.Pointer {
				return 1
			}
			return int64(t.Elem().Size())
		}),
		// GrowShift checks the n of x.Grow(n) and returns 0, the shift
		// that leaves n, of whatever integer type, as it is.
		"GrowShift": reflect.ValueOf(func(n int64) uint {
			if err := host.CheckAlloc(fmt.Sprintf("Grow(%d)", n), n); err != nil {
				panic(err)
			}
			return 0
		}),
	}
}

// guardMake passes the sizes of a make of a slice or channel through the
// compiled check lenFunc, which refuses an allocation larger than the
// memory available. Basic element types have their size in the text; for
// others (structs, arrays, named types, interpreted or compiled) the
// compiled Size helper measures the type when the make runs.
func guardMake(c *ast.CallExpr, t *tree) {
	if len(c.Args) < 2 {
		return
	}
	var elem ast.Expr
	switch x := c.Args[0].(type) {
	case *ast.ArrayType:
		if x.Len != nil {
			return
		}
		elem = x.Elt
	case *ast.ChanType:
		elem = x.Value
	default:
		return // a map, or a named type
	}
	size := func() ast.Expr {
		if id, ok := elem.(*ast.Ident); ok {
			if n, ok := basicSizes[id.Name]; ok {
				return t.intLit(n)
			}
		}
		// Size((*T)(nil))
		return t.callOf(sizeFunc, t.call(t.paren(fresh(t.marks, &ast.StarExpr{X: elem})), t.id("nil")))
	}
	for i, a := range c.Args[1:] {
		c.Args[i+1] = stand(t.marks, a, t.callOf(lenFunc, t.callOf("int64", a), size()))
	}
}

// basicSizes are the sizes in bytes of the basic types.
var basicSizes = map[string]int64{
	"bool": 1, "byte": 1, "uint8": 1, "int8": 1, "int16": 2, "uint16": 2,
	"int32": 4, "uint32": 4, "rune": 4, "float32": 4,
	"int": 8, "uint": 8, "int64": 8, "uint64": 8, "uintptr": 8, "float64": 8, "complex64": 8,
	"complex128": 16, "string": 16, "any": 16, "error": 16,
}

// guardGrow passes the argument of a one-argument x.Grow(n) through the
// compiled GrowShift check, which refuses n bytes more than the memory
// available (strings.Builder and bytes.Buffer allocate n at once): n
// becomes (n) << GrowShift(int64(n)), which keeps n's type, whatever
// integer type a Grow method takes. n is evaluated twice, so an argument
// that calls a function or receives is left alone; so is a constant below
// the size CheckAlloc looks at (yaegi gives an untyped constant shifted by
// a variable the type int, whatever the parameter's type).
func guardGrow(c *ast.CallExpr, t *tree) {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Grow" || len(c.Args) != 1 || c.Ellipsis != token.NoPos {
		return
	}
	a := c.Args[0]
	pure := true
	ast.Inspect(a, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.CallExpr, *ast.FuncLit:
			pure = false
		case *ast.UnaryExpr:
			pure = pure && x.Op != token.ARROW
		}
		return pure
	})
	g := arraySizer{memo: &sizeMemo{}, pkg: types.NewPackage("cell", "main")}
	if v, ok := g.eval(a); ok {
		if n, ok := constant.Int64Val(v); ok && n < 1<<28 {
			return
		}
	}
	if pure {
		c.Args[0] = stand(t.marks, a, t.binary(t.paren(a), token.SHL, t.callOf(growFunc, t.callOf("int64", a))))
	}
}

// arraySizeError is the refusal of a cell that declares an array larger
// than the memory available; execute reports it as "out of memory".
type arraySizeError struct {
	pos token.Position
	typ string
	err *host.AllocError
}

func (e arraySizeError) Error() string {
	return fmt.Sprintf("line %d:%d: %v. Nothing of the cell ran; for a large block use a slice, make([]%s, n), whose size is checked when it runs",
		e.pos.Line, e.pos.Column, e.err, e.typ)
}

func (e arraySizeError) Unwrap() error { return e.err }

// refusedAlloc returns the cell's "out of memory" error when err is the
// refusal of guardArrays, and nil otherwise.
func (s *Session) refusedAlloc(code string, err error) error {
	var ae arraySizeError
	if !errors.As(err, &ae) {
		return nil
	}
	return s.newError(code, "out of memory", ae.Error(), &cellPos{s.cell, ae.pos.Line, ae.pos.Column})
}

// constValue returns the value of the session's global constant name, for
// the array lengths of later cells.
func (s *Session) constValue(name string) (constant.Value, bool) {
	v, ok := s.globals()[name]
	if !ok || !v.IsValid() || !v.CanInterface() {
		return nil, false
	}
	c, ok := v.Interface().(constant.Value)
	return c, ok
}

// sizeMemo is what guardArrays learnt from earlier chunks and cells: a
// cell's chunks are rewritten before any of them runs, so a constant
// declared in the cell is not yet among the session's globals.
type sizeMemo struct {
	consts map[string]constant.Value
	types  map[string]ast.Expr
	// panics counts the goroutine panics since the last compaction
	// request (see noteResult).
	panics atomic.Int32
}

// sizes returns the session's sizeMemo.
func (s *Session) sizes() *sizeMemo {
	if s.sizeMemo.consts == nil {
		s.sizeMemo.consts, s.sizeMemo.types = map[string]constant.Value{}, map[string]ast.Expr{}
	}
	return &s.sizeMemo
}

// guardArrays refuses the cell when an array type of constant length in f
// is larger than the memory available (see the top of this file). Sizes
// are lower bounds (fields of types it cannot see count nothing), so it
// never refuses an array that fits.
func guardArrays(f *ast.File, t *tree, env rewriteEnv) error {
	memo := new(sizeMemo)
	if m, ok := env.(interface{ sizes() *sizeMemo }); ok {
		memo = m.sizes()
	} else {
		memo.consts, memo.types = map[string]constant.Value{}, map[string]ast.Expr{}
	}
	g := arraySizer{env: env, memo: memo, pkg: types.NewPackage("cell", "main"), local: map[string]ast.Expr{}}
	g.collect(f)
	var err error
	var stack []ast.Node
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return false
		}
		parent := ast.Node(nil)
		if len(stack) > 0 {
			parent = stack[len(stack)-1]
		}
		at, ok := n.(*ast.ArrayType)
		if _, ptr := parent.(*ast.StarExpr); err != nil || (ok && ptr) {
			return false
		}
		stack = append(stack, n)
		if !ok || at.Len == nil {
			return true
		}
		size := g.size(at, 0)
		if size == 0 {
			return true // a length it cannot evaluate: look inside
		}
		if e := host.CheckAlloc("the array "+t.source(at), size); e != nil {
			err = arraySizeError{pos: t.fset.Position(at.Pos()), typ: t.source(at.Elt), err: e.(*host.AllocError)}
		}
		stack = stack[:len(stack)-1]
		return false
	})
	return err
}

// arraySizer computes lower bounds of the sizes of type expressions.
type arraySizer struct {
	env   rewriteEnv
	memo  *sizeMemo
	pkg   *types.Package      // the chunk's constants, for types.Eval
	local map[string]ast.Expr // the chunk's type declarations
}

// collect records the chunk's constants (those it can evaluate) and type
// declarations; those at the top level also go to the memo, for the
// chunks and cells that follow.
func (g *arraySizer) collect(f *ast.File) {
	top := map[ast.Node]bool{}
	for _, d := range f.Decls {
		top[d] = true
	}
	var consts []*ast.ValueSpec
	global := map[*ast.ValueSpec]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.GenDecl:
			for _, sp := range x.Specs {
				switch sp := sp.(type) {
				case *ast.ValueSpec:
					if x.Tok == token.CONST {
						consts = append(consts, sp)
						global[sp] = top[x]
					}
				case *ast.TypeSpec:
					g.local[sp.Name.Name] = sp.Type
					if top[x] {
						g.memo.types[sp.Name.Name] = sp.Type
					}
				}
			}
		}
		return true
	})
	for _, sp := range consts {
		for _, name := range sp.Names {
			if global[sp] {
				delete(g.memo.consts, name.Name) // redeclared
			}
		}
	}
	for range 2 { // a second round for constants used before their declaration
		for _, sp := range consts {
			for i, name := range sp.Names {
				if i >= len(sp.Values) || g.pkg.Scope().Lookup(name.Name) != nil {
					continue
				}
				if v, ok := g.eval(sp.Values[i]); ok {
					g.pkg.Scope().Insert(types.NewConst(token.NoPos, g.pkg, name.Name, types.Typ[types.UntypedInt], v))
					if global[sp] {
						g.memo.consts[name.Name] = v
					}
				}
			}
		}
	}
}

// eval evaluates a constant integer expression; the names in it are the
// constants of the chunk, of earlier chunks of the cell, or of the session.
func (g *arraySizer) eval(x ast.Expr) (constant.Value, bool) {
	ce, _ := g.env.(interface {
		constValue(string) (constant.Value, bool)
	})
	scope := g.pkg.Scope()
	ast.Inspect(x, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok || scope.Lookup(id.Name) != nil {
			return true
		}
		v, ok := g.memo.consts[id.Name]
		if !ok && ce != nil {
			v, ok = ce.constValue(id.Name)
		}
		if ok && v.Kind() == constant.Int {
			scope.Insert(types.NewConst(token.NoPos, g.pkg, id.Name, types.Typ[types.UntypedInt], v))
		}
		return true
	})
	tv, err := types.Eval(token.NewFileSet(), g.pkg, token.NoPos, types.ExprString(x))
	if err != nil || tv.Value == nil {
		return nil, false
	}
	v := constant.ToInt(tv.Value)
	return v, v.Kind() == constant.Int
}

// size returns a lower bound of the size in bytes of the type t, at most
// 1<<62.
func (g *arraySizer) size(t ast.Expr, depth int) int64 {
	if depth > 32 {
		return 0
	}
	switch x := t.(type) {
	case *ast.ParenExpr:
		return g.size(x.X, depth+1)
	case *ast.Ident:
		if n, ok := basicSizes[x.Name]; ok {
			return n
		}
		if def, ok := g.local[x.Name]; ok {
			return g.size(def, depth+1)
		}
		if def, ok := g.memo.types[x.Name]; ok {
			return g.size(def, depth+1)
		}
	case *ast.StarExpr, *ast.MapType, *ast.ChanType, *ast.FuncType:
		return 8
	case *ast.InterfaceType:
		return 16
	case *ast.ArrayType:
		if x.Len == nil {
			return 24
		}
		if _, ok := x.Len.(*ast.Ellipsis); ok {
			return 0
		}
		v, ok := g.eval(x.Len)
		if !ok {
			return 0
		}
		n, ok := constant.Int64Val(v)
		if !ok || n <= 0 {
			return 0
		}
		return int64(min(float64(n)*float64(g.size(x.Elt, depth+1)), 1<<62))
	case *ast.StructType:
		var sum float64
		for _, fl := range x.Fields.List {
			sum += float64(max(len(fl.Names), 1)) * float64(g.size(fl.Type, depth+1))
		}
		return int64(min(sum, 1<<62))
	}
	return 0
}
