package dsl

import "go/ast"

// goMethods treats every x.Go(f) (sync.WaitGroup.Go, errgroup's
// Group.Go) as a go statement: the goroutine the library starts for f has
// no recover, so a panic in f would end the process. A func literal gets
// the go statement's epilogue (panics reported to the session); another
// func value is wrapped in a literal that has it. Either is handed over by
// a call that launches it (launched), so that the goroutine is counted
// live before it starts. goMethods also records the goroutine bodies, the
// go statements' literals among them (see trackLines).
func goMethods(f *ast.File, t *tree) {
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.GoStmt:
			if lit, ok := x.Call.Fun.(*ast.FuncLit); ok && t.own(lit) {
				t.goBody(lit)
			}
		case *ast.CallExpr:
			sel, ok := x.Fun.(*ast.SelectorExpr)
			if !t.own(x) || !ok || sel.Sel.Name != "Go" || len(x.Args) != 1 {
				return true
			}
			spot := t.spotOf(x.Pos())
			switch a := x.Args[0].(type) {
			case *ast.FuncLit:
				if a.Type.Params.NumFields() == 0 && a.Type.Results.NumFields() == 0 {
					a.Body.List = t.insert(a.Body.List, 0, a.Body.Lbrace, goEpilogue(t, spot)...)
					t.goBody(a)
					x.Args[0] = stand(t.marks, a, launched(t, a))
				}
			case *ast.Ident, *ast.SelectorExpr:
				body := append(goEpilogue(t, spot), t.expr(t.call(t.paren(a))))
				x.Args[0] = stand(t.marks, a, launched(t, t.funcLit(nil, nil, body...)))
			}
		}
		return true
	})
}

// goBody records lit as the body of a goroutine.
func (m *marks) goBody(lit *ast.FuncLit) {
	if m.goBodies == nil {
		m.goBodies = map[*ast.FuncLit]bool{}
	}
	m.goBodies[lit] = true
}

// launched is lit handed over by a call that counts its goroutine live
// first: func() T { launchFunc(); return lit }().
func launched(t *tree, lit *ast.FuncLit) *ast.CallExpr {
	return t.litNow(lit, t.expr(t.callOf(launchFunc)))
}
