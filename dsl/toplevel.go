package dsl

import (
	"go/ast"
	"go/token"
)

// scopedHeader reports whether st declares variables in its header.
func scopedHeader(st ast.Stmt) bool {
	switch x := st.(type) {
	case *ast.ForStmt:
		return x.Init != nil
	case *ast.RangeStmt:
		return x.Tok == token.DEFINE
	case *ast.IfStmt:
		return x.Init != nil
	case *ast.SwitchStmt:
		return x.Init != nil
	case *ast.TypeSwitchStmt:
		return true
	}
	return false
}

// nestedMultiDefine reports whether the top-level statement st declares,
// in a block nested in it (outside function literals), several variables
// from one multi-valued expression: `a, b := f()`, `v, ok := m[k]`,
// `var a, b = f()`.
func nestedMultiDefine(st ast.Stmt) bool {
	switch st.(type) {
	case *ast.AssignStmt, *ast.DeclStmt, *ast.ExprStmt, *ast.IncDecStmt, *ast.SendStmt, *ast.GoStmt, *ast.DeferStmt:
		return false // no nested blocks of their own, or only in func literals
	}
	found := false
	ast.Inspect(st, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.AssignStmt:
			if x.Tok == token.DEFINE && len(x.Lhs) > 1 && len(x.Rhs) == 1 {
				found = true
			}
		case *ast.ValueSpec:
			if len(x.Names) > 1 && len(x.Values) == 1 {
				found = true
			}
		}
		return !found
	})
	return found
}

// calledLiteral reports whether st is a call of a function literal.
func calledLiteral(st ast.Stmt) bool {
	if es, ok := st.(*ast.ExprStmt); ok {
		if c, ok := es.X.(*ast.CallExpr); ok {
			_, lit := c.Fun.(*ast.FuncLit)
			return lit
		}
	}
	return false
}

// hasResults reports whether the function literal called by st (see
// calledLiteral) returns something: then the call may be the cell's result.
func hasResults(st ast.Stmt) bool {
	fl := st.(*ast.ExprStmt).X.(*ast.CallExpr).Fun.(*ast.FuncLit)
	return fl.Type.Results.NumFields() > 0
}

// hasBranch reports whether st contains a return (tok RETURN) or a goto
// (tok GOTO) outside function literals.
func hasBranch(st ast.Stmt, tok token.Token) bool {
	found := false
	ast.Inspect(st, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			found = found || tok == token.RETURN
		case *ast.BranchStmt:
			found = found || x.Tok == tok
		}
		return !found
	})
	return found
}

// rewriteReturn makes the top-level statement st, which contains a return
// that ends the cell, run in a func literal that reports whether it
// returned; if it did, a compiled call raises the panic that ends the cell
// without an error (yaegi's compiler crashes on a return outside a
// function). The literal also keeps yaegi from losing nested multi-value
// := variables (see nestedMultiDefine).
func rewriteReturn(st ast.Stmt, ed *editor) {
	ed.wrap(st, "{ if func() bool { ", "\n; return false }() { "+returnFunc+"() } }")
	ast.Inspect(st, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			if len(x.Results) == 0 {
				ed.replace(x.Return, x.End(), "return true")
			}
		}
		return true
	})
}

// mainDecl returns the wrapper declaration of a statement chunk, or nil.
func mainDecl(f *ast.File, body *ast.BlockStmt) *ast.FuncDecl {
	if body == nil {
		return nil
	}
	return f.Decls[0].(*ast.FuncDecl)
}
