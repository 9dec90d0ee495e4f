package dsl

import "runtime"

// framesPerCall is the fewest Go frames one interpreted call adds to a
// goroutine's stack under yaegi v0.16.1 (measured: 2 for a function, 6 for
// a method or a closure).
const framesPerCall = 2

// deepHere reports whether the calling goroutine itself is more than
// maxDepth interpreted calls deep. The session's depth counter adds up
// the calls of all goroutines, which is cheap to keep; only once it passes
// maxDepth does enter ask this of the goroutine that calls, so that 25,000
// goroutines each blocked one call deep are valid Go, not a stack
// overflow. The walk stops after maxDepth*framesPerCall frames.
func deepHere() bool {
	var pc [1]uintptr
	return runtime.Callers(maxDepth*framesPerCall, pc[:]) > 0
}
