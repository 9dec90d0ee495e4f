package dsl

import (
	"fmt"
	"go/ast"
	"strings"
)

// rewriteGo makes the goroutine of a go statement recover its panics and
// hand them to the session. Arguments are evaluated before the goroutine
// starts, as Go does.
func rewriteGo(g *ast.GoStmt, ed *editor, n *int) {
	call := g.Call
	if lit, ok := call.Fun.(*ast.FuncLit); ok {
		ed.replace(g.Go, g.Go, goLiveFunc+"(1); ")
		ed.replace(lit.Body.Lbrace+1, lit.Body.Lbrace+1, goEpilogue)
		return
	}
	bind, text := bindArgs(call, ed, n)
	ed.replace(g.Go, call.End(), bind(goLiveFunc+"(1); go func() {"+goEpilogue+" "+text+" }()"))
}

// goEpilogue starts the body of every goroutine a cell starts with a go
// statement: it recovers the goroutine's panic and then stops counting it
// as live. The count goes up before the go statement, in the cell, so the
// session never sees a started goroutine as gone (it compacts, and resets
// the line registers the goroutine writes, only when none is live).
const goEpilogue = " defer " + goLiveFunc + "(-1); defer " + goRecoverFunc + "();"

// goPrologue starts the body of a func that a library runs on a goroutine
// of its own (wg.Go(f)): it counts the goroutine as live and recovers its
// panic, as goEpilogue does for a go statement.
const goPrologue = " " + goLiveFunc + "(1);" + goEpilogue

// rewriteDefer turns a top-level defer into a call registered to run at
// the end of the cell, with its arguments evaluated now.
func rewriteDefer(d *ast.DeferStmt, ed *editor, n *int) {
	bind, text := bindArgs(d.Call, ed, n)
	ed.replace(d.Defer, d.Call.End(), bind(deferFunc+"(func() { "+text+" })"))
}

// rewriteFuncDefer evaluates the arguments of a defer in a function when
// the defer runs, as Go does: yaegi evaluates them when the function
// returns (defer fmt.Println(i) in a loop printed the last i every time).
func rewriteFuncDefer(d *ast.DeferStmt, ed *editor, n *int) {
	bind, text := bindArgs(d.Call, ed, n)
	if b := bind("defer " + text); b != "defer "+text {
		ed.replace(d.Defer, d.Call.End(), b)
	}
}

// bindArgs evaluates the arguments of call into fresh variables (literals
// stay in place): it returns a function that wraps a statement in the
// bindings, and the call written with the variables.
func bindArgs(call *ast.CallExpr, ed *editor, n *int) (func(string) string, string) {
	var names, vals, args []string
	for _, a := range call.Args {
		src := ed.src(a.Pos(), a.End())
		if _, lit := a.(*ast.BasicLit); lit {
			args = append(args, src)
			continue
		}
		*n++
		name := fmt.Sprintf("__latentA%d", *n)
		names = append(names, name)
		vals = append(vals, src)
		args = append(args, name)
	}
	ell := ""
	if call.Ellipsis.IsValid() {
		ell = "..."
	}
	text := fmt.Sprintf("%s(%s%s)", ed.src(call.Fun.Pos(), call.Fun.End()), strings.Join(args, ", "), ell)
	return func(stmt string) string {
		if len(names) == 0 {
			return stmt
		}
		return fmt.Sprintf("{ %s := %s; %s }", strings.Join(names, ", "), strings.Join(vals, ", "), stmt)
	}, text
}
