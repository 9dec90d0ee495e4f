package dsl

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	_ "unsafe" // for go:linkname

	"github.com/traefik/yaegi/interp"
)

// What the session knows of yaegi v0.16.1's own workings. A newer
// interpreter changes this file (and the gap list in gaps.go).

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
