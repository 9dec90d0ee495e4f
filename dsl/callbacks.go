package dsl

import "go/ast"

// goMethods treats every x.Go(f) (sync.WaitGroup.Go, errgroup's
// Group.Go) as a go statement: the goroutine the library starts for f has
// no recover, so a panic in f would end the process. A func literal gets
// the go statement's prologue (counted live, panics reported to the
// session); another func value is wrapped in a literal that has it.
func goMethods(f *ast.File, t *tree) {
	ast.Inspect(f, func(n ast.Node) bool {
		c, ok := n.(*ast.CallExpr)
		if !ok || !t.own(c) {
			return true
		}
		sel, ok := c.Fun.(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "Go" || len(c.Args) != 1 {
			return true
		}
		switch a := c.Args[0].(type) {
		case *ast.FuncLit:
			if a.Type.Params.NumFields() == 0 && a.Type.Results.NumFields() == 0 {
				a.Body.List = t.insert(a.Body.List, 0, a.Body.Lbrace, goPrologue(t)...)
			}
		case *ast.Ident, *ast.SelectorExpr:
			body := append(goPrologue(t), t.expr(t.call(t.paren(a))))
			c.Args[0] = stand(t.marks, a, t.funcLit(nil, nil, body...))
		}
		return true
	})
}
