package dsl

import (
	"context"
	"errors"
	"fmt"
	"go/scanner"
	"strings"
	"time"

	"github.com/latent-ai/latent/display"
)

// discardSink drops outputs, for callers that pass a nil sink.
type discardSink struct{}

func (discardSink) Stream(string, string) {}

func (discardSink) Display(display.Bundle, bool) {}

func (discardSink) Clear(bool) {}

func (discardSink) Input(string, bool) (string, error) {
	return "", display.ErrNoStdin
}

// execute runs one cell of Go source: imports first; then, when the cell
// changes an existing declaration, a rebuild with all of the cell's
// declarations; otherwise consecutive declarations are evaluated together
// at their place among the statements.
func (s *Session) execute(ctx context.Context, code string, sink display.Sink) (res *display.Bundle, rerr error) {
	pc, err := parseCell(code, s.cell)
	s.parsed = pc
	var chunks []chunk
	if err == nil {
		chunks, err = pc.chunks(s, &s.lines)
	}
	if err != nil {
		if e := s.refusedAlloc(code, err); e != nil { // sizeguard.go
			return nil, e
		}
		var ue unsupportedError
		var ge goError
		var el scanner.ErrorList
		switch {
		case errors.As(err, &ue):
			return nil, s.newError(code, "Unsupported", ue.Error(), &cellPos{s.cell, ue.pos.Line, ue.pos.Column})
		case errors.As(err, &ge):
			p := cellPos{s.cell, ge.pos.Line, ge.pos.Column}
			return nil, s.newError(code, "CompileError", s.where(p)+": "+ge.Error(), &p)
		case errors.As(err, &el) && len(el) > 0:
			return nil, s.syntaxErr(code, el, true)
		}
		return nil, s.newError(code, "SyntaxError", err.Error(), nil)
	}
	for _, c := range chunks {
		if c.defers {
			defer func() {
				if err := s.runDefers(ctx, code); err != nil && rerr == nil {
					res, rerr = nil, err
				}
			}()
			break
		}
	}
	if err := s.evalAutoImports(ctx, pc); err != nil {
		return nil, err
	}
	if s.redeclares(chunks) {
		s.shadowed = true
	}
	redefines := false
	var decls []chunk
	for _, c := range chunks {
		switch c.kind {
		case chunkImport:
			if err := s.evalImports(ctx, code, c); err != nil {
				return nil, err
			}
		case chunkDecl:
			same, redef := s.compareDecl(c)
			redefines = redefines || redef
			if !same {
				decls = append(decls, c)
			}
		}
	}
	if redefines {
		if err := s.rebuild(ctx, code, decls, sink, false); err != nil {
			return nil, err
		}
	}
	var result *display.Bundle
	var batch []chunk
	for i, c := range chunks {
		if c.kind == chunkDecl && !redefines {
			if same, _ := s.compareDecl(c); !same {
				batch = append(batch, c)
			}
		}
		if len(batch) > 0 && (i == len(chunks)-1 || chunks[i+1].kind != chunkDecl) {
			if err := s.evalDecls(ctx, code, batch); err != nil {
				return nil, err
			}
			batch = nil
		}
		if c.kind == chunkProbe {
			result = nil
			if err := s.evalProbe(ctx, c); err != nil {
				return nil, s.evalErr(ctx, code, err)
			}
			continue
		}
		if c.kind != chunkVar && c.kind != chunkStmts {
			continue
		}
		result = nil
		v, err := s.eval(ctx, s.lastResults(&c))
		s.noteResult(v) // sizeguard.go
		if isCellReturn(err) {
			return nil, nil // a top-level return: the rest of the cell does not run
		}
		if err != nil {
			return nil, s.evalErr(ctx, code, err)
		}
		if c.kind == chunkStmts && c.showLast && v.IsValid() && v.CanInterface() && !internalValue(v, c.lastCall != "") {
			bd, ok := s.renderUser(v)
			if !ok {
				bd = display.Format(v.Interface())
			}
			result = &bd
		}
	}
	return result, nil
}

// runDefers runs the calls registered by the cell's top-level defers, last
// first, even when the cell failed or was interrupted.
func (s *Session) runDefers(ctx context.Context, code string) error {
	if ctx.Err() != nil {
		c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		ctx = c
	}
	if _, err := s.eval(ctx, runDefers); err != nil {
		return s.evalErr(ctx, code, err)
	}
	return nil
}

// evalImports evaluates the imports of c that are not in effect yet.
func (s *Session) evalImports(ctx context.Context, code string, c chunk) error {
	var todo []importSpec
	for _, im := range c.imports {
		if !s.imported(im) {
			todo = append(todo, im)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	for _, im := range todo {
		if err := s.importConflict(code, im); err != nil {
			return err
		}
	}
	if err := s.fetchImports(ctx, todo); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("import (")
	for _, im := range todo {
		b.WriteString(im.source() + "; ")
	}
	b.WriteString(")")
	if _, err := s.eval(ctx, c.src+b.String()); err != nil {
		return s.evalErr(ctx, code, err)
	}
	for _, im := range todo {
		s.addImport(im)
	}
	return nil
}

// evalDecls evaluates new declarations together and records them for
// replay.
func (s *Session) evalDecls(ctx context.Context, code string, decls []chunk) error {
	var b strings.Builder
	for _, c := range decls {
		b.WriteString(c.src)
		b.WriteString("\n")
	}
	if _, err := s.eval(ctx, b.String()); err != nil {
		return s.evalErr(ctx, code, err)
	}
	for _, c := range decls {
		s.record(c)
	}
	s.refreshTypeNames()
	return nil
}

// importConflict returns an error when im would bind a name that an
// earlier import gave to another package (yaegi's own message for that is
// "rand/_.go redeclared in this block").
func (s *Session) importConflict(code string, im importSpec) error {
	name := im.name()
	old, ok := s.aliases[name]
	if !ok || old == im.Path || name == "_" || name == "." {
		return nil
	}
	msg := fmt.Sprintf("%s is already the package %q, imported earlier; import %q under another name, as in: import %s2 %q",
		name, old, im.Path, name, im.Path)
	return s.newError(code, "CompileError", msg, nil)
}

func stripDirective(src string) string {
	if strings.HasPrefix(src, "\n//line ") {
		if i := strings.Index(src[1:], "\n"); i >= 0 {
			return src[i+2:]
		}
	}
	return src
}
