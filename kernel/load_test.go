package kernel

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
)

// TestStalledSubscriber attaches an iopub subscriber that never reads and
// floods output: shell replies and the heartbeat must keep working, the
// publisher's queue must stay within its bound (dropping output with a
// logged notice), and the stalled peer must be cut off so that the others
// get iopub again.
func TestStalledSubscriber(t *testing.T) {
	const maxBytes = 1 << 20
	tk := startKernel(t, Config{IOPubMaxBytes: maxBytes, WriteTimeout: time.Second})

	// A zmq4 SUB whose Recv is never called stops reading its connection
	// once its small internal queue is full: a stalled subscriber.
	stalled := zmq4.NewSub(context.Background())
	defer func() {
		// zmq4's reader goroutine stays blocked on its full queue until
		// someone reads: read until the (cut off) connection is gone.
		drained := make(chan struct{})
		go func() {
			defer close(drained)
			for {
				if _, err := stalled.Recv(); err != nil {
					return
				}
			}
		}()
		time.Sleep(300 * time.Millisecond)
		stalled.Close()
		<-drained
	}()
	if err := stalled.Dial(fmt.Sprintf("tcp://127.0.0.1:%d", tk.ci.IOPubPort)); err != nil {
		t.Fatal(err)
	}
	stalled.SetOption(zmq4.OptionSubscribe, "")
	time.Sleep(200 * time.Millisecond)

	hb := zmq4.NewReq(context.Background())
	defer hb.Close()
	if err := hb.Dial(fmt.Sprintf("tcp://127.0.0.1:%d", tk.ci.HBPort)); err != nil {
		t.Fatal(err)
	}

	maxQueued := 0
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
			tk.k.pub.mu.Lock()
			if tk.k.pub.bytes > maxQueued {
				maxQueued = tk.k.pub.bytes
			}
			tk.k.pub.mu.Unlock()
		}
	}()

	// Flood until more has gone out than the socket buffers of the
	// stalled peer absorb, and the write timeout has cut it off.
	deadline := time.Now().Add(60 * time.Second)
	requests := 0
	for !strings.Contains(tk.logs.String(), "stalled client") {
		if time.Now().After(deadline) {
			t.Fatalf("the stalled subscriber was never dropped; logs:\n%s", tk.logs.String())
		}
		requests++
		id := tk.send(tk.shell, "execute_request", map[string]any{"code": "flood"})
		if c := tk.recvReply(tk.shell, "execute_reply", id); c["status"] != "ok" {
			t.Fatalf("flood reply: %v", c)
		}
		if err := hb.Send(zmq4.NewMsgString("ping")); err != nil {
			t.Fatal(err)
		}
		if m, err := hb.Recv(); err != nil || string(m.Frames[0]) != "ping" {
			t.Fatalf("heartbeat: %v %v", m, err)
		}
	}
	// A second request is answered while output is still held back.
	id2 := tk.send(tk.shell, "kernel_info_request", map[string]any{})
	tk.recvReply(tk.shell, "kernel_info_reply", id2)

	// The stalled peer is dropped after the write timeout; the reading
	// subscriber then gets the idle status of both requests.
	if tk.waitIOPub(id2, "status", 30*time.Second) == nil {
		t.Fatalf("the reading subscriber never got iopub again; logs:\n%s", tk.logs.String())
	}
	close(stop)
	<-sampled
	// Outputs are bounded by maxBytes; status, execute_input and replies
	// (a few hundred bytes per request) are never dropped.
	if limit := maxBytes + (64 << 10) + 1024*(requests+2); maxQueued > limit {
		t.Errorf("iopub queue held %d bytes, over its bound of %d for %d requests", maxQueued, limit, requests)
	}
	logs := tk.logs.String()
	if !strings.Contains(logs, "dropping outputs") || !strings.Contains(logs, "stalled client") {
		t.Errorf("no notice of dropped output and of the dropped peer:\n%s", logs)
	}
}

// TestSeveralClients attaches a second client, as JupyterLab and jupyter
// console do together: each gets its own replies, both see iopub.
func TestSeveralClients(t *testing.T) {
	tk := startKernel(t, Config{})
	other := zmq4.NewDealer(context.Background(), zmq4.WithID(zmq4.SocketIdentity("second-client")))
	defer other.Close()
	if err := other.Dial(fmt.Sprintf("tcp://127.0.0.1:%d", tk.ci.ShellPort)); err != nil {
		t.Fatal(err)
	}
	otherOut := make(chan *Message, 10)
	go tk.pump(other, otherOut)
	sub := zmq4.NewSub(context.Background())
	defer sub.Close()
	if err := sub.Dial(fmt.Sprintf("tcp://127.0.0.1:%d", tk.ci.IOPubPort)); err != nil {
		t.Fatal(err)
	}
	sub.SetOption(zmq4.OptionSubscribe, "")
	subOut := make(chan *Message, 1000)
	go tk.pump(sub, subOut)
	// PUB drops what it sends before a subscription arrives: wait until the
	// new subscriber sees a status.
	for subscribed := false; !subscribed; {
		id := tk.send(tk.shell, "kernel_info_request", map[string]any{})
		tk.recvReply(tk.shell, "kernel_info_reply", id)
		timeout := time.After(200 * time.Millisecond)
	wait:
		for {
			select {
			case m := <-subOut:
				if strings.Contains(string(m.ParentHeader), id) {
					subscribed = true
					break wait
				}
			case <-timeout:
				break wait
			}
		}
	}

	id1 := tk.send(tk.shell, "execute_request", map[string]any{"code": "print one"})
	f, id2 := tk.frames("execute_request", map[string]any{"code": "print two"}, tk.signer)
	if err := other.Send(zmq4.NewMsgFrom(f...)); err != nil {
		t.Fatal(err)
	}
	tk.recvReply(tk.shell, "execute_reply", id1)
	select {
	case m := <-otherOut:
		if !strings.Contains(string(m.ParentHeader), id2) {
			t.Fatalf("second client got a reply to another request: %s", m.ParentHeader)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("second client got no reply")
	}
	if m := tk.recvOne(tk.shell, 300*time.Millisecond); m != nil {
		t.Fatalf("first client got a stray %s", m.Header.MsgType)
	}
	seen := map[string]bool{}
	timeout := time.After(10 * time.Second)
	for !seen[id1] || !seen[id2] {
		select {
		case m := <-subOut:
			if m.Header.MsgType == "stream" {
				for _, id := range []string{id1, id2} {
					if strings.Contains(string(m.ParentHeader), id) {
						seen[id] = true
					}
				}
			}
		case <-timeout:
			t.Fatalf("second subscriber saw streams of %v only", seen)
		}
	}
	other.Close()
	sub.Close()
	for range otherOut {
	}
	for range subOut {
	}
}

// TestSequentialLoad sends 10,000 execute requests one after another: all
// are answered in order, and the goroutine count and live heap stay flat
// after warm-up.
func TestSequentialLoad(t *testing.T) {
	n := 10000
	if testing.Short() {
		n = 1000
	}
	tk := startKernel(t, Config{})
	var g0 int
	var h0 uint64
	for i := 1; i <= n; i++ {
		id := tk.send(tk.shell, "execute_request", map[string]any{"code": "result 1"})
		c := tk.recvReply(tk.shell, "execute_reply", id)
		if int(c["execution_count"].(float64)) != i {
			t.Fatalf("request %d answered with execution_count %v", i, c["execution_count"])
		}
		if tk.waitIOPub(id, "status", 10*time.Second) == nil { // busy
			t.Fatalf("request %d: no status", i)
		}
		if i == n/10 {
			g0, h0 = goroutinesAndHeap()
		}
	}
	g1, h1 := goroutinesAndHeap()
	t.Logf("%d requests: goroutines %d -> %d, live heap %.1f -> %.1f MiB after warm-up", n, g0, g1, float64(h0)/(1<<20), float64(h1)/(1<<20))
	if g1 > g0+5 {
		t.Errorf("goroutines grew from %d to %d", g0, g1)
	}
	if h1 > h0+16<<20 {
		t.Errorf("live heap grew from %d to %d bytes", h0, h1)
	}
}

func goroutinesAndHeap() (int, uint64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return runtime.NumGoroutine(), ms.HeapAlloc
}

// TestInterruptStorm sends 100 interrupts at a running cell: each is
// answered, the cell stops, and the next cell runs normally.
func TestInterruptStorm(t *testing.T) {
	tk := startKernel(t, Config{})
	id := tk.send(tk.shell, "execute_request", map[string]any{"code": "wait", "stop_on_error": false})
	<-tk.ev.codes
	var ids []string
	for i := 0; i < 100; i++ {
		ids = append(ids, tk.send(tk.control, "interrupt_request", map[string]any{}))
	}
	for _, iid := range ids {
		if c := tk.recvReply(tk.control, "interrupt_reply", iid); c["status"] != "ok" {
			t.Fatalf("interrupt_reply: %v", c)
		}
	}
	if c := tk.recvReply(tk.shell, "execute_reply", id); c["status"] != "error" {
		t.Fatalf("interrupted cell: %v", c)
	}
	next := tk.send(tk.shell, "execute_request", map[string]any{"code": "result 5"})
	if c := tk.recvReply(tk.shell, "execute_reply", next); c["status"] != "ok" {
		t.Fatalf("cell after the storm: %v", c)
	}
}

// TestBacklogAccounting checks that the publisher's estimate of what zmq4
// still holds returns to zero once subscribers have read everything, so
// that it never throttles a healthy kernel.
func TestBacklogAccounting(t *testing.T) {
	tk := startKernel(t, Config{})
	for i := 0; i < 50; i++ {
		id := tk.send(tk.shell, "execute_request", map[string]any{"code": "print " + strings.Repeat("y", i*40)})
		tk.recvReply(tk.shell, "execute_reply", id)
		tk.collect(id)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		b := tk.k.pub.track.backlog()
		if b == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("backlog estimate stuck at %d bytes with every message delivered", b)
		}
		time.Sleep(10 * time.Millisecond)
	}
	tk.k.pub.track.mu.Lock()
	defer tk.k.pub.track.mu.Unlock()
	for c := range tk.k.pub.track.conns {
		// Written may exceed handed by the handshake and by messages
		// queued before the subscriber joined; it must never fall behind.
		if d := tk.k.pub.track.handed.Load() - c.base.Load() - c.written.Load(); d > 0 || d < -16<<10 {
			t.Errorf("a subscriber's count is off by %d bytes", d)
		}
	}
}

// TestHeartbeatSurvivesGarbage sends the heartbeat a message without the
// REQ envelope, then checks that it still echoes.
func TestHeartbeatSurvivesGarbage(t *testing.T) {
	tk := startKernel(t, Config{})
	raw := zmq4.NewDealer(context.Background())
	defer raw.Close()
	if err := raw.Dial(fmt.Sprintf("tcp://127.0.0.1:%d", tk.ci.HBPort)); err != nil {
		t.Fatal(err)
	}
	raw.Send(zmq4.NewMsgString("no envelope")) // a REP socket rejects this
	time.Sleep(100 * time.Millisecond)
	hb := zmq4.NewReq(context.Background())
	defer hb.Close()
	if err := hb.Dial(fmt.Sprintf("tcp://127.0.0.1:%d", tk.ci.HBPort)); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := hb.Send(zmq4.NewMsgString("ping")); err != nil {
			t.Fatal(err)
		}
		m, err := hb.Recv()
		if err != nil || string(m.Frames[0]) != "ping" {
			t.Fatalf("heartbeat after garbage: %v %v", m, err)
		}
	}
}

// TestUninterruptibleCell runs a cell that ignores its interrupt: after the
// grace period the kernel answers it with an error that says what happened
// and what to do, starts a fresh evaluator, and serves the next cell.
func TestUninterruptibleCell(t *testing.T) {
	tk := startKernel(t, Config{InterruptGrace: 300 * time.Millisecond})
	id := tk.send(tk.shell, "execute_request", map[string]any{"code": "stuck", "stop_on_error": false})
	<-tk.ev.codes
	iid := tk.send(tk.control, "interrupt_request", map[string]any{})
	tk.recvReply(tk.control, "interrupt_reply", iid)
	c := tk.recvReply(tk.shell, "execute_reply", id)
	if c["status"] != "error" || c["ename"] != "KernelInterruptTimeout" || !strings.Contains(c["evalue"].(string), "restart the kernel") {
		t.Fatalf("reply to the stuck cell: %v", c)
	}
	if n := tk.ev.factories.Load(); n != 2 {
		t.Fatalf("evaluator factory called %d times, want 2 (start and replacement)", n)
	}
	next := tk.send(tk.shell, "execute_request", map[string]any{"code": "result 1"})
	if c := tk.recvReply(tk.shell, "execute_reply", next); c["status"] != "ok" {
		t.Fatalf("cell after the replacement: %v", c)
	}
}

// dialSlowSubscriber connects a hand-made ZMTP 3.0 SUB peer to addr that
// subscribes to everything and then reads at most rate bytes per second.
func dialSlowSubscriber(t *testing.T, addr string, rate int, stop <-chan struct{}) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	greeting := make([]byte, zmtpGreeting)
	greeting[0], greeting[9], greeting[10] = 0xFF, 0x7F, 3
	copy(greeting[12:], "NULL")
	ready := append([]byte{5}, "READY"...)
	ready = append(ready, 11)
	ready = append(ready, "Socket-Type"...)
	ready = append(ready, 0, 0, 0, 3)
	ready = append(ready, "SUB"...)
	var out []byte
	out = append(out, greeting...)
	out = append(out, 0x04, byte(len(ready)))
	out = append(out, ready...)
	out = append(out, 0x00, 1, 1) // subscribe to every topic
	if _, err := c.Write(out); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer c.Close()
		buf := make([]byte, rate/100)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			c.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
			if _, err := c.Read(buf); err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
				return
			}
		}
	}()
}

// TestSlowSubscriber floods output while one subscriber reads only 2 MB/s:
// what zmq4 holds for it stays near the publisher's backlog bound, the
// publisher's own queue within its bound, and shell replies keep coming.
func TestSlowSubscriber(t *testing.T) {
	const maxBytes = 2 << 20
	tk := startKernel(t, Config{IOPubMaxBytes: maxBytes})
	stop := make(chan struct{})
	defer close(stop)
	dialSlowSubscriber(t, fmt.Sprintf("127.0.0.1:%d", tk.ci.IOPubPort), 2<<20, stop)
	time.Sleep(300 * time.Millisecond)

	var maxBacklogSeen int64
	var maxQueued int
	sampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			select {
			case <-sampling:
				return
			case <-time.After(time.Millisecond):
			}
			if b := tk.k.pub.track.backlog(); b > maxBacklogSeen {
				maxBacklogSeen = b
			}
			tk.k.pub.mu.Lock()
			if tk.k.pub.bytes > maxQueued {
				maxQueued = tk.k.pub.bytes
			}
			tk.k.pub.mu.Unlock()
		}
	}()
	for i := 0; i < 3; i++ {
		id := tk.send(tk.shell, "execute_request", map[string]any{"code": "flood"})
		if c := tk.recvReply(tk.shell, "execute_reply", id); c["status"] != "ok" {
			t.Fatalf("flood %d: %v", i, c)
		}
	}
	close(sampling)
	<-sampled
	t.Logf("largest zmq4 backlog seen %.1f MiB (bound %d MiB + one message), largest own queue %.1f MiB (bound %d MiB)",
		float64(maxBacklogSeen)/(1<<20), maxBacklog>>20, float64(maxQueued)/(1<<20), maxBytes>>20)
	if maxBacklogSeen > maxBacklog+(2<<20) {
		t.Errorf("zmq4 held %d bytes for the slow subscriber, beyond the %d-byte pacing bound", maxBacklogSeen, maxBacklog)
	}
	if maxQueued > maxBytes+(64<<10)+8<<10 {
		t.Errorf("own queue held %d bytes, beyond its %d-byte bound", maxQueued, maxBytes)
	}
}
