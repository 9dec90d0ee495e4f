// Package kernel is Latent's Jupyter kernel: the Jupyter messaging protocol
// (version 5.3) over ZeroMQ, built on github.com/go-zeromq/zmq4.
//
// A Kernel binds the five sockets a connection file names (shell, control
// and stdin as ROUTER, iopub as PUB, heartbeat as REP) on the transport and
// IP the file gives, verifies the HMAC signature of every message in
// constant time, and dispatches requests to an Evaluator, the small
// interface through which it runs code. It knows nothing about Go
// evaluation: the notebook session of package dsl is one Evaluator, a test
// fake is another.
//
// Concurrency: each socket is read by its own goroutine (zmq4 has no
// poller). Shell requests run one at a time in arrival order. Control
// takes every shell request too: interrupt, kernel_info, shutdown, history
// and comm_info are served while a cell runs; the others (execute,
// complete, inspect, is_complete: they need the evaluator, which serves
// one request at a time) join the shell queue and are answered on control;
// the heartbeat echoes on its own goroutine, so it keeps beating during
// long cells. The evaluator starts in the background, so kernel_info is
// answered at once and cells wait for the interpreter.
//
// Semantics worth knowing:
//   - Interrupt (interrupt_request on control, or Kernel.Interrupt on
//     SIGINT) cancels the context given to Evaluator.Execute. It also
//     stops an execute_request that came before it and had not started,
//     and one that it overtook on its way (one of its own client session,
//     dated no later, arriving within 100 ms): dates of different
//     sessions, which may come from different clocks, are never compared.
//   - After a failed cell with stop_on_error, the execute_requests already
//     queued are answered with status aborted, in order with the other
//     queued requests (which are served); they are taken from the queue
//     before the failed cell's reply goes out, so a request sent after
//     the frontend saw the error is never aborted.
//   - silent cells publish nothing but busy/idle, do not count and,
//     failing, abort nothing;
//     user_expressions are evaluated after a successful cell, each only if
//     it is one Go expression (else it gets a SyntaxError entry).
//   - History (tail, range, search with glob patterns) is kept in memory
//     for the life of the process, as session 1, bounded to the last
//     10,000 cells.
//   - No comm targets are registered: comm_open is answered with
//     comm_close.
//   - Unknown *_request messages get an error reply; messages that fail
//     to decode or verify are dropped and logged, never answered.
//
// Hostile and broken peers: frames are read through a guarded transport
// that refuses (closes) a connection announcing a message larger than the
// limit before anything is allocated, and gives every write a deadline, so
// that a peer which stops reading is cut off instead of blocking replies.
// Before any signature is checked, the guard also bounds the frames of a
// message (each counted 64 bytes on top of its body, at most 4,096), the
// messages in progress on all connections together (Config.MaxPendingBytes),
// the connections (1,024) and the handshake (10 s; a silent peer never
// reaches zmq4's accept loop), and an iopub peer to 1,024 short
// subscriptions; lines about such peers are rate-limited (preauth.go).
// A replay of any of the last 2^20 signed messages is refused, by its
// signature, whatever its date (replay.go), and one result or display
// is cut to Config.MaxOutputBytes with a notice (outputs.go).
// Everything published on iopub goes through a bounded queue that is paced
// by what zmq4 still holds for the slowest subscriber: a slow or stalled
// subscriber costs dropped output (with a logged notice and a note on
// stderr), never unbounded memory or a blocked shell reply.
package kernel
