package dsl

import (
	"go/ast"
	"go/token"
)

// rewriteGo makes the goroutine of a go statement recover its panics and
// hand them to the session. Arguments are evaluated before the goroutine
// starts, as Go does.
func rewriteGo(g *ast.GoStmt, t *tree) ast.Stmt {
	call := g.Call
	spot := t.spotOf(g.Pos())
	if lit, ok := call.Fun.(*ast.FuncLit); ok && t.own(lit) {
		lit.Body.List = t.insert(lit.Body.List, 0, lit.Body.Lbrace, goEpilogue(t, spot)...)
		return t.block(t.expr(t.callOf(launchFunc)), t.goOf(call))
	}
	binds, c := bindArgs(call, t)
	body := append(goEpilogue(t, spot), t.expr(c))
	return bound(t, binds, t.expr(t.callOf(launchFunc)), t.goOf(t.call(t.funcLit(nil, nil, body...))))
}

// goEpilogue starts the body of every goroutine a cell starts: it
// declares the goroutine's line register (goLineVar, at spot, the position
// that started it, until the body records one of its own), recovers the
// goroutine's panic and then stops counting it as live. The count goes up
// before the goroutine starts, in the code that starts it (launchFunc), so
// the session never sees a started goroutine as gone (it compacts, and
// tracks lineVar again, only when none is live).
func goEpilogue(t *tree, spot int) []ast.Stmt {
	return []ast.Stmt{
		t.assign(t.ids(goLineVar), token.DEFINE, t.intLit(int64(spot))),
		t.deferOf(t.callOf(goLiveFunc, t.unary(token.SUB, t.intLit(1)))),
		t.deferOf(t.callOf(goRecoverFunc, t.unary(token.AND, t.id(goLineVar)))),
	}
}

// rewriteDefer turns a top-level defer into a call registered to run at
// the end of the cell, with its arguments evaluated now.
func rewriteDefer(d *ast.DeferStmt, t *tree) ast.Stmt {
	binds, c := bindArgs(d.Call, t)
	return bound(t, binds, t.expr(t.callOf(deferFunc, t.funcLit(nil, nil, t.expr(c)))))
}

// rewriteFuncDefer evaluates the arguments of a defer in a function when
// the defer runs, as Go does: yaegi evaluates them when the function
// returns (defer fmt.Println(i) in a loop printed the last i every time).
// It returns nil when the defer has no argument to bind.
func rewriteFuncDefer(d *ast.DeferStmt, t *tree) ast.Stmt {
	binds, c := bindArgs(d.Call, t)
	if binds == nil {
		return nil
	}
	return bound(t, binds, t.deferOf(c))
}

// bindArgs evaluates the arguments of call into fresh variables (literals
// stay in place): it returns the statement that binds them (nil if none),
// and the call written with the variables.
func bindArgs(call *ast.CallExpr, t *tree) (*ast.AssignStmt, *ast.CallExpr) {
	var names, vals, args []ast.Expr
	for _, a := range call.Args {
		if _, lit := a.(*ast.BasicLit); lit {
			args = append(args, a)
			continue
		}
		name := t.id(t.name("__latentA"))
		names = append(names, name)
		vals = append(vals, a)
		args = append(args, t.id(name.(*ast.Ident).Name))
	}
	c := t.call(call.Fun, args...)
	c.Ellipsis = call.Ellipsis
	if len(names) == 0 {
		return nil, c
	}
	return t.assign(names, token.DEFINE, vals...), c
}

// bound is sts after the bindings binds, in a block of their own.
func bound(t *tree, binds *ast.AssignStmt, sts ...ast.Stmt) ast.Stmt {
	if binds == nil {
		if len(sts) == 1 {
			return sts[0]
		}
		return t.block(sts...)
	}
	return t.block(append([]ast.Stmt{binds}, sts...)...)
}

// topDefers returns the defers of a cell's statements (body), outside
// function literals: the cell's own, which run when the cell ends.
func topDefers(body *ast.BlockStmt) map[*ast.DeferStmt]bool {
	ds := map[*ast.DeferStmt]bool{}
	if body == nil {
		return ds
	}
	ast.Inspect(body, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.DeferStmt:
			ds[x] = true
		}
		return true
	})
	return ds
}
