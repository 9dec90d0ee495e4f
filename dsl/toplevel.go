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

// topLevel rewrites the statements of a cell (body; nil for a chunk of
// declarations) that yaegi would run wrongly at the top level, and
// returns the returns that end the cell (made `return true` by the walk).
func topLevel(body *ast.BlockStmt, t *tree) map[*ast.ReturnStmt]bool {
	returns := map[*ast.ReturnStmt]bool{}
	if body == nil {
		return returns
	}
	for i, st := range body.List {
		if !t.own(st) {
			continue
		}
		var with ast.Stmt
		switch {
		case hasBranch(st, token.RETURN) && !hasBranch(st, token.GOTO):
			with = rewriteReturn(st, t, returns)
		case (nestedMultiDefine(st) || needsFuncScope(st)) && !hasBranch(st, token.GOTO):
			// yaegi loses the variables of a multi-value := (or var)
			// in a block nested in a cell's top level ("undefined:
			// a"); inside a function it gets them right. The block
			// around the call matters: yaegi runs a func literal
			// called at a cell's top level again on every later
			// cell that declares a variable.
			with = t.block(t.expr(t.call(t.funcLit(nil, nil, st))))
		case calledLiteral(st) && (i != len(body.List)-1 || !hasResults(st)):
			// yaegi runs a func literal called at a cell's top level
			// again on every later cell that declares a variable; in
			// a block it runs once.
			with = t.block(st)
		case scopedHeader(st):
			// yaegi makes the variables of a top-level for, if or
			// switch header global; a block keeps them local, as in Go.
			with = t.block(st)
		}
		if with != nil {
			body.List[i] = stand(t.marks, st, with)
		}
	}
	return returns
}

// rewriteReturn makes the top-level statement st, which contains a return
// that ends the cell, run in a func literal that reports whether it
// returned; if it did, a compiled call raises the panic that ends the cell
// without an error (yaegi's compiler crashes on a return outside a
// function). The literal also keeps yaegi from losing nested multi-value
// := variables (see nestedMultiDefine). The returns go in returns.
func rewriteReturn(st ast.Stmt, t *tree, returns map[*ast.ReturnStmt]bool) ast.Stmt {
	ast.Inspect(st, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			if len(x.Results) == 0 {
				returns[x] = true
			}
		}
		return true
	})
	lit := t.funcLit(nil, []*ast.Field{t.field("", t.id("bool"))}, st, t.ret(t.id("false")))
	return t.block(fresh(t.marks, &ast.IfStmt{Cond: t.call(lit), Body: t.block(t.expr(t.callOf(returnFunc)))}))
}

// mainDecl returns the wrapper declaration of a statement chunk, or nil.
func mainDecl(f *ast.File, body *ast.BlockStmt) *ast.FuncDecl {
	if body == nil {
		return nil
	}
	return f.Decls[0].(*ast.FuncDecl)
}
