package dsl

import (
	"context"
	"errors"
	"fmt"
	"go/scanner"
	"regexp"
	"strconv"
	"strings"
	_ "unsafe"

	"github.com/latent-ai/latent/display"
	"github.com/traefik/yaegi/interp"
)

// posRe finds positions the session's //line directives produce:
// "_.go:1200003:7" is line 3, column 7 of cell 12 (see lineBase).
var posRe = regexp.MustCompile(`(?:_\.go:)?\b(\d{6,}):(\d+)\b`)

// cellPos is a position found in an error message.
type cellPos struct{ cell, line, col int }

// findPos returns the first cell position in msg.
func findPos(msg string) (cellPos, bool) {
	m := posRe.FindStringSubmatch(msg)
	if m == nil {
		return cellPos{}, false
	}
	l, _ := strconv.Atoi(m[1])
	col, _ := strconv.Atoi(m[2])
	return cellPos{l / lineBase, l % lineBase, col}, true
}

// humanize rewrites the positions in msg: the running cell's become
// "line L:C", earlier cells' "cell N, line L:C".
func (s *Session) humanize(msg string) string {
	return posRe.ReplaceAllStringFunc(msg, func(m string) string {
		p, _ := findPos(m)
		if p.cell == s.cell {
			return fmt.Sprintf("line %d:%d", p.line, p.col)
		}
		return fmt.Sprintf("cell %d, line %d:%d", p.cell, p.line, p.col)
	})
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

// syntaxErr reports a parse error of the cell. An error the parser finds in
// the wrapper after the cell's end means the cell stops mid-statement.
func (s *Session) syntaxErr(code string, err error) error {
	if p, ok := findPos(err.Error()); ok && p.cell == s.cell && p.line > strings.Count(code, "\n")+1 {
		lines := strings.Split(code, "\n")
		last := len(lines)
		raw := fmt.Sprintf("%d:%d", s.cell*lineBase+last, len(lines[last-1])+1)
		msg := fmt.Sprintf("line %d:%d: unexpected end of the cell: a statement or expression is not finished", last, len(lines[last-1])+1)
		return s.newError(code, "SyntaxError", msg, raw)
	}
	msg := s.humanize(syntaxError(err).Error())
	return s.newError(code, "SyntaxError", msg, err.Error())
}

// newError builds a display.Error whose traceback quotes the cell line
// named in raw (when it is in this cell).
func (s *Session) newError(code, name, msg, raw string) *display.Error {
	tb := []string{name + ": " + msg}
	if p, ok := findPos(raw); ok && p.cell == s.cell {
		tb = append(tb, sourceLines(code, p)...)
	}
	return &display.Error{Name: name, Value: msg, Traceback: tb}
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
	if errors.As(err, &el) {
		return s.syntaxErr(code, el)
	}
	raw := err.Error()
	if strings.Contains(raw, "constant definition loop") || strings.Contains(raw, "undefined:") {
		// yaegi often reports an unknown name as a "constant definition
		// loop", at the start of the statement: name it instead.
		if name, p, ok := s.firstUndefined(code); ok {
			raw = fmt.Sprintf("%d:%d: undefined: %s", p.cell*lineBase+p.line, p.col, name)
			return s.newError(code, "CompileError", s.humanize(raw)+" (check the spelling, and that the cell defining it was run"+importHint(name)+")", raw)
		}
	}
	msg := s.humanize(explain(raw, s.mayCallGeneric(code)))
	return s.newError(code, "CompileError", msg, raw)
}
