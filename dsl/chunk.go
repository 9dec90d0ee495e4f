package dsl

import (
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"strconv"
)

// parseSegment parses one segment, applies the rewrites and returns its chunk.
func parseSegment(code string, cell int, sg segmentRange, env rewriteEnv) (chunk, error) {
	text := code[sg.start:sg.end]
	if sg.text != "" {
		text = sg.text
	}
	line, col := lineCol(code, sg.start)
	dir := directive(cell, line, col)
	fset := token.NewFileSet()
	if sg.decl != token.ILLEGAL {
		prefix := filePrefix + dir
		f, err := parser.ParseFile(fset, "_.go", prefix+text, parser.SkipObjectResolution)
		if err != nil {
			return chunk{}, err
		}
		ed := newEditor(fset, len(prefix), text)
		c := chunk{kind: chunkDecl, results: -1}
		if len(f.Decls) == 1 {
			if fd, ok := f.Decls[0].(*ast.FuncDecl); ok && fd.Recv == nil {
				c.results = fd.Type.Results.NumFields()
			}
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv != nil && len(d.Recv.List) == 1 {
					c.keys = append(c.keys, recvTypeName(d.Recv.List[0].Type)+"."+d.Name.Name)
					c.kinds = append(c.kinds, "method")
				} else {
					c.keys = append(c.keys, d.Name.Name)
					c.kinds = append(c.kinds, "func")
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.ImportSpec:
						c.kind = chunkImport
						p, _ := strconv.Unquote(s.Path.Value)
						is := importSpec{Path: p}
						if s.Name != nil {
							is.Name = s.Name.Name
						}
						c.imports = append(c.imports, is)
					case *ast.TypeSpec:
						c.keys = append(c.keys, s.Name.Name)
						c.kinds = append(c.kinds, "type")
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if d.Tok == token.VAR {
								c.kind = chunkVar
							} else {
								c.keys = append(c.keys, n.Name)
								c.kinds = append(c.kinds, "const")
							}
						}
					}
				}
			}
		}
		if c.kind == chunkImport {
			c.src = dir
			return c, nil
		}
		info, err := rewrite(f, ed, env)
		if err != nil {
			return chunk{}, err
		}
		c.defers = info.defers
		c.src, c.body = dir+ed.apply(), ed.plain()
		return c, nil
	}
	prefix := funcPrefix + dir
	f, err := parser.ParseFile(fset, "_.go", prefix+text+"\n}", parser.SkipObjectResolution)
	if err != nil {
		// A last line that lists values (v, err) is not a statement: it
		// shows them all, as a call with several results does.
		list, ok := tupleLast(text)
		if !ok {
			return chunk{}, err
		}
		fset = token.NewFileSet()
		if f, err = parser.ParseFile(fset, "_.go", prefix+list+"\n}", parser.SkipObjectResolution); err != nil {
			return chunk{}, err
		}
		text = list
	}
	body := f.Decls[0].(*ast.FuncDecl).Body
	c := chunk{kind: chunkStmts, results: -1}
	var tuple *ast.ExprStmt
	if n := len(body.List); n > 0 {
		if es, ok := body.List[n-1].(*ast.ExprStmt); ok && !(calledLiteral(es) && !hasResults(es)) {
			c.showLast = true
			if call, ok := es.X.(*ast.CallExpr); ok {
				c.lastCall = exprString(call.Fun)
				tuple = es
			}
		}
	}
	ed := newEditor(fset, len(prefix), text)
	info, err := rewrite(f, ed, env)
	if err != nil {
		return chunk{}, err
	}
	c.defers = info.defers
	c.src, c.body = dir+ed.apply(), ed.plain()
	if !c.showLast {
		c.src += "\n" + nopStmt
	} else if tuple != nil {
		// How many results the last call has is known once the chunks
		// before it ran (a variable's type): see lastResults.
		c.srcNone = c.src + "\n" + nopStmt
		ed.wrap(tuple, tupleFunc+"(", ")")
		c.srcTuple = dir + ed.apply()
	}
	if sg.probe && len(body.List) == 1 {
		c.kind, c.showLast = chunkProbe, false
		c.names = probeNames(body.List[0].(*ast.AssignStmt))
		c.bases = selectorBases(body.List[0].(*ast.AssignStmt))
		c.direct = commaOK(body.List[0].(*ast.AssignStmt))
		c.plain = c.src
		if sg.plain != "" {
			pc, err := parseSegment(code, cell, segmentRange{start: sg.start, end: sg.end, decl: token.VAR, text: sg.plain}, env)
			if err != nil {
				return chunk{}, err
			}
			c.plain = pc.src
		}
		c.src = probeSource(dir, ed.apply(), c.names)
	}
	return c, nil
}

// tupleLast returns text with its last statement, a list of expressions
// (v, err), made a call of tupleFunc, or false when it is not one.
func tupleLast(text string) (string, bool) {
	fset := token.NewFileSet()
	f := fset.AddFile("", -1, len(text))
	var sc scanner.Scanner
	sc.Init(f, []byte(text), nil, 0)
	depth, start, end, commas := 0, 0, 0, 0
	next := false // the token after a top-level semicolon starts a statement
	for {
		pos, tok, lit := sc.Scan()
		if tok == token.EOF {
			break
		}
		off := f.Offset(pos)
		if tok == token.SEMICOLON && depth == 0 {
			next = true
			continue
		}
		if next {
			start, commas, next = off, 0, false
		}
		switch {
		case tok == token.LPAREN || tok == token.LBRACE || tok == token.LBRACK:
			depth++
		case tok == token.RPAREN || tok == token.RBRACE || tok == token.RBRACK:
			depth--
		case tok == token.COMMA && depth == 0:
			commas++
		case depth == 0 && (tok == token.ASSIGN || tok == token.DEFINE || tok >= token.ADD_ASSIGN && tok <= token.AND_NOT_ASSIGN):
			commas = -1 << 30 // an assignment
		}
		end = off + len(lit)
		if lit == "" {
			end = off + len(tok.String())
		}
	}
	if commas < 1 || end <= start {
		return "", false
	}
	return text[:start] + tupleFunc + "(" + text[start:end] + ")" + text[end:], true
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
