package dsl

import (
	"cmp"
	"fmt"
	"go/ast"
	"go/token"
)

// rewrite edits the parts of f that yaegi v0.16.1 cannot run as written:
//   - `for i := range n` over an integer becomes a three-clause loop (yaegi
//     panics with "nil type" on it and is left broken);
//   - `go` statements get a deferred recover, so a panicking goroutine is
//     reported instead of killing the process;
//   - the builtins min and max, and slices.Sort, slices.Min, slices.Max,
//     slices.Sorted(maps.Keys(m)), slices.Collect(maps.Keys(m)),
//     maps.Keys and maps.Values call interpreted generic helpers, as do
//     slices.SortFunc and slices.SortStableFunc; the builtin clear calls a
//     compiled helper;
//   - a `defer` at the top level of a cell (outside any function) runs at
//     the end of the cell: yaegi would keep it on its global frame and run
//     it again after every later cell.
//
// A range over a function iterator is rejected with an unsupportedError
// before anything runs. rewrite reports what it did.
func rewrite(f *ast.File, ed *editor, env rewriteEnv) (rewriteInfo, error) {
	locals := intLocals(f, env)
	funcs := funcLocals(f)
	var info rewriteInfo
	var err error
	n := 0
	var body *ast.BlockStmt // the statements of a statement chunk
	if len(f.Decls) == 1 {
		if fd, ok := f.Decls[0].(*ast.FuncDecl); ok && fd.Name.Name == "_" && fd.Body != nil {
			body = fd.Body
		}
	}
	perIteration(f, ed)
	trackLines(f, ed, body)
	if body != nil {
		for _, st := range body.List {
			switch {
			case hasBranch(st, token.RETURN) && !hasBranch(st, token.GOTO):
				rewriteReturn(st, ed)
			case (nestedMultiDefine(st) || needsFuncScope(st)) && !hasBranch(st, token.GOTO):
				// yaegi loses the variables of a multi-value := (or var)
				// in a block nested in a cell's top level ("undefined:
				// a"); inside a function it gets them right. The block
				// around the call matters: yaegi runs a func literal
				// called at a cell's top level again on every later
				// cell that declares a variable.
				ed.wrap(st, "{ func() { ", " }() }")
			case calledLiteral(st) && (st != body.List[len(body.List)-1] || !hasResults(st)):
				// yaegi runs a func literal called at a cell's top level
				// again on every later cell that declares a variable; in
				// a block it runs once.
				ed.wrap(st, "{ ", " }")
			case scopedHeader(st):
				// yaegi makes the variables of a top-level for, if or
				// switch header global; a block keeps them local, as in Go.
				ed.wrap(st, "{ ", " }")
			}
		}
	}
	cellDefers := map[*ast.DeferStmt]bool{}
	if body != nil {
		// Defers outside function literals are the cell's own.
		ast.Inspect(body, func(node ast.Node) bool {
			switch x := node.(type) {
			case *ast.FuncLit:
				return false
			case *ast.DeferStmt:
				info.defers, cellDefers[x] = true, true
				rewriteDefer(x, ed, &n)
			}
			return true
		})
	}
	ast.Inspect(f, func(node ast.Node) bool {
		switch x := node.(type) {
		case *ast.FuncDecl:
			if err == nil && selfRecursiveGeneric(x) {
				err = unsupportedError{pos: ed.fset.Position(x.Name.Pos()), what: "a generic function that calls itself (" + x.Name.Name + ")",
					instead: "a panic inside it crashes the interpreter: make it non-generic, or let it call a non-generic helper that recurses"}
			}
			if x.Body != nil && x != mainDecl(f, body) && mayRecurse(x.Body, env) {
				guardDepth(x.Body, ed)
			}
		case *ast.FuncLit:
			if mayRecurse(x.Body, env) {
				guardDepth(x.Body, ed)
			}
		case *ast.RangeStmt:
			if err == nil && isFuncExpr(x.X, env, funcs) {
				err = unsupportedError{pos: ed.fset.Position(x.For), what: "a range over a function (an iterator)",
					instead: "call the function with a callback, or collect its values into a slice and range over that"}
			}
			rewriteRange(x, ed, env, locals, &n)
		case *ast.GoStmt:
			rewriteGo(x, ed, &n)
		case *ast.DeferStmt:
			if !cellDefers[x] {
				rewriteFuncDefer(x, ed, &n)
			}
		case *ast.CallExpr:
			if id, ok := x.Fun.(*ast.Ident); ok && id.Name == "new" && !env.userDefined("new") && err == nil {
				err = rewriteNew(x, ed)
			}
			rewriteCall(x, ed, env)
			guardGoMethod(x, ed) // callbacks.go
			guardGrow(x, ed)     // sizeguard.go
		case *ast.AssignStmt:
			rewriteAssert(x.Rhs, len(x.Lhs), ed)
		case *ast.ValueSpec:
			rewriteAssert(x.Values, len(x.Names), ed)
		}
		return true
	})
	err = cmp.Or(err, guardArrays(f, ed, env)) // sizeguard.go
	return info, err
}

// rewriteInfo says what rewrite changed.
type rewriteInfo struct {
	defers bool // top-level defers were turned into end-of-cell calls
}

// unsupportedError names a construct the interpreter cannot run, where it
// is in the cell, and what to write instead.
type unsupportedError struct {
	pos           token.Position
	what, instead string
}

func (e unsupportedError) Error() string {
	return fmt.Sprintf("line %d:%d: %s is not supported by the interpreter; %s", e.pos.Line, e.pos.Column, e.what, e.instead)
}
