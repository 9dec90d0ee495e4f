package dsl

import (
	"fmt"
	"go/ast"
	"go/token"
	"strings"
)

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
	case "fmt.Printf", "fmt.Sprintf", "fmt.Fprintf":
		rewriteFmt(c, name, ed)
		return
	case "os.Stdout.WriteString", "os.Stderr.WriteString":
		rewriteStdio(c, name, ed)
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
		ed.wrap(a, typ+"(", ")")
	}
}
