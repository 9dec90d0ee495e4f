package kernel

import (
	"bytes"
	"errors"
	"fmt"
	"log"
	"strings"
	"testing"
	"time"
)

// zmtpFrame encodes one ZMTP 3 frame.
func zmtpFrame(body []byte, more bool) []byte {
	fl := byte(0)
	if more {
		fl = 1
	}
	return append([]byte{fl, byte(len(body))}, body...)
}

// TestParserCountsEmptyFrames: a message of nothing but empty frames
// carries no bytes, yet each costs the kernel memory; the parser refuses
// it once the frames add up, by count or by their per-frame cost.
func TestParserCountsEmptyFrames(t *testing.T) {
	empty := zmtpFrame(nil, true)
	for _, tc := range []struct {
		limit int64
		want  error
	}{
		{64 << 20, errTooManyFrames},
		{64 << 10, errOversized},
	} {
		f := frameParser{}
		var err error
		for i := 0; i < 2*maxFrames && err == nil; i++ {
			err = f.feed(empty, tc.limit)
		}
		if !errors.Is(err, tc.want) {
			t.Errorf("limit %d: endless empty frames gave %v, want %v", tc.limit, err, tc.want)
		}
	}
	// A normal message passes and resets the count.
	f := frameParser{}
	for i := 0; i < 3*maxFrames; i++ {
		if err := f.feed(append(zmtpFrame([]byte("a"), true), zmtpFrame([]byte("b"), false)...), 64<<20); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
}

// TestParserReportsMessages checks what onMessage sees.
func TestParserReportsMessages(t *testing.T) {
	type got struct {
		frames, first int
		cmd           bool
	}
	var seen []got
	f := frameParser{skip: 3, onMessage: func(frames, first int, _ uint64, cmd bool) error {
		seen = append(seen, got{frames, first, cmd})
		return nil
	}}
	var in bytes.Buffer
	in.WriteString("grt")
	in.Write([]byte{0x04, 2, 'R', 'D'}) // a command
	in.Write(zmtpFrame([]byte("\x01topic"), false))
	in.Write(zmtpFrame(nil, true))
	in.Write(zmtpFrame([]byte("x"), false))
	for _, b := range in.Bytes() { // byte by byte: state must carry over
		if err := f.feed([]byte{b}, 1<<20); err != nil {
			t.Fatal(err)
		}
	}
	want := []got{{1, 'R', true}, {1, 1, false}, {2, -1, false}}
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("messages seen %v, want %v", seen, want)
	}
}

// TestPendingBudget: the bytes of messages in progress on all connections
// together are bounded; the connection that would exceed it is refused and
// what it held is returned when it closes.
func TestPendingBudget(t *testing.T) {
	old := guardMaxPending.Load()
	guardMaxPending.Store(1 << 20)
	defer guardMaxPending.Store(old)
	start := pending.Load()
	announce := func(c *guardConn, n int) error {
		hdr := []byte{0x02, 0, 0, 0, 0, 0, 0, 0, 0}
		for i := 0; i < 8; i++ {
			hdr[1+i] = byte(uint64(n) >> (56 - 8*i))
		}
		if err := c.parser.feed(hdr, 64<<20); err != nil {
			return err
		}
		return c.account()
	}
	a := &guardConn{}
	b := &guardConn{}
	if err := announce(a, 600<<10); err != nil {
		t.Fatal(err)
	}
	if err := announce(b, 600<<10); !errors.Is(err, errOverBudget) {
		t.Fatalf("second 600 KiB frame under a 1 MiB budget: %v, want errOverBudget", err)
	}
	a.release()
	if p := pending.Load(); p != start {
		t.Errorf("pending = %d after release, want %d", p, start)
	}
	c := &guardConn{}
	if err := announce(c, 600<<10); err != nil {
		t.Errorf("budget not returned: %v", err)
	}
	c.release()
}

// TestSubscriptionLimits: an iopub peer may only subscribe, to at most
// maxSubscriptions short topics.
func TestSubscriptionLimits(t *testing.T) {
	c := &guardConn{track: &writeTracker{}}
	msg := func(body string) error {
		return c.onMessage(1, int(body[0]), uint64(len(body))+frameCost, false)
	}
	var err error
	for i := 0; i <= maxSubscriptions && err == nil; i++ {
		err = msg(fmt.Sprintf("\x01t%d", i))
	}
	if !errors.Is(err, errTooManySubs) {
		t.Errorf("%d subscriptions: %v", maxSubscriptions+1, err)
	}
	c.subs = 0
	if err := msg("\x01" + strings.Repeat("x", maxTopic+1)); !errors.Is(err, errNotSubscribe) {
		t.Errorf("a long topic: %v", err)
	}
	if err := msg("{\"not\": \"a subscription\"}"); !errors.Is(err, errNotSubscribe) {
		t.Errorf("a non-subscription: %v", err)
	}
	if err := c.onMessage(3, 1, 100, false); !errors.Is(err, errNotSubscribe) {
		t.Errorf("a 3-frame message: %v", err)
	}
}

// TestRateLog: a flood of lines about connections prints a burst, then
// counts what it suppressed.
func TestRateLog(t *testing.T) {
	var buf bytes.Buffer
	old := guardLog.Load()
	guardLog.Store(log.New(&buf, "latent kernel: ", 0))
	defer guardLog.Store(old)
	var r rateLog
	for i := 0; i < 1000; i++ {
		r.printf("line %d", i)
	}
	if n := strings.Count(buf.String(), "\n"); n != logBurst {
		t.Errorf("1000 lines at once printed %d, want %d", n, logBurst)
	}
	r.last = r.last.Add(-2 * time.Second)
	r.printf("after a pause")
	if !strings.Contains(buf.String(), "suppressed") {
		t.Errorf("no count of suppressed lines:\n%s", buf.String())
	}
}

// TestReplayGuard: every message replayed within the window is refused,
// whatever its date; the oldest is forgotten once the window is full.
func TestReplayGuard(t *testing.T) {
	g := newReplayGuard(1000)
	for i := 0; i < 1000; i++ {
		if !g.fresh(fmt.Sprintf("sig%d", i)) {
			t.Fatalf("genuine message %d refused", i)
		}
	}
	for _, i := range []int{0, 1, 500, 999} {
		if g.fresh(fmt.Sprintf("sig%d", i)) || g.fresh(fmt.Sprintf("SIG%d", i)) {
			t.Errorf("replay of message %d accepted", i)
		}
	}
	if !g.fresh("sig1000") || !g.fresh("sig0") {
		t.Error("after one more message, the oldest should be forgotten")
	}
	if g.fresh("sig2") || g.fresh("sig1000") {
		t.Error("replays in the window accepted")
	}
}
