package dsl

import (
	"go/ast"
	"go/token"
	"io"
)

// Gaps of yaegi v0.16.1 that rewrite fills besides those of rewriteCall
// (min, max, clear, slices and maps helpers) and rewriteRange:
//
//   - new(EXPR) (Go 1.26: a pointer to the value) yields a pointer to the
//     zero value in yaegi; it becomes a call of a func literal that
//     returns the address of its argument.
//   - v, ok := x.(T) on a nil interface crashes yaegi ("call of
//     reflect.Value.Type on zero Value"); the assertion checks for nil
//     first.
//   - os.Stdout and os.Stderr of interpreted code are the session's
//     writers, without the methods of *os.File: WriteString goes through
//     io.WriteString.

// rewriteNew makes new(EXPR) of a value (not a type) a pointer to that
// value: new(42) becomes func() *int { v := int(42); return &v }() and
// new(T{...}) func() *T { v := T{...}; return &v }(). Other values
// (new(f()), new(a+b)) have a type only the compiler knows; they are
// refused with what to write instead, rather than giving a pointer to a
// zero value; so is new(x) of a variable or constant x, which yaegi takes
// for x's type.
func rewriteNew(c *ast.CallExpr, t *tree, env rewriteEnv) error {
	if len(c.Args) != 1 {
		return nil
	}
	a := c.Args[0]
	for p, ok := a.(*ast.ParenExpr); ok; p, ok = a.(*ast.ParenExpr) {
		a = p.X
	}
	if u, ok := a.(*ast.UnaryExpr); ok && (u.Op == token.SUB || u.Op == token.ADD) {
		if _, lit := u.X.(*ast.BasicLit); lit {
			a = u.X
		}
	}
	switch x := a.(type) {
	case *ast.BasicLit:
		typ := defaultType[x.Kind]
		v := t.assign(t.ids("v"), token.DEFINE, t.callOf(typ, c.Args[0]))
		lit := t.funcLit(nil, []*ast.Field{t.field("", fresh(t.marks, &ast.StarExpr{X: t.id(typ)}))}, v, t.ret(t.unary(token.AND, t.id("v"))))
		become(t.marks, c, t.call(lit))
	case *ast.CompositeLit:
		v := t.assign(t.ids("v"), token.DEFINE, c.Args[0])
		lit := t.funcLit(nil, []*ast.Field{t.field("", fresh(t.marks, &ast.StarExpr{X: x.Type}))}, v, t.ret(t.unary(token.AND, t.id("v"))))
		become(t.marks, c, t.call(lit))
	case *ast.Ident:
		if namesValue(x, env) {
			return unsupportedError{pos: t.fset.Position(c.Pos()), what: "new of a variable (Go 1.26)",
				instead: "write v := " + x.Name + "; p := &v"}
		}
	case *ast.BinaryExpr, *ast.CallExpr, *ast.UnaryExpr:
		if u, ok := x.(*ast.UnaryExpr); ok && u.Op == token.ARROW {
			return nil // <-ch, or a channel type
		}
		return unsupportedError{pos: t.fset.Position(c.Pos()), what: "new of a computed value (Go 1.26)",
			instead: "write v := VALUE; p := &v"}
	}
	return nil
}

// namesValue reports whether id names a variable or constant rather than
// a type: as the parser resolved it within the cell, or else as a global
// of the session.
func namesValue(id *ast.Ident, env rewriteEnv) bool {
	if id.Obj != nil {
		return id.Obj.Kind == ast.Var || id.Obj.Kind == ast.Con
	}
	return env.isValue(id.Name)
}

// defaultType is the type of an untyped constant of each literal kind.
var defaultType = map[token.Token]string{token.INT: "int", token.FLOAT: "float64", token.IMAG: "complex128", token.CHAR: "rune", token.STRING: "string"}

// rewriteAssert makes the comma-ok type assertions of an assignment or
// var declaration check for a nil interface first: x.(T) becomes
// func(v any) (T, bool) { if v == nil { var z T; return z, false }; t, ok := v.(T); return t, ok }(x).
func rewriteAssert(rhs []ast.Expr, lhs int, t *tree) {
	if len(rhs) != 1 || lhs != 2 {
		return
	}
	ta, ok := rhs[0].(*ast.TypeAssertExpr)
	if !ok || ta.Type == nil || !t.own(ta) {
		return
	}
	typ := ta.Type
	isNil := fresh(t.marks, &ast.IfStmt{Cond: t.binary(t.id("v"), token.EQL, t.id("nil")),
		Body: t.block(t.varOf("z", typ), t.ret(t.id("z"), t.id("false")))})
	assert := t.assign(t.ids("t", "ok"), token.DEFINE, fresh(t.marks, &ast.TypeAssertExpr{X: t.id("v"), Type: typ}))
	lit := t.funcLit([]*ast.Field{t.field("v", t.id("any"))}, []*ast.Field{t.field("", typ), t.field("", t.id("bool"))},
		isNil, assert, t.ret(t.id("t"), t.id("ok")))
	rhs[0] = stand(t.marks, ta, t.call(lit, ta.X))
}

// rewriteStdio routes os.Stdout.WriteString and os.Stderr.WriteString to
// io.WriteString.
func rewriteStdio(c *ast.CallExpr, t *tree) {
	sel := c.Fun.(*ast.SelectorExpr)
	w := t.callOf(writeStringFunc, append([]ast.Expr{sel.X}, c.Args...)...)
	w.Ellipsis = c.Ellipsis
	become(t.marks, c, w)
}

// writeString is the compiled helper of rewriteStdio.
func writeString(w io.Writer, s string) (int, error) { return io.WriteString(w, s) }
