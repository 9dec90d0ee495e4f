package dsl

import (
	"go/ast"
	"go/token"
)

// labelError is a label no break, continue or goto of its function names:
// Go refuses the program, and yaegi failed on some (a label ending a cell
// after a rewritten statement panicked with "nil reflect type").
type labelError struct {
	pos  token.Position
	name string
}

func (e labelError) Error() string {
	return "label " + e.name + " defined and not used (remove it, or name it in a break, continue or goto)"
}

// unusedLabel returns a labelError for the first unused label of f's
// functions and function literals (each has labels of its own), or nil.
func unusedLabel(f *ast.File, t *tree) error {
	var first *ast.Ident
	check := func(body *ast.BlockStmt) {
		var defined []*ast.Ident
		used := map[string]bool{}
		ast.Inspect(body, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.FuncLit:
				return false // checked on its own
			case *ast.LabeledStmt:
				defined = append(defined, x.Label)
			case *ast.BranchStmt:
				if x.Label != nil {
					used[x.Label.Name] = true
				}
			}
			return true
		})
		for _, l := range defined {
			if !used[l.Name] && l.Name != "_" && (first == nil || l.Pos() < first.Pos()) {
				first = l
			}
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncDecl:
			if x.Body != nil {
				check(x.Body)
			}
		case *ast.FuncLit:
			check(x.Body)
		}
		return true
	})
	if first == nil {
		return nil
	}
	return labelError{pos: t.fset.Position(first.Pos()), name: first.Name}
}
