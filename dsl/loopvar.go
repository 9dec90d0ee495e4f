package dsl

import (
	"go/ast"
	"go/token"
	"slices"
)

// Since Go 1.22 each iteration of a loop has its own loop variables, so a
// closure made in the loop keeps the value of its iteration. yaegi v0.16.1
// shares one variable across iterations (closures all see the last value),
// so perIteration declares a copy at the top of a loop body whose
// variables are captured: by a function literal or by taking their
// address. A three-clause loop whose body assigns its variable is left as
// it is: a copy would stop that assignment from steering the loop.
//
// A function literal passed straight to a call (wg.Go(func() { ... }))
// would still see the last value: yaegi binds such a literal to the loop's
// frame only when the callee runs it. It is made a value on the spot
// instead, by a call that returns it: func() T { return LIT }().
func perIteration(f *ast.File, t *tree) {
	loopCopies(f, func(body *ast.BlockStmt, names []string) {
		body.List = t.insert(body.List, 0, body.Lbrace, t.assign(t.ids(names...), token.DEFINE, t.ids(names...)...))
		ast.Inspect(body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			for i, a := range call.Args {
				if lit, ok := a.(*ast.FuncLit); ok && t.own(lit) && refersTo([]ast.Expr{lit}, names) {
					call.Args[i] = stand(t.marks, lit, t.litNow(lit))
				}
			}
			return true
		})
	})
}

// loopCopies calls copy for each loop in n whose variables need a copy per
// iteration, with its body and the names.
func loopCopies(n ast.Node, copy func(body *ast.BlockStmt, names []string)) {
	ast.Inspect(n, func(n ast.Node) bool {
		var names []string
		var body *ast.BlockStmt
		switch x := n.(type) {
		case *ast.ForStmt:
			if as, ok := x.Init.(*ast.AssignStmt); ok && as.Tok == token.DEFINE {
				names, body = identNames(as.Lhs), x.Body
				if assigns(body, names) {
					names = nil
				}
			}
		case *ast.RangeStmt:
			if x.Tok == token.DEFINE {
				names, body = identNames([]ast.Expr{x.Key, x.Value}), x.Body
			}
		}
		if len(names) > 0 && captures(body, names) {
			copy(body, names)
		}
		return true
	})
}

// needsFuncScope reports whether the top-level statement st must run
// inside a function: yaegi evaluates `x := x` in a block nested in a cell's
// top level (global scope) as the new, zero x, which breaks the copies of
// perIteration and the same idiom written by hand. Inside a function it
// gets them right.
func needsFuncScope(st ast.Stmt) bool {
	found := false
	loopCopies(st, func(*ast.BlockStmt, []string) { found = true })
	if found {
		return true
	}
	ast.Inspect(st, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.AssignStmt:
			if x.Tok == token.DEFINE && x != st && refersTo(x.Rhs, identNames(x.Lhs)) {
				found = true
			}
		}
		return !found
	})
	return found
}

// refersTo reports whether one of es mentions one of names.
func refersTo(es []ast.Expr, names []string) bool {
	found := false
	for _, e := range es {
		ast.Inspect(e, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.SelectorExpr:
				found = found || refersTo([]ast.Expr{x.X}, names)
				return false
			case *ast.Ident:
				found = found || slices.Contains(names, x.Name)
			}
			return !found
		})
	}
	return found
}

// identNames returns the names of the identifiers among es, without "_".
func identNames(es []ast.Expr) []string {
	var names []string
	for _, e := range es {
		if id, ok := e.(*ast.Ident); ok && id.Name != "_" {
			names = append(names, id.Name)
		}
	}
	return names
}

// captures reports whether body refers to one of names inside a function
// literal, or takes the address of one.
func captures(body *ast.BlockStmt, names []string) bool {
	found := false
	var walk func(n ast.Node, inLit bool)
	walk = func(n ast.Node, inLit bool) {
		ast.Inspect(n, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.FuncLit:
				if !inLit {
					walk(x.Body, true)
					return false
				}
			case *ast.SelectorExpr:
				walk(x.X, inLit) // x.Sel is a field or method name
				return false
			case *ast.UnaryExpr:
				if id, ok := x.X.(*ast.Ident); ok && x.Op == token.AND && slices.Contains(names, id.Name) {
					found = true
				}
			case *ast.Ident:
				found = found || inLit && slices.Contains(names, x.Name)
			}
			return !found
		})
	}
	walk(body, false)
	return found
}

// assigns reports whether body, outside function literals, assigns to one
// of names.
func assigns(body *ast.BlockStmt, names []string) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.AssignStmt:
			for _, l := range x.Lhs {
				if id, ok := l.(*ast.Ident); ok && slices.Contains(names, id.Name) {
					found = true
				}
			}
		case *ast.IncDecStmt:
			if id, ok := x.X.(*ast.Ident); ok && slices.Contains(names, id.Name) {
				found = true
			}
		}
		return !found
	})
	return found
}
