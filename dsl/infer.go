package dsl

import (
	"go/ast"
	"go/token"
)

// funcLocals finds names the file binds to function literals.
func funcLocals(f *ast.File) map[string]bool {
	fl := map[string]bool{}
	ast.Inspect(f, func(node ast.Node) bool {
		if a, ok := node.(*ast.AssignStmt); ok && len(a.Lhs) == len(a.Rhs) {
			for i, l := range a.Lhs {
				if id, ok := l.(*ast.Ident); ok {
					if _, lit := a.Rhs[i].(*ast.FuncLit); lit {
						fl[id.Name] = true
					}
				}
			}
		}
		return true
	})
	return fl
}

// isFuncExpr reports whether e is, as far as the session can tell, a
// function value.
func isFuncExpr(e ast.Expr, env rewriteEnv, funcs map[string]bool) bool {
	switch x := e.(type) {
	case *ast.FuncLit:
		return true
	case *ast.ParenExpr:
		return isFuncExpr(x.X, env, funcs)
	case *ast.Ident:
		return funcs[x.Name] || env.funcValued(x.Name)
	}
	return false
}

// intLocals finds names the file defines from integer expressions
// (`n := 10`, `var n int`, `n := len(xs)`), ignoring scopes.
func intLocals(f *ast.File, env rewriteEnv) map[string]bool {
	locals := map[string]bool{}
	ast.Inspect(f, func(node ast.Node) bool {
		switch x := node.(type) {
		case *ast.AssignStmt:
			if x.Tok == token.DEFINE && len(x.Lhs) == len(x.Rhs) {
				for i, l := range x.Lhs {
					if id, ok := l.(*ast.Ident); ok && isIntExpr(x.Rhs[i], env, locals) {
						locals[id.Name] = true
					}
				}
			}
		case *ast.ValueSpec:
			intType := false
			if t, ok := x.Type.(*ast.Ident); ok && isIntTypeName(t.Name) {
				intType = true
			}
			for i, id := range x.Names {
				if intType || (x.Type == nil && i < len(x.Values) && isIntExpr(x.Values[i], env, locals)) {
					locals[id.Name] = true
				}
			}
		}
		return true
	})
	return locals
}

func isIntTypeName(s string) bool {
	switch s {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr", "byte", "rune":
		return true
	}
	return false
}

// isIntExpr reports whether e is, as far as syntax and the session's
// globals tell, an integer.
func isIntExpr(e ast.Expr, env rewriteEnv, locals map[string]bool) bool {
	switch x := e.(type) {
	case *ast.BasicLit:
		return x.Kind == token.INT
	case *ast.Ident:
		return locals[x.Name] || env.intValued(x.Name)
	case *ast.ParenExpr:
		return isIntExpr(x.X, env, locals)
	case *ast.CallExpr:
		if id, ok := x.Fun.(*ast.Ident); ok {
			return id.Name == "len" || id.Name == "cap" || isIntTypeName(id.Name)
		}
	case *ast.BinaryExpr:
		switch x.Op {
		case token.ADD, token.SUB, token.MUL, token.QUO, token.REM, token.SHL, token.SHR, token.AND, token.OR, token.XOR:
			return isIntExpr(x.X, env, locals) || isIntExpr(x.Y, env, locals)
		}
	case *ast.UnaryExpr:
		return x.Op == token.SUB && isIntExpr(x.X, env, locals)
	}
	return false
}
