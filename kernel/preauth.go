package kernel

import (
	"errors"
	"fmt"
	"log"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Before a message's signature is checked, every byte a peer sends is
// untrusted, yet zmq4 allocates what the framing announces. These limits
// bound what unauthenticated peers can make the kernel hold:
//
//   - per message: bytes (guardMaxMessage) and frames (maxFrames), each
//     frame counted with frameCost on top of its body, so that a stream of
//     empty frames (which carry no bytes but cost zmq4 a slice header each)
//     is counted too;
//   - in total: the bytes of all messages being received at once, over all
//     connections (guardMaxPending);
//   - connections: at most maxConns at once, and a connection must finish
//     the ZMTP handshake within handshakeTimeout;
//   - iopub: a subscriber may only send subscriptions, each at most
//     maxTopic bytes, and hold at most maxSubscriptions of them.
//
// A connection over any limit is closed (zmq4 then forgets it and frees
// what it held), with a rate-limited log line.
const (
	frameCost        = 64
	maxFrames        = 4096
	maxConns         = 1024
	handshakeTimeout = 10 * time.Second
	maxTopic         = 1024
	maxSubscriptions = 1024
)

// guardMaxPending bounds the bytes of incoming messages in progress on all
// guarded connections together.
var guardMaxPending atomic.Int64

// pending is the byte budget of incoming messages in progress, and conns
// the number of guarded connections open.
var (
	pending atomic.Int64
	conns   atomic.Int64
)

var (
	errTooManyFrames = errors.New("kernel: message with too many frames")
	errOverBudget    = errors.New("kernel: too much unauthenticated input in progress")
	errNotSubscribe  = errors.New("kernel: iopub peer sent something other than a subscription")
	errTooManySubs   = errors.New("kernel: iopub peer holds too many subscriptions")
)

// refusal is the error a guarded connection's Read returns when it drops
// the peer or the peer is gone. It is a net.Error that is not a timeout:
// zmq4 then marks the connection closed and removes it from its socket;
// with any other error it would keep the connection (and its buffers) in
// its lists for good.
type refusal struct{ err error }

func (r refusal) Error() string   { return r.err.Error() }
func (r refusal) Unwrap() error   { return r.err }
func (r refusal) Timeout() bool   { return false }
func (r refusal) Temporary() bool { return false }

var _ net.Error = refusal{}

// reserve takes n bytes from the pending budget, or reports that they
// would exceed it.
func reserve(n int64) bool {
	limit := guardMaxPending.Load()
	for {
		cur := pending.Load()
		if limit > 0 && cur+n > limit {
			return false
		}
		if pending.CompareAndSwap(cur, cur+n) {
			return true
		}
	}
}

// account brings what connection c holds from the budget in line with the
// message it is receiving now.
func (c *guardConn) account() error {
	want := int64(c.parser.total)
	delta := want - c.held
	if delta > 0 && !reserve(delta) {
		return fmt.Errorf("%w: %d bytes of messages are being received on all connections (limit %d); dropping the connection that asked for %d more",
			errOverBudget, pending.Load(), guardMaxPending.Load(), delta)
	}
	if delta < 0 {
		pending.Add(delta)
	}
	c.held = want
	return nil
}

// release returns what c holds to the budget; c is being closed.
func (c *guardConn) release() {
	c.rmu.Lock()
	pending.Add(-c.held)
	c.held = 0
	c.rmu.Unlock()
}

// onMessage is called by the incoming frame parser at the end of every
// whole message: it ends the handshake deadline at the peer's first
// command, and polices what an iopub subscriber sends.
func (c *guardConn) onMessage(frames int, first int, bytes uint64, cmd bool) error {
	if cmd {
		if !c.handshook.Swap(true) {
			c.Conn.SetReadDeadline(time.Time{})
			if c.hsTimer != nil {
				c.hsTimer.Stop()
			}
		}
		return nil
	}
	if c.track == nil {
		return nil
	}
	body := bytes - frameCost
	switch {
	case frames != 1 || (first != 0 && first != 1):
		return fmt.Errorf("%w (%d frames)", errNotSubscribe, frames)
	case body > maxTopic+1:
		return fmt.Errorf("%w: a %d-byte topic (limit %d)", errNotSubscribe, body-1, maxTopic)
	case first == 1:
		c.subs++
		if c.subs > maxSubscriptions {
			return fmt.Errorf("%w (limit %d)", errTooManySubs, maxSubscriptions)
		}
	case c.subs > 0:
		c.subs--
	}
	return nil
}

// rateLog prints lines about peers (refused, dropped and half-open
// connections, zmq4's own complaints, messages dropped for their
// signature, size or a replay) through the kernel's logger, at most
// burst lines at once and one a second after that, so that a flood of
// hostile connections cannot flood the log. Suppressed lines are counted
// in the next line printed.
type rateLog struct {
	mu         sync.Mutex
	tokens     float64
	last       time.Time
	suppressed int
}

const (
	logBurst = 10
	logRate  = 1.0 // lines per second after the burst
)

var connLog rateLog

func (r *rateLog) printf(format string, args ...any) {
	l := guardLog.Load()
	if l == nil {
		return
	}
	r.mu.Lock()
	now := time.Now()
	if r.last.IsZero() {
		r.tokens = logBurst
	} else {
		r.tokens = min(logBurst, r.tokens+now.Sub(r.last).Seconds()*logRate)
	}
	r.last = now
	if r.tokens < 1 {
		r.suppressed++
		r.mu.Unlock()
		return
	}
	r.tokens--
	n := r.suppressed
	r.suppressed = 0
	r.mu.Unlock()
	msg := fmt.Sprintf(format, args...)
	if n > 0 {
		msg += fmt.Sprintf(" (%d more lines about connections were suppressed)", n)
	}
	l.Print(msg)
}

// reset forgets what was printed: each kernel starts with a full burst.
func (r *rateLog) reset() {
	r.mu.Lock()
	r.tokens, r.last, r.suppressed = 0, time.Time{}, 0
	r.mu.Unlock()
}

// connLogWriter lets zmq4's per-socket logger print through connLog.
type connLogWriter struct{}

func (connLogWriter) Write(p []byte) (int, error) {
	connLog.printf("%s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// zmq4Logger is the logger given to the kernel's zmq4 sockets.
func zmq4Logger() *log.Logger { return log.New(connLogWriter{}, "zmq4: ", 0) }
