package kernel

import (
	"sync"
	"testing"
	"time"
)

// An iopub message is dated when it is queued, not when the publisher
// goroutine encodes it: otherwise a fast cell's execute_input, sent by the
// publisher after the shell reply went out, carried a later date than the
// reply, and nbclient-style timing metadata came out of order.
func TestIOPubDatedWhenQueued(t *testing.T) {
	p := &publisher{maxBytes: 1 << 20, maxMsgs: 100}
	p.cond = sync.NewCond(&p.mu)
	before := timestamp()
	p.publish(nil, "execute_input", map[string]any{"code": "1"}, false)
	p.streamText(nil, "stdout", "x")
	after := timestamp()
	time.Sleep(2 * time.Millisecond) // the publisher would encode later
	if len(p.q) != 2 {
		t.Fatalf("queued %d messages, want 2", len(p.q))
	}
	for _, m := range p.q {
		if m.date < before || m.date > after {
			t.Errorf("%s dated %q, want between %s and %s (when it was queued)", m.msgType, m.date, before, after)
		}
	}
}
