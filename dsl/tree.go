package dsl

import (
	"go/ast"
	"go/token"
	"strconv"
	"strings"
)

// The passes change a cell's syntax tree: they put new nodes in the place
// of the cell's own (a call of __latentMin for min), insert statements
// into lists (the line tracking, a loop variable's copy), and move the
// cell's own nodes into new ones (the arguments of a go statement into
// the bindings before it). Nodes they build come from the constructors
// below, which mark them fresh; every other node is the cell's own, with
// its positions. print.go prints the program text from the tree.

// marks is what the passes record about the tree of one cell, shared by
// all its chunks (the two forms of a var spec print the same nodes).
type marks struct {
	nodes map[ast.Node]mark // the nodes the passes built or moved
	// changed holds a position inside every node whose subtree the
	// passes changed; a node without one prints as the cell's text.
	changed []token.Pos
	sorted  bool
	// goBodies are the func literals that run as goroutines of their own
	// (see goMethods).
	goBodies map[*ast.FuncLit]bool
}

// posRange is a range of the cell's text.
type posRange struct{ from, to token.Pos }

// mark is what the passes did with one node.
type mark struct {
	fresh    bool     // built by a pass
	track    bool     // a line tracking statement (see trackLines)
	standing bool     // put in the place of another node, whose range was was
	was      posRange // (see stand)
}

// tree is one chunk of a cell while the passes rewrite it: the cell's
// text from pos shift on (text), and the program lines it has in the
// line map, cell line line0 of cell being program line prog0.
type tree struct {
	*marks
	fset               *token.FileSet
	shift              token.Pos
	text               string
	lines              *lineMap
	cell, line0, prog0 int
	col0               int // the text's column on its first line
	n                  int // the fresh variable names given out (__latentA1, ...)
}

// newTree returns the tree of text, which starts at pos shift of fset,
// at line line0, column col0 of cell; it gives the text's lines program
// lines in lines.
func newTree(m *marks, fset *token.FileSet, shift token.Pos, text string, lines *lineMap, cell, line0, col0 int) *tree {
	prog0 := lines.add(cell, line0, line0+strings.Count(text, "\n"))
	return &tree{marks: m, fset: fset, shift: shift, text: text, lines: lines, cell: cell, line0: line0, prog0: prog0, col0: col0}
}

func newMarks() *marks { return &marks{} }

// set records what a pass did with n (the map is made on the first
// change: most cells' trees are printed as they are).
func (m *marks) set(n ast.Node, k mark) {
	if m.nodes == nil {
		m.nodes = make(map[ast.Node]mark, 32)
	}
	m.nodes[n] = k
}

// progLine returns the program line of cell line l.
func (t *tree) progLine(l int) int { return t.prog0 + l - t.line0 }

// dir returns the //line directive that goes before the chunk's text.
func (t *tree) dir() string { return directive(t.prog0, t.col0) }

// name returns a fresh variable name with the prefix p (__latentA1).
func (t *tree) name(p string) string {
	t.n++
	return p + strconv.Itoa(t.n)
}

// own reports whether n is the cell's own node (not built by a pass).
func (m *marks) own(n ast.Node) bool { return !m.nodes[n].fresh }

// stand puts n in the place of old: n prints where old's text was.
func stand[T ast.Node](m *marks, old ast.Node, n T) T {
	o := m.nodes[old]
	if o.fresh && !o.standing {
		return n // old was inserted: n is too
	}
	r := o.was
	if !o.standing {
		r = posRange{old.Pos(), old.End()}
	}
	k := m.nodes[n]
	k.standing, k.was = true, r
	m.set(n, k)
	m.changed = append(m.changed, r.from)
	m.sorted = false
	return n
}

// become makes the cell's call x the built call c, in place (so that
// whatever holds x holds c): x prints as c where x was.
func become(m *marks, x, c *ast.CallExpr) {
	stand(m, x, c)
	m.set(x, m.nodes[c])
	*x = *c
}

// insert returns list with sts inserted before its element i (at the end
// when i is len(list)); at is a position in the node that holds the list,
// outside its statements: the one before the statement, or the brace.
func (m *marks) insert(list []ast.Stmt, i int, at token.Pos, sts ...ast.Stmt) []ast.Stmt {
	m.changed = append(m.changed, at)
	m.sorted = false
	return append(list[:i:i], append(sts, list[i:]...)...)
}

// fresh marks n as built by a pass.
func fresh[T ast.Node](m *marks, n T) T {
	m.set(n, mark{fresh: true})
	return n
}

// id is the identifier name, or the selector pkg.Name.
func (m *marks) id(name string) ast.Expr {
	if pkg, sel, ok := strings.Cut(name, "."); ok {
		return fresh(m, &ast.SelectorExpr{X: fresh(m, ast.NewIdent(pkg)), Sel: fresh(m, ast.NewIdent(sel))})
	}
	return fresh(m, ast.NewIdent(name))
}

// ids are identifiers.
func (m *marks) ids(names ...string) []ast.Expr {
	es := make([]ast.Expr, len(names))
	for i, n := range names {
		es[i] = m.id(n)
	}
	return es
}

// call is fun(args).
func (m *marks) call(fun ast.Expr, args ...ast.Expr) *ast.CallExpr {
	return fresh(m, &ast.CallExpr{Fun: fun, Args: args})
}

// callOf is the call of a function named name.
func (m *marks) callOf(name string, args ...ast.Expr) *ast.CallExpr {
	return m.call(m.id(name), args...)
}

// lit is a literal.
func (m *marks) lit(kind token.Token, v string) *ast.BasicLit {
	return fresh(m, &ast.BasicLit{Kind: kind, Value: v})
}

func (m *marks) intLit(v int64) *ast.BasicLit {
	return m.lit(token.INT, strconv.FormatInt(v, 10))
}

func (m *marks) expr(x ast.Expr) *ast.ExprStmt { return fresh(m, &ast.ExprStmt{X: x}) }

func (m *marks) block(list ...ast.Stmt) *ast.BlockStmt {
	return fresh(m, &ast.BlockStmt{List: list})
}

func (m *marks) assign(lhs []ast.Expr, tok token.Token, rhs ...ast.Expr) *ast.AssignStmt {
	return fresh(m, &ast.AssignStmt{Lhs: lhs, Tok: tok, Rhs: rhs})
}

func (m *marks) ret(results ...ast.Expr) *ast.ReturnStmt {
	return fresh(m, &ast.ReturnStmt{Results: results})
}

func (m *marks) unary(op token.Token, x ast.Expr) *ast.UnaryExpr {
	return fresh(m, &ast.UnaryExpr{Op: op, X: x})
}

func (m *marks) binary(x ast.Expr, op token.Token, y ast.Expr) *ast.BinaryExpr {
	return fresh(m, &ast.BinaryExpr{X: x, Op: op, Y: y})
}

func (m *marks) paren(x ast.Expr) *ast.ParenExpr { return fresh(m, &ast.ParenExpr{X: x}) }

func (m *marks) deferOf(c *ast.CallExpr) *ast.DeferStmt { return fresh(m, &ast.DeferStmt{Call: c}) }

func (m *marks) goOf(c *ast.CallExpr) *ast.GoStmt { return fresh(m, &ast.GoStmt{Call: c}) }

// field is a parameter or result: name (may be empty) of type typ.
func (m *marks) field(name string, typ ast.Expr) *ast.Field {
	f := fresh(m, &ast.Field{Type: typ})
	if name != "" {
		f.Names = []*ast.Ident{fresh(m, ast.NewIdent(name))}
	}
	return f
}

// funcLit is func(params) (results) { body }.
func (m *marks) funcLit(params, results []*ast.Field, body ...ast.Stmt) *ast.FuncLit {
	typ := fresh(m, &ast.FuncType{Params: fresh(m, &ast.FieldList{List: params})})
	if len(results) > 0 {
		typ.Results = fresh(m, &ast.FieldList{List: results})
	}
	return fresh(m, &ast.FuncLit{Type: typ, Body: m.block(body...)})
}

// litNow is lit made a value on the spot, after the statements before:
// func() T { before; return lit }(). yaegi binds a literal passed straight
// to a call to its enclosing frame only when the callee runs it.
func (m *marks) litNow(lit *ast.FuncLit, before ...ast.Stmt) *ast.CallExpr {
	return m.call(m.funcLit(nil, []*ast.Field{m.field("", lit.Type)}, append(before, m.ret(lit))...))
}

// varOf is var name typ.
func (m *marks) varOf(name string, typ ast.Expr) *ast.DeclStmt {
	spec := fresh(m, &ast.ValueSpec{Names: []*ast.Ident{fresh(m, ast.NewIdent(name))}, Type: typ})
	return fresh(m, &ast.DeclStmt{Decl: fresh(m, &ast.GenDecl{Tok: token.VAR, Specs: []ast.Spec{spec}})})
}

// source returns the cell's text of n, one of the cell's own nodes.
func (t *tree) source(n ast.Node) string {
	return t.text[n.Pos()-t.shift : min(int(n.End()-t.shift), len(t.text))]
}
