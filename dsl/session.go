package dsl

import (
	"context"
	"fmt"
	"go/scanner"
	"go/token"
	"strings"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"

	"github.com/latent-ai/latent/display"
)

// Session is one long-lived interpreter. Its methods are not safe for
// concurrent use, except that the context passed to Execute may be cancelled
// from any goroutine.
type Session struct {
	in *interp.Interpreter
}

// New starts a session with the Go standard library available.
func New() (*Session, error) {
	in := interp.New(interp.Options{})
	if err := in.Use(stdlib.Symbols); err != nil {
		return nil, err
	}
	return &Session{in: in}, nil
}

type sinkWriter struct {
	sink display.Sink
	name string
}

func (w sinkWriter) Write(p []byte) (int, error) { w.sink.Stream(w.name, string(p)); return len(p), nil }

// Execute runs code. It returns the bundle of the cell's last expression, or
// nil, and a *display.Error when the code fails.
func (s *Session) Execute(ctx context.Context, code string, sink display.Sink) (*display.Bundle, error) {
	_ = sinkWriter{sink, "stdout"}
	v, err := s.in.EvalWithContext(ctx, code)
	if err != nil {
		return nil, &display.Error{Name: "Error", Value: err.Error(), Traceback: []string{err.Error()}}
	}
	if v.IsValid() && v.CanInterface() {
		b := display.Format(v.Interface())
		return &b, nil
	}
	return nil, nil
}

// Complete returns completions for the identifier before cursor (a
// code-point offset) and the code-point range they replace.
func (s *Session) Complete(code string, cursor int) (matches []string, start, end int) {
	return nil, cursor, cursor
}

// Inspect returns help on the symbol at cursor, and whether one was found.
func (s *Session) Inspect(code string, cursor, detail int) (display.Bundle, bool) {
	return display.Bundle{}, false
}

// IsComplete reports "complete", "incomplete" (with a suggested indent) or
// "invalid" for code.
func (s *Session) IsComplete(code string) (status, indent string) {
	var sc scanner.Scanner
	fs := token.NewFileSet()
	src := []byte(code)
	invalid := false
	sc.Init(fs.AddFile("", -1, len(src)), src, func(token.Position, string) { invalid = true }, 0)
	depth := 0
	for {
		_, tok, _ := sc.Scan()
		if tok == token.EOF {
			break
		}
		switch tok {
		case token.LBRACE, token.LPAREN, token.LBRACK:
			depth++
		case token.RBRACE, token.RPAREN, token.RBRACK:
			depth--
		}
	}
	switch {
	case depth > 0:
		return "incomplete", strings.Repeat("\t", depth)
	case invalid || depth < 0:
		return "invalid", ""
	}
	return "complete", ""
}

var _ = fmt.Sprint
