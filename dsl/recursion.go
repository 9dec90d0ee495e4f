package dsl

import (
	"go/ast"
)

// mayRecurse reports whether a function body calls anything that may lead
// back into notebook code: a function or func value by name (not a
// builtin), a method, or a package function that may call back (fmt calls
// String methods, sort calls comparators). A function that calls only
// builtins and leaf packages (math, strings, strconv, ...) cannot be part
// of a recursion cycle, so it needs no depth guard; leaving it out keeps
// small hot functions (comparators, arithmetic helpers) fast.
func mayRecurse(b *ast.BlockStmt, env rewriteEnv) bool {
	found := false
	ast.Inspect(b, func(n ast.Node) bool {
		if found {
			return false
		}
		switch x := n.(type) {
		case *ast.FuncLit:
			return false // guarded, or not, on its own
		case *ast.CallExpr:
			switch fn := x.Fun.(type) {
			case *ast.Ident:
				if !isBuiltin(fn.Name) {
					found = true
				}
			case *ast.SelectorExpr:
				if id, ok := fn.X.(*ast.Ident); !ok || !env.isPackage(id.Name) || !leafPackages[id.Name] {
					found = true
				}
			case *ast.ParenExpr, *ast.ArrayType, *ast.MapType, *ast.ChanType, *ast.FuncType, *ast.InterfaceType, *ast.StructType, *ast.StarExpr:
				// conversions; a parenthesised callee is rare enough to treat
				// as a conversion
			default:
				found = true
			}
		}
		return true
	})
	return found
}

// leafPackages never call back into the caller's code.
var leafPackages = map[string]bool{
	"math": true, "bits": true, "cmplx": true, "strings": true, "strconv": true,
	"unicode": true, "utf8": true, "utf16": true, "bytes": true, "time": true,
}

func isBuiltin(name string) bool {
	for _, b := range builtins {
		if b == name {
			return true
		}
	}
	return false
}

// guardRecursion refuses a generic function that calls itself (see
// selfRecursiveGeneric) and makes every function body that may recurse
// count its depth (guardDepth), except main, the wrapper of the cell's
// statements. It looks at the cell's own tree, before other passes.
func guardRecursion(f *ast.File, t *tree, env rewriteEnv, main *ast.FuncDecl) error {
	var err error
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncDecl:
			if err == nil && selfRecursiveGeneric(x) {
				err = unsupportedError{pos: t.fset.Position(x.Name.Pos()), what: "a generic function that calls itself (" + x.Name.Name + ")",
					instead: "a panic inside it crashes the interpreter: make it non-generic, or let it call a non-generic helper that recurses"}
			}
			if x.Body != nil && x != main && mayRecurse(x.Body, env) {
				guardDepth(x.Body, t)
			}
		case *ast.FuncLit:
			if mayRecurse(x.Body, env) {
				guardDepth(x.Body, t)
			}
		}
		return true
	})
	return err
}

// guardDepth makes a function body count itself in the session's call
// depth: unbounded recursion becomes a panic the cell reports, instead of a
// Go stack overflow, which no recover can stop and which ends the process.
func guardDepth(b *ast.BlockStmt, t *tree) {
	b.List = t.insert(b.List, 0, b.Lbrace, t.expr(t.callOf(enterFunc)), t.deferOf(t.callOf(leaveFunc)))
}

// selfRecursiveGeneric reports whether fd is a generic function (not a
// method) that calls itself. yaegi v0.16.1 builds such a function's node
// graph with a cycle, and a panic inside it sends its recovery into
// unbounded recursion: a fatal stack overflow that ends the process.
func selfRecursiveGeneric(fd *ast.FuncDecl) bool {
	if fd.Recv != nil || fd.Type.TypeParams.NumFields() == 0 || fd.Body == nil {
		return false
	}
	found := false
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			fun := c.Fun
			switch x := fun.(type) {
			case *ast.IndexExpr:
				fun = x.X
			case *ast.IndexListExpr:
				fun = x.X
			}
			if id, ok := fun.(*ast.Ident); ok && id.Name == fd.Name.Name {
				found = true
			}
		}
		return !found
	})
	return found
}
