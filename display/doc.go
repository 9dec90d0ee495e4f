// Package display holds MIME bundles, the one type every layer above the
// runtime uses to say "show this", and the Sink through which a running cell
// sends its outputs (streams, displays, clears, input requests) to whoever
// hosts it: the Jupyter kernel, the headless notebook runner or a script.
package display
