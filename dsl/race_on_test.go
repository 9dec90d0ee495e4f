//go:build race

package dsl

// raceEnabled reports a build with the race detector.
const raceEnabled = true
