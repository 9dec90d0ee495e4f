package dsl

import (
	"go/ast"
	"go/token"
	"strconv"
	"strings"
)

// rewriteRange decides how a range over an integer becomes a three-clause
// loop and a range over maps.Keys / maps.Values a range over the map; it
// returns what the walk does after the range's children were rewritten,
// or nil.
func rewriteRange(r *ast.RangeStmt, w *walk) func() ast.Stmt {
	t := w.t
	if call, ok := r.X.(*ast.CallExpr); ok && len(call.Args) == 1 && r.Value == nil {
		switch exprString(call.Fun) {
		case "maps.Keys":
			if !w.env.userDefined("maps") {
				r.X = stand(t.marks, call, call.Args[0])
				return nil
			}
		case "maps.Values":
			if !w.env.userDefined("maps") && r.Key != nil {
				w.skip[call] = true
				return func() ast.Stmt {
					return fresh(t.marks, &ast.RangeStmt{Key: t.id("_"), Value: r.Key, Tok: r.Tok, X: call.Args[0], Body: r.Body})
				}
			}
		}
	}
	if r.Value != nil || !isIntExpr(r.X, w.env, w.locals) {
		return nil
	}
	return func() ast.Stmt {
		x := func() ast.Expr { return t.paren(r.X) }
		t.n++
		n := strconv.Itoa(t.n)
		key := t.id("__latentI" + n)
		tok := token.DEFINE
		if r.Key != nil {
			key, tok = r.Key, r.Tok
		}
		var init ast.Stmt
		var limit ast.Expr = x()
		if tok == token.DEFINE {
			limit = t.id("__latentN" + n)
			init = t.assign([]ast.Expr{key, limit}, token.DEFINE, t.binary(x(), token.SUB, x()), x())
		} else {
			init = t.assign([]ast.Expr{key}, token.ASSIGN, t.binary(x(), token.SUB, x()))
		}
		return fresh(t.marks, &ast.ForStmt{Init: init, Cond: t.binary(key, token.LSS, limit),
			Post: fresh(t.marks, &ast.IncDecStmt{X: key, Tok: token.INC}), Body: r.Body})
	}
}

// markInner marks the maps.Keys or maps.Values call inside
// slices.Sorted(maps.Keys(m)) and slices.Collect(...) for rewriteCall,
// which rewrites the two calls as one.
func markInner(c *ast.CallExpr, w *walk) {
	if name := exprString(c.Fun); (name == "slices.Sorted" || name == "slices.Collect") && len(c.Args) == 1 && !w.env.userDefined("slices") {
		if inner, ok := c.Args[0].(*ast.CallExpr); ok && len(inner.Args) == 1 {
			switch exprString(inner.Fun) {
			case "maps.Keys":
				w.skip[inner] = true
			case "maps.Values":
				w.skip[inner] = name == "slices.Collect"
			}
		}
	}
}

// rewriteCall routes the builtins and generic library functions yaegi lacks
// to the session's interpreted helpers, guards make, and formats with
// fmt's verbs through the session (fmtnames.go). parent holds the call.
func rewriteCall(x *ast.CallExpr, parent ast.Node, w *walk) {
	t := w.t
	name := exprString(x.Fun)
	pkg, _, _ := strings.Cut(name, ".")
	if strings.Contains(name, ".") && w.env.userDefined(pkg) {
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
		if !w.env.userDefined("make") {
			guardMake(x, t)
		}
		return
	case "fmt.Printf", "fmt.Sprintf", "fmt.Fprintf":
		switch parent.(type) {
		case *ast.GoStmt, *ast.DeferStmt:
			// Its arguments are bound one by one and formatted when it
			// runs, by fmt itself.
		default:
			rewriteFmt(x, name, t)
		}
		return
	case "os.Stdout.WriteString", "os.Stderr.WriteString":
		rewriteStdio(x, t)
		return
	case "slices.Sorted", "slices.Collect":
		if inner, ok := x.Args[0].(*ast.CallExpr); ok && len(x.Args) == 1 && w.skip[inner] {
			fn := valuesFunc
			if exprString(inner.Fun) == "maps.Keys" {
				fn = keysFunc
				if name == "slices.Sorted" {
					fn = sortedKeys
				}
			}
			become(t.marks, x, t.callOf(fn, inner.Args[0]))
			return
		}
	}
	if to == "" || (!strings.Contains(name, ".") && w.env.userDefined(name)) {
		return
	}
	x.Fun = stand(t.marks, x.Fun, t.id(to))
	if to == minFunc || to == maxFunc {
		typeLiterals(x, t)
	}
}

// typeLiterals converts the arguments of a min or max call whose arguments
// are all untyped numeric literals to their default type (int, or float64
// when one is a float), since yaegi cannot infer a type parameter from
// untyped constants of mixed kinds.
func typeLiterals(c *ast.CallExpr, t *tree) {
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
	for i, a := range c.Args {
		c.Args[i] = stand(t.marks, a, t.callOf(typ, a))
	}
}
