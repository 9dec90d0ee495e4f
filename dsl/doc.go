// Package dsl is the notebook session: Go cells evaluated by the yaegi
// interpreter against preloaded, compiled packages, with state kept across
// cells, the last expression shown, and outputs sent to a display.Sink.
package dsl
