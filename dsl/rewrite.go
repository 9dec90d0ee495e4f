package dsl

import (
	"fmt"
	"go/ast"
	"go/token"

	"golang.org/x/tools/go/ast/astutil"
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
		cellDefers: topDefers(body), later: map[ast.Node]func(*astutil.Cursor){}, skip: map[ast.Node]bool{}}
	t.n = 0
	if err := guardRecursion(f, t, env, mainDecl(f, body)); err != nil { // recursion.go
		return rewriteInfo{}, err
	}
	goMethods(f, t)               // callbacks.go: x.Go(f) runs f as a go statement would
	perIteration(f, t)            // loopvar.go: a captured loop variable gets a copy per iteration
	trackLines(f, t, body)        // lines.go: a statement that may panic records its position
	w.returns = topLevel(body, t) // toplevel.go: a return ends the cell; mis-scoped statements get a block
	astutil.Apply(f, w.pre, w.post)
	return rewriteInfo{defers: len(w.cellDefers) > 0}, w.err
}

// walk is the last pass: ranges, go and defer statements, the gaps of
// yaegi and the calls it lacks.
type walk struct {
	t          *tree
	env        rewriteEnv
	locals     map[string]bool
	funcs      map[string]bool
	cellDefers map[*ast.DeferStmt]bool            // the cell's own defers (godefer.go)
	returns    map[*ast.ReturnStmt]bool           // returns that end the cell (toplevel.go)
	later      map[ast.Node]func(*astutil.Cursor) // what pre decided a node becomes
	skip       map[ast.Node]bool                  // calls an enclosing rewrite takes apart
	err        error
}

// pre decides on the cell's own nodes.
func (w *walk) pre(c *astutil.Cursor) bool {
	n := c.Node()
	if n == nil || w.t.fresh[n] {
		return true
	}
	switch x := n.(type) {
	case *ast.RangeStmt:
		if w.err == nil && isFuncExpr(x.X, w.env, w.funcs) {
			w.err = unsupportedError{pos: w.t.fset.Position(x.For), what: "a range over a function (an iterator)",
				instead: "call the function with a callback, or collect its values into a slice and range over that"}
		}
		if do := rewriteRange(x, w); do != nil { // calls.go
			w.later[x] = do
		}
	case *ast.CallExpr:
		markInner(x, w) // calls.go
	}
	return true
}

// post rebuilds a node whose children were rewritten.
func (w *walk) post(c *astutil.Cursor) bool {
	n := c.Node()
	if n == nil || w.t.fresh[n] {
		return true
	}
	if do := w.later[n]; do != nil {
		do(c)
		return true
	}
	t := w.t
	switch x := n.(type) {
	case *ast.GoStmt:
		c.Replace(stand(t.marks, x, rewriteGo(x, t)))
	case *ast.DeferStmt:
		if w.cellDefers[x] {
			c.Replace(stand(t.marks, x, rewriteDefer(x, t)))
		} else if d := rewriteFuncDefer(x, t); d != nil {
			c.Replace(stand(t.marks, x, d))
		}
	case *ast.ReturnStmt:
		if w.returns[x] {
			c.Replace(stand(t.marks, x, t.ret(t.id("true"))))
		}
	case *ast.CallExpr:
		if w.skip[x] {
			break
		}
		if id, ok := x.Fun.(*ast.Ident); ok && id.Name == "new" && !w.env.userDefined("new") {
			if w.err == nil {
				w.err = rewriteNew(x, c, t) // gaps.go
			}
			break
		}
		rewriteCall(x, c, w) // calls.go
	case *ast.AssignStmt:
		rewriteAssert(x.Rhs, len(x.Lhs), t) // gaps.go
	case *ast.ValueSpec:
		rewriteAssert(x.Values, len(x.Names), t)
	}
	return true
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
