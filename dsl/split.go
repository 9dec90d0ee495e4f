package dsl

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"path"
	"strconv"
	"strings"
)

// chunkKind says how a part of a cell is evaluated.
type chunkKind int

const (
	chunkImport chunkKind = iota // import declarations, de-duplicated
	chunkDecl                    // func, method, type or const declarations: kept for replay
	chunkVar                     // a package-level var declaration: evaluated every time
	chunkStmts                   // a run of statements, evaluated in a wrapper func
	chunkProbe                   // one `:=` evaluated in a func literal, then declared from its values
)

// importSpec is one import of a cell.
type importSpec struct {
	Name string // explicit name, "" for the package's own name, "_" or "."
	Path string
}

// source returns the import as Go source.
// name is the name the import binds: its alias, or the package name its
// path ends in (the element before a major version suffix such as /v2).
func (s importSpec) name() string {
	if s.Name != "" {
		return s.Name
	}
	base := path.Base(s.Path)
	if dir := path.Dir(s.Path); dir != "." && len(base) > 1 && base[0] == 'v' && strings.Trim(base[1:], "0123456789") == "" {
		return path.Base(dir)
	}
	return base
}

func (s importSpec) source() string {
	if s.Name != "" {
		return s.Name + " " + strconv.Quote(s.Path)
	}
	return strconv.Quote(s.Path)
}

// chunk is one evaluable part of a cell.
type chunk struct {
	kind chunkKind
	src  string // source to Eval, starting with a //line directive
	// body is src without the directive and without the line tracking
	// (see trackLines): what a redefinition is compared by.
	body    string
	keys    []string     // names a chunkDecl defines: "f", "T", "T.M", "C"
	kinds   []string     // "func", "method", "type", "const", parallel to keys
	imports []importSpec // for chunkImport
	// showLast is set for a statement chunk whose last statement is an
	// expression: its value is the cell's result.
	showLast bool
	// lastCall is the callee of that expression when it is a call ("fmt.Println",
	// "f", "x.M"), to tell functions without a single result apart.
	lastCall string
	// srcNone and srcTuple are src for a last call with no result or
	// several: the first ends on a value of its own (yaegi would show the
	// value of the last node, which can be a line register that a
	// goroutine writes), the second passes the results to tupleFunc.
	srcNone, srcTuple string
	defers            bool // the chunk registers end-of-cell calls (top-level defers)
	// results is the number of results of a single func declaration, -1
	// for anything else.
	results int
	// names are the variables a chunkProbe declares, "_" for blanks;
	// plain is its statement as written (after the rewrites).
	// bases are the identifiers its right-hand side selects from; direct
	// says it needs the probe whatever yaegi's compiler says.
	names  []string
	plain  string
	bases  []string
	direct bool
}

// rewriteEnv answers the questions the rewriter cannot settle from syntax.
type rewriteEnv interface {
	// intValued reports whether the global name holds an integer, so that
	// `for i := range name` ranges over an integer.
	intValued(name string) bool
	// userDefined reports whether name is a function, type or variable of
	// the session (which then shadows a builtin such as min).
	userDefined(name string) bool
	// funcValued reports whether the global name is a function or holds
	// one.
	funcValued(name string) bool
	// isPackage reports whether name is an imported package.
	isPackage(name string) bool
	// results reports how many results a call of callee ("f", "pkg.F",
	// "x.M") has, or -1 when the session cannot tell.
	results(callee string) int
}

// splitCell parses a cell into chunks, in the order they must be evaluated:
// imports first, then declarations, var declarations and statement runs in
// source order. file names the cell in positions ("cell3"). It
// returns a *display.Error-ready error on a syntax error.
func splitCell(code string, cell int, env rewriteEnv) ([]chunk, error) {
	segs, err := segment(code)
	if err != nil {
		return nil, err
	}
	segs = splitProbes(code, segs)
	var imports, rest []chunk
	for _, sg := range segs {
		c, err := parseSegment(code, cell, sg, env)
		if err != nil {
			return nil, err
		}
		if c.kind == chunkImport {
			imports = append(imports, c)
		} else {
			rest = append(rest, c)
		}
	}
	return append(imports, rest...), nil
}

// segment is a byte range of a cell that is either one top-level
// declaration or a run of statements.
type segmentRange struct {
	start, end int
	decl       token.Token // IMPORT, FUNC, TYPE, CONST, VAR, or ILLEGAL for statements
	probe      bool        // a lone `:=` whose variables get their types from a probe (see probe.go)
	text       string      // the source, when it is not code[start:end] (a var declaration made a :=)
	plain      string      // for such a probe, the var spec as written
}

type scannedToken struct {
	tok token.Token
	off int
	lit string
}

// segment cuts code into top-level declarations and statement runs with
// go/scanner, tracking bracket depth.
func segment(code string) ([]segmentRange, error) {
	fset := token.NewFileSet()
	f := fset.AddFile("_.go", -1, len(code))
	var errs scanner.ErrorList
	var sc scanner.Scanner
	sc.Init(f, []byte(code), func(pos token.Position, msg string) { errs.Add(pos, msg) }, 0)
	var toks []scannedToken
	for {
		pos, tok, lit := sc.Scan()
		if tok == token.EOF {
			break
		}
		toks = append(toks, scannedToken{tok, f.Offset(pos), lit})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	var segs []segmentRange
	depth := 0
	atStart := true
	stmtStart := -1
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if depth == 0 && atStart && isDeclStart(toks, i) {
			if stmtStart >= 0 {
				segs = append(segs, segmentRange{start: stmtStart, end: t.off, decl: token.ILLEGAL})
				stmtStart = -1
			}
			j := i
			d := 0
			for ; j < len(toks); j++ {
				switch toks[j].tok {
				case token.LPAREN, token.LBRACE, token.LBRACK:
					d++
				case token.RPAREN, token.RBRACE, token.RBRACK:
					d--
				}
				if d <= 0 && toks[j].tok == token.SEMICOLON {
					break
				}
			}
			end := len(code)
			if j < len(toks) {
				end = toks[j].off
			}
			segs = append(segs, segmentRange{start: t.off, end: end, decl: t.tok})
			i = j
			atStart = true
			continue
		}
		if t.tok == token.SEMICOLON && depth == 0 {
			atStart = true
			continue
		}
		if stmtStart < 0 {
			stmtStart = t.off
		}
		atStart = false
		switch t.tok {
		case token.LPAREN, token.LBRACE, token.LBRACK:
			depth++
		case token.RPAREN, token.RBRACE, token.RBRACK:
			depth--
		}
	}
	if stmtStart >= 0 {
		segs = append(segs, segmentRange{start: stmtStart, end: len(code), decl: token.ILLEGAL})
	}
	return segs, nil
}

// isDeclStart reports whether toks[i] begins a top-level declaration. A
// `func (` is a method declaration only when the receiver is followed by
// a name and a parameter list; otherwise it is a func literal statement.
func isDeclStart(toks []scannedToken, i int) bool {
	switch toks[i].tok {
	case token.IMPORT, token.TYPE, token.CONST, token.VAR:
		return true
	case token.FUNC:
	default:
		return false
	}
	if i+1 >= len(toks) {
		return false
	}
	if toks[i+1].tok == token.IDENT {
		return true
	}
	if toks[i+1].tok != token.LPAREN {
		return false
	}
	d := 0
	for j := i + 1; j < len(toks); j++ {
		switch toks[j].tok {
		case token.LPAREN:
			d++
		case token.RPAREN:
			d--
			if d == 0 {
				return j+2 < len(toks) && toks[j+1].tok == token.IDENT &&
					(toks[j+2].tok == token.LPAREN || toks[j+2].tok == token.LBRACK)
			}
		}
	}
	return false
}

// lineCol returns the 1-based line and column of byte offset off in code.
func lineCol(code string, off int) (int, int) {
	line := 1 + strings.Count(code[:off], "\n")
	col := off - strings.LastIndex(code[:off], "\n")
	return line, col
}

// lineBase separates cells in positions: line L of cell N is reported as
// line N*lineBase+L. The file name must stay yaegi's own ("_.go"), because
// yaegi resolves imports per file name.
const lineBase = 100000

// maxCellTag bounds the cell numbers used in positions, which wrap around
// so that line numbers stay below 1<<30 (go/token's limit).
const maxCellTag = 9999

// directive returns the //line comment that makes positions in the text
// that follows it read as line line, column col of cell.
func directive(cell, line, col int) string {
	return "\n//line _.go:" + strconv.Itoa(cell*lineBase+line) + ":" + strconv.Itoa(col) + "\n"
}

const (
	filePrefix = "package main;"
	funcPrefix = "package main; func _() {"
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

// syntaxError turns a go/scanner error list into a message naming the
// cell's positions.
func syntaxError(err error) error {
	if el, ok := err.(scanner.ErrorList); ok && len(el) > 0 {
		el.Sort()
		msgs := make([]string, 0, len(el))
		for i, e := range el {
			if i == 5 {
				msgs = append(msgs, fmt.Sprintf("(and %d more errors)", len(el)-5))
				break
			}
			msgs = append(msgs, e.Error())
		}
		return fmt.Errorf("%s", strings.Join(msgs, "\n"))
	}
	return err
}
