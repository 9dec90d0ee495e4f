package dsl

import (
	"go/ast"
	"go/token"
	"slices"
	"strconv"
	"strings"
)

// chunks turns the pieces of the cell into chunks, in the order they
// must be evaluated: imports first, then declarations, var declarations
// and statement runs in the cell's order. Each chunk is rewritten by the
// passes of rewrite.go; nothing is parsed again.
func (pc *parsedCell) chunks(env rewriteEnv, lines *lineMap) ([]chunk, error) {
	pc.lines = lines
	if err := goChecks(pc.file, pc.fset); err != nil { // Go's errors that yaegi misses or crashes on
		return nil, err
	}
	if strings.Contains(pc.code, ".") {
		// What the cell selects from (slices.Sort) is read from the tree
		// as parsed, for autoImports and errors: the passes change it.
		pc.names()
	}
	var imports, rest []chunk
	for i := range pc.pieces {
		p := &pc.pieces[i]
		var cs []chunk
		var err error
		switch p.kind {
		case token.IMPORT:
			imports = append(imports, pc.importChunk(p))
			continue
		case token.ILLEGAL:
			cs, err = pc.stmtChunks(p, env)
		case token.VAR:
			cs, err = pc.varChunks(p, env)
		default:
			var c chunk
			c, err = pc.declChunk(p, env)
			cs = []chunk{c}
		}
		if err != nil {
			return nil, err
		}
		rest = append(rest, cs...)
	}
	return append(imports, rest...), nil
}

// importChunk lists the imports of an import declaration.
func (pc *parsedCell) importChunk(p *piece) chunk {
	c := chunk{kind: chunkImport, results: -1, src: pc.tree(p, p.start, p.start).dir()}
	for _, s := range p.decl.(*ast.GenDecl).Specs {
		s := s.(*ast.ImportSpec)
		path, _ := strconv.Unquote(s.Path.Value)
		is := importSpec{Path: path}
		if s.Name != nil {
			is.Name = s.Name.Name
		}
		c.imports = append(c.imports, is)
	}
	return c
}

// declChunk is a func, method, type or const declaration, or a var
// declaration that needs no probe.
func (pc *parsedCell) declChunk(p *piece, env rewriteEnv) (chunk, error) {
	c := chunk{kind: chunkDecl, results: -1}
	switch d := p.decl.(type) {
	case *ast.FuncDecl:
		if d.Recv != nil && len(d.Recv.List) == 1 {
			c.keys = append(c.keys, recvTypeName(d.Recv.List[0].Type)+"."+d.Name.Name)
			c.kinds = append(c.kinds, "method")
		} else {
			c.keys = append(c.keys, d.Name.Name)
			c.kinds = append(c.kinds, "func")
		}
		c.results = d.Type.Results.NumFields()
	case *ast.GenDecl:
		for _, s := range d.Specs {
			switch s := s.(type) {
			case *ast.TypeSpec:
				c.keys = append(c.keys, s.Name.Name)
				c.kinds = append(c.kinds, "type")
			case *ast.ValueSpec:
				for _, n := range s.Names {
					if d.Tok == token.VAR {
						c.kind = chunkVar
						c.vars = append(c.vars, n.Name)
					} else {
						c.keys = append(c.keys, n.Name)
						c.kinds = append(c.kinds, "const")
					}
				}
			}
		}
	}
	t := pc.tree(p, p.start, p.end)
	info, err := rewrite(oneDecl(p.decl), t, env)
	if err != nil {
		return chunk{}, err
	}
	c.defers = info.defers
	c.src, c.body, c.prog0 = t.dir()+t.print(true, p.decl), t.print(false, p.decl), t.prog0
	return c, nil
}

// oneDecl is a file of one declaration, what the passes rewrite.
func oneDecl(d ast.Decl) *ast.File {
	return &ast.File{Name: ast.NewIdent("main"), Decls: []ast.Decl{d}}
}

// stmtsFile is a file whose func _ holds list, the statements of one chunk.
func stmtsFile(fd *ast.FuncDecl, list []ast.Stmt) *ast.File {
	// A copy of the list: the passes change the chunk's, not the cell's.
	body := &ast.BlockStmt{Lbrace: fd.Body.Lbrace, List: slices.Clone(list), Rbrace: fd.Body.Rbrace}
	return oneDecl(&ast.FuncDecl{Name: fd.Name, Type: fd.Type, Body: body})
}

// stmtChunks is a run of statements: one chunk, or, around the `:=`
// statements that need a probe (see probe.go), several. A run with a
// goto is left whole: cut, it would mean something else.
func (pc *parsedCell) stmtChunks(p *piece, env rewriteEnv) ([]chunk, error) {
	fd := p.decl.(*ast.FuncDecl)
	list := fd.Body.List
	cut, leaves := false, false
	for _, st := range list {
		cut = cut || needsProbe(st)
		leaves = leaves || hasBranch(st, token.GOTO)
	}
	// A last call on a variable the run itself declares (r :=
	// strings.NewReader(s); r.ReadByte()) is a chunk of its own, so that
	// the variable's type, and so the call's number of results, is known
	// when it runs (see lastResults).
	ownCall := callsOwnVar(list)
	if !cut && !ownCall || leaves {
		c, err := pc.stmtChunk(p, stmtsFile(fd, list), p.start, p.end, env)
		return []chunk{c}, err
	}
	var out []chunk
	from := -1 // the first of the current run of ordinary statements
	flush := func(to int) error {
		if from < 0 {
			return nil
		}
		end := p.end
		if to < len(list) {
			end = int(list[to-1].End()) - pc.base
		}
		c, err := pc.stmtChunk(p, stmtsFile(fd, list[from:to]), int(list[from].Pos())-pc.base, end, env)
		out = append(out, c)
		from = -1
		return err
	}
	for i, st := range list {
		if !needsProbe(st) && !(ownCall && i == len(list)-1) {
			if from < 0 {
				from = i
			}
			continue
		}
		if err := flush(i); err != nil {
			return nil, err
		}
		var c chunk
		var err error
		if needsProbe(st) {
			c, err = pc.probeChunk(p, stmtsFile(fd, []ast.Stmt{st}), env)
		} else {
			c, err = pc.stmtChunk(p, stmtsFile(fd, []ast.Stmt{st}), int(st.Pos())-pc.base, p.end, env)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if err := flush(len(list)); err != nil {
		return nil, err
	}
	return out, nil
}

// stmtChunk rewrites the statements of f, text[start:end] of p.
func (pc *parsedCell) stmtChunk(p *piece, f *ast.File, start, end int, env rewriteEnv) (chunk, error) {
	body := f.Decls[0].(*ast.FuncDecl).Body
	c := chunk{kind: chunkStmts, results: -1, vars: definedNames(body.List)}
	var tuple *ast.ExprStmt
	if n := len(body.List); n > 0 {
		if es, ok := body.List[n-1].(*ast.ExprStmt); ok && !(calledLiteral(es) && !hasResults(es)) {
			c.showLast = true
			if call, ok := es.X.(*ast.CallExpr); ok {
				c.lastCall = calleeName(call.Fun)
				tuple = es
			}
		}
	}
	t := pc.tree(p, start, end)
	info, err := rewrite(f, t, env)
	if err != nil {
		return chunk{}, err
	}
	dir := t.dir()
	c.defers = info.defers
	c.src, c.body = dir+t.print(true, stmtNodes(body)...), t.print(false, stmtNodes(body)...)
	if !c.showLast {
		c.src += "\n" + nopStmt
	} else if tuple != nil {
		// How many results the last call has is known once the chunks
		// before it ran (a variable's type): see lastResults.
		c.srcNone = c.src + "\n" + nopStmt
		tuple.X = stand(t.marks, tuple.X, t.callOf(tupleFunc, tuple.X))
		c.srcTuple = dir + t.print(true, stmtNodes(body)...)
	}
	return c, nil
}

// stmtNodes are the statements of a chunk, the nodes its text prints.
func stmtNodes(body *ast.BlockStmt) []ast.Node {
	ns := make([]ast.Node, len(body.List))
	for i, st := range body.List {
		ns[i] = st
	}
	return ns
}

// probeChunk is one `:=` statement (f's only one) that needs a probe.
func (pc *parsedCell) probeChunk(p *piece, f *ast.File, env rewriteEnv) (chunk, error) {
	a := f.Decls[0].(*ast.FuncDecl).Body.List[0].(*ast.AssignStmt)
	t := pc.tree(p, int(a.Pos())-pc.base, int(a.End())-pc.base)
	c := probed(a)
	info, err := rewrite(f, t, env)
	if err != nil {
		return chunk{}, err
	}
	return probeChunkOf(c, t, f, info, ""), nil
}

// probed is the chunk of a `:=` statement a that needs a probe, with what
// is read from a before the passes change it.
func probed(a *ast.AssignStmt) chunk {
	c := chunk{kind: chunkProbe, results: -1, names: probeNames(a), bases: selectorBases(a), direct: commaOK(a)}
	c.vars = c.names
	return c
}

// probeChunkOf completes c (see probed), the chunk of the only statement
// of f, which the passes rewrote; plain is its source as a var
// declaration, when it was one.
func probeChunkOf(c chunk, t *tree, f *ast.File, info rewriteInfo, plain string) chunk {
	body := f.Decls[0].(*ast.FuncDecl).Body
	dir, text := t.dir(), t.print(true, stmtNodes(body)...)
	c.defers, c.body = info.defers, t.print(false, stmtNodes(body)...)
	c.plain = dir + text + "\n" + nopStmt
	if plain != "" {
		c.plain = plain
	}
	c.src = probeSource(dir, text, c.names)
	return c
}

// varChunks is a var declaration: one chunk, or, when its values index
// something or it gives a type and values, a probe per spec (yaegi cannot
// type those: "constant definition loop", "variable definition loop").
// A spec with a type converts its values to it (`var e any = x[0]` runs
// as `e := (any)(x[0])`).
func (pc *parsedCell) varChunks(p *piece, env rewriteEnv) ([]chunk, error) {
	gd := p.decl.(*ast.GenDecl)
	probe := false
	for _, sp := range gd.Specs {
		vs := sp.(*ast.ValueSpec)
		if len(vs.Values) != len(vs.Names) {
			probe = false // `var x T`, or several names from one call
			break
		}
		// yaegi fails on a typed var from a variable of a compiled
		// type too (`var e any = m`: "variable definition loop").
		probe = probe || vs.Type != nil || needsProbe(specAssign(vs))
	}
	if !probe {
		c, err := pc.declChunk(p, env)
		return []chunk{c}, err
	}
	var out []chunk
	for _, sp := range gd.Specs {
		vs := sp.(*ast.ValueSpec)
		start, end := int(vs.Pos())-pc.base, int(vs.End())-pc.base
		plain := pc.tree(p, start, end) // the spec as written, a var declaration of its own
		t := pc.tree(p, start, end)     // the spec made a :=
		a := stand(t.marks, vs, fresh(t.marks, specAssign(vs)))
		f := stmtsFile(&ast.FuncDecl{Name: ast.NewIdent("_"), Type: &ast.FuncType{}, Body: &ast.BlockStmt{}}, []ast.Stmt{a})
		c := probed(a)
		info, err := rewrite(f, t, env)
		if err != nil {
			return nil, err
		}
		src := "var " + plain.dir() + plain.print(true, vs)
		if vs.Type != nil {
			a.Rhs = slices.Clone(a.Rhs)
			for i, v := range a.Rhs {
				a.Rhs[i] = stand(t.marks, v, t.call(t.paren(vs.Type), v))
			}
		}
		out = append(out, probeChunkOf(c, t, f, info, src))
	}
	return out, nil
}

// specAssign is the := a var spec with as many values as names stands for.
func specAssign(vs *ast.ValueSpec) *ast.AssignStmt {
	lhs := make([]ast.Expr, len(vs.Names))
	for i, n := range vs.Names {
		lhs[i] = n
	}
	return &ast.AssignStmt{Lhs: lhs, Tok: token.DEFINE, Rhs: vs.Values}
}

// definedNames lists the variables a list of top-level statements
// declares (:= and var).
// callsOwnVar reports whether the last of list is a call (shown as the
// cell's result) on a variable that an earlier statement of list declares:
// f() or x.M() after f := ... or x := ....
func callsOwnVar(list []ast.Stmt) bool {
	n := len(list)
	if n < 2 {
		return false
	}
	es, ok := list[n-1].(*ast.ExprStmt)
	if !ok {
		return false
	}
	call, ok := es.X.(*ast.CallExpr)
	if !ok {
		return false
	}
	root, _, _ := strings.Cut(exprString(call.Fun), ".")
	return slices.Contains(definedNames(list[:n-1]), root)
}

func definedNames(list []ast.Stmt) []string {
	var names []string
	for _, st := range list {
		switch x := st.(type) {
		case *ast.AssignStmt:
			if x.Tok == token.DEFINE {
				for _, l := range x.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						names = append(names, id.Name)
					}
				}
			}
		case *ast.DeclStmt:
			if g, ok := x.Decl.(*ast.GenDecl); ok && g.Tok == token.VAR {
				for _, sp := range g.Specs {
					for _, id := range sp.(*ast.ValueSpec).Names {
						names = append(names, id.Name)
					}
				}
			}
		}
	}
	return names
}

// recvTypeName returns the base type name of a method receiver.
func recvTypeName(e ast.Expr) string {
	for {
		switch t := e.(type) {
		case *ast.StarExpr:
			e = t.X
		case *ast.ParenExpr:
			e = t.X
		case *ast.IndexExpr:
			e = t.X
		case *ast.IndexListExpr:
			e = t.X
		case *ast.Ident:
			return t.Name
		default:
			return "?"
		}
	}
}

// exprString renders simple expressions (identifiers and selectors).
// calleeName is the callee of a call as lastCall records it: exprString's
// "f", "x.M" or "pkg.F", or "T{}.M" for a method called on a literal of a
// named type.
func calleeName(fun ast.Expr) string {
	if sel, ok := fun.(*ast.SelectorExpr); ok {
		x := sel.X
		for {
			switch e := x.(type) {
			case *ast.ParenExpr:
				x = e.X
				continue
			case *ast.UnaryExpr:
				if e.Op == token.AND {
					x = e.X
					continue
				}
			}
			break
		}
		if lit, ok := x.(*ast.CompositeLit); ok {
			if id, ok := lit.Type.(*ast.Ident); ok {
				return id.Name + "{}." + sel.Sel.Name
			}
		}
	}
	return exprString(fun)
}

func exprString(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.Ident:
		return t.Name
	case *ast.SelectorExpr:
		if x := exprString(t.X); x != "" {
			return x + "." + t.Sel.Name
		}
	}
	return ""
}
