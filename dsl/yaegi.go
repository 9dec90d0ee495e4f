package dsl

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"sync"
	_ "unsafe" // for go:linkname

	"github.com/latent-ai/latent/runtime/host"
	"github.com/traefik/yaegi/interp"
)

// What the session knows of yaegi v0.16.1's own workings and wording: how
// to stop it, how it writes positions and panic traces, and every error
// and panic text the session recognises. A newer interpreter changes this
// file (and the gap list in gaps.go, which says what the passes fill).

// yaegiStop is yaegi's own stop (what ExecuteWithContext calls when its
// context ends): it moves the interpreter to a new run id, so that every
// running frame returns, and closes the channel that blocked channel
// operations wait on. ExecuteWithContext itself cannot be used to stop a
// run: it returns while its goroutine still runs, and writes its results
// from there afterwards (a data race the session cannot order).
//
//go:linkname yaegiStop github.com/traefik/yaegi/interp.(*Interpreter).stop
func yaegiStop(*interp.Interpreter)

// rearm gives the interpreter a fresh stop channel and makes its channel
// operations cancellable; yaegi does both at the start of
// ExecuteWithContext, which runs a trivial program here. It is needed
// once per interpreter and after every stop (a second stop would close
// the closed channel).
func rearm(in *interp.Interpreter) {
	if prog, err := in.Compile("0"); err == nil {
		_, _ = in.ExecuteWithContext(context.Background(), prog)
	}
}

// explain adds advice to yaegi messages that are known to be obscure.
//
// generic says whether the cell may call a generic function (see
// mayCallGeneric): only then does a func type mismatch get the advice on
// type arguments.
func explain(msg string, generic bool) string {
	if m := missingSource.FindStringSubmatch(msg); m != nil {
		// yaegi looks for the source of a package it does not have
		// compiled in a GOPATH.
		return m[1] + fmt.Sprintf("package %q is not available: it is neither in the standard library nor one of the packages Latent preloads (ae, data, display, metrics, nn, pca, plotting); check the import path", m[2])
	}
	switch {
	case strings.Contains(msg, "constant definition loop"):
		return msg + " (an undefined name or a use before its definition; check the spelling and that the cell defining it was run)"
	case strings.Contains(msg, "nil type"):
		return msg + unsupportedRange
	case strings.Contains(msg, "as type ae.Loss"):
		return msg + " (ae.Loss names a built-in loss: ae.MSE, ae.MAE or ae.BCE; pass your own loss function to Fit with ae.CustomLoss(f), or set it with m.WithLossFunc(f))"
	case generic && (strings.Contains(msg, "cannot use type func(") || strings.Contains(msg, "undefined type for")):
		// yaegi infers a generic function's type parameters from its
		// first arguments only (Map(xs, func(int) string) takes U =
		// int), and not at all through a generic type ([]Pair[K, V]).
		return msg + " (if this calls a generic function, the interpreter may have inferred its type arguments wrongly: give them explicitly, as in Map[int, string](xs, f))"
	}
	return msg
}

// missingSource matches yaegi's error for an import it cannot find.
var missingSource = regexp.MustCompile(`^(.*?)import "[^"]*" error: unable to find source related to: "([^"]*)"\..*$`)

const unsupportedRange = " (the interpreter cannot range over an integer whose type it cannot see, nor over a function iterator: write `for i := 0; i < n; i++` instead)"

// genericDecl finds the name of a generic function declaration.
var genericDecl = regexp.MustCompile(`(?m)^func\s+(\w+)\s*\[`)

// mayCallGeneric reports whether code may call a generic function: one
// declared in the cell or an earlier one, or one of package slices or
// maps.
func (s *Session) mayCallGeneric(code string) bool {
	if strings.Contains(code, "slices.") || strings.Contains(code, "maps.") {
		return true
	}
	srcs := []string{code}
	for _, d := range s.decls {
		srcs = append(srcs, d.body)
	}
	for _, src := range srcs {
		for _, m := range genericDecl.FindAllStringSubmatch(src, -1) {
			if strings.Contains(code, m[1]+"(") || strings.Contains(code, m[1]+"[") {
				return true
			}
		}
	}
	return false
}

// posRe finds the positions yaegi gives in the programs the session
// composes, with or without the file name: "_.go:1000012:7" or
// "1000012:7" (program lines have at least 7 digits: see lineMap).
var posRe = regexp.MustCompile(`(?:_\.go:)?\b(\d{7,}):(\d+)\b`)

// panicLine matches the lines yaegi writes to its stderr while a panic
// unwinds interpreted frames.
var panicLine = regexp.MustCompile(`^(?:[^\s:]+:)?\d+:\d+: panic(?::|$)`)

// traceFunc returns the function a panic trace line names: "f", "T.M",
// "" for a cell's top level (yaegi's "main"), or, for a func literal, which yaegi
// names "func" after the functions around it ("f.func"), "a func literal
// in f".
func traceFunc(l string) string {
	i := strings.Index(l, "panic: ")
	if i < 0 {
		return ""
	}
	fn := strings.TrimSuffix(strings.TrimPrefix(l[i+len("panic: "):], "main."), "(...)")
	if fn == "main" {
		return ""
	}
	if fn != "func" && !strings.HasSuffix(fn, ".func") {
		return fn
	}
	var outer []string
	for _, part := range strings.Split(fn, ".") {
		if part != "func" {
			outer = append(outer, part)
		}
	}
	if len(outer) == 0 {
		return "a func literal"
	}
	return "a func literal in " + strings.Join(outer, ".")
}

// unknownName reports whether a compile error may be about a name the
// cell uses that nothing defines: yaegi often reports one as a
// "constant definition loop", at the start of the statement.
func unknownName(msg string) bool {
	return strings.Contains(msg, "constant definition loop") || strings.Contains(msg, "undefined:")
}

// definitionLoop reports whether err is yaegi's failure to type a
// top-level variable ("constant definition loop", "variable definition
// loop"): see probe.go.
func definitionLoop(err error) bool {
	return err != nil && strings.Contains(err.Error(), "definition loop")
}

// nilTypeCrash reports whether a panic of yaegi's compiler is its crash
// on a construct it cannot type ("nil type").
func nilTypeCrash(val string) bool { return val == "nil type" }

var quietOnce sync.Once

// quietNilType keeps the line yaegi's compiler logs through the standard
// logger before that crash (log.Panic("nil type")) off the process's
// stderr, where it appeared with no context in a terminal or a Jupyter
// server's log: the session reports the construct on its cell, or runs it
// another way (probe.go). Interpreted code logs through yaegi's own
// logger, never through this one.
func quietNilType() {
	quietOnce.Do(func() { log.SetOutput(nilTypeFilter{log.Writer()}) })
}

// nilTypeFilter passes every write to w but the standard logger's line
// "... nil type".
type nilTypeFilter struct{ w io.Writer }

func (f nilTypeFilter) Write(p []byte) (int, error) {
	if bytes.Equal(p, []byte("nil type\n")) || bytes.HasSuffix(p, []byte(" nil type\n")) {
		return len(p), nil
	}
	return f.w.Write(p)
}

// interpType reports whether t is one of yaegi's own types (how it
// represents values it cannot give a Go type, or a call without result).
func interpType(t reflect.Type) bool { return strings.Contains(t.PkgPath(), "traefik/yaegi") }

// panicName is the ename of a panic: "runtime error" for the runtime's own
// panics, the dynamic type for an error value, "panic" otherwise.
func panicName(r any) string {
	switch v := r.(type) {
	case runtime.Error:
		return "runtime error"
	case *host.AllocError:
		return "out of memory"
	case error:
		if strings.HasPrefix(v.Error(), "reflect: ") || strings.HasPrefix(v.Error(), "runtime error: ") {
			return "runtime error"
		}
		if _, ok := failedAssertion(v.Error()); ok {
			return "runtime error"
		}
		if compilerError(v) {
			return "CompileError"
		}
		return fmt.Sprintf("%T", v)
	case string:
		if strings.HasPrefix(v, "reflect: ") || strings.HasPrefix(v, "runtime error: ") {
			return "runtime error"
		}
		return "panic"
	case fmt.Stringer:
		return fmt.Sprintf("%T", v)
	}
	return "panic"
}

// yaegiAssertion is how yaegi words a failed type assertion: an error of
// its compiler's type, prefixed with the position in the program text.
var yaegiAssertion = regexp.MustCompile(`^\d+:\d+: (interface conversion: .*)$`)

// failedAssertion returns Go's message for yaegi's failed type assertion
// msg (the position, which is not the cell's, dropped), and whether msg is
// one.
func failedAssertion(msg string) (string, bool) {
	if m := yaegiAssertion.FindStringSubmatch(msg); m != nil {
		return m[1], true
	}
	return "", false
}

// compilerError reports an error of yaegi's compiler raised as a panic
// (yaegi checks some constants, 1 << 70, only as it compiles an
// expression).
func compilerError(err error) bool { return fmt.Sprintf("%T", err) == "*interp.cfgError" }

// yaegiPos is the position at the start of a message of yaegi's compiler.
var yaegiPos = regexp.MustCompile(`^\d+:\d+: `)

// panicValue is the message of a panic value.
func panicValue(r any) string {
	if v, ok := r.(reflect.Value); ok && v.IsValid() && v.CanInterface() {
		r = v.Interface()
	}
	s := fmt.Sprint(r)
	s = strings.TrimPrefix(s, "runtime error: ")
	if msg, ok := failedAssertion(s); ok {
		return msg
	}
	if err, ok := r.(error); ok && compilerError(err) {
		// Its position is in a text of yaegi's own, not the cell's.
		return yaegiPos.ReplaceAllString(s, "")
	}
	switch {
	case strings.HasPrefix(s, "reflect: slice index out of range") || strings.HasPrefix(s, "reflect: array index out of range"):
		return "index out of range"
	case strings.HasPrefix(s, "reflect: call of reflect.Value.Field on zero Value"):
		// yaegi's forms of a nil pointer dereference
		return "invalid memory address or nil pointer dereference (a field of a nil pointer)"
	case strings.HasPrefix(s, "reflect.Value.Call: call of nil function"):
		return "invalid memory address or nil pointer dereference (a call of a nil func)"
	case strings.HasPrefix(s, "reflect: call of reflect.Value.Interface on zero Value"):
		return "invalid memory address or nil pointer dereference (probably a method call on a nil interface)"
	case strings.Contains(s, "as type") && strings.Contains(s, "in Call") || strings.Contains(s, "is not assignable to type"):
		if strings.Contains(s, "struct {") {
			return strings.TrimPrefix(strings.TrimPrefix(s, "reflect: "), "reflect.Set: ") + " (the interpreter cannot hand a value of a type declared in a cell to compiled code as this interface here, as in a variadic argument: call the method yourself, or use a standard type such as *bytes.Buffer)"
		}
	case strings.Contains(s, "Call with too many input arguments"):
		return strings.TrimPrefix(s, "reflect: ") + " (a method expression such as T.Method cannot be called by the interpreter: use a func literal, func(t T, x X) R { return t.Method(x) })"
	case strings.Contains(s, "target must be interface or implement error"):
		return s + " (the interpreter cannot find a type declared in a cell behind an error value, for errors.As or a type assertion: use errors.Is with a sentinel made by errors.New, or compare err.Error())"
	}
	return strings.TrimPrefix(s, "reflect: ")
}
