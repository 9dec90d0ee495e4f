// Package display checks, over the real Jupyter protocol, that a
// training cell shows one live display that updates in place, and that a
// notebook executed headless keeps only its final state.
package display
