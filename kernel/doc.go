// Package kernel is Latent's Jupyter kernel: the Jupyter messaging protocol
// (version 5.3) over ZeroMQ, built on github.com/go-zeromq/zmq4.
//
// A Kernel binds the five sockets a connection file names (shell, control
// and stdin as ROUTER, iopub as PUB, heartbeat as REP), verifies the
// HMAC signature of every message in constant time, and dispatches requests
// to an Evaluator, the small interface through which it runs code. It knows
// nothing about Go evaluation: the notebook session of package dsl is one
// Evaluator, a test fake is another.
//
// Each socket is read by its own goroutine (zmq4 has no poller). Shell
// requests run one at a time in arrival order; control requests (interrupt,
// kernel_info, shutdown) are served while a cell runs, and the heartbeat
// echoes on its own goroutine so that it keeps beating during long cells.
// Everything published on iopub goes through a bounded queue, so a stalled
// subscriber costs dropped output (with a logged notice), never unbounded
// memory or a blocked shell reply. Frames are read through a guard that
// refuses oversized messages before they are allocated.
package kernel
