package kernel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"

	"github.com/latent-ai/latent/display"
	"github.com/latent-ai/latent/kernel/langinfo"
)

// Evaluator runs code for the kernel. The notebook session of package dsl
// implements it; the kernel never looks inside. Its methods are called from
// one goroutine at a time, except that the context given to Execute may be
// cancelled (interrupt) from another.
type Evaluator interface {
	// Execute runs code, sending outputs to sink as they happen. It returns
	// the bundle of the cell's result (nil for none) and an error, a
	// *display.Error for errors in user code.
	Execute(ctx context.Context, code string, sink display.Sink) (*display.Bundle, error)
	// Complete returns completions of the code at cursor and the range
	// [start, end) they replace; all offsets count Unicode code points.
	Complete(code string, cursor int) (matches []string, start, end int)
	// Inspect returns help on the symbol at cursor (code points), and
	// whether there is any. detail is 0 or 1.
	Inspect(code string, cursor, detail int) (display.Bundle, bool)
	// IsComplete reports "complete", "incomplete" (with the indent of the
	// next line) or "invalid".
	IsComplete(code string) (status, indent string)
}

// UnrecordedEvaluator is an Evaluator that keeps an input history of its
// own (a %history magic): the kernel runs through ExecuteUnrecorded the code
// that Jupyter keeps out of the history (silent requests, store_history
// false, user_expressions).
type UnrecordedEvaluator interface {
	Evaluator
	ExecuteUnrecorded(ctx context.Context, code string, sink display.Sink) (*display.Bundle, error)
}

// Config configures a Kernel. Conn and NewEvaluator are required.
type Config struct {
	// Conn names the sockets and the signing key.
	Conn *ConnectionInfo
	// NewEvaluator makes a fresh evaluator; the kernel calls it at start.
	NewEvaluator func() (Evaluator, error)
	// Log receives diagnostics (dropped messages, refused connections);
	// nil logs to standard error.
	Log *log.Logger
	// Version is the implementation_version reported in kernel_info.
	Version string
	// MaxMessageSize bounds one incoming message, all frames together; a
	// connection announcing a larger one is closed. 0 means 64 MiB.
	MaxMessageSize int
	// MaxPendingBytes bounds the incoming messages being received at once
	// on all connections together, before any signature is checked; the
	// connection that would exceed it is closed. 0 means four times
	// MaxMessageSize.
	MaxPendingBytes int
	// MaxOutputBytes bounds one result or display as published: larger
	// text is cut to its head and tail and other representations are left
	// out, with a notice. 0 means 16 MiB.
	MaxOutputBytes int
	// IOPubMaxBytes and IOPubMaxMessages bound the iopub queue; 0 means
	// 64 MiB and 4096.
	IOPubMaxBytes, IOPubMaxMessages int
	// WriteTimeout is how long a peer may leave a write blocked before its
	// connection is dropped; 0 means 10 s.
	WriteTimeout time.Duration
	// InterruptGrace is how long an interrupted cell may take to return
	// before the kernel abandons it and starts a fresh evaluator with
	// NewEvaluator; 0 means 30 s.
	InterruptGrace time.Duration
}

// Kernel is one running Jupyter kernel.
type Kernel struct {
	cfg    Config
	log    *log.Logger
	signer *Signer
	replay *replayGuard
	sess   string

	evMu    sync.Mutex
	ev      Evaluator
	evErr   error
	evReady chan struct{} // closed once ev or evErr is first set

	shell, control, stdin, iopub, hb zmq4.Socket
	pub                              *publisher

	shellQ chan *Message
	done   chan struct{} // closed when the kernel stops
	stop   sync.Once
	wg     sync.WaitGroup

	execMu     sync.Mutex
	execCancel context.CancelFunc // cancels the running cell; nil when idle
	execCtx    context.Context    // the running cell's context
	// idleInterrupts counts the interrupts that came while no cell ran.
	// Each shell message is stamped with it on arrival, so an interrupt
	// that came after an execute_request but before its cell started
	// still stops that cell when it starts.
	idleInterrupts uint64
	// lastIdleInterrupt is the latest of those interrupts. An
	// execute_request that comes just after it but was sent before it
	// (the interrupt overtook it, on another socket) is stopped too.
	lastIdleInterrupt idleInterrupt

	inputMu sync.Mutex
	inputCh chan inputReply // receives input_reply while a cell waits for one

	count   int // execution_count of the last stored cell
	history history

	restart bool
}

type inputReply struct {
	value string
	err   error
}

// New checks cfg and makes a kernel; Run starts it.
func New(cfg Config) (*Kernel, error) {
	if cfg.Conn == nil || cfg.NewEvaluator == nil {
		return nil, errors.New("kernel: Config needs Conn and NewEvaluator")
	}
	if cfg.Log == nil {
		cfg.Log = log.New(os.Stderr, "latent kernel: ", log.LstdFlags)
	}
	if cfg.MaxMessageSize <= 0 {
		cfg.MaxMessageSize = 64 << 20
	}
	if cfg.MaxPendingBytes <= 0 {
		cfg.MaxPendingBytes = 4 * cfg.MaxMessageSize
	}
	if cfg.MaxOutputBytes <= 0 {
		cfg.MaxOutputBytes = display.OutputLimit
	}
	if cfg.IOPubMaxBytes <= 0 {
		cfg.IOPubMaxBytes = 64 << 20
	}
	if cfg.IOPubMaxMessages <= 0 {
		cfg.IOPubMaxMessages = 4096
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 10 * time.Second
	}
	if cfg.InterruptGrace <= 0 {
		cfg.InterruptGrace = 30 * time.Second
	}
	if cfg.Version == "" {
		cfg.Version = "devel"
	}
	signer, err := NewSigner(cfg.Conn.SignatureScheme, []byte(cfg.Conn.Key))
	if err != nil {
		return nil, err
	}
	return &Kernel{
		cfg: cfg, log: cfg.Log, signer: signer, replay: newReplayGuard(replayWindow), sess: newID(),
		shellQ: make(chan *Message, 1024), done: make(chan struct{}), evReady: make(chan struct{}),
		execCtx: context.Background(),
	}, nil
}

// Run binds the sockets and serves until a shutdown_request arrives or ctx
// is cancelled. It returns nil after a clean shutdown. RestartRequested
// then tells whether the frontend asked for a restart. A Kernel runs once;
// the message-size and write-timeout limits apply process-wide, to every
// kernel of the process.
func (k *Kernel) Run(ctx context.Context) error {
	if err := registerGuardedTransports(); err != nil {
		return err
	}
	guardMaxMessage.Store(int64(k.cfg.MaxMessageSize))
	guardWriteTimeout.Store(int64(k.cfg.WriteTimeout))
	guardMaxPending.Store(int64(k.cfg.MaxPendingBytes))
	guardLog.Store(k.log)
	connLog.reset()

	sctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ci := k.cfg.Conn
	zlog := zmq4.WithLogger(zmq4Logger())
	k.shell = zmq4.NewRouter(sctx, zlog)
	k.control = zmq4.NewRouter(sctx, zlog)
	k.stdin = zmq4.NewRouter(sctx, zlog)
	k.iopub = zmq4.NewPub(sctx, zlog)
	k.hb = zmq4.NewRep(sctx, zlog)
	socks := []struct {
		s    zmq4.Socket
		port int
		name string
	}{{k.iopub, ci.IOPubPort, "iopub"}, {k.shell, ci.ShellPort, "shell"}, {k.control, ci.ControlPort, "control"}, {k.stdin, ci.StdinPort, "stdin"}, {k.hb, ci.HBPort, "hb"}}
	defer func() {
		for _, s := range socks {
			s.s.Close()
		}
	}()
	// The guard tracks the iopub connections under the address its
	// transport will be asked to listen on.
	ep := ci.endpoint(ci.IOPubPort)
	iopubAddr := ep[strings.Index(ep, "://")+3:]
	if a, err := (guardTransport{network: transportNetwork(ci)}).Addr(iopubAddr); err == nil {
		iopubAddr = a
	}
	track := watchAddress(iopubAddr)
	defer unwatchAddress(iopubAddr)
	if ci.Transport == "ipc" {
		defer func() {
			for _, s := range socks {
				os.Remove(ci.IP + "-" + strconv.Itoa(s.port))
			}
		}()
	}
	for _, s := range socks {
		if err := s.s.Listen(ci.endpoint(s.port)); err != nil {
			return fmt.Errorf("kernel: cannot bind the %s socket on %s: %w; is another kernel using this connection file?", s.name, ci.endpoint(s.port), err)
		}
	}
	k.pub = newPublisher(k.iopub, k.signer, k.sess, k.log, track, k.cfg.IOPubMaxBytes, k.cfg.IOPubMaxMessages)
	k.pub.publish(nil, "status", map[string]string{"execution_state": "starting"}, false)

	// The evaluator starts in the background: kernel_info, interrupt and
	// shutdown are served at once, and requests that need the evaluator
	// wait for it.
	k.goServe(k.startEvaluator)

	k.goServe(k.heartbeat)
	k.goServe(func() { k.readLoop(k.shell, "shell", func(m *Message) { k.enqueueShell(m) }) })
	k.goServe(func() { k.readLoop(k.control, "control", k.handleControl) })
	k.goServe(func() { k.readLoop(k.stdin, "stdin", k.handleStdin) })
	workerDone := make(chan struct{})
	k.goServe(func() { defer close(workerDone); k.shellWorker() })

	select {
	case <-ctx.Done():
	case <-k.done:
	}
	// Stop: interrupt the running cell and let it send its reply and
	// outputs, flush iopub, then close the sockets.
	k.shutdown()
	k.cancelExecution()
	select {
	case <-workerDone:
	case <-time.After(2 * time.Second):
		k.log.Printf("the running cell did not stop within 2 s of shutdown")
	}
	k.pub.close(2 * time.Second)
	// Let the subscribers read the last messages (a shutdown's busy,
	// shutdown_reply and idle) before the sockets close: a connection
	// closed with anything unread on it is reset, and a client that had
	// not read yet (a loaded machine) lost them.
	time.Sleep(shutdownLinger)
	for _, s := range socks {
		s.s.Close()
	}
	cancel()
	waited := make(chan struct{})
	go func() { k.wg.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-time.After(3 * time.Second):
		k.log.Printf("a cell did not stop within 3 s of shutdown; exiting anyway")
	}
	return nil
}

func (k *Kernel) startEvaluator() {
	defer close(k.evReady)
	defer func() {
		if r := recover(); r != nil {
			k.evMu.Lock()
			k.evErr = fmt.Errorf("the evaluator panicked while starting: %v", r)
			k.evMu.Unlock()
			k.log.Printf("cannot start the evaluator: it panicked: %v", r)
		}
	}()
	if err := k.replaceEvaluator(); err != nil {
		k.log.Printf("cannot start the evaluator: %v; every cell will report it", err)
	}
}

// shutdownLinger is how long the kernel waits, after flushing iopub, before
// it closes its sockets (ipykernel waits 0.1 s before it stops its loop).
const shutdownLinger = 300 * time.Millisecond

// evaluator waits until the evaluator has started and returns it.
func (k *Kernel) evaluator() (Evaluator, error) {
	select {
	case <-k.evReady:
		k.evMu.Lock()
		defer k.evMu.Unlock()
		return k.ev, k.evErr
	case <-k.done:
		return nil, errors.New("the kernel is shutting down")
	}
}

func transportNetwork(ci *ConnectionInfo) string {
	if ci.Transport == "ipc" {
		return "unix"
	}
	return "tcp"
}

// RestartRequested reports whether the shutdown_request that stopped the
// kernel asked for a restart.
func (k *Kernel) RestartRequested() bool {
	k.execMu.Lock()
	defer k.execMu.Unlock()
	return k.restart
}

// Interrupt cancels the running cell, if any, as interrupt_request does.
func (k *Kernel) Interrupt() { k.cancelExecution() }

func (k *Kernel) shutdown() { k.stop.Do(func() { close(k.done) }) }

func (k *Kernel) goServe(f func()) {
	k.wg.Add(1)
	go func() {
		defer k.wg.Done()
		f()
	}()
}

// heartbeat echoes every ping. A malformed ping or a peer that left is
// logged and skipped: the heartbeat stops only with the kernel.
func (k *Kernel) heartbeat() {
	var lastLog time.Time
	for {
		msg, err := k.hb.Recv()
		if err == nil {
			err = k.hb.Send(msg)
		}
		if err == nil {
			continue
		}
		select {
		case <-k.done:
			return
		default:
		}
		if errors.Is(err, context.Canceled) {
			return
		}
		if time.Since(lastLog) > time.Second {
			lastLog = time.Now()
			k.log.Printf("heartbeat: %v", err)
		}
		time.Sleep(time.Millisecond)
	}
}

// readLoop receives from a ROUTER socket, drops what does not decode and
// hands the rest to handle.
func (k *Kernel) readLoop(s zmq4.Socket, name string, handle func(*Message)) {
	for {
		raw, err := s.Recv()
		if err != nil {
			select {
			case <-k.done:
				return
			default:
			}
			if errors.Is(err, context.Canceled) {
				return
			}
			k.log.Printf("%s: receive: %v", name, err)
			time.Sleep(10 * time.Millisecond) // do not spin on a broken socket
			continue
		}
		size := 0
		for _, f := range raw.Frames {
			size += len(f)
		}
		if size > k.cfg.MaxMessageSize {
			connLog.printf("%s: dropped a %d-byte message: larger than the %d-byte limit", name, size, k.cfg.MaxMessageSize)
			continue
		}
		m, err := Decode(raw.Frames, k.signer)
		if err != nil {
			connLog.printf("%s: dropped a message (%d frames, %d bytes): %v", name, len(raw.Frames), size, err)
			continue
		}
		if k.signer.Enabled() && !k.replay.fresh(m.Signature) {
			connLog.printf("%s: dropped a replayed %s (msg_id %q): a message with its signature was already received", name, m.Header.MsgType, m.Header.MsgID)
			continue
		}
		m.channel = s
		handle(m)
	}
}

// enqueueShell queues a request for the shell worker, waiting for room.
func (k *Kernel) enqueueShell(m *Message) {
	k.stampInterrupts(m)
	select {
	case k.shellQ <- m:
	case <-k.done:
	}
}

// stampInterrupts records in m, as it is queued, the idle interrupts that
// came before it and did not overtake it (see beginExecution).
func (k *Kernel) stampInterrupts(m *Message) {
	k.execMu.Lock()
	defer k.execMu.Unlock()
	m.interruptsSeen = k.idleInterrupts
	if k.lastIdleInterrupt.overtook(m) {
		m.interruptsSeen--
	}
}

// encodeReply builds the signed frames of a message of msgType answering
// parent (nil for none), routed to idents, dated date (now when empty).
func encodeReply(s *Signer, session string, parent *Message, msgType, date string, content, metadata any, idents [][]byte) ([][]byte, error) {
	if date == "" {
		date = timestamp()
	}
	c, err := json.Marshal(content)
	if err != nil {
		return nil, fmt.Errorf("encode %s content: %w", msgType, err)
	}
	md := []byte("{}")
	if metadata != nil {
		if md, err = json.Marshal(metadata); err != nil {
			return nil, fmt.Errorf("encode %s metadata: %w", msgType, err)
		}
	}
	m := &Message{
		Identities: idents,
		Header: Header{MsgID: newID(), Session: session, Username: "kernel", Date: date,
			MsgType: msgType, Version: ProtocolVersion},
		Metadata: md,
		Content:  c,
	}
	if parent != nil {
		m.ParentHeader = parent.RawHeader
	}
	return Encode(m, s)
}

// answer sends the reply msgType with content to the request m, on the
// channel m came on.
func (k *Kernel) answer(m *Message, msgType string, content any) {
	k.reply(m.channel, m, msgType, content)
}

// reply sends msgType with content on a ROUTER socket to parent's sender.
func (k *Kernel) reply(s zmq4.Socket, parent *Message, msgType string, content any) {
	frames, err := encodeReply(k.signer, k.sess, parent, msgType, "", content, nil, parent.Identities)
	if err != nil {
		k.log.Printf("cannot encode %s: %v", msgType, err)
		return
	}
	if len(frames) == 0 || len(parent.Identities) == 0 {
		k.log.Printf("cannot route %s: the request carried no identity", msgType)
		return
	}
	if err := s.Send(zmq4.NewMsgFrom(frames...)); err != nil {
		k.log.Printf("send %s: %v", msgType, err)
	}
}

func (k *Kernel) status(parent *Message, state string) {
	k.pub.publish(parent, "status", map[string]string{"execution_state": state}, false)
}

func (k *Kernel) cancelExecution() { k.interrupt(nil) }

// overtakeWindow bounds, on the kernel's clock, how long after an idle
// interrupt an execute_request sent before it may still come and be
// stopped by it. An overtaking request comes within milliseconds (the two
// messages raced on two sockets); the bound keeps a clock step of the
// client from stopping a cell run well after the interrupt.
const overtakeWindow = 100 * time.Millisecond

// idleInterrupt is an interrupt_request that came while no cell ran: its
// client session, when its header says it was sent (on that client's
// clock), and when it came (on the kernel's).
type idleInterrupt struct {
	session    string
	sent, came time.Time
}

// overtook reports whether the interrupt overtook m on its way: m came
// within overtakeWindow after it, from the same client session, and is
// dated no later. Only dates of one session are compared, as they come
// from one client's clock; a frontend and the server that relays its
// interrupts (JupyterLab and jupyter_server) have sessions and clocks of
// their own, so a request from another session, or after an interrupt by
// signal, is never taken for overtaken. The kernel's arrival order still
// stops a request that came before the interrupt (see beginExecution).
func (i idleInterrupt) overtook(m *Message) bool {
	if i.session == "" || m.Header.Session != i.session || time.Since(i.came) >= overtakeWindow {
		return false
	}
	sent, ok := m.Header.sent()
	return ok && !sent.After(i.sent)
}

// interrupt cancels the running cell; with no cell running it is recorded
// for the execute_requests it may have overtaken. m is the
// interrupt_request, or nil for a signal or a shutdown.
func (k *Kernel) interrupt(m *Message) {
	k.execMu.Lock()
	defer k.execMu.Unlock()
	if k.execCancel != nil {
		k.execCancel()
		return
	}
	k.idleInterrupts++
	k.lastIdleInterrupt = idleInterrupt{came: time.Now()}
	if m != nil {
		if sent, ok := m.Header.sent(); ok {
			k.lastIdleInterrupt.session, k.lastIdleInterrupt.sent = m.Header.Session, sent
		}
	}
}

// handleControl serves the control channel, which takes every request the
// shell channel takes. The requests that need no evaluator are served at
// once, while cells run: interrupt, kernel_info, shutdown, history and
// comm_info. The others (complete, inspect, is_complete, execute, comm
// messages) join the shell queue, since the evaluator serves one request
// at a time; their replies come back on control.
func (k *Kernel) handleControl(m *Message) {
	var serve func(*Message)
	switch m.Header.MsgType {
	case "interrupt_request":
		serve = k.interruptRequest
	case "kernel_info_request":
		serve = k.kernelInfoRequest
	case "shutdown_request":
		serve = k.handleShutdown
	case "history_request":
		serve = k.historyRequest
	case "comm_info_request":
		serve = k.commInfo
	default:
		// The control loop never waits for room in the queue: it must
		// stay free for interrupts.
		k.stampInterrupts(m)
		select {
		case k.shellQ <- m:
		default:
			k.status(m, "busy")
			k.answerError(m, "KernelBusy", fmt.Sprintf("%d requests are already waiting for the kernel; try again later", cap(k.shellQ)))
			k.status(m, "idle")
		}
		return
	}
	k.status(m, "busy")
	serve(m)
	k.status(m, "idle")
	if m.Header.MsgType == "shutdown_request" {
		k.shutdown() // after idle, so that it is flushed with the rest
	}
}

func (k *Kernel) interruptRequest(m *Message) {
	k.interrupt(m)
	k.answer(m, "interrupt_reply", map[string]string{"status": "ok"})
}

func (k *Kernel) kernelInfoRequest(m *Message) {
	k.answer(m, "kernel_info_reply", k.kernelInfo())
}

// handleShutdown answers a shutdown_request and stops the running cell; the
// caller stops the kernel once the request's idle status is queued.
func (k *Kernel) handleShutdown(m *Message) {
	var req struct {
		Restart bool `json:"restart"`
	}
	_ = json.Unmarshal(m.Content, &req)
	content := map[string]any{"status": "ok", "restart": req.Restart}
	k.answer(m, "shutdown_reply", content)
	k.pub.publish(m, "shutdown_reply", content, false)
	k.execMu.Lock()
	k.restart = req.Restart
	k.execMu.Unlock()
	k.cancelExecution()
}

// unknown answers a request the kernel does not know with an error reply,
// and ignores other unknown messages.
func (k *Kernel) unknown(m *Message) {
	t := m.Header.MsgType
	k.log.Printf("unknown message type %q", t)
	k.answerError(m, "UnknownMessageType", fmt.Sprintf("this kernel does not handle %s messages", t))
}

// answerError answers the request m (a *_request message; others get
// nothing) with an error reply.
func (k *Kernel) answerError(m *Message, name, value string) {
	if base, ok := strings.CutSuffix(m.Header.MsgType, "_request"); ok {
		k.answer(m, base+"_reply", errorContent(name, value, nil))
	}
}

func errorContent(name, value string, tb []string) map[string]any {
	if tb == nil {
		tb = []string{name + ": " + value}
	}
	return map[string]any{"status": "error", "ename": name, "evalue": value, "traceback": tb}
}

func (k *Kernel) kernelInfo() map[string]any {
	goVersion := strings.TrimPrefix(runtime.Version(), "go")
	return map[string]any{
		"status":                 "ok",
		"protocol_version":       ProtocolVersion,
		"implementation":         "latent",
		"implementation_version": k.cfg.Version,
		"language_info":          langinfo.Get(),
		"banner":                 "Latent " + k.cfg.Version + ": Go " + goVersion + " in Jupyter, with an autoencoder runtime built in",
		"debugger":               false,
		"help_links": []map[string]string{
			{"text": "Go documentation", "url": "https://go.dev/doc/"},
			{"text": "Go standard library", "url": "https://pkg.go.dev/std"},
			{"text": "Latent", "url": "https://github.com/latent-ai/latent"},
		},
	}
}

// handleStdin takes input_reply messages for the cell waiting on input.
func (k *Kernel) handleStdin(m *Message) {
	if m.Header.MsgType != "input_reply" {
		k.log.Printf("stdin: ignoring %q", m.Header.MsgType)
		return
	}
	var c struct {
		Value string `json:"value"`
	}
	if err := json.Unmarshal(m.Content, &c); err != nil {
		k.log.Printf("stdin: bad input_reply content: %v", err)
		return
	}
	k.inputMu.Lock()
	ch := k.inputCh
	k.inputMu.Unlock()
	if ch == nil {
		k.log.Printf("stdin: input_reply arrived but no cell is waiting for input")
		return
	}
	select {
	case ch <- inputReply{value: c.Value}:
	default:
	}
}
