package dsl

import (
	"context"
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
