package dsl

import (
	"fmt"
	"go/ast"
	"go/token"
	"strings"
)

// Names of the interpreted helpers every session defines (see preamble).
const (
	goRecoverFunc  = "__latentGoRecover"
	minFunc        = "__latentMin"
	maxFunc        = "__latentMax"
	sortFunc       = "__latentSort"
	sliceMinFunc   = "__latentSliceMin"
	sliceMaxFunc   = "__latentSliceMax"
	keysFunc       = "__latentKeys"
	sortedKeys     = "__latentSortedKeys"
	valuesFunc     = "__latentValues"
	sortFuncFunc   = "__latentSortFunc"
	sortStableFunc = "__latentSortStableFunc"
	clearFunc      = "__latent.Clear"
	deferFunc      = "__latentDefer"
	goLiveFunc     = "__latent.GoLive"
	enterFunc      = "__latent.Enter"
	leaveFunc      = "__latent.Leave"
	returnFunc     = "__latent.Return"
	lenFunc        = "__latent.Len"
	nopStmt        = "__latentNop = 0"
	runDefers      = "__latentRunDefers()"
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
				ed.replace(st.Pos(), st.Pos(), "{ func() { ")
				ed.replace(st.End(), st.End(), " }() }")
			case calledLiteral(st) && (st != body.List[len(body.List)-1] || !hasResults(st)):
				// yaegi runs a func literal called at a cell's top level
				// again on every later cell that declares a variable; in
				// a block it runs once.
				ed.replace(st.Pos(), st.Pos(), "{ ")
				ed.replace(st.End(), st.End(), " }")
			case scopedHeader(st):
				// yaegi makes the variables of a top-level for, if or
				// switch header global; a block keeps them local, as in Go.
				ed.replace(st.Pos(), st.Pos(), "{ ")
				ed.replace(st.End(), st.End(), " }")
			}
		}
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
		case *ast.CallExpr:
			rewriteCall(x, ed, env)
			guardGoMethod(x, ed) // callbacks.go
		}
		return true
	})
	if body != nil {
		// Defers outside function literals are the cell's own.
		ast.Inspect(body, func(node ast.Node) bool {
			switch x := node.(type) {
			case *ast.FuncLit:
				return false
			case *ast.DeferStmt:
				info.defers = true
				rewriteDefer(x, ed, &n)
			}
			return true
		})
	}
	return info, err
}

// scopedHeader reports whether st declares variables in its header.
func scopedHeader(st ast.Stmt) bool {
	switch x := st.(type) {
	case *ast.ForStmt:
		return x.Init != nil
	case *ast.RangeStmt:
		return x.Tok == token.DEFINE
	case *ast.IfStmt:
		return x.Init != nil
	case *ast.SwitchStmt:
		return x.Init != nil
	case *ast.TypeSwitchStmt:
		return true
	}
	return false
}

// nestedMultiDefine reports whether the top-level statement st declares,
// in a block nested in it (outside function literals), several variables
// from one multi-valued expression: `a, b := f()`, `v, ok := m[k]`,
// `var a, b = f()`.
func nestedMultiDefine(st ast.Stmt) bool {
	switch st.(type) {
	case *ast.AssignStmt, *ast.DeclStmt, *ast.ExprStmt, *ast.IncDecStmt, *ast.SendStmt, *ast.GoStmt, *ast.DeferStmt:
		return false // no nested blocks of their own, or only in func literals
	}
	found := false
	ast.Inspect(st, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.AssignStmt:
			if x.Tok == token.DEFINE && len(x.Lhs) > 1 && len(x.Rhs) == 1 {
				found = true
			}
		case *ast.ValueSpec:
			if len(x.Names) > 1 && len(x.Values) == 1 {
				found = true
			}
		}
		return !found
	})
	return found
}

// calledLiteral reports whether st is a call of a function literal.
func calledLiteral(st ast.Stmt) bool {
	if es, ok := st.(*ast.ExprStmt); ok {
		if c, ok := es.X.(*ast.CallExpr); ok {
			_, lit := c.Fun.(*ast.FuncLit)
			return lit
		}
	}
	return false
}

// hasResults reports whether the function literal called by st (see
// calledLiteral) returns something: then the call may be the cell's result.
func hasResults(st ast.Stmt) bool {
	fl := st.(*ast.ExprStmt).X.(*ast.CallExpr).Fun.(*ast.FuncLit)
	return fl.Type.Results.NumFields() > 0
}

// hasBranch reports whether st contains a return (tok RETURN) or a goto
// (tok GOTO) outside function literals.
func hasBranch(st ast.Stmt, tok token.Token) bool {
	found := false
	ast.Inspect(st, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			found = found || tok == token.RETURN
		case *ast.BranchStmt:
			found = found || x.Tok == tok
		}
		return !found
	})
	return found
}

// rewriteReturn makes the top-level statement st, which contains a return
// that ends the cell, run in a func literal that reports whether it
// returned; if it did, a compiled call raises the panic that ends the cell
// without an error (yaegi's compiler crashes on a return outside a
// function). The literal also keeps yaegi from losing nested multi-value
// := variables (see nestedMultiDefine).
func rewriteReturn(st ast.Stmt, ed *editor) {
	ed.replace(st.Pos(), st.Pos(), "{ if func() bool { ")
	ed.replace(st.End(), st.End(), "\n; return false }() { "+returnFunc+"() } }")
	ast.Inspect(st, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			if len(x.Results) == 0 {
				ed.replace(x.Return, x.End(), "return true")
			}
		}
		return true
	})
}

// mainDecl returns the wrapper declaration of a statement chunk, or nil.
func mainDecl(f *ast.File, body *ast.BlockStmt) *ast.FuncDecl {
	if body == nil {
		return nil
	}
	return f.Decls[0].(*ast.FuncDecl)
}

// mayRecurse reports whether a function body calls anything that may lead
// back into notebook code: a function or func value by name (not a
// builtin), a method, or a package function that may call back (fmt calls
// String methods, sort calls comparators). A function that calls only
// builtins and leaf packages (math, strings, strconv, ...) cannot be part
// of a recursion cycle, so it needs no depth guard; leaving it out keeps
// small hot functions (comparators, arithmetic helpers) fast.
func mayRecurse(b *ast.BlockStmt, env rewriteEnv) bool {
	found := false
	ast.Inspect(b, func(n ast.Node) bool {
		if found {
			return false
		}
		switch x := n.(type) {
		case *ast.FuncLit:
			return false // guarded, or not, on its own
		case *ast.CallExpr:
			switch fn := x.Fun.(type) {
			case *ast.Ident:
				if !isBuiltin(fn.Name) {
					found = true
				}
			case *ast.SelectorExpr:
				if id, ok := fn.X.(*ast.Ident); !ok || !env.isPackage(id.Name) || !leafPackages[id.Name] {
					found = true
				}
			case *ast.ParenExpr, *ast.ArrayType, *ast.MapType, *ast.ChanType, *ast.FuncType, *ast.InterfaceType, *ast.StructType, *ast.StarExpr:
				// conversions; a parenthesised callee is rare enough to treat
				// as a conversion
			default:
				found = true
			}
		}
		return true
	})
	return found
}

// leafPackages never call back into the caller's code.
var leafPackages = map[string]bool{
	"math": true, "bits": true, "cmplx": true, "strings": true, "strconv": true,
	"unicode": true, "utf8": true, "utf16": true, "bytes": true, "time": true,
}

func isBuiltin(name string) bool {
	for _, b := range builtins {
		if b == name {
			return true
		}
	}
	return false
}

// guardDepth makes a function body count itself in the session's call
// depth: unbounded recursion becomes a panic the cell reports, instead of a
// Go stack overflow, which no recover can stop and which ends the process.
func guardDepth(b *ast.BlockStmt, ed *editor) {
	ed.replace(b.Lbrace+1, b.Lbrace+1, " "+enterFunc+"(); defer "+leaveFunc+"();")
}

// rewriteInfo says what rewrite changed.
type rewriteInfo struct {
	defers bool // top-level defers were turned into end-of-cell calls
}

// unsupportedError names a construct the interpreter cannot run, where it
// is, and what to write instead.
type unsupportedError struct {
	pos           token.Position
	what, instead string
}

func (e unsupportedError) Error() string {
	return fmt.Sprintf("%d:%d: %s is not supported by the interpreter; %s", e.pos.Line, e.pos.Column, e.what, e.instead)
}

// selfRecursiveGeneric reports whether fd is a generic function (not a
// method) that calls itself. yaegi v0.16.1 builds such a function's node
// graph with a cycle, and a panic inside it sends its recovery into
// unbounded recursion: a fatal stack overflow that ends the process.
func selfRecursiveGeneric(fd *ast.FuncDecl) bool {
	if fd.Recv != nil || fd.Type.TypeParams.NumFields() == 0 || fd.Body == nil {
		return false
	}
	found := false
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			fun := c.Fun
			switch x := fun.(type) {
			case *ast.IndexExpr:
				fun = x.X
			case *ast.IndexListExpr:
				fun = x.X
			}
			if id, ok := fun.(*ast.Ident); ok && id.Name == fd.Name.Name {
				found = true
			}
		}
		return !found
	})
	return found
}

// funcLocals finds names the file binds to function literals.
func funcLocals(f *ast.File) map[string]bool {
	fl := map[string]bool{}
	ast.Inspect(f, func(node ast.Node) bool {
		if a, ok := node.(*ast.AssignStmt); ok && len(a.Lhs) == len(a.Rhs) {
			for i, l := range a.Lhs {
				if id, ok := l.(*ast.Ident); ok {
					if _, lit := a.Rhs[i].(*ast.FuncLit); lit {
						fl[id.Name] = true
					}
				}
			}
		}
		return true
	})
	return fl
}

// isFuncExpr reports whether e is, as far as the session can tell, a
// function value.
func isFuncExpr(e ast.Expr, env rewriteEnv, funcs map[string]bool) bool {
	switch x := e.(type) {
	case *ast.FuncLit:
		return true
	case *ast.ParenExpr:
		return isFuncExpr(x.X, env, funcs)
	case *ast.Ident:
		return funcs[x.Name] || env.funcValued(x.Name)
	}
	return false
}

// intLocals finds names the file defines from integer expressions
// (`n := 10`, `var n int`, `n := len(xs)`), ignoring scopes.
func intLocals(f *ast.File, env rewriteEnv) map[string]bool {
	locals := map[string]bool{}
	ast.Inspect(f, func(node ast.Node) bool {
		switch x := node.(type) {
		case *ast.AssignStmt:
			if x.Tok == token.DEFINE && len(x.Lhs) == len(x.Rhs) {
				for i, l := range x.Lhs {
					if id, ok := l.(*ast.Ident); ok && isIntExpr(x.Rhs[i], env, locals) {
						locals[id.Name] = true
					}
				}
			}
		case *ast.ValueSpec:
			intType := false
			if t, ok := x.Type.(*ast.Ident); ok && isIntTypeName(t.Name) {
				intType = true
			}
			for i, id := range x.Names {
				if intType || (x.Type == nil && i < len(x.Values) && isIntExpr(x.Values[i], env, locals)) {
					locals[id.Name] = true
				}
			}
		}
		return true
	})
	return locals
}

func isIntTypeName(s string) bool {
	switch s {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr", "byte", "rune":
		return true
	}
	return false
}

// isIntExpr reports whether e is, as far as syntax and the session's
// globals tell, an integer.
func isIntExpr(e ast.Expr, env rewriteEnv, locals map[string]bool) bool {
	switch x := e.(type) {
	case *ast.BasicLit:
		return x.Kind == token.INT
	case *ast.Ident:
		return locals[x.Name] || env.intValued(x.Name)
	case *ast.ParenExpr:
		return isIntExpr(x.X, env, locals)
	case *ast.CallExpr:
		if id, ok := x.Fun.(*ast.Ident); ok {
			return id.Name == "len" || id.Name == "cap" || isIntTypeName(id.Name)
		}
	case *ast.BinaryExpr:
		switch x.Op {
		case token.ADD, token.SUB, token.MUL, token.QUO, token.REM, token.SHL, token.SHR, token.AND, token.OR, token.XOR:
			return isIntExpr(x.X, env, locals) || isIntExpr(x.Y, env, locals)
		}
	case *ast.UnaryExpr:
		return x.Op == token.SUB && isIntExpr(x.X, env, locals)
	}
	return false
}

// rewriteRange turns a range over an integer into a three-clause loop and a
// range over maps.Keys / maps.Values into a range over the map.
func rewriteRange(r *ast.RangeStmt, ed *editor, env rewriteEnv, locals map[string]bool, n *int) {
	if call, ok := r.X.(*ast.CallExpr); ok && len(call.Args) == 1 && r.Value == nil {
		switch exprString(call.Fun) {
		case "maps.Keys":
			if !env.userDefined("maps") {
				ed.replace(r.X.Pos(), r.X.End(), ed.src(call.Args[0].Pos(), call.Args[0].End()))
				return
			}
		case "maps.Values":
			if !env.userDefined("maps") && r.Key != nil {
				key := ed.src(r.Key.Pos(), r.Key.End())
				ed.replace(r.For, r.Body.Lbrace, fmt.Sprintf("for _, %s %s range %s ", key, r.Tok, ed.src(call.Args[0].Pos(), call.Args[0].End())))
				return
			}
		}
	}
	if r.Value != nil || !isIntExpr(r.X, env, locals) {
		return
	}
	*n++
	x := "(" + ed.src(r.X.Pos(), r.X.End()) + ")"
	limit := fmt.Sprintf("__latentN%d", *n)
	key := fmt.Sprintf("__latentI%d", *n)
	tok := token.DEFINE
	if r.Key != nil {
		key = ed.src(r.Key.Pos(), r.Key.End())
		tok = r.Tok
	}
	var head string
	if tok == token.DEFINE {
		head = fmt.Sprintf("for %s, %s := %s-%s, %s; %s < %s; %s++ ", key, limit, x, x, x, key, limit, key)
	} else {
		head = fmt.Sprintf("for %s = %s-%s; %s < %s; %s++ ", key, x, x, key, x, key)
	}
	ed.replace(r.For, r.Body.Lbrace, head)
}

// guardMake passes the sizes of a make of a slice or channel through the
// compiled check lenFunc, which refuses an allocation larger than the
// memory available: Go cannot recover from running out of memory, and the
// session would end. Element sizes are known for basic types; others count
// as 8 bytes (a lower bound).
func guardMake(c *ast.CallExpr, ed *editor) {
	if len(c.Args) < 2 {
		return
	}
	var elem ast.Expr
	switch t := c.Args[0].(type) {
	case *ast.ArrayType:
		if t.Len != nil {
			return
		}
		elem = t.Elt
	case *ast.ChanType:
		elem = t.Value
	default:
		return // a map, or a named type
	}
	size := int64(8)
	if id, ok := elem.(*ast.Ident); ok {
		if n, ok := basicSizes[id.Name]; ok {
			size = n
		}
	}
	for _, a := range c.Args[1:] {
		ed.replace(a.Pos(), a.Pos(), lenFunc+"(int64(")
		ed.replace(a.End(), a.End(), fmt.Sprintf("), %d)", size))
	}
}

// basicSizes are the sizes in bytes of the basic types.
var basicSizes = map[string]int64{
	"bool": 1, "byte": 1, "uint8": 1, "int8": 1, "int16": 2, "uint16": 2,
	"int32": 4, "uint32": 4, "rune": 4, "float32": 4,
	"int": 8, "uint": 8, "int64": 8, "uint64": 8, "uintptr": 8, "float64": 8, "complex64": 8,
	"complex128": 16, "string": 16,
}

// rewriteGo makes the goroutine of a go statement recover its panics and
// hand them to the session. Arguments are evaluated before the goroutine
// starts, as Go does.
func rewriteGo(g *ast.GoStmt, ed *editor, n *int) {
	call := g.Call
	if lit, ok := call.Fun.(*ast.FuncLit); ok {
		ed.replace(lit.Body.Lbrace+1, lit.Body.Lbrace+1, goPrologue)
		return
	}
	bind, text := bindArgs(call, ed, n)
	ed.replace(g.Go, call.End(), bind("go func() {"+goPrologue+" "+text+" }()"))
}

// goPrologue starts the body of every goroutine a cell starts: it counts
// the goroutine as live (the session compacts only when none is) and
// recovers its panic.
const goPrologue = " " + goLiveFunc + "(1); defer " + goLiveFunc + "(-1); defer " + goRecoverFunc + "();"

// rewriteDefer turns a top-level defer into a call registered to run at
// the end of the cell, with its arguments evaluated now.
func rewriteDefer(d *ast.DeferStmt, ed *editor, n *int) {
	bind, text := bindArgs(d.Call, ed, n)
	ed.replace(d.Defer, d.Call.End(), bind(deferFunc+"(func() { "+text+" })"))
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

// rewriteCall routes the builtins and generic library functions yaegi lacks
// to the session's interpreted helpers.
func rewriteCall(c *ast.CallExpr, ed *editor, env rewriteEnv) {
	name := exprString(c.Fun)
	pkg, _, _ := strings.Cut(name, ".")
	if strings.Contains(name, ".") && env.userDefined(pkg) {
		return
	}
	to := ""
	switch name {
	case "min":
		to = minFunc
	case "max":
		to = maxFunc
	case "slices.Sort":
		to = sortFunc
	case "slices.SortFunc":
		to = sortFuncFunc
	case "slices.SortStableFunc":
		to = sortStableFunc
	case "clear":
		to = clearFunc
	case "slices.Min":
		to = sliceMinFunc
	case "slices.Max":
		to = sliceMaxFunc
	case "maps.Keys":
		to = keysFunc
	case "maps.Values":
		to = valuesFunc
	case "make":
		if !env.userDefined("make") {
			guardMake(c, ed)
		}
		return
	case "slices.Sorted", "slices.Collect":
		if len(c.Args) == 1 {
			if inner, ok := c.Args[0].(*ast.CallExpr); ok && len(inner.Args) == 1 {
				switch exprString(inner.Fun) {
				case "maps.Keys":
					fn := keysFunc
					if name == "slices.Sorted" {
						fn = sortedKeys
					}
					ed.replace(c.Pos(), c.End(), fn+"("+ed.src(inner.Args[0].Pos(), inner.Args[0].End())+")")
					return
				case "maps.Values":
					if name == "slices.Collect" {
						ed.replace(c.Pos(), c.End(), valuesFunc+"("+ed.src(inner.Args[0].Pos(), inner.Args[0].End())+")")
						return
					}
				}
			}
		}
	}
	if to == "" || (!strings.Contains(name, ".") && env.userDefined(name)) {
		return
	}
	ed.replace(c.Fun.Pos(), c.Fun.End(), to)
	if to == minFunc || to == maxFunc {
		typeLiterals(c, ed)
	}
}

// typeLiterals converts the arguments of a min or max call whose arguments
// are all untyped numeric literals to their default type (int, or float64
// when one is a float), since yaegi cannot infer a type parameter from
// untyped constants of mixed kinds.
func typeLiterals(c *ast.CallExpr, ed *editor) {
	typ := "int"
	for _, a := range c.Args {
		if u, ok := a.(*ast.UnaryExpr); ok && (u.Op == token.SUB || u.Op == token.ADD) {
			a = u.X
		}
		lit, ok := a.(*ast.BasicLit)
		if !ok {
			return
		}
		switch lit.Kind {
		case token.FLOAT:
			typ = "float64"
		case token.INT:
		default:
			return
		}
	}
	for _, a := range c.Args {
		ed.replace(a.Pos(), a.Pos(), typ+"(")
		ed.replace(a.End(), a.End(), ")")
	}
}

// preamble is interpreted once in every fresh interpreter. It defines the
// helpers the rewrites call. The sessionPkg functions are compiled. It runs
// after the preloaded imports, sort among them.
const preamble = `package main

import __latent "latentsession"

type __latentOrdered interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr | ~float32 | ~float64 | ~string
}

// __latentLine and __latentCellLine hold the position of the statement
// that last ran (see trackLines).
var __latentLine, __latentCellLine int

// __latentNop ends a chunk without a result (see nopStmt).
var __latentNop int

// __latentV carries a cell's result back into the interpreter when it is
// a notebook type that renders itself.
var __latentV any

func __latentGoRecover() {
	if r := recover(); r != nil {
		__latent.GoPanic(r, __latentLine)
	}
}

func __latentMin[T __latentOrdered](a T, rest ...T) T {
	m := a
	for _, v := range rest {
		if v < m || v != v {
			m = v
		}
	}
	return m
}

func __latentMax[T __latentOrdered](a T, rest ...T) T {
	m := a
	for _, v := range rest {
		if v > m || v != v {
			m = v
		}
	}
	return m
}

func __latentSort[T __latentOrdered](s []T) {
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] || (s[i] != s[i] && s[j] == s[j]) })
}

func __latentSortFunc[T any](s []T, cmp func(a, b T) int) {
	sort.Slice(s, func(i, j int) bool { return cmp(s[i], s[j]) < 0 })
}

func __latentSortStableFunc[T any](s []T, cmp func(a, b T) int) {
	sort.SliceStable(s, func(i, j int) bool { return cmp(s[i], s[j]) < 0 })
}

var __latentDefers []func()

func __latentDefer(f func()) { __latentDefers = append(__latentDefers, f) }

func __latentRunDefers() {
	for len(__latentDefers) > 0 {
		f := __latentDefers[len(__latentDefers)-1]
		__latentDefers = __latentDefers[:len(__latentDefers)-1]
		f()
	}
}

func __latentSliceMin[T __latentOrdered](s []T) T {
	if len(s) == 0 {
		panic("slices.Min: empty list")
	}
	return __latentMin(s[0], s[1:]...)
}

func __latentSliceMax[T __latentOrdered](s []T) T {
	if len(s) == 0 {
		panic("slices.Max: empty list")
	}
	return __latentMax(s[0], s[1:]...)
}

func __latentKeys[K comparable, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

func __latentSortedKeys[K __latentOrdered, V any](m map[K]V) []K {
	keys := __latentKeys(m)
	__latentSort(keys)
	return keys
}

func __latentValues[K comparable, V any](m map[K]V) []V {
	vals := make([]V, 0, len(m))
	for _, v := range m {
		vals = append(vals, v)
	}
	return vals
}
`
