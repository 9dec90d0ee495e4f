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
// new(T{...}) becomes &T{...}. Other values (new(f()), new(a+b)) have a
// type only the compiler knows; they are refused with what to write
// instead, rather than giving a pointer to a zero value.
func rewriteNew(c *ast.CallExpr, ed *editor) error {
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
		ed.replace(c.Pos(), c.End(), "func() *"+typ+" { v := "+typ+"("+ed.src(c.Args[0].Pos(), c.Args[0].End())+"); return &v }()")
	case *ast.CompositeLit:
		ed.replace(c.Pos(), c.End(), "&"+ed.src(x.Pos(), x.End()))
	case *ast.BinaryExpr, *ast.CallExpr, *ast.UnaryExpr:
		if u, ok := x.(*ast.UnaryExpr); ok && u.Op == token.ARROW {
			return nil // <-ch, or a channel type
		}
		return unsupportedError{pos: ed.fset.Position(c.Pos()), what: "new of a computed value (Go 1.26)",
			instead: "write v := VALUE; p := &v"}
	}
	return nil
}

// defaultType is the type of an untyped constant of each literal kind.
var defaultType = map[token.Token]string{token.INT: "int", token.FLOAT: "float64", token.IMAG: "complex128", token.CHAR: "rune", token.STRING: "string"}

// rewriteAssert makes the comma-ok type assertions of an assignment or
// var declaration check for a nil interface first: x.(T) becomes
// func(v any) (T, bool) { if v == nil { var z T; return z, false }; t, ok := v.(T); return t, ok }(x).
func rewriteAssert(rhs []ast.Expr, lhs int, ed *editor) {
	if len(rhs) != 1 || lhs != 2 {
		return
	}
	ta, ok := rhs[0].(*ast.TypeAssertExpr)
	if !ok || ta.Type == nil {
		return
	}
	typ := ed.src(ta.Type.Pos(), ta.Type.End())
	ed.replace(ta.Pos(), ta.End(), "func(v any) ("+typ+", bool) { if v == nil { var z "+typ+"; return z, false }; t, ok := v.("+typ+"); return t, ok }("+ed.src(ta.X.Pos(), ta.X.End())+")")
}

// rewriteStdio routes os.Stdout.WriteString and os.Stderr.WriteString to
// io.WriteString.
func rewriteStdio(c *ast.CallExpr, name string, ed *editor) {
	switch name {
	case "os.Stdout.WriteString", "os.Stderr.WriteString":
		sel := c.Fun.(*ast.SelectorExpr)
		ed.replace(c.Fun.Pos(), c.Lparen+1, writeStringFunc+"("+ed.src(sel.X.Pos(), sel.X.End())+", ")
	}
}

// writeString is the compiled helper of rewriteStdio.
func writeString(w io.Writer, s string) (int, error) { return io.WriteString(w, s) }
