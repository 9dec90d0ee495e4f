package kernelclient

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"

	"github.com/latent-ai/latent/display"
	"github.com/latent-ai/latent/kernel"
)

// Client is a running kernel that executes code for the notebook runner.
// Execute must not be called concurrently.
type Client struct {
	spec    *Spec
	cmd     *exec.Cmd
	exited  chan struct{}
	waitErr error
	log     *tail
	tmpDir  string

	signer  *kernel.Signer
	session string
	cancel  context.CancelFunc
	shell   zmq4.Socket
	control zmq4.Socket
	iopub   zmq4.Socket
	shellCh chan *kernel.Message
	ctrlCh  chan *kernel.Message
	iopubCh chan *kernel.Message
	done    chan struct{} // closed by Close: readers stop

	// LanguageInfo is the language_info of the kernel's kernel_info_reply.
	LanguageInfo map[string]any

	closeOnce sync.Once
}

// Options tune Start.
type Options struct {
	// Dir is the kernel's working directory (default: the current one).
	Dir string
	// StartTimeout bounds how long the kernel may take to answer its first
	// kernel_info_request (default 60s).
	StartTimeout time.Duration
}

// Start launches the kernel of spec with a new connection file (mode 0600,
// random 256-bit key, free loopback ports), connects to it, and waits until
// it answers kernel_info_request with iopub connected.
func Start(ctx context.Context, spec *Spec, opts Options) (*Client, error) {
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = 60 * time.Second
	}
	c := &Client{spec: spec, exited: make(chan struct{}), done: make(chan struct{}), log: &tail{max: 64 << 10}, session: newID()}
	started := false
	defer func() {
		if !started {
			c.Close()
		}
	}()
	var key [32]byte
	if _, err := rand.Read(key[:]); err != nil {
		return nil, err
	}
	ports, err := freePorts(5)
	if err != nil {
		return nil, fmt.Errorf("kernel %s: cannot find free ports: %w", spec.Name, err)
	}
	ci := kernel.ConnectionInfo{
		Transport: "tcp", IP: "127.0.0.1", ShellPort: ports[0], ControlPort: ports[1], StdinPort: ports[2],
		IOPubPort: ports[3], HBPort: ports[4], Key: hex.EncodeToString(key[:]), SignatureScheme: "hmac-sha256", KernelName: spec.Name,
	}
	if c.signer, err = kernel.NewSigner(ci.SignatureScheme, []byte(ci.Key)); err != nil {
		return nil, err
	}
	if c.tmpDir, err = os.MkdirTemp("", "latent-kernel-"); err != nil {
		return nil, err
	}
	connFile := filepath.Join(c.tmpDir, "kernel-"+c.session+".json")
	data, _ := json.Marshal(ci)
	if err := os.WriteFile(connFile, data, 0o600); err != nil {
		return nil, err
	}

	argv := spec.argv(connFile)
	c.cmd = exec.Command(argv[0], argv[1:]...)
	c.cmd.Dir = opts.Dir
	c.cmd.Env = append(os.Environ(), "JPY_PARENT_PID="+strconv.Itoa(os.Getpid()))
	for k, v := range spec.Env {
		c.cmd.Env = append(c.cmd.Env, k+"="+v)
	}
	c.cmd.Stdout, c.cmd.Stderr = c.log, c.log
	c.cmd.WaitDelay = 2 * time.Second // children that keep its output open do not hold us
	ownProcessGroup(c.cmd)
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("kernel %s: cannot start %q: %w", spec.Name, argv[0], err)
	}
	go func() { c.waitErr = c.cmd.Wait(); close(c.exited) }()

	sctx, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	go func() { // a kernel that dies while we dial must not leave us retrying
		select {
		case <-c.exited:
			cancel()
		case <-sctx.Done():
		}
	}()
	dial := []zmq4.Option{zmq4.WithDialerRetry(100 * time.Millisecond), zmq4.WithDialerMaxRetries(int(opts.StartTimeout / (100 * time.Millisecond)))}
	c.shell = zmq4.NewDealer(sctx, append(dial, zmq4.WithID(zmq4.SocketIdentity(c.session)))...)
	c.control = zmq4.NewDealer(sctx, dial...)
	c.iopub = zmq4.NewSub(sctx, dial...)
	endpoint := func(port int) string { return "tcp://127.0.0.1:" + strconv.Itoa(port) }
	for _, s := range []struct {
		sock zmq4.Socket
		port int
		name string
	}{{c.iopub, ci.IOPubPort, "iopub"}, {c.shell, ci.ShellPort, "shell"}, {c.control, ci.ControlPort, "control"}} {
		if err := s.sock.Dial(endpoint(s.port)); err != nil {
			return nil, c.failure(fmt.Sprintf("it did not open its %s socket within %s (%v)", s.name, opts.StartTimeout, err))
		}
	}
	if err := c.iopub.SetOption(zmq4.OptionSubscribe, ""); err != nil {
		return nil, err
	}
	c.shellCh, c.ctrlCh, c.iopubCh = c.reader(c.shell), c.reader(c.control), c.reader(c.iopub)
	if err := c.handshake(ctx, opts.StartTimeout); err != nil {
		return nil, err
	}
	started = true
	return c, nil
}

// failure describes a kernel that failed, with the tail of its output.
func (c *Client) failure(what string) error {
	msg := fmt.Sprintf("kernel %s: %s", c.spec.Name, what)
	select {
	case <-c.exited:
		msg += fmt.Sprintf("; the kernel process ended (%v)", c.waitErr)
	default:
	}
	if out := strings.TrimSpace(c.log.String()); out != "" {
		msg += "; its output ends with:\n" + out
	}
	return errors.New(msg)
}

// handshake sends kernel_info_request until the reply arrives on shell and
// some message arrives on iopub (so the subscription is live).
func (c *Client) handshake(ctx context.Context, timeout time.Duration) error {
	deadline := time.After(timeout)
	var reply *kernel.Message
	iopubLive := false
	for reply == nil || !iopubLive {
		if _, err := c.send(c.shell, "kernel_info_request", struct{}{}); err != nil {
			return c.failure("cannot send kernel_info_request: " + err.Error())
		}
		retry := time.After(500 * time.Millisecond)
	wait:
		for reply == nil || !iopubLive {
			select {
			case m := <-c.shellCh:
				if m.Header.MsgType == "kernel_info_reply" {
					reply = m
				}
			case <-c.iopubCh:
				iopubLive = true
			case <-retry:
				break wait
			case <-c.exited:
				return c.failure("it exited before answering kernel_info_request")
			case <-deadline:
				return c.failure(fmt.Sprintf("no kernel_info_reply within %s", timeout))
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	var info struct {
		LanguageInfo map[string]any `json:"language_info"`
	}
	dec := json.NewDecoder(bytes.NewReader(reply.Content))
	dec.UseNumber()
	if err := dec.Decode(&info); err != nil || info.LanguageInfo == nil {
		return c.failure("its kernel_info_reply has no language_info")
	}
	c.LanguageInfo = info.LanguageInfo
	for { // drop the iopub traffic of the handshake
		select {
		case <-c.iopubCh:
		case <-time.After(100 * time.Millisecond):
			return nil
		}
	}
}

// reader decodes the messages of sock onto a channel until it is closed.
func (c *Client) reader(sock zmq4.Socket) chan *kernel.Message {
	ch := make(chan *kernel.Message, 256)
	go func() {
		for {
			msg, err := sock.Recv()
			if err != nil {
				return
			}
			m, err := kernel.Decode(msg.Frames, c.signer)
			if err != nil {
				fmt.Fprintf(c.log, "kernelclient: dropped a message: %v\n", err)
				continue
			}
			select {
			case ch <- m:
			case <-c.done:
				return
			}
		}
	}()
	return ch
}

// send signs and sends one request and returns its msg_id.
func (c *Client) send(sock zmq4.Socket, msgType string, content any) (string, error) {
	body, err := json.Marshal(content)
	if err != nil {
		return "", err
	}
	id := newID()
	frames, err := kernel.Encode(&kernel.Message{
		Header: kernel.Header{MsgID: id, Session: c.session, Username: "latent", MsgType: msgType,
			Date: time.Now().UTC().Format("2006-01-02T15:04:05.000000Z"), Version: kernel.ProtocolVersion},
		Content: body,
	}, c.signer)
	if err != nil {
		return "", err
	}
	return id, sock.Send(zmq4.NewMsgFrom(frames...))
}

func parentID(m *kernel.Message) string {
	var h struct {
		MsgID string `json:"msg_id"`
	}
	json.Unmarshal(m.ParentHeader, &h)
	return h.MsgID
}

// iopubContent is the union of the iopub message contents the client uses.
type iopubContent struct {
	Name      string         `json:"name"`
	Text      string         `json:"text"`
	Data      map[string]any `json:"data"`
	Metadata  map[string]any `json:"metadata"`
	Transient struct {
		DisplayID string `json:"display_id"`
	} `json:"transient"`
	Wait           bool     `json:"wait"`
	ExecutionState string   `json:"execution_state"`
	EName          string   `json:"ename"`
	EValue         string   `json:"evalue"`
	Traceback      []string `json:"traceback"`
	Status         string   `json:"status"`
}

func decodeContent(raw json.RawMessage) iopubContent {
	var ct iopubContent
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	dec.Decode(&ct)
	return ct
}

// Execute runs code on the kernel, sending its outputs to sink as they
// arrive, and returns its execute_result, or its error as a
// *display.Error. When sink has a MarkTime method, it gets the kernel's
// timestamps of the cell (busy, execute_input, execute_reply, idle). Cancelling ctx interrupts the kernel (by signal or by
// interrupt_request, as its kernelspec says) and waits for the cell to end.
func (c *Client) Execute(ctx context.Context, code string, sink display.Sink) (*display.Bundle, error) {
	id, err := c.send(c.shell, "execute_request", map[string]any{
		"code": code, "silent": false, "store_history": true, "user_expressions": map[string]any{},
		"allow_stdin": false, "stop_on_error": false,
	})
	if err != nil {
		return nil, c.failure("cannot send execute_request: " + err.Error())
	}
	var (
		result        *display.Bundle
		cellErr       *display.Error
		idle, replied bool
		interrupt     = ctx.Done()
		marker, _     = sink.(timeMarker)
	)
	mark := func(event string, m *kernel.Message) {
		if t, err := time.Parse(time.RFC3339Nano, m.Header.Date); err == nil && marker != nil {
			marker.MarkTime(event, t)
		}
	}
	for !idle || !replied {
		select {
		case m := <-c.iopubCh:
			if parentID(m) != id {
				continue
			}
			ct := decodeContent(m.Content)
			b := display.Bundle{Data: ct.Data, Metadata: ct.Metadata, ID: ct.Transient.DisplayID}
			switch m.Header.MsgType {
			case "status":
				idle = ct.ExecutionState == "idle"
				if idle {
					mark("iopub.status.idle", m)
				} else if ct.ExecutionState == "busy" {
					mark("iopub.status.busy", m)
				}
			case "execute_input":
				mark("iopub.execute_input", m)
			case "stream":
				sink.Stream(ct.Name, ct.Text)
			case "display_data":
				sink.Display(b, false)
			case "update_display_data":
				sink.Display(b, true)
			case "execute_result":
				result = &b
			case "clear_output":
				sink.Clear(ct.Wait)
			case "error":
				cellErr = &display.Error{Name: ct.EName, Value: ct.EValue, Traceback: ct.Traceback}
			}
		case m := <-c.shellCh:
			if parentID(m) != id || m.Header.MsgType != "execute_reply" {
				continue
			}
			replied = true
			mark("shell.execute_reply", m)
			if ct := decodeContent(m.Content); ct.Status == "error" && cellErr == nil {
				cellErr = &display.Error{Name: ct.EName, Value: ct.EValue, Traceback: ct.Traceback}
			} else if ct.Status == "aborted" && cellErr == nil {
				cellErr = &display.Error{Name: "Aborted", Value: "the kernel aborted this cell"}
			}
		case <-interrupt:
			interrupt = nil
			c.Interrupt()
		case <-c.exited:
			e := c.failure("it died while running the cell")
			return nil, &display.Error{Name: "DeadKernelError", Value: e.Error(), Traceback: strings.Split(e.Error(), "\n")}
		}
	}
	if cellErr != nil {
		if cellErr.Traceback == nil {
			cellErr.Traceback = []string{}
		}
		return nil, cellErr
	}
	return result, nil
}

// timeMarker is notebook.TimeMarker: the runner's sink takes the kernel's
// own timestamps of a cell (the header dates of its messages, which
// nbclient records in metadata.execution).
type timeMarker interface {
	MarkTime(event string, t time.Time)
}

// Interrupt interrupts the running cell the way the kernelspec asks.
func (c *Client) Interrupt() {
	if c.spec.InterruptMode == "message" {
		c.send(c.control, "interrupt_request", struct{}{})
		return
	}
	interruptProcess(c.cmd)
}

// Close asks the kernel to shut down, kills it if it has not exited within
// five seconds, and removes its connection file.
func (c *Client) Close() error {
	c.closeOnce.Do(func() {
		if c.cmd != nil && c.cmd.Process != nil {
			grace := 5 * time.Second
			if c.LanguageInfo == nil {
				grace = 0 // it never answered: do not wait for it
			}
			if c.control != nil && grace > 0 {
				go c.send(c.control, "shutdown_request", map[string]bool{"restart": false})
			}
			select {
			case <-c.exited:
			case <-time.After(grace):
				killProcess(c.cmd)
				<-c.exited
			}
		}
		close(c.done)
		for _, s := range []zmq4.Socket{c.shell, c.control, c.iopub} {
			if s != nil {
				s.Close()
			}
		}
		if c.cancel != nil {
			c.cancel()
		}
		if c.tmpDir != "" {
			os.RemoveAll(c.tmpDir)
		}
	})
	return nil
}

// KernelSpecMetadata is the notebook's metadata.kernelspec for this kernel.
func (c *Client) KernelSpecMetadata() map[string]any {
	return map[string]any{"name": c.spec.Name, "display_name": c.spec.DisplayName, "language": c.spec.Language}
}

// freePorts reserves n distinct free loopback ports and releases them for
// the kernel to bind (as jupyter_client does).
func freePorts(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func newID() string {
	var u [16]byte
	rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[:4], u[4:6], u[6:8], u[8:10], u[10:])
}

// tail keeps the last max bytes written to it.
type tail struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append([]byte(nil), t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
