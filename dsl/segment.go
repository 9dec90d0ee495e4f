package dsl

import (
	"go/scanner"
	"go/token"
	"strings"
)

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
