package dsl

import (
	"fmt"
	"go/ast"
	"go/token"
)

// rewrite runs the passes over the tree of one chunk, f, in this order
// (see doc.go). The passes before the last walk look at the whole tree;
// the last walk rewrites node by node, bottom up: a node is rebuilt after
// its children were, so every rewrite applies inside every other one (the
// min inside the arguments a go statement binds). What a node becomes is
// decided on the cell's own tree, before its children change (pre), and
// done after (post). A range over a function iterator, and a generic
// function that calls itself, are refused with an unsupportedError before
// anything runs. rewrite reports what it did.
func rewrite(f *ast.File, t *tree, env rewriteEnv) (rewriteInfo, error) {
	var body *ast.BlockStmt // the statements of a statement chunk
	if len(f.Decls) == 1 {
		if fd, ok := f.Decls[0].(*ast.FuncDecl); ok && fd.Name.Name == "_" && fd.Body != nil {
			body = fd.Body
		}
	}
	w := &walk{t: t, env: env, locals: intLocals(f, env), funcs: funcLocals(f),
		cellDefers: topDefers(body), later: map[ast.Node]func() ast.Stmt{}, skip: map[ast.Node]bool{}, repl: map[ast.Node]ast.Stmt{}}
	t.n = 0
	if err := guardRecursion(f, t, env, mainDecl(f, body)); err != nil { // recursion.go
		return rewriteInfo{}, err
	}
	if err := guardArrays(f, t, env); err != nil { // sizeguard.go: arrays larger than memory are refused
		return rewriteInfo{}, err
	}
	goMethods(f, t)               // callbacks.go: x.Go(f) runs f as a go statement would
	perIteration(f, t)            // loopvar.go: a captured loop variable gets a copy per iteration
	trackLines(f, t, body)        // lines.go: a statement that may panic records its position
	w.returns = topLevel(body, t) // toplevel.go: a return ends the cell; mis-scoped statements get a block
	w.run(f)
	return rewriteInfo{defers: len(w.cellDefers) > 0}, w.err
}

// walk is the last pass: ranges, go and defer statements, the gaps of
// yaegi and the calls it lacks.
type walk struct {
	t          *tree
	env        rewriteEnv
	locals     map[string]bool
	funcs      map[string]bool
	cellDefers map[*ast.DeferStmt]bool      // the cell's own defers (godefer.go)
	returns    map[*ast.ReturnStmt]bool     // returns that end the cell (toplevel.go)
	later      map[ast.Node]func() ast.Stmt // what pre decided a statement becomes
	skip       map[ast.Node]bool            // calls an enclosing rewrite takes apart
	repl       map[ast.Node]ast.Stmt        // statements to put in the place of others
	err        error
}

// run walks f: pre on the way down, post on the way up, after the
// children. A statement that post replaces is put in its place when the
// list (or label) that holds it is done; a call is replaced in place
// (become).
func (w *walk) run(f *ast.File) {
	var stack []ast.Node
	ast.Inspect(f, func(n ast.Node) bool {
		if n != nil {
			stack = append(stack, n)
			w.pre(n)
			return true
		}
		n, stack = stack[len(stack)-1], stack[:len(stack)-1]
		var parent ast.Node
		if len(stack) > 0 {
			parent = stack[len(stack)-1]
		}
		w.post(n, parent)
		return true
	})
}

// pre decides on the cell's own nodes.
func (w *walk) pre(n ast.Node) {
	switch x := n.(type) {
	case *ast.RangeStmt:
		if !w.t.own(x) {
			return
		}
		if w.err == nil && isFuncExpr(x.X, w.env, w.funcs) {
			w.err = unsupportedError{pos: w.t.fset.Position(x.For), what: "a range over a function (an iterator)",
				instead: "call the function with a callback, or collect its values into a slice and range over that"}
		}
		if do := rewriteRange(x, w); do != nil { // calls.go
			w.later[x] = do
		}
	case *ast.CallExpr:
		if w.t.own(x) {
			markInner(x, w) // calls.go
		}
	}
}

// post rebuilds a node whose children were rewritten; parent holds it.
func (w *walk) post(n, parent ast.Node) {
	switch x := n.(type) {
	case *ast.BlockStmt:
		w.put(x.List)
	case *ast.CaseClause:
		w.put(x.Body)
	case *ast.CommClause:
		w.put(x.Body)
	case *ast.LabeledStmt:
		if r, ok := w.repl[x.Stmt]; ok {
			x.Stmt = r
		}
	}
	t := w.t
	switch x := n.(type) {
	case *ast.RangeStmt:
		if do := w.later[x]; do != nil {
			w.repl[x] = stand(t.marks, n, do())
		}
	case *ast.GoStmt:
		if t.own(x) {
			w.repl[x] = stand(t.marks, x, rewriteGo(x, t))
		}
	case *ast.DeferStmt:
		if w.cellDefers[x] {
			w.repl[x] = stand(t.marks, x, rewriteDefer(x, t))
		} else if t.own(x) {
			if d := rewriteFuncDefer(x, t); d != nil {
				w.repl[x] = stand(t.marks, x, d)
			}
		}
	case *ast.ReturnStmt:
		if w.returns[x] {
			w.repl[x] = stand(t.marks, x, ast.Stmt(t.ret(t.id("true"))))
		}
	case *ast.CallExpr:
		if !t.own(x) || w.skip[x] {
			break
		}
		if id, ok := x.Fun.(*ast.Ident); ok && id.Name == "new" && !w.env.userDefined("new") {
			if w.err == nil {
				w.err = rewriteNew(x, t, w.env) // gaps.go
			}
			break
		}
		rewriteCall(x, parent, w) // calls.go
		guardGrow(x, t)           // sizeguard.go
	case *ast.AssignStmt:
		if t.own(x) {
			rewriteAssert(x.Rhs, len(x.Lhs), t) // gaps.go
		}
	case *ast.ValueSpec:
		if t.own(x) {
			rewriteAssert(x.Values, len(x.Names), t)
		}
	}
}

// put puts the replacements of post in list.
func (w *walk) put(list []ast.Stmt) {
	if len(w.repl) == 0 {
		return
	}
	for i, st := range list {
		if r, ok := w.repl[st]; ok {
			list[i] = r
		}
	}
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
