package kernel

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
	"go.uber.org/goleak"

	"github.com/latent-ai/latent/display"
)

// TestMain checks that no test leaves goroutines behind, with two
// exceptions, both zmq4 v0.17.0 goroutines that its Close never stops:
//   - a PUB socket's writer (pubSocket.Close does not close its
//     pubMWriter): one idle goroutine per PUB socket, which the kernel
//     makes once per process;
//   - a connection's reader blocked handing a message to its socket's
//     queue (qreader.listen sends on the 10-message channel without
//     watching the socket's context), when a peer sent more messages than
//     the socket read before it closed. Only a reader blocked in that send
//     is ignored (its top function is listen itself); one still waiting
//     on the network would be an unclosed socket and still fails.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreAnyFunction("github.com/go-zeromq/zmq4.(*pubMWriter).run"),
		goleak.IgnoreTopFunction("github.com/go-zeromq/zmq4.(*qreader).listen"))
}

// fakeEvaluator understands a few commands, one per cell:
// "print TEXT", "fail", "result TEXT", "wait" (until interrupted),
// "input PROMPT" (prints what was read), "check" (fails if already
// interrupted), "panic".
type fakeEvaluator struct {
	executed   atomic.Int64
	unrecorded chan string // the codes run through ExecuteUnrecorded
	codes      chan string
	release    chan struct{} // closed at the end of a test: frees "stuck" cells
	factories  atomic.Int64  // evaluators made by the kernel's factory
}

func (f *fakeEvaluator) Execute(ctx context.Context, code string, sink display.Sink) (*display.Bundle, error) {
	f.executed.Add(1)
	select {
	case f.codes <- code:
	default:
	}
	if inner, ok := strings.CutPrefix(code, "("); ok { // a user expression
		code = strings.TrimSuffix(inner, ")")
	}
	cmd, arg, _ := strings.Cut(code, " ")
	switch cmd {
	case "print":
		sink.Stream("stdout", arg+"\n")
	case "fail":
		return nil, &display.Error{Name: "TestError", Value: "failed on purpose", Traceback: []string{"line 1"}}
	case "result":
		b := display.Text(arg)
		return &b, nil
	case "result(7)": // a result that is also a Go expression
		b := display.Text("7")
		return &b, nil
	case "wait":
		<-ctx.Done()
		return nil, &display.Error{Name: "Interrupted", Value: ctx.Err().Error()}
	case "input":
		s, err := sink.Input(arg, false)
		if err != nil {
			return nil, err
		}
		sink.Stream("stdout", "got "+s)
	case "check": // fails when its context was cancelled before it ran
		if ctx.Err() != nil {
			return nil, &display.Error{Name: "Interrupted", Value: ctx.Err().Error()}
		}
	case "panic":
		panic("evaluator bug")
	case "stuck": // ignores its context, like a call that cannot be interrupted
		<-f.release
	case "flood":
		// 800 chunks of 64 KiB: 50 MiB of output.
		chunk := strings.Repeat("x", 64<<10)
		for i := 0; i < 800; i++ {
			sink.Stream("stdout", chunk)
		}
	}
	return nil, nil
}

// ExecuteUnrecorded makes fakeEvaluator an UnrecordedEvaluator.
func (f *fakeEvaluator) ExecuteUnrecorded(ctx context.Context, code string, sink display.Sink) (*display.Bundle, error) {
	select {
	case f.unrecorded <- code:
	default:
	}
	return f.Execute(ctx, code, sink)
}

func (f *fakeEvaluator) Complete(code string, cursor int) ([]string, int, int) {
	return []string{"Println", "Printf"}, cursor - 3, cursor
}

func (f *fakeEvaluator) Inspect(code string, cursor, detail int) (display.Bundle, bool) {
	return display.Text("func Println(a ...any)"), true
}

func (f *fakeEvaluator) IsComplete(code string) (string, string) {
	if strings.HasSuffix(code, "{") {
		return "incomplete", "\t"
	}
	return "complete", ""
}

func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var ls []net.Listener
	var ports []int
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type testKernel struct {
	t       testing.TB
	k       *Kernel
	ev      *fakeEvaluator
	ci      *ConnectionInfo
	signer  *Signer
	logs    *syncBuffer
	shell   zmq4.Socket
	control zmq4.Socket
	stdin   zmq4.Socket
	iopub   zmq4.Socket
	runErr  chan error
	ctx     context.Context
	cancel  context.CancelFunc
	iopubCh chan *Message
	inbox   map[zmq4.Socket]chan *Message
}

// launchKernel runs a kernel with a fake evaluator and makes, but does not
// connect, a client's sockets; each socket's messages go to its inbox
// once pumped.
func launchKernel(t testing.TB, cfg Config) *testKernel {
	t.Helper()
	p := freePorts(t, 5)
	ci := &ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", ShellPort: p[0], ControlPort: p[1], StdinPort: p[2],
		IOPubPort: p[3], HBPort: p[4], Key: "test-key", SignatureScheme: "hmac-sha256"}
	ev := &fakeEvaluator{codes: make(chan string, 100), unrecorded: make(chan string, 100), release: make(chan struct{})}
	logs := &syncBuffer{}
	cfg.Conn = ci
	cfg.NewEvaluator = func() (Evaluator, error) { ev.factories.Add(1); return ev, nil }
	cfg.Log = log.New(io.MultiWriter(logs), "", 0)
	k, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	tk := &testKernel{t: t, k: k, ev: ev, ci: ci, logs: logs, runErr: make(chan error, 1), ctx: ctx, cancel: cancel,
		iopubCh: make(chan *Message, 1000)}
	tk.signer, _ = NewSigner(ci.SignatureScheme, []byte(ci.Key))
	cctx := context.Background()
	tk.shell = zmq4.NewDealer(cctx, zmq4.WithID(zmq4.SocketIdentity("test-client")), zmq4.WithDialerRetry(20*time.Millisecond))
	tk.control = zmq4.NewDealer(cctx, zmq4.WithID(zmq4.SocketIdentity("test-client")), zmq4.WithDialerRetry(20*time.Millisecond))
	tk.stdin = zmq4.NewDealer(cctx, zmq4.WithID(zmq4.SocketIdentity("test-client")), zmq4.WithDialerRetry(20*time.Millisecond))
	tk.iopub = zmq4.NewSub(cctx, zmq4.WithDialerRetry(20*time.Millisecond))
	tk.inbox = map[zmq4.Socket]chan *Message{tk.iopub: tk.iopubCh}
	for _, s := range []zmq4.Socket{tk.shell, tk.control, tk.stdin} {
		tk.inbox[s] = make(chan *Message, 100)
	}
	go func() { tk.runErr <- k.Run(ctx) }()
	t.Cleanup(tk.stop)
	return tk
}

// startKernel runs a kernel with a fake evaluator and connects a client
// to all its sockets, iopub first.
func startKernel(t testing.TB, cfg Config) *testKernel {
	t.Helper()
	tk := launchKernel(t, cfg)
	tk.dial(tk.iopub, tk.ci.IOPubPort)
	if err := tk.iopub.SetOption(zmq4.OptionSubscribe, ""); err != nil {
		t.Fatal(err)
	}
	tk.dial(tk.shell, tk.ci.ShellPort)
	tk.dial(tk.control, tk.ci.ControlPort)
	tk.dial(tk.stdin, tk.ci.StdinPort)
	tk.pumpAll()
	// Wait until iopub is connected: kernel_info until a status arrives.
	for i := 0; ; i++ {
		id := tk.send(tk.shell, "kernel_info_request", map[string]any{})
		tk.recvReply(tk.shell, "kernel_info_reply", id)
		if tk.waitIOPub(id, "status", 300*time.Millisecond) != nil {
			break
		}
		if i > 50 {
			t.Fatal("no status on iopub after kernel_info")
		}
	}
	tk.drainIOPub()
	return tk
}

// dial connects s to the kernel's port, retrying while the kernel starts.
func (tk *testKernel) dial(s zmq4.Socket, port int) {
	tk.t.Helper()
	ep := fmt.Sprintf("tcp://127.0.0.1:%d", port)
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := s.Dial(ep)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			tk.t.Fatalf("dial %s: %v", ep, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (tk *testKernel) stop() {
	close(tk.ev.release)
	tk.cancel()
	select {
	case err := <-tk.runErr:
		if err != nil {
			tk.t.Errorf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		tk.t.Errorf("kernel did not stop")
	}
	for _, s := range []zmq4.Socket{tk.shell, tk.control, tk.stdin, tk.iopub} {
		s.Close()
	}
	for range tk.iopubCh {
	}
	for _, ch := range tk.inbox {
		for range ch {
		}
	}
}

var msgSeq atomic.Int64

func (tk *testKernel) frames(msgType string, content any, s *Signer) ([][]byte, string) {
	return tk.framesFrom("test", time.Now(), msgType, content, s)
}

// framesFrom is frames for a message of client session session, dated date.
func (tk *testKernel) framesFrom(session string, date time.Time, msgType string, content any, s *Signer) ([][]byte, string) {
	id := fmt.Sprintf("req-%d", msgSeq.Add(1))
	c, _ := json.Marshal(content)
	h := Header{MsgID: id, Session: session, Username: "t", Date: date.UTC().Format("2006-01-02T15:04:05.000000Z"), MsgType: msgType, Version: ProtocolVersion}
	m := &Message{Header: h, Content: c}
	f, err := Encode(m, s)
	if err != nil {
		tk.t.Fatal(err)
	}
	return f, id
}

// waitQueued waits until n requests wait in the kernel's shell queue.
func (tk *testKernel) waitQueued(t *testing.T, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); len(tk.k.shellQ) < n; {
		if time.Now().After(deadline) {
			t.Fatalf("the queued requests never reached the kernel's queue (%d of %d there)", len(tk.k.shellQ), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (tk *testKernel) send(s zmq4.Socket, msgType string, content any) string {
	f, id := tk.frames(msgType, content, tk.signer)
	tk.sendRaw(s, f)
	return id
}

func (tk *testKernel) sendRaw(s zmq4.Socket, frames [][]byte) {
	if err := s.Send(zmq4.NewMsgFrom(frames...)); err != nil {
		tk.t.Fatal(err)
	}
}

// pumpAll pumps each client socket into its inbox.
func (tk *testKernel) pumpAll() {
	for s, ch := range tk.inbox {
		go tk.pump(s, ch)
	}
}

// pump decodes what s receives into ch until s is closed.
func (tk *testKernel) pump(s zmq4.Socket, ch chan *Message) {
	defer close(ch)
	for {
		raw, err := s.Recv()
		if err != nil {
			return
		}
		m, err := Decode(raw.Frames, tk.signer)
		if err != nil {
			tk.t.Errorf("kernel sent a message that does not decode: %v", err)
			continue
		}
		ch <- m
	}
}

// recvOne returns the next message received on s, or nil after d.
func (tk *testKernel) recvOne(s zmq4.Socket, d time.Duration) *Message {
	select {
	case m := <-tk.inbox[s]:
		return m
	case <-time.After(d):
		return nil
	}
}

func (tk *testKernel) recvReply(s zmq4.Socket, msgType, parentID string) map[string]any {
	tk.t.Helper()
	m := tk.recvOne(s, 10*time.Second)
	if m == nil {
		tk.t.Fatalf("no %s within 10 s", msgType)
	}
	var ph Header
	json.Unmarshal(m.ParentHeader, &ph)
	if m.Header.MsgType != msgType || ph.MsgID != parentID {
		tk.t.Fatalf("got %s for %s, want %s for %s", m.Header.MsgType, ph.MsgID, msgType, parentID)
	}
	var c map[string]any
	if err := json.Unmarshal(m.Content, &c); err != nil {
		tk.t.Fatal(err)
	}
	return c
}

// waitIOPub returns the first iopub message of msgType for parentID, or nil.
func (tk *testKernel) waitIOPub(parentID, msgType string, d time.Duration) map[string]any {
	timeout := time.After(d)
	for {
		select {
		case m := <-tk.iopubCh:
			var ph Header
			json.Unmarshal(m.ParentHeader, &ph)
			if ph.MsgID == parentID && m.Header.MsgType == msgType {
				var c map[string]any
				json.Unmarshal(m.Content, &c)
				return c
			}
		case <-timeout:
			return nil
		}
	}
}

// collect returns the iopub message types for parentID up to its idle.
func (tk *testKernel) collect(parentID string) []string {
	tk.t.Helper()
	var types []string
	timeout := time.After(10 * time.Second)
	for {
		select {
		case m := <-tk.iopubCh:
			var ph Header
			json.Unmarshal(m.ParentHeader, &ph)
			if ph.MsgID != parentID {
				continue
			}
			var c map[string]any
			json.Unmarshal(m.Content, &c)
			t := m.Header.MsgType
			if t == "status" {
				t += ":" + c["execution_state"].(string)
			}
			types = append(types, t)
			if t == "status:idle" {
				return types
			}
		case <-timeout:
			tk.t.Fatalf("no idle for %s; saw %v", parentID, types)
		}
	}
}

func (tk *testKernel) drainIOPub() {
	for {
		select {
		case <-tk.iopubCh:
		case <-time.After(100 * time.Millisecond):
			return
		}
	}
}

func TestKernelRequests(t *testing.T) {
	tk := startKernel(t, Config{})
	tests := []struct {
		name      string
		msgType   string
		content   map[string]any
		replyType string
		check     func(t *testing.T, c map[string]any)
		iopub     []string
	}{
		{"kernel_info", "kernel_info_request", map[string]any{}, "kernel_info_reply", func(t *testing.T, c map[string]any) {
			li := c["language_info"].(map[string]any)
			if li["name"] != "go" || li["file_extension"] != ".go" || c["protocol_version"] != ProtocolVersion {
				t.Errorf("kernel_info = %v", c)
			}
		}, []string{"status:busy", "status:idle"}},
		{"execute stream", "execute_request", map[string]any{"code": "print hi"}, "execute_reply", func(t *testing.T, c map[string]any) {
			if c["status"] != "ok" || c["execution_count"].(float64) != 1 {
				t.Errorf("reply = %v", c)
			}
			if _, ok := c["user_expressions"]; !ok {
				t.Errorf("reply has no user_expressions: %v", c)
			}
		}, []string{"status:busy", "execute_input", "stream", "status:idle"}},
		{"execute result", "execute_request", map[string]any{"code": "result 3", "user_expressions": map[string]string{"x": "result(7)", "bad": "fail"}}, "execute_reply", func(t *testing.T, c map[string]any) {
			ue := c["user_expressions"].(map[string]any)
			if ue["x"].(map[string]any)["data"].(map[string]any)["text/plain"] != "7" || ue["bad"].(map[string]any)["status"] != "error" {
				t.Errorf("user_expressions = %v", ue)
			}
		}, []string{"status:busy", "execute_input", "execute_result", "status:idle"}},
		{"silent", "execute_request", map[string]any{"code": "print quiet", "silent": true}, "execute_reply", func(t *testing.T, c map[string]any) {
			if c["execution_count"].(float64) != 2 {
				t.Errorf("silent execution changed the count: %v", c)
			}
		}, []string{"status:busy", "status:idle"}},
		{"error", "execute_request", map[string]any{"code": "fail", "stop_on_error": false}, "execute_reply", func(t *testing.T, c map[string]any) {
			if c["status"] != "error" || c["ename"] != "TestError" {
				t.Errorf("reply = %v", c)
			}
		}, []string{"status:busy", "execute_input", "error", "status:idle"}},
		{"evaluator panic", "execute_request", map[string]any{"code": "panic", "stop_on_error": false}, "execute_reply", func(t *testing.T, c map[string]any) {
			if c["status"] != "error" || c["ename"] != "KernelPanic" {
				t.Errorf("reply = %v", c)
			}
		}, []string{"status:busy", "execute_input", "error", "status:idle"}},
		{"no stdin", "execute_request", map[string]any{"code": "input name?", "allow_stdin": false, "stop_on_error": false}, "execute_reply", func(t *testing.T, c map[string]any) {
			if c["status"] != "error" || !strings.Contains(c["evalue"].(string), "allow_stdin") {
				t.Errorf("reply = %v", c)
			}
		}, []string{"status:busy", "execute_input", "error", "status:idle"}},
		{"complete", "complete_request", map[string]any{"code": "fmt.Pri", "cursor_pos": 7}, "complete_reply", func(t *testing.T, c map[string]any) {
			if len(c["matches"].([]any)) != 2 || c["cursor_start"].(float64) != 4 {
				t.Errorf("reply = %v", c)
			}
		}, []string{"status:busy", "status:idle"}},
		{"inspect", "inspect_request", map[string]any{"code": "fmt.Println", "cursor_pos": 5}, "inspect_reply", func(t *testing.T, c map[string]any) {
			if c["found"] != true {
				t.Errorf("reply = %v", c)
			}
		}, []string{"status:busy", "status:idle"}},
		{"is_complete", "is_complete_request", map[string]any{"code": "func f() {"}, "is_complete_reply", func(t *testing.T, c map[string]any) {
			if c["status"] != "incomplete" || c["indent"] != "\t" {
				t.Errorf("reply = %v", c)
			}
		}, []string{"status:busy", "status:idle"}},
		{"history tail", "history_request", map[string]any{"hist_access_type": "tail", "n": 2, "output": true, "raw": true}, "history_reply", func(t *testing.T, c map[string]any) {
			h := c["history"].([]any)
			if len(h) != 2 {
				t.Fatalf("history = %v", h)
			}
		}, []string{"status:busy", "status:idle"}},
		{"comm_info", "comm_info_request", map[string]any{}, "comm_info_reply", func(t *testing.T, c map[string]any) {
			if c["status"] != "ok" {
				t.Errorf("reply = %v", c)
			}
		}, []string{"status:busy", "status:idle"}},
		{"unknown request", "frobnicate_request", map[string]any{}, "frobnicate_reply", func(t *testing.T, c map[string]any) {
			if c["status"] != "error" {
				t.Errorf("reply = %v", c)
			}
		}, []string{"status:busy", "status:idle"}},
		{"comm_open unknown target", "comm_open", map[string]any{"comm_id": "c1", "target_name": "nope", "data": map[string]any{}}, "", nil,
			[]string{"status:busy", "comm_close", "status:idle"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := tk.send(tk.shell, tt.msgType, tt.content)
			if tt.replyType != "" {
				c := tk.recvReply(tk.shell, tt.replyType, id)
				tt.check(t, c)
			}
			if got := tk.collect(id); strings.Join(got, ",") != strings.Join(tt.iopub, ",") {
				t.Errorf("iopub = %v, want %v", got, tt.iopub)
			}
		})
	}
}

func TestStopOnErrorAbortsQueued(t *testing.T) {
	tk := startKernel(t, Config{})
	first := tk.send(tk.shell, "execute_request", map[string]any{"code": "wait"})
	<-tk.ev.codes // the first cell is running: the next two queue behind it
	queued1 := tk.send(tk.shell, "execute_request", map[string]any{"code": "print a"})
	info := tk.send(tk.shell, "kernel_info_request", map[string]any{})
	queued2 := tk.send(tk.shell, "execute_request", map[string]any{"code": "print b"})
	tk.waitQueued(t, 3)
	tk.send(tk.control, "interrupt_request", map[string]any{})
	if c := tk.recvReply(tk.shell, "execute_reply", first); c["status"] != "error" {
		t.Fatalf("interrupted cell: %v", c)
	}
	// Replies come in request order; only the execute_requests are aborted.
	if c := tk.recvReply(tk.shell, "execute_reply", queued1); c["status"] != "aborted" {
		t.Fatalf("queued cell: %v, want aborted", c)
	}
	if c := tk.recvReply(tk.shell, "kernel_info_reply", info); c["status"] != "ok" {
		t.Fatalf("queued kernel_info: %v", c)
	}
	if c := tk.recvReply(tk.shell, "execute_reply", queued2); c["status"] != "aborted" {
		t.Fatalf("queued cell: %v, want aborted", c)
	}
	if n := tk.ev.executed.Load(); n != 1 {
		t.Fatalf("%d cells executed, want only the first", n)
	}
	// The kernel serves again afterwards.
	id := tk.send(tk.shell, "execute_request", map[string]any{"code": "print again"})
	if c := tk.recvReply(tk.shell, "execute_reply", id); c["status"] != "ok" {
		t.Fatalf("after abort: %v", c)
	}
}

// A silent request that fails (a variable inspector's) aborts nothing, as
// in ipykernel: the cells queued behind it run.
func TestSilentFailureAbortsNothing(t *testing.T) {
	tk := startKernel(t, Config{})
	silent := tk.send(tk.shell, "execute_request", map[string]any{"code": "wait", "silent": true})
	<-tk.ev.codes // the silent request is running: the next one queues behind it
	queued := tk.send(tk.shell, "execute_request", map[string]any{"code": "print a"})
	tk.waitQueued(t, 1)
	tk.send(tk.control, "interrupt_request", map[string]any{})
	if c := tk.recvReply(tk.shell, "execute_reply", silent); c["status"] != "error" {
		t.Fatalf("silent request: %v, want error", c)
	}
	if c := tk.recvReply(tk.shell, "execute_reply", queued); c["status"] != "ok" {
		t.Fatalf("queued cell: %v, want ok", c)
	}
}

// user_expressions are single Go expressions: statements and declarations
// get an error entry and are never run.
func TestUserExpressionsOnlyExpressions(t *testing.T) {
	tk := startKernel(t, Config{})
	exprs := map[string]string{"expr": "result(7)", "assign": "k = 100", "define": "secret := 42",
		"func": "func helper() int { return 7 }", "two": "1, 2", "empty": "", "not": "!ls // not a shell command"}
	id := tk.send(tk.shell, "execute_request", map[string]any{"code": "print cell", "user_expressions": exprs})
	c := tk.recvReply(tk.shell, "execute_reply", id)
	ue := c["user_expressions"].(map[string]any)
	for name := range exprs {
		e := ue[name].(map[string]any)
		switch name {
		case "expr":
			if e["status"] != "ok" || e["data"].(map[string]any)["text/plain"] != "7" {
				t.Errorf("%s: %v", name, e)
			}
			continue
		case "not": // a Go expression: evaluated, in parentheses
			if e["status"] != "ok" {
				t.Errorf("%s: %v", name, e)
			}
			continue
		}
		if e["status"] != "error" || e["ename"] != "SyntaxError" || e["evalue"] == "" || len(e["traceback"].([]any)) == 0 {
			t.Errorf("%s: %v, want a SyntaxError entry", name, e)
		}
	}
	var codes []string
	for len(tk.ev.codes) > 0 {
		codes = append(codes, <-tk.ev.codes)
	}
	sort.Strings(codes)
	if want := []string{"(!ls)", "(result(7))", "print cell"}; strings.Join(codes, "|") != strings.Join(want, "|") {
		t.Errorf("evaluated %q, want %q", codes, want)
	}
}

func TestInputOverStdin(t *testing.T) {
	tk := startKernel(t, Config{})
	id := tk.send(tk.shell, "execute_request", map[string]any{"code": "input name?", "allow_stdin": true})
	req := tk.recvOne(tk.stdin, 10*time.Second)
	if req == nil || req.Header.MsgType != "input_request" {
		t.Fatalf("no input_request: %+v", req)
	}
	f, _ := tk.frames("input_reply", map[string]any{"value": "gopher"}, tk.signer)
	tk.sendRaw(tk.stdin, f)
	if c := tk.recvReply(tk.shell, "execute_reply", id); c["status"] != "ok" {
		t.Fatalf("reply: %v", c)
	}
	if c := tk.waitIOPub(id, "stream", 5*time.Second); c == nil || c["text"] != "got gopher" {
		t.Fatalf("stream = %v", c)
	}
}

// TestHostileInput sends messages that must be dropped without a reply or an
// execution, then checks that the kernel still serves.
func TestHostileInput(t *testing.T) {
	tk := startKernel(t, Config{MaxMessageSize: 1 << 20})
	wrong, _ := NewSigner("hmac-sha256", []byte("not-the-key"))
	good, _ := tk.frames("execute_request", map[string]any{"code": "print x"}, tk.signer)
	cases := []struct {
		name   string
		frames [][]byte
	}{
		{"wrong key", func() [][]byte {
			f, _ := tk.frames("execute_request", map[string]any{"code": "print x"}, wrong)
			return f
		}()},
		{"missing signature", append([][]byte{good[0], nil}, good[2:]...)},
		{"truncated signature", append([][]byte{good[0], good[1][:20]}, good[2:]...)},
		{"tampered content", append(append([][]byte(nil), good[:5]...), []byte(`{"code":"print y"}`))},
		{"garbage", [][]byte{[]byte("\x00\xff garbage"), []byte("more")}},
		{"no header", [][]byte{delimiter, good[1]}},
		{"unsigned", [][]byte{delimiter, nil, []byte(`{"msg_type":"execute_request","msg_id":"x"}`), []byte("{}"), []byte("{}"), []byte(`{"code":"print z"}`)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tk.sendRaw(tk.shell, c.frames)
			if m := tk.recvOne(tk.shell, 300*time.Millisecond); m != nil {
				t.Fatalf("got a %s reply to a hostile message", m.Header.MsgType)
			}
			if n := tk.ev.executed.Load(); n != 0 {
				t.Fatalf("hostile message executed (%d executions)", n)
			}
		})
	}
	if !strings.Contains(tk.logs.String(), "wrong signature") || !strings.Contains(tk.logs.String(), "missing signature") {
		t.Errorf("drops were not logged:\n%s", tk.logs.String())
	}

	// An oversized message closes the sender's connection before it is read.
	big := zmq4.NewDealer(context.Background(), zmq4.WithID(zmq4.SocketIdentity("big")))
	defer big.Close()
	if err := big.Dial(fmt.Sprintf("tcp://127.0.0.1:%d", tk.ci.ShellPort)); err != nil {
		t.Fatal(err)
	}
	f, _ := tk.frames("execute_request", map[string]any{"code": "print " + strings.Repeat("x", 2<<20)}, tk.signer)
	big.Send(zmq4.NewMsgFrom(f...))
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(tk.logs.String(), "larger than the limit") {
		if time.Now().After(deadline) {
			t.Fatalf("oversized message not refused with a log line:\n%s", tk.logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := tk.ev.executed.Load(); n != 0 {
		t.Fatalf("oversized message executed")
	}

	id := tk.send(tk.shell, "execute_request", map[string]any{"code": "print fine"})
	if c := tk.recvReply(tk.shell, "execute_reply", id); c["status"] != "ok" {
		t.Fatalf("kernel stopped serving after hostile input: %v", c)
	}
}

// TestReplayedMessageIgnored: a captured signed request sent again is
// dropped with a log line, not executed a second time.
func TestReplayedMessageIgnored(t *testing.T) {
	tk := startKernel(t, Config{})
	f, _ := tk.frames("execute_request", map[string]any{"code": "print once"}, tk.signer)
	tk.sendRaw(tk.shell, f)
	if m := tk.recvOne(tk.shell, 5*time.Second); m == nil || m.Header.MsgType != "execute_reply" {
		t.Fatalf("first send: want an execute_reply, got %v", m)
	}
	tk.sendRaw(tk.shell, f)
	if m := tk.recvOne(tk.shell, 300*time.Millisecond); m != nil {
		t.Fatalf("replayed message got a %s", m.Header.MsgType)
	}
	if n := tk.ev.executed.Load(); n != 1 {
		t.Fatalf("replayed message executed: %d executions, want 1", n)
	}
	if !strings.Contains(tk.logs.String(), "replayed") {
		t.Errorf("replay not logged:\n%s", tk.logs.String())
	}
}

// TestClientClockStepsBack: after thousands of messages, a client whose
// clock stepped back (an NTP correction) is still served: the replay guard
// does not go by dates.
func TestClientClockStepsBack(t *testing.T) {
	tk := startKernel(t, Config{})
	const n = 5000
	go func() {
		for i := 0; i < n; i++ {
			tk.send(tk.shell, "comm_info_request", map[string]any{})
		}
	}()
	for i := 0; i < n; i++ {
		if m := tk.recvOne(tk.shell, 10*time.Second); m == nil {
			t.Fatalf("%d of %d replies", i, n)
		}
	}
	f, id := tk.framesFrom("test", time.Now().Add(-time.Minute), "execute_request", map[string]any{"code": "print back"}, tk.signer)
	tk.sendRaw(tk.shell, f)
	if c := tk.recvReply(tk.shell, "execute_reply", id); c["status"] != "ok" {
		t.Fatalf("reply = %v", c)
	}
}

// TestShutdown: shutdown_request, on either channel, is answered, and its
// iopub messages are all published before the kernel stops.
func TestShutdown(t *testing.T) {
	for i, restart := range []bool{false, true, false, true} {
		t.Run(fmt.Sprint("restart=", restart, ",shell=", i >= 2), func(t *testing.T) {
			tk := startKernel(t, Config{})
			channel := tk.control
			if i >= 2 {
				channel = tk.shell
			}
			id := tk.send(channel, "shutdown_request", map[string]any{"restart": restart})
			if c := tk.recvReply(channel, "shutdown_reply", id); c["restart"] != restart {
				t.Fatalf("reply = %v", c)
			}
			if got, want := strings.Join(tk.collect(id), ","), "status:busy,shutdown_reply,status:idle"; got != want {
				t.Errorf("iopub = %s, want %s", got, want)
			}
			select {
			case err := <-tk.runErr:
				tk.runErr <- err // for stop
			case <-time.After(10 * time.Second):
				t.Fatal("kernel did not stop after shutdown_request")
			}
			if tk.k.RestartRequested() != restart {
				t.Fatalf("RestartRequested = %v", tk.k.RestartRequested())
			}
		})
	}
}

func TestConnectionFile(t *testing.T) {
	tests := []struct {
		name string
		json string
		ok   bool
	}{
		{"tcp", `{"transport":"tcp","ip":"127.0.0.1","shell_port":1,"control_port":2,"stdin_port":3,"iopub_port":4,"hb_port":5,"key":"k","signature_scheme":"hmac-sha256"}`, true},
		{"ipv6", `{"ip":"::1","shell_port":1,"control_port":2,"stdin_port":3,"iopub_port":4,"hb_port":5}`, true},
		{"bad port", `{"ip":"127.0.0.1","shell_port":0,"control_port":2,"stdin_port":3,"iopub_port":4,"hb_port":5}`, false},
		{"bad ip", `{"ip":"example.com","shell_port":1,"control_port":2,"stdin_port":3,"iopub_port":4,"hb_port":5}`, false},
		{"md5 scheme", `{"ip":"127.0.0.1","shell_port":1,"control_port":2,"stdin_port":3,"iopub_port":4,"hb_port":5,"signature_scheme":"hmac-md5"}`, true},
		{"bad scheme", `{"ip":"127.0.0.1","shell_port":1,"control_port":2,"stdin_port":3,"iopub_port":4,"hb_port":5,"signature_scheme":"hmac-whirlpool"}`, false},
		{"scheme without hmac", `{"ip":"127.0.0.1","shell_port":1,"control_port":2,"stdin_port":3,"iopub_port":4,"hb_port":5,"signature_scheme":"sha256"}`, false},
		{"bad transport", `{"transport":"udp"}`, false},
		{"not json", `{`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConnectionInfo([]byte(tt.json))
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestConnectionFilePermissionWarning(t *testing.T) {
	dir := t.TempDir()
	body := []byte(`{"ip":"127.0.0.1","shell_port":1,"control_port":2,"stdin_port":3,"iopub_port":4,"hb_port":5,"key":"k"}`)
	for _, tt := range []struct {
		mode    uint32
		warning bool
	}{{0o600, false}, {0o644, true}, {0o660, true}} {
		p := fmt.Sprintf("%s/conn-%o.json", dir, tt.mode)
		if err := writeFileMode(p, body, tt.mode); err != nil {
			t.Fatal(err)
		}
		_, w, err := ReadConnectionFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if (w != "") != tt.warning {
			t.Errorf("mode %o: warning %q, want warning=%v", tt.mode, w, tt.warning)
		}
	}
	if _, _, err := ReadConnectionFile(dir + "/missing.json"); err == nil || !errors.Is(err, errNotExist()) {
		t.Errorf("missing file: err = %v", err)
	}
}

// An interrupt sent right after an execute_request travels on another
// socket and may reach the kernel before the cell starts; it must still stop
// that cell. An interrupt that came while idle, before the execute_request
// was sent, must not.
func TestInterruptRightAfterExecute(t *testing.T) {
	tk := startKernel(t, Config{})
	for i := 0; i < 30; i++ {
		id := tk.send(tk.shell, "execute_request", map[string]any{"code": "wait"})
		tk.send(tk.control, "interrupt_request", map[string]any{})
		if c := tk.recvReply(tk.shell, "execute_reply", id); c["status"] != "error" {
			t.Fatalf("round %d: interrupted cell replied %v", i, c)
		}
		tk.recvOne(tk.control, 10*time.Second) // interrupt_reply
	}

	// A stale interrupt (the kernel was idle and nothing was sent) does
	// not carry over to the next cell.
	tk.send(tk.control, "interrupt_request", map[string]any{})
	tk.recvOne(tk.control, 10*time.Second)
	id := tk.send(tk.shell, "execute_request", map[string]any{"code": "wait"})
	for code := ""; code != "wait"; code = <-tk.ev.codes { // the cell runs
	}
	if m := tk.recvOne(tk.shell, 200*time.Millisecond); m != nil {
		t.Fatalf("the cell ended before its interrupt: %s", m.Header.MsgType)
	}
	tk.send(tk.control, "interrupt_request", map[string]any{})
	if c := tk.recvReply(tk.shell, "execute_reply", id); c["status"] != "error" {
		t.Fatalf("interrupted cell replied %v", c)
	}
}

// An idle interrupt stops an execute_request that comes right after it only
// when their dates say it overtook the request, and dates are compared only
// within one client session (one clock): in JupyterLab the browser sends
// the cells and jupyter_server the interrupts, each with its own clock.
func TestIdleInterruptClocks(t *testing.T) {
	tk := startKernel(t, Config{})
	send := func(s zmq4.Socket, session string, date time.Time, msgType, code string) string {
		f, id := tk.framesFrom(session, date, msgType, map[string]any{"code": code}, tk.signer)
		tk.sendRaw(s, f)
		return id
	}
	execute := func(session string, date time.Time) string {
		return send(tk.shell, session, date, "execute_request", "check")
	}
	interrupt := func(session string) (sent time.Time) {
		sent = time.Now()
		tk.recvReply(tk.control, "interrupt_reply", send(tk.control, session, sent, "interrupt_request", ""))
		return sent
	}
	status := func(id string) any { return tk.recvReply(tk.shell, "execute_reply", id)["status"] }

	// The interrupt, sent after a request of its own session, is sent
	// first here, so it mostly overtakes the request: the cell stops
	// either way (without the overtake rule, it would wait for ever).
	sent := time.Now()
	iid := send(tk.control, "client", sent, "interrupt_request", "")
	if s := status(send(tk.shell, "client", sent.Add(-time.Millisecond), "execute_request", "wait")); s != "error" {
		t.Errorf("request sent before the interrupt: %v, want it stopped", s)
	}
	tk.recvReply(tk.control, "interrupt_reply", iid)
	// The same, from another session whose clock is 2 s behind: its date
	// says nothing about the interrupt's, so the cell runs.
	sent = interrupt("server")
	if s := status(execute("browser", sent.Add(-2*time.Second))); s != "ok" {
		t.Errorf("request of another session: %v, want ok", s)
	}
	// Sent after the interrupt, by its own session: runs.
	sent = interrupt("client")
	if s := status(execute("client", sent.Add(time.Millisecond))); s != "ok" {
		t.Errorf("request sent after the interrupt: %v, want ok", s)
	}
	// A request that comes well after the interrupt did not race it, even
	// if a clock step dates it earlier.
	sent = interrupt("client")
	time.Sleep(2 * overtakeWindow)
	if s := status(execute("client", sent.Add(-2*time.Second))); s != "ok" {
		t.Errorf("request long after the interrupt: %v, want ok", s)
	}
}

func TestGoExpression(t *testing.T) {
	for code, want := range map[string]string{
		"x // comment":                   "(x)",
		"!ok":                            "(!ok)",
		"[]int{\n1,\n2,\n}":              "([]int{\n\t1,\n\t2,\n})",
		"func() int {\nreturn 7\n}()":    "(func() int {\n\treturn 7\n}())",
		"/* c */ a + b /* d */":          "(a + b)",
		"k = 100":                        "",
		"func helper() int { return 7 }": "",
		"x := 1":                         "",
		"1, 2":                           "",
		"%who":                           "",
		"":                               "",
	} {
		got, err := goExpression(code)
		if (err != nil) != (want == "") || got != want {
			t.Errorf("goExpression(%q) = %q, %v; want %q", code, got, err, want)
		}
	}
}

// The control channel takes every request the shell channel takes, and
// answers on control. history and comm_info are answered while a cell
// runs; the requests that need the evaluator wait for it, in the shell
// queue's order.
func TestControlServesShellRequests(t *testing.T) {
	tk := startKernel(t, Config{})
	running := tk.send(tk.shell, "execute_request", map[string]any{"code": "wait"})
	<-tk.ev.codes
	for _, r := range []struct{ req, reply string }{{"history_request", "history_reply"}, {"comm_info_request", "comm_info_reply"}, {"kernel_info_request", "kernel_info_reply"}} {
		id := tk.send(tk.control, r.req, map[string]any{"hist_access_type": "tail", "n": 1})
		if c := tk.recvReply(tk.control, r.reply, id); c["status"] != "ok" {
			t.Errorf("%s on control while a cell runs: %v", r.req, c)
		}
	}
	tk.send(tk.control, "interrupt_request", map[string]any{})
	tk.recvReply(tk.shell, "execute_reply", running)
	tk.recvOne(tk.control, 10*time.Second) // interrupt_reply

	for _, r := range []struct {
		req, reply string
		content    map[string]any
	}{
		{"complete_request", "complete_reply", map[string]any{"code": "fmt.Pri", "cursor_pos": 7}},
		{"inspect_request", "inspect_reply", map[string]any{"code": "fmt.Println", "cursor_pos": 5}},
		{"is_complete_request", "is_complete_reply", map[string]any{"code": "x := 1"}},
		{"execute_request", "execute_reply", map[string]any{"code": "print on control"}},
	} {
		id := tk.send(tk.control, r.req, r.content)
		if c := tk.recvReply(tk.control, r.reply, id); c["status"] != "ok" && c["status"] != "complete" {
			t.Errorf("%s on control: %v", r.req, c)
		}
		if got := strings.Join(tk.collect(id), ","); !strings.HasPrefix(got, "status:busy,") {
			t.Errorf("%s on control: iopub %s", r.req, got)
		}
	}
	if m := tk.recvOne(tk.shell, 100*time.Millisecond); m != nil {
		t.Errorf("a %s came on shell for a request on control", m.Header.MsgType)
	}
}

// TestUnrecordedExecutions: what Jupyter keeps out of the history (a silent
// request, store_history false, user expressions) reaches an
// UnrecordedEvaluator through ExecuteUnrecorded, the rest through Execute.
func TestUnrecordedExecutions(t *testing.T) {
	tk := startKernel(t, Config{})
	for _, c := range []struct {
		content map[string]any
		want    []string // the codes run unrecorded, in order
	}{
		{map[string]any{"code": "print kept"}, nil},
		{map[string]any{"code": "print quiet", "silent": true}, []string{"print quiet"}},
		{map[string]any{"code": "print off", "store_history": false}, []string{"print off"}},
		{map[string]any{"code": "print x", "user_expressions": map[string]string{"e": "result(7)"}}, []string{"(result(7))"}},
	} {
		id := tk.send(tk.shell, "execute_request", c.content)
		if r := tk.recvReply(tk.shell, "execute_reply", id); r["status"] != "ok" {
			t.Fatalf("%v: %v", c.content, r)
		}
		var got []string
		for len(tk.ev.unrecorded) > 0 {
			got = append(got, <-tk.ev.unrecorded)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%v: ran %q unrecorded, want %q", c.content, got, c.want)
		}
	}
}

// TestLateSubscriber: a client's iopub subscription may reach the kernel
// after its first request (ZeroMQ reconnects each socket on its own
// schedule). The request still has its busy, outputs and idle published
// to it, as jupyter console, which waits for that idle, needs. A client
// that never subscribes still gets its replies.
func TestLateSubscriber(t *testing.T) {
	tk := launchKernel(t, Config{})
	tk.pumpAll()
	tk.dial(tk.shell, tk.ci.ShellPort)
	id := tk.send(tk.shell, "execute_request", map[string]any{"code": "print hello"})
	time.Sleep(300 * time.Millisecond) // the request has reached the kernel
	tk.dial(tk.iopub, tk.ci.IOPubPort)
	if err := tk.iopub.SetOption(zmq4.OptionSubscribe, ""); err != nil {
		t.Fatal(err)
	}
	if got, want := tk.collect(id), []string{"status:busy", "execute_input", "stream", "status:idle"}; !slices.Equal(got, want) {
		t.Errorf("iopub of the first request = %v, want %v", got, want)
	}
	tk.recvReply(tk.shell, "execute_reply", id)

	shellOnly := launchKernel(t, Config{})
	shellOnly.pumpAll()
	shellOnly.dial(shellOnly.shell, shellOnly.ci.ShellPort)
	for range 2 {
		id := shellOnly.send(shellOnly.shell, "kernel_info_request", map[string]any{})
		shellOnly.recvReply(shellOnly.shell, "kernel_info_reply", id)
	}
}
