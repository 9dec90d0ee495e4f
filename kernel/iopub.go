package kernel

import (
	"encoding/json"
	"fmt"
	"log"
	"strings"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"
)

// outMsg is one message waiting to be published on iopub.
type outMsg struct {
	msgType string
	parent  *Message // nil for messages with no parent (status starting)
	content any
	// stream holds the text of a stream message while it is queued, so that
	// consecutive chunks can be merged.
	streamName string
	stream     strings.Builder
	droppable  bool // outputs may be dropped under pressure; status may not
	size       int
	// date is the header date, taken when the message is queued: a cell's
	// messages then carry dates in the order they were made (busy,
	// execute_input, then the shell reply of a fast cell), whenever the
	// publisher goroutine gets round to encoding them.
	date string
	// queued is when the message was queued: it waits for the first
	// subscriber until subscriberGrace after that.
	queued time.Time
}

// publisher is the bounded iopub queue. Messages are encoded and sent by
// one goroutine. When a subscriber stops reading, the publisher holds
// messages here (rather than in zmq4's unbounded queue) and, once the queue
// is full, drops outputs, merges stream chunks and logs a notice; status
// messages are never dropped. Shell replies and the heartbeat never wait on
// it.
type publisher struct {
	sock   zmq4.Socket
	signer *Signer
	sess   string
	log    *log.Logger
	track  *writeTracker

	maxBytes, maxMsgs int

	mu       sync.Mutex
	cond     *sync.Cond
	q        []*outMsg
	bytes    int
	closed   bool
	dropped  int
	dropPar  *Message
	done     chan struct{}
	lastDrop time.Time
	// subscribed is set, by the sending goroutine, once a peer has
	// subscribed to iopub.
	subscribed bool
}

// maxBacklog bounds what zmq4 holds for the slowest subscriber; beyond it
// the publisher keeps messages in its own bounded queue.
const maxBacklog = 4 << 20

func newPublisher(sock zmq4.Socket, signer *Signer, session string, lg *log.Logger, track *writeTracker, maxBytes, maxMsgs int) *publisher {
	p := &publisher{sock: sock, signer: signer, sess: session, log: lg, track: track,
		maxBytes: maxBytes, maxMsgs: maxMsgs, done: make(chan struct{})}
	p.cond = sync.NewCond(&p.mu)
	go p.run()
	return p
}

// publish queues a message with a JSON-marshalable content. Outputs are
// encoded here, in the caller's goroutine, so that the queue knows their
// size exactly and the sender does not encode them again.
func (p *publisher) publish(parent *Message, msgType string, content any, droppable bool) {
	size := 256
	if droppable {
		b, err := json.Marshal(content)
		if err != nil {
			p.log.Printf("iopub: cannot encode %s: %v", msgType, err)
			return
		}
		content = json.RawMessage(b)
		size += len(b)
	}
	p.push(&outMsg{msgType: msgType, parent: parent, content: content, droppable: droppable, size: size})
}

// stream queues stream text, merging it into a queued chunk of the same
// stream when there is one at the tail of the queue.
func (p *publisher) streamText(parent *Message, name, text string) {
	p.mu.Lock()
	if n := len(p.q); n > 0 {
		last := p.q[n-1]
		if last.msgType == "stream" && last.parent == parent && last.streamName == name && last.stream.Len() < 1<<20 {
			if p.bytes+len(text) > p.maxBytes {
				p.dropLocked(parent)
				p.mu.Unlock()
				return
			}
			last.stream.WriteString(text)
			last.size += len(text)
			p.bytes += len(text)
			p.mu.Unlock()
			return
		}
	}
	p.mu.Unlock()
	m := &outMsg{msgType: "stream", parent: parent, streamName: name, droppable: true, size: 256 + len(text)}
	m.stream.WriteString(text)
	p.push(m)
}

func (p *publisher) push(m *outMsg) {
	if m.date == "" {
		m.date = timestamp()
	}
	m.queued = time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	if m.droppable && (p.bytes+m.size > p.maxBytes || len(p.q) >= p.maxMsgs) {
		p.dropLocked(m.parent)
		return
	}
	p.q = append(p.q, m)
	p.bytes += m.size
	p.cond.Signal()
}

func (p *publisher) dropLocked(parent *Message) {
	p.dropped++
	p.dropPar = parent
	if time.Since(p.lastDrop) > time.Second {
		p.lastDrop = time.Now()
		p.log.Printf("iopub: queue full (%d messages, %d bytes): dropping outputs because a subscriber is not reading", len(p.q), p.bytes)
	}
}

func (p *publisher) run() {
	defer close(p.done)
	for {
		p.mu.Lock()
		for len(p.q) == 0 && !p.closed {
			p.cond.Wait()
		}
		if len(p.q) == 0 && p.closed {
			p.mu.Unlock()
			return
		}
		m := p.q[0]
		p.q[0] = nil
		p.q = p.q[1:]
		p.bytes -= m.size
		var notice *outMsg
		if len(p.q) == 0 && p.dropped > 0 {
			notice = &outMsg{msgType: "stream", parent: p.dropPar, streamName: "stderr"}
			fmt.Fprintf(&notice.stream, "[latent] %d outputs were dropped because an iopub subscriber was not reading fast enough.\n", p.dropped)
			p.log.Printf("iopub: %d outputs dropped in all", p.dropped)
			p.dropped = 0
		}
		closed := p.closed
		p.mu.Unlock()
		for !closed && (p.track.backlog() > maxBacklog || p.awaitingSubscriber(m)) {
			time.Sleep(2 * time.Millisecond)
			p.mu.Lock()
			closed = p.closed
			p.mu.Unlock()
		}
		p.send(m)
		if notice != nil {
			p.send(notice)
		}
	}
}

// subscriberGrace bounds how long a message waits for the kernel's first
// iopub subscriber.
const subscriberGrace = 2 * time.Second

// awaitingSubscriber reports whether m must still wait for the kernel's
// first iopub subscriber. A client connects its shell and iopub sockets at
// once, but each connects on its own schedule: when the kernel was not yet
// listening, ZeroMQ retries every 100 ms, so the shell socket may be
// connected and its first request answered before the iopub subscription
// arrives. What is published before that is lost, and a client such as
// jupyter console, which waits for the idle status of its first cell, then
// waits for ever. So until some peer has subscribed, each message is held
// for up to subscriberGrace after it was queued; replies on the other
// sockets never wait.
func (p *publisher) awaitingSubscriber(m *outMsg) bool {
	if p.subscribed {
		return false
	}
	if t, ok := p.sock.(zmq4.Topics); !ok || len(t.Topics()) > 0 {
		p.subscribed = true
		return false
	}
	return time.Since(m.queued) < subscriberGrace
}

func (p *publisher) send(m *outMsg) {
	content := m.content
	if m.msgType == "stream" {
		content = map[string]string{"name": m.streamName, "text": m.stream.String()}
	}
	// The topic frame, as ipykernel names it; subscribers take everything.
	topic := [][]byte{[]byte("kernel." + p.sess + "." + m.msgType)}
	frames, err := encodeReply(p.signer, p.sess, m.parent, m.msgType, m.date, content, nil, topic)
	if err != nil {
		p.log.Printf("iopub: cannot encode %s: %v", m.msgType, err)
		return
	}
	wire := 0
	for _, f := range frames {
		wire += len(f) + 2 // ZMTP frame header: flags and a 1-byte size...
		if len(f) > 255 {
			wire += 7 // ...or an 8-byte size
		}
	}
	p.track.handOver(wire)
	if err := p.sock.Send(zmq4.NewMsgFrom(frames...)); err != nil {
		p.log.Printf("iopub: send %s: %v", m.msgType, err)
	}
}

// close flushes what is queued and stops the publisher, waiting at most
// wait in all. zmq4 writes to the subscribers on a goroutine of its own, so
// flushing also waits until what it was handed has been written: the
// sockets close next, and the last messages (a shutdown's) would be lost.
func (p *publisher) close(wait time.Duration) {
	deadline := time.Now().Add(wait)
	p.mu.Lock()
	p.closed = true
	p.cond.Broadcast()
	p.mu.Unlock()
	select {
	case <-p.done:
	case <-time.After(wait):
		p.log.Printf("iopub: %v passed while flushing; dropping the rest", wait)
		return
	}
	for p.track.backlog() > 0 {
		if time.Now().After(deadline) {
			p.log.Printf("iopub: %v passed while a subscriber was still being written to", wait)
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
}
