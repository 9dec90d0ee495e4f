package dsl

import (
	"fmt"
	"go/ast"
	"go/token"
)

// goError is a Go compile error that yaegi does not report, or reports by
// failing: a label no branch names (a label ending a cell after a
// rewritten statement panicked with "nil reflect type"), a function of
// the cell used as a type in a function's signature (yaegi's type
// resolution recursed until Go's stack overflow ended the process).
type goError struct {
	pos token.Position
	msg string
}

func (e goError) Error() string { return e.msg }

// goChecks returns a goError for the first of these errors in f, the
// whole cell (a function may use another of the cell as a type), or nil.
func goChecks(f *ast.File, fset *token.FileSet) error {
	if err := funcAsType(f, fset); err != nil {
		return err
	}
	return unusedLabel(f, fset)
}

// unusedLabel returns a goError for the first label of f's functions and
// function literals (each has labels of its own) that no break, continue
// or goto names.
func unusedLabel(f *ast.File, fset *token.FileSet) error {
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
	return goError{pos: fset.Position(first.Pos()),
		msg: "label " + first.Name + " defined and not used (remove it, or name it in a break, continue or goto)"}
}

// funcAsType returns a goError for the first function of f whose
// signature uses a function declared in f as a type (func f() f).
func funcAsType(f *ast.File, fset *token.FileSet) error {
	funcs := map[string]*ast.FuncDecl{}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil {
			funcs[fd.Name.Name] = fd
		}
	}
	if len(funcs) == 0 {
		return nil
	}
	var bad *ast.Ident
	visit := func(id *ast.Ident) {
		if funcs[id.Name] != nil && (bad == nil || id.Pos() < bad.Pos()) {
			bad = id
		}
	}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok {
			typeIdents(fd.Type, visit)
			if fd.Recv != nil {
				typeIdents(fd.Recv, visit)
			}
		}
	}
	if bad == nil {
		return nil
	}
	decl := fset.Position(funcs[bad.Name].Name.Pos())
	return goError{pos: fset.Position(bad.Pos()),
		msg: fmt.Sprintf("%s is not a type: it is the function declared at line %d; name a type here", bad.Name, decl.Line)}
}

// typeIdents calls visit for the identifiers that name types in the type
// expression n: not field or parameter names, nor the names selected from
// a package, nor array lengths.
func typeIdents(n ast.Node, visit func(*ast.Ident)) {
	ast.Inspect(n, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.Field:
			typeIdents(x.Type, visit)
			return false
		case *ast.SelectorExpr:
			return false
		case *ast.ArrayType:
			typeIdents(x.Elt, visit)
			return false
		case *ast.Ident:
			visit(x)
		}
		return true
	})
}
