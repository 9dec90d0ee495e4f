package dsl

import (
	"fmt"
	"go/ast"
	"go/token"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// The program text of a chunk is printed once from its tree, after the
// passes. A node the passes built is written from its fields, on one line
// (statements separated by ";"). A node of the cell is written as the
// cell's text between its children, each child printed in its turn where
// the child it stands for was (see stand), and statements inserted into a
// list written before the statement they precede. A node whose subtree no
// pass changed is the cell's text as it stands, so its tokens keep their
// lines and columns; after built text, a /*line*/ directive gives the next
// token of the cell its own position again, so every error and panic
// names the cell's line and column.
//
// go/printer is not used: it lays the whole tree out anew (indentation,
// spacing, line breaks), which moves the columns of the cell's tokens,
// and its SourcePos mode restores lines but not columns.

// printer writes one chunk's text.
type printer struct {
	t        *tree
	b        strings.Builder
	tracking bool // with the line tracking and the directives that keep positions
	synced   bool // the text written next is at its own position in the cell
	kids     kids // the children of the nodes being printed
}

// print returns the text of the chunk's top-level nodes. tracking: with
// the line tracking statements and the position directives (what runs);
// without them it is the chunk's plain source (what the session keeps).
func (t *tree) print(tracking bool, nodes ...ast.Node) string {
	if !t.sorted {
		slices.Sort(t.changed)
		t.sorted = true
	}
	end := t.shift + token.Pos(len(t.text))
	if t.clean(t.shift-1, end) { // (an insertion before the first statement is at shift-1)
		return t.text
	}
	p := &printer{t: t, tracking: tracking, synced: true, kids: kids{list: make([]ast.Node, 0, 64)}}
	p.b.Grow(len(t.text) + len(t.text)/2)
	p.between(t.shift, end, nodes)
	return p.b.String()
}

// clean reports whether no pass changed anything between two positions.
func (m *marks) clean(from, to token.Pos) bool {
	i := sort.Search(len(m.changed), func(i int) bool { return m.changed[i] >= from })
	return i == len(m.changed) || m.changed[i] >= to
}

// node prints n.
func (p *printer) node(n ast.Node) {
	if p.t.nodes[n].fresh {
		p.built(n)
		return
	}
	if r, ok := p.t.intact(n); ok {
		p.src(r.from, r.to)
		return
	}
	mark := len(p.kids.list)
	kids := p.kids.of(n)
	r := p.t.rng(n, kids)
	p.between(r.from, r.to, kids)
	p.kids.list = p.kids.list[:mark]
}

// intact returns the range of the cell's node n when no pass changed
// anything in it.
func (t *tree) intact(n ast.Node) (posRange, bool) {
	from, to := n.Pos(), n.End()
	// A node whose first or last child was replaced has no range of its
	// own any more (CallExpr.Pos is its Fun's); a changed node has a
	// change inside it.
	return posRange{from, to}, from >= t.shift && from < to && t.clean(from, to)
}

// rng returns the range of the cell's text that n, one of the cell's
// nodes with the children kids, was. A node whose first or last child
// was replaced has no range of its own any more (CallExpr.Pos is its
// Fun's): the built child's position is 0, or its end a small number.
func (t *tree) rng(n ast.Node, kids []ast.Node) posRange {
	r := posRange{n.Pos(), n.End()}
	if r.from >= t.shift && r.from < r.to || len(kids) == 0 {
		return r
	}
	if first := kids[0]; r.from == first.Pos() {
		if s, ok := t.slot(first); ok {
			r.from = s.from
		}
	}
	if last := kids[len(kids)-1]; r.to == last.End() {
		if s, ok := t.slot(last); ok {
			r.to = s.to
		}
	}
	return r
}

// slot returns the range of the cell's text that k prints in place of;
// false for a statement the passes inserted.
func (t *tree) slot(k ast.Node) (posRange, bool) {
	if mk := t.nodes[k]; mk.standing {
		return mk.was, true
	} else if mk.fresh {
		return posRange{}, false
	}
	if r := (posRange{k.Pos(), k.End()}); r.from >= t.shift && r.from < r.to {
		return r, true
	}
	return t.rng(k, children(k)), true
}

// between prints the cell's text from..to with the nodes kids in it.
func (p *printer) between(from, to token.Pos, kids []ast.Node) {
	at := from
	var pending []ast.Node // inserted statements, printed before the next one
	for _, k := range kids {
		var r posRange
		var sub []ast.Node // the children of a changed node of the cell
		same := false      // k is intact: its text is the cell's
		if mk := p.t.nodes[k]; mk.standing {
			r = mk.was
		} else if mk.fresh {
			if p.tracking || !mk.track {
				pending = append(pending, k)
			}
			continue
		} else if r, same = p.t.intact(k); !same {
			sub = p.kids.of(k)
			r = p.t.rng(k, sub)
		}
		if r.from >= at {
			p.src(at, r.from)
		}
		for _, q := range pending {
			p.node(q)
			p.raw("; ")
		}
		pending = nil
		switch {
		case same:
			p.src(r.from, r.to)
		case sub != nil:
			p.between(r.from, r.to, sub)
			p.kids.list = p.kids.list[:len(p.kids.list)-len(sub)]
		default:
			p.node(k)
		}
		at = max(at, r.to)
	}
	for _, q := range pending {
		p.raw("; ")
		p.node(q)
	}
	p.src(at, to)
}

// src writes the cell's text between two positions, after the directive
// that gives it its position when built text came before. A node the
// parser recovered from a syntax error can end past the cell (the implicit
// empty statement after a trailing label ends at the closing brace the
// composed file adds): the text stops at the cell's end.
func (p *printer) src(from, to token.Pos) {
	to = min(to, p.t.shift+token.Pos(len(p.t.text)))
	if to <= from {
		return
	}
	if !p.synced && p.tracking {
		pos := p.t.fset.Position(from)
		p.b.WriteString("/*line _.go:" + strconv.Itoa(p.t.progLine(pos.Line)) + ":" + strconv.Itoa(pos.Column) + "*/")
	}
	p.synced = true
	p.b.WriteString(p.t.text[from-p.t.shift : to-p.t.shift])
}

// raw writes built text.
func (p *printer) raw(s string) {
	p.b.WriteString(s)
	p.synced = false
}

// children returns the nodes directly under n, in the order of the text.
func children(n ast.Node) []ast.Node {
	var v kids
	return v.of(n)
}

// kids collects the children of a node; the printer keeps one, so that
// the lists of all the nodes it is in share one array.
type kids struct {
	n    ast.Node
	list []ast.Node
}

// of appends the children of n to the list and returns them.
func (v *kids) of(n ast.Node) []ast.Node {
	start := len(v.list)
	if fd, ok := n.(*ast.FuncDecl); ok {
		// Its type's range starts at `func`, before the receiver and name.
		for _, k := range []ast.Node{fd.Recv, fd.Name, fd.Type.TypeParams, fd.Type.Params, fd.Type.Results, fd.Body} {
			if k != nil && !isNil(k) {
				v.list = append(v.list, k)
			}
		}
	} else {
		v.n = n
		ast.Walk(v, n)
	}
	return v.list[start:len(v.list):len(v.list)]
}

// Visit implements ast.Visitor for of.
func (v *kids) Visit(c ast.Node) ast.Visitor {
	switch c.(type) {
	case nil, *ast.CommentGroup, *ast.Comment:
		return nil
	}
	if c == v.n {
		return v
	}
	v.list = append(v.list, c)
	return nil
}

// isNil reports whether n is a nil pointer in an interface.
func isNil(n ast.Node) bool {
	switch x := n.(type) {
	case *ast.FieldList:
		return x == nil
	case *ast.BlockStmt:
		return x == nil
	}
	return false
}

// list prints expressions separated by commas.
func (p *printer) list(es []ast.Expr) {
	for i, e := range es {
		if i > 0 {
			p.raw(", ")
		}
		p.node(e)
	}
}

// built prints a node a pass built.
func (p *printer) built(n ast.Node) {
	switch x := n.(type) {
	case *ast.Ident:
		p.raw(x.Name)
	case *ast.BasicLit:
		p.raw(x.Value)
	case *ast.SelectorExpr:
		p.node(x.X)
		p.raw("." + x.Sel.Name)
	case *ast.CallExpr:
		p.node(x.Fun)
		p.raw("(")
		p.list(x.Args)
		if x.Ellipsis.IsValid() {
			p.raw("...")
		}
		p.raw(")")
	case *ast.ParenExpr:
		p.raw("(")
		p.node(x.X)
		p.raw(")")
	case *ast.UnaryExpr:
		p.raw(x.Op.String())
		p.node(x.X)
	case *ast.StarExpr:
		p.raw("*")
		p.node(x.X)
	case *ast.BinaryExpr:
		p.node(x.X)
		p.raw(" " + x.Op.String() + " ")
		p.node(x.Y)
	case *ast.TypeAssertExpr:
		p.node(x.X)
		p.raw(".(")
		p.node(x.Type)
		p.raw(")")
	case *ast.FuncLit:
		p.node(x.Type)
		p.raw(" ")
		p.node(x.Body)
	case *ast.FuncType:
		p.raw("func(")
		p.fields(x.Params)
		p.raw(")")
		if r := x.Results; r != nil && len(r.List) == 1 && len(r.List[0].Names) == 0 {
			p.raw(" ")
			p.node(r.List[0].Type)
		} else if r != nil && len(r.List) > 0 {
			p.raw(" (")
			p.fields(r)
			p.raw(")")
		}
	case *ast.BlockStmt:
		p.raw("{ ")
		first := true
		for _, st := range x.List {
			if !p.tracking && p.t.nodes[st].track {
				continue
			}
			if !first {
				p.raw("; ")
			}
			first = false
			p.node(st)
		}
		p.raw(" }")
	case *ast.ExprStmt:
		p.node(x.X)
	case *ast.AssignStmt:
		p.list(x.Lhs)
		p.raw(" " + x.Tok.String() + " ")
		p.list(x.Rhs)
	case *ast.ReturnStmt:
		p.raw("return")
		if len(x.Results) > 0 {
			p.raw(" ")
			p.list(x.Results)
		}
	case *ast.IfStmt:
		p.raw("if ")
		p.node(x.Cond)
		p.raw(" ")
		p.node(x.Body)
	case *ast.ForStmt:
		p.raw("for ")
		p.node(x.Init)
		p.raw("; ")
		p.node(x.Cond)
		p.raw("; ")
		p.node(x.Post)
		p.raw(" ")
		p.node(x.Body)
	case *ast.RangeStmt:
		p.raw("for ")
		p.node(x.Key)
		if x.Value != nil {
			p.raw(", ")
			p.node(x.Value)
		}
		p.raw(" " + x.Tok.String() + " range ")
		p.node(x.X)
		p.raw(" ")
		p.node(x.Body)
	case *ast.IncDecStmt:
		p.node(x.X)
		p.raw(x.Tok.String())
	case *ast.GoStmt:
		p.raw("go ")
		p.node(x.Call)
	case *ast.DeferStmt:
		p.raw("defer ")
		p.node(x.Call)
	case *ast.DeclStmt:
		spec := x.Decl.(*ast.GenDecl).Specs[0].(*ast.ValueSpec)
		p.raw("var " + spec.Names[0].Name + " ")
		p.node(spec.Type)
	default:
		panic(fmt.Sprintf("dsl: the printer has no form for a built %T", n))
	}
}

// fields prints a parameter or result list.
func (p *printer) fields(fl *ast.FieldList) {
	for i, f := range fl.List {
		if i > 0 {
			p.raw(", ")
		}
		for j, n := range f.Names {
			if j > 0 {
				p.raw(", ")
			}
			p.raw(n.Name)
		}
		if len(f.Names) > 0 {
			p.raw(" ")
		}
		p.node(f.Type)
	}
}
