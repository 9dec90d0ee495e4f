package dsl

import "go/ast"

// guardGoMethod treats x.Go(f) (sync.WaitGroup.Go, errgroup's Group.Go) as
// a go statement: the goroutine the library starts for f has no recover,
// so a panic in f would end the process. A func literal gets the go
// statement's prologue (counted live, panics reported to the session);
// another func value is wrapped in a literal that has it.
func guardGoMethod(c *ast.CallExpr, ed *editor) {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Go" || len(c.Args) != 1 {
		return
	}
	switch a := c.Args[0].(type) {
	case *ast.FuncLit:
		if a.Type.Params.NumFields() == 0 && a.Type.Results.NumFields() == 0 {
			ed.replace(a.Body.Lbrace+1, a.Body.Lbrace+1, goPrologue)
		}
	case *ast.Ident, *ast.SelectorExpr:
		ed.replace(a.Pos(), a.Pos(), "func() {"+goPrologue+" (")
		ed.replace(a.End(), a.End(), ")() }")
	}
}
