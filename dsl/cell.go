package dsl

import (
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"sort"
	"strings"
	"sync/atomic"
)

// A cell is parsed once. Go has no grammar for a mix of declarations and
// statements, so one go/scanner pass first finds where each top-level
// declaration starts (a token stream cannot be parsed partly); the cell
// is then composed into one Go file, every declaration at the top level
// and every run of statements the body of a `func _()`, each piece
// behind a //line directive that gives its position in the cell, and
// that file is parsed once by go/parser. Every later step (auto-imports,
// probes, redeclarations, the rewrites) reads the pieces of that one
// syntax tree.

// parsedCell is a cell parsed once.
type parsedCell struct {
	lines  *lineMap // where chunks get their program lines
	code   string
	cell   int
	fset   *token.FileSet
	file   *ast.File
	base   int     // the file's base in fset
	text   string  // the composed file the parser read
	pieces []piece // in the cell's order
	marks  *marks  // what the passes changed in file
	// The names the cell uses and declares (see names), read before the
	// passes change the tree.
	uses     []nameUse
	declared map[string]bool
}

// piece is one top-level declaration of a cell or one run of statements.
type piece struct {
	kind      token.Token // IMPORT, FUNC, TYPE, CONST, VAR, or ILLEGAL for statements
	decl      ast.Decl    // the declaration, or the func _ that holds the statements
	start     int         // the piece's text in the composed file: text[start:end]
	end       int
	from, to  int // the piece with its wrapper in the composed file
	cellStart int // offset in the cell of the piece's first byte
	tuple     int // where tupleFunc( was put in the composed file, 0 if not
}

// parses counts the go/parser passes over cells (a test hook: one per cell).
var parses atomic.Int64

// parseCell parses code, cell number cell in positions. Its error is a
// scanner.ErrorList, with positions in the cell (see directive).
func parseCell(code string, cell int) (*parsedCell, error) {
	cuts, toks, err := cutCell(code)
	if err != nil {
		return nil, err
	}
	pc := &parsedCell{code: code, cell: cell, fset: token.NewFileSet()}
	// Imports first: a Go file allows them nowhere else.
	order := make([]int, len(cuts))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool {
		return cuts[order[i]].kind == token.IMPORT && cuts[order[j]].kind != token.IMPORT
	})
	var b strings.Builder
	b.WriteString(filePrefix)
	pieces := make([]piece, len(cuts))
	for _, i := range order {
		c := cuts[i]
		p := piece{kind: c.kind, cellStart: c.start, from: b.Len()}
		text := code[c.start:c.end]
		if c.kind == token.ILLEGAL {
			b.WriteString("func _() {")
		}
		// Positions in the syntax tree are the cell's own.
		b.WriteString(directive(lineCol(code, c.start)))
		p.start = b.Len()
		if s, e, ok := listLast(toks, c.start, c.end); ok && c.kind == token.ILLEGAL {
			// A last line that lists values (v, err) is not a statement:
			// it shows them all, as a call with several results does.
			text = code[c.start:s] + tupleFunc + "(" + code[s:e] + ")" + code[e:c.end]
			p.tuple = p.start + s - c.start
		}
		b.WriteString(text)
		p.end = b.Len()
		if c.kind == token.ILLEGAL {
			b.WriteString("\n}")
		}
		b.WriteString("\n")
		p.to = b.Len()
		pieces[i] = p
	}
	pc.text = b.String()
	parses.Add(1)
	f, err := parser.ParseFile(pc.fset, "_.go", pc.text, 0)
	if err != nil {
		return nil, firstPieceErrors(err, pieces)
	}
	pc.file = f
	pc.base = pc.fset.File(f.Package).Base()
	for _, d := range f.Decls {
		off := int(d.Pos()) - pc.base
		for i := range pieces {
			if pieces[i].from <= off && off < pieces[i].to && pieces[i].decl == nil {
				pieces[i].decl = d
				break
			}
		}
	}
	pc.pieces = pieces
	return pc, nil
}

// firstPieceErrors keeps the errors of the first piece, in the cell's
// order, that has any: a later piece's errors may only follow from it.
func firstPieceErrors(err error, pieces []piece) error {
	el, ok := err.(scanner.ErrorList)
	if !ok {
		return err
	}
	first := -1
	for _, e := range el {
		for i, p := range pieces {
			if p.from <= e.Pos.Offset && e.Pos.Offset < p.to && (first < 0 || p.cellStart < pieces[first].cellStart) {
				first = i
			}
		}
	}
	if first < 0 {
		return err
	}
	var out scanner.ErrorList
	for _, e := range el {
		if p := pieces[first]; p.from <= e.Pos.Offset && e.Pos.Offset < p.to {
			out = append(out, e)
		}
	}
	return out
}

// cellOffset returns the offset in the cell of pos, a position in p.
func (pc *parsedCell) cellOffset(p *piece, pos token.Pos) int {
	off := int(pos) - pc.base
	if p.tuple > 0 && off >= p.tuple+len(tupleFunc)+1 {
		off -= len(tupleFunc) + 1
	}
	return p.cellStart + off - p.start
}

// tree returns the tree of the text of p between two offsets of the
// composed file: the chunk the passes rewrite and print.
func (pc *parsedCell) tree(p *piece, start, end int) *tree {
	if pc.marks == nil {
		pc.marks = newMarks()
	}
	line, col := lineCol(pc.code, pc.cellOffset(p, token.Pos(pc.base+start)))
	return newTree(pc.marks, pc.fset, token.Pos(pc.base+start), pc.text[start:end], pc.lines, pc.cell, line, col)
}

// cut is a byte range of a cell that is one top-level declaration or a
// run of statements.
type cut struct {
	start, end int
	kind       token.Token // IMPORT, FUNC, TYPE, CONST, VAR, or ILLEGAL for statements
}

type scannedToken struct {
	tok token.Token
	off int
	lit string
}

// cutCell cuts code into top-level declarations and statement runs with
// go/scanner, tracking bracket depth. It returns the tokens too.
func cutCell(code string) ([]cut, []scannedToken, error) {
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
		return nil, nil, errs
	}
	var cuts []cut
	depth := 0
	atStart := true
	stmtStart := -1
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if depth == 0 && atStart && isDeclStart(toks, i) {
			if stmtStart >= 0 {
				cuts = append(cuts, cut{start: stmtStart, end: t.off, kind: token.ILLEGAL})
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
			cuts = append(cuts, cut{start: t.off, end: end, kind: t.tok})
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
		cuts = append(cuts, cut{start: stmtStart, end: len(code), kind: token.ILLEGAL})
	}
	return cuts, toks, nil
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

// listLast returns the byte range of the last statement of the run
// code[start:end] when it is a list of expressions (v, err): commas at
// its top level, no assignment, and no keyword to start it.
func listLast(toks []scannedToken, start, end int) (int, int, bool) {
	depth, s, e, commas := 0, -1, 0, 0
	next := true // the token after a top-level semicolon starts a statement
	for _, t := range toks {
		if t.off < start || t.off >= end {
			continue
		}
		if t.tok == token.SEMICOLON && depth == 0 {
			next = true
			continue
		}
		if next {
			s, commas, next = t.off, 0, false
			if t.tok.IsKeyword() {
				commas = -1 << 30
			}
		}
		switch {
		case t.tok == token.LPAREN || t.tok == token.LBRACE || t.tok == token.LBRACK:
			depth++
		case t.tok == token.RPAREN || t.tok == token.RBRACE || t.tok == token.RBRACK:
			depth--
		case t.tok == token.COMMA && depth == 0:
			commas++
		case depth == 0 && (t.tok == token.ASSIGN || t.tok == token.DEFINE || t.tok >= token.ADD_ASSIGN && t.tok <= token.AND_NOT_ASSIGN ||
			t.tok == token.COLON || t.tok == token.INC || t.tok == token.DEC):
			commas = -1 << 30 // an assignment, a label, an increment
		}
		e = t.off + len(t.lit)
		if t.lit == "" {
			e = t.off + len(t.tok.String())
		}
	}
	if commas < 1 || s < 0 || e <= s {
		return 0, 0, false
	}
	return s, e, true
}

// lineCol returns the 1-based line and column of byte offset off in code.
func lineCol(code string, off int) (int, int) {
	line := 1 + strings.Count(code[:off], "\n")
	col := off - strings.LastIndex(code[:off], "\n")
	return line, col
}

// pieceAt returns the piece whose text holds pos, or nil.
func (pc *parsedCell) pieceAt(pos token.Pos) *piece {
	off := int(pos) - pc.base
	for i := range pc.pieces {
		if p := &pc.pieces[i]; p.start <= off && off < p.end {
			return p
		}
	}
	return nil
}
