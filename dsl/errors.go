package dsl

import (
	"context"
	"errors"
	"fmt"
	"go/scanner"
	"go/token"
	"regexp"
	"strconv"
	"strings"
	_ "unsafe"

	"github.com/latent-ai/latent/display"
	"github.com/traefik/yaegi/interp"
)

// cellPos is a position in a cell.
type cellPos struct{ cell, line, col int }

// findPos returns the cell position of the first program position in msg.
func (s *Session) findPos(msg string) (cellPos, bool) {
	m := posRe.FindStringSubmatch(msg)
	if m == nil {
		return cellPos{}, false
	}
	return s.progPos(m[1], m[2])
}

// progPos returns the cell position of a program line and column.
func (s *Session) progPos(line, col string) (cellPos, bool) {
	l, _ := strconv.Atoi(line)
	c, _ := strconv.Atoi(col)
	return s.lines.pos(l, c)
}

// humanize rewrites the program positions in msg: the running cell's
// become "line L:C", earlier cells' "cell N, line L:C".
func (s *Session) humanize(msg string) string {
	return posRe.ReplaceAllStringFunc(msg, func(m string) string {
		sm := posRe.FindStringSubmatch(m)
		if p, ok := s.progPos(sm[1], sm[2]); ok {
			return s.where(p)
		}
		return m
	})
}

// where names p for the running cell: "line L:C", or "cell N, line L:C"
// for an earlier cell.
func (s *Session) where(p cellPos) string {
	if p.cell == s.cell {
		return fmt.Sprintf("line %d:%d", p.line, p.col)
	}
	return fmt.Sprintf("cell %d, line %d:%d", p.cell, p.line, p.col)
}

// sourceLines returns the traceback lines that quote the cell's line at p
// with a caret under the column.
func sourceLines(code string, p cellPos) []string {
	lines := strings.Split(code, "\n")
	if p.line < 1 || p.line > len(lines) {
		return nil
	}
	text := strings.ReplaceAll(lines[p.line-1], "\t", "    ")
	raw := lines[p.line-1]
	col := p.col - 1
	if col > len(raw) {
		col = len(raw)
	}
	if col < 0 {
		col = 0
	}
	pad := len([]rune(strings.ReplaceAll(raw[:col], "\t", "    ")))
	prefix := fmt.Sprintf("%4d | ", p.line)
	return []string{prefix + text, strings.Repeat(" ", len(prefix)+pad) + "^"}
}

// syntaxErr reports a syntax error: of the cell (inCell: parseCell's,
// in the cell's positions) or of a program yaegi read. An error the
// parser finds in the wrapper after the cell's end means the cell stops
// mid-statement.
func (s *Session) syntaxErr(code string, el scanner.ErrorList, inCell bool) error {
	pos := func(e *scanner.Error) (cellPos, bool) {
		if inCell {
			return cellPos{s.cell, e.Pos.Line, e.Pos.Column}, true
		}
		return s.lines.pos(e.Pos.Line, e.Pos.Column)
	}
	el.Sort()
	first, ok := pos(el[0])
	if ok && first.cell == s.cell && first.line > strings.Count(code, "\n")+1 {
		lines := strings.Split(code, "\n")
		end := cellPos{s.cell, len(lines), len(lines[len(lines)-1]) + 1}
		msg := fmt.Sprintf("line %d:%d: unexpected end of the cell: a statement or expression is not finished", end.line, end.col)
		return s.newError(code, "SyntaxError", msg, &end)
	}
	msgs := make([]string, 0, len(el))
	for i, e := range el {
		if i == 5 {
			msgs = append(msgs, fmt.Sprintf("(and %d more errors)", len(el)-5))
			break
		}
		at := e.Pos.String()
		if p, ok := pos(e); ok {
			at = s.where(p)
		}
		msgs = append(msgs, at+": "+e.Msg)
	}
	var at *cellPos
	if ok {
		at = &first
	}
	return s.newError(code, "SyntaxError", strings.Join(msgs, "\n"), at)
}

// newError builds a display.Error whose traceback quotes the cell line
// at at (when it is in this cell).
func (s *Session) newError(code, name, msg string, at *cellPos) *display.Error {
	tb := []string{name + ": " + msg}
	if at != nil && at.cell == s.cell {
		tb = append(tb, sourceLines(code, *at)...)
	}
	return &display.Error{Name: name, Value: msg, Traceback: tb}
}

// compileErr reports an error of yaegi's compiler, positions made the
// cell's.
func (s *Session) compileErr(code, raw string) error {
	if m := undefinedSelector.FindStringSubmatch(raw); m != nil {
		// yaegi places this error at the declaration of the value's type
		// (an earlier line, or cell): point at the cell's selector.
		if line, col, ok := selectorPos(code, m[1]); ok {
			p := cellPos{s.cell, line, col}
			return s.newError(code, "CompileError", s.where(p)+": undefined selector "+m[1]+" (no field or method of that name)", &p)
		}
	}
	var at *cellPos
	if p, ok := s.findPos(raw); ok {
		at = &p
	}
	return s.newError(code, "CompileError", s.humanize(raw), at)
}

var undefinedSelector = regexp.MustCompile(`^\d+:\d+: undefined selector (\w+)$`)

// selectorPos returns the line and column in code of the one selector .name
// (of the name after the dot), and false when code has none or several.
func selectorPos(code, name string) (line, col int, ok bool) {
	fset := token.NewFileSet()
	var sc scanner.Scanner
	sc.Init(fset.AddFile("", -1, len(code)), []byte(code), nil, 0)
	afterDot := false
	found := 0
	for {
		pos, tok, lit := sc.Scan()
		if tok == token.EOF {
			break
		}
		if afterDot && tok == token.IDENT && lit == name {
			p := fset.Position(pos)
			line, col = p.Line, p.Column
			found++
		}
		afterDot = tok == token.PERIOD
	}
	return line, col, found == 1
}

// evalErr turns an error from yaegi into the error the cell reports.
func (s *Session) evalErr(ctx context.Context, code string, err error) error {
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		msg := "the cell was interrupted; variables assigned before the interrupt keep their values"
		if s.stuck {
			// The interpreter is still inside a compiled call that ignores
			// cancellation. Move the session's state to a fresh interpreter
			// so that the next cells do not share one with it.
			s.stuck = false
			if rerr := s.rebuild(context.Background(), code, nil, discardSink{}, false); rerr == nil {
				msg += ". A compiled call did not stop: it keeps running in the background until it returns, and the session moved your variables and definitions to a fresh interpreter; restart the kernel if that call keeps the CPU busy"
			} else {
				s.stuck = true
				msg += ". A compiled call did not stop and the session could not move to a fresh interpreter (" + rerr.Error() + "); restart the kernel"
			}
		}
		return &display.Error{Name: "Interrupted", Value: msg, Traceback: []string{"Interrupted: " + msg}}
	}
	var p interp.Panic
	if errors.As(err, &p) {
		return s.panicErr(code, p.Value)
	}
	var el scanner.ErrorList
	if errors.As(err, &el) && len(el) > 0 {
		return s.syntaxErr(code, el, false)
	}
	raw := err.Error()
	if unknownName(raw) {
		// Name the unknown name, where it is.
		if name, p, ok := s.firstUndefined(code); ok {
			msg := s.where(p) + ": undefined: " + name + " (check the spelling, and that the cell defining it was run" + importHint(name) + ")"
			return s.newError(code, "CompileError", msg, &p)
		}
	}
	return s.compileErr(code, explain(raw, s.mayCallGeneric(code)))
}
