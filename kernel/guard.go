package kernel

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/go-zeromq/zmq4/transport"
)

// The kernel listens through its own zmq4 transports, which wrap every
// accepted connection in a guard: zmq4 v0.17.0 allocates whatever frame size
// a peer announces and writes without deadlines, so without the guard one
// hostile peer could exhaust memory and one stalled peer could block every
// reply. The guard parses the ZMTP 3 framing as it passes by, refuses
// (closes) a connection that announces an oversized message before anything
// is allocated, and gives every write a deadline.
const (
	guardedTCP = "latent-tcp"
	guardedIPC = "latent-ipc"
)

// guardLimits holds the settings the registered transports read; the
// kernel sets them before it listens.
var (
	guardMaxMessage   atomic.Int64 // bytes per message, all frames
	guardWriteTimeout atomic.Int64 // nanoseconds
	guardLog          atomic.Pointer[log.Logger]
	registerOnce      sync.Once
	registerErr       error
)

func registerGuardedTransports() error {
	registerOnce.Do(func() {
		if err := zmq4.RegisterTransport(guardedTCP, guardTransport{"tcp"}); err != nil {
			registerErr = err
			return
		}
		registerErr = zmq4.RegisterTransport(guardedIPC, guardTransport{"unix"})
	})
	return registerErr
}

type guardTransport struct{ network string }

func (g guardTransport) Dial(ctx context.Context, d transport.Dialer, addr string) (net.Conn, error) {
	return d.DialContext(ctx, g.network, addr)
}

func (g guardTransport) Listen(ctx context.Context, addr string) (net.Listener, error) {
	l, err := net.Listen(g.network, addr)
	if err != nil {
		return nil, err
	}
	gl := &guardListener{Listener: l, track: trackerFor(addr), ready: make(chan *guardConn), done: make(chan struct{})}
	go gl.acceptLoop()
	return gl, nil
}

func (g guardTransport) Addr(ep string) (string, error) {
	if g.network == "unix" {
		return ep, nil
	}
	host, port, err := net.SplitHostPort(ep)
	if err != nil {
		return "", err
	}
	if host == "" || host == "*" {
		host = "0.0.0.0"
	}
	return net.JoinHostPort(host, port), nil
}

// guardListener hands zmq4 only connections whose peer has sent its first
// byte: zmq4 runs each ZMTP handshake in its one accept loop, so a peer
// that connects and stays silent would otherwise keep every later client
// of the socket waiting. Silent peers are closed after handshakeTimeout,
// and at most maxConns connections are open at once.
type guardListener struct {
	net.Listener
	track *writeTracker // nil unless the kernel watches this address
	ready chan *guardConn
	done  chan struct{}
	once  sync.Once
}

func (l *guardListener) acceptLoop() {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			select {
			case <-l.done:
				return
			default:
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			l.Close()
			return
		}
		if conns.Add(1) > maxConns {
			conns.Add(-1)
			connLog.printf("refused a connection from %s: %d connections are open already (limit %d)", c.RemoteAddr(), maxConns, maxConns)
			c.Close()
			continue
		}
		gc := newGuardConn(c, l.track)
		gc.counted = true
		c.SetReadDeadline(time.Now().Add(handshakeTimeout))
		// zmq4 neither closes a connection whose handshake failed nor
		// reads from it again: close it here unless it got through.
		gc.hsTimer = time.AfterFunc(handshakeTimeout, func() {
			if !gc.handshook.Load() {
				gc.Close()
			}
		})
		go l.await(gc)
	}
}

// await passes gc on to Accept once its peer has sent something.
func (l *guardListener) await(gc *guardConn) {
	if _, err := gc.rd.Peek(1); err != nil {
		connLog.printf("closed a connection from %s: no ZMTP greeting within %v (%v)", gc.RemoteAddr(), handshakeTimeout, err)
		gc.Close()
		return
	}
	if l.track != nil {
		l.track.add(gc)
	}
	select {
	case l.ready <- gc:
	case <-l.done:
		gc.Close()
	}
}

func (l *guardListener) Accept() (net.Conn, error) {
	select {
	case gc := <-l.ready:
		return gc, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *guardListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// writeTracker watches the connections accepted on one address (iopub) and
// tells the publisher how far zmq4's writer lags behind it (the bytes
// handed to zmq4 that some subscriber has not been written yet), so that
// the publisher holds messages in its own bounded queue instead of piling
// them into zmq4's unbounded one.
type writeTracker struct {
	mu     sync.Mutex
	conns  map[*guardConn]struct{}
	handed atomic.Int64 // wire bytes handed to zmq4 for all subscribers
}

var trackers sync.Map // listen address -> *writeTracker

// watchAddress makes connections later accepted on addr tracked.
func watchAddress(addr string) *writeTracker {
	t := &writeTracker{conns: map[*guardConn]struct{}{}}
	trackers.Store(addr, t)
	return t
}

func unwatchAddress(addr string) { trackers.Delete(addr) }

func trackerFor(addr string) *writeTracker {
	if t, ok := trackers.Load(addr); ok {
		return t.(*writeTracker)
	}
	return nil
}

func (t *writeTracker) add(c *guardConn) {
	c.base.Store(t.handed.Load())
	t.mu.Lock()
	t.conns[c] = struct{}{}
	t.mu.Unlock()
}

func (t *writeTracker) remove(c *guardConn) {
	t.mu.Lock()
	delete(t.conns, c)
	t.mu.Unlock()
}

// handOver records n wire bytes given to zmq4 to send to every subscriber.
func (t *writeTracker) handOver(n int) {
	if t != nil {
		t.handed.Add(int64(n))
	}
}

// backlog returns the largest number of bytes zmq4 still holds for one
// subscriber. The count assumes each subscriber takes every message, which
// is how Jupyter clients subscribe; a connection that is idle while its
// count says otherwise (it filters topics) is re-based, so that a wrong
// estimate can delay the publisher but never stop it.
func (t *writeTracker) backlog() int64 {
	if t == nil {
		return 0
	}
	h := t.handed.Load()
	now := time.Now().UnixNano()
	var most int64
	t.mu.Lock()
	defer t.mu.Unlock()
	for c := range t.conns {
		b := h - c.base.Load() - c.written.Load()
		if b <= 0 {
			continue
		}
		if c.writeStart.Load() == 0 && now-c.lastWrite.Load() > int64(idleRebase) {
			c.base.Add(b)
			continue
		}
		most = max(most, b)
	}
	return most
}

// idleRebase is how long a connection with a supposed backlog may go
// without a write before its count is taken to be wrong.
const idleRebase = 200 * time.Millisecond

// zmtpGreeting is the length of the fixed ZMTP 3 greeting that precedes the
// frames.
const zmtpGreeting = 64

// errOversized is what a guarded connection's Read returns when the peer
// announces a message larger than the limit.
var errOversized = errors.New("kernel: message larger than the limit")

// guardConn wraps one accepted connection. Besides the checks above it
// batches I/O: zmq4 writes every frame as two small writes and reads every
// frame as two small reads, so the connection buffers reads, and holds
// writes until a whole message (the last frame of a multipart message) has
// been written, then sends it with one system call.
type guardConn struct {
	net.Conn
	rd     *bufio.Reader
	parser frameParser // incoming framing, for the limits

	rmu       sync.Mutex // guards held and closed against Close
	held      int64      // bytes of the pending budget this conn holds
	closed    bool
	counted   bool        // counts against maxConns
	handshook atomic.Bool // the peer's first command has been read
	hsTimer   *time.Timer // closes the conn if the handshake does not end
	subs      int         // iopub subscriptions the peer holds (net)

	wmu        sync.Mutex
	werr       error // the first failed write: the stream is broken after it
	wbuf       []byte
	wframes    frameParser // outgoing framing, to find message ends
	flushTimer *time.Timer // safety net should the framing be lost

	track      *writeTracker
	writeStart atomic.Int64 // unix nanoseconds while a write is under way
	lastWrite  atomic.Int64 // unix nanoseconds of the end of the last write
	written    atomic.Int64 // bytes written
	base       atomic.Int64 // tracker's handed count when this conn joined
	closeOnce  sync.Once
}

// ioBatch is the size of the read buffer and the largest write held back.
const ioBatch = 64 << 10

func newGuardConn(c net.Conn, track *writeTracker) *guardConn {
	gc := &guardConn{
		Conn:    c,
		rd:      bufio.NewReaderSize(c, ioBatch),
		parser:  frameParser{skip: zmtpGreeting},
		wframes: frameParser{skip: zmtpGreeting},
		track:   track,
	}
	gc.parser.onMessage = gc.onMessage
	return gc
}

func (c *guardConn) Close() error {
	err := c.Conn.Close()
	c.closeOnce.Do(func() {
		c.rmu.Lock()
		c.closed = true
		c.rmu.Unlock()
		c.release()
		if c.counted {
			conns.Add(-1)
		}
		if c.track != nil {
			c.track.remove(c)
		}
		c.wmu.Lock()
		if c.flushTimer != nil {
			c.flushTimer.Stop()
		}
		c.wbuf = nil
		c.wmu.Unlock()
	})
	return err
}

func (c *guardConn) Read(p []byte) (int, error) {
	n, err := c.rd.Read(p)
	if n > 0 {
		c.rmu.Lock()
		perr := c.parser.feed(p[:n], guardMaxMessage.Load())
		if perr == nil && !c.closed {
			perr = c.account()
		}
		c.rmu.Unlock()
		if perr != nil {
			hint := ""
			if errors.Is(perr, errOversized) {
				hint = "; raise --max-message-size if this was a legitimate message"
			}
			connLog.printf("refused connection from %s: %v%s", c.RemoteAddr(), perr, hint)
			c.Close()
			return 0, refusal{perr}
		}
	}
	if err != nil {
		// zmq4 forgets a connection only after io.EOF or a net.Error that
		// is not a timeout; a peer gone mid-frame gives it
		// io.ErrUnexpectedEOF, and it would keep the connection for good.
		err = refusal{err}
	}
	return n, err
}

// Write holds p until the message it belongs to is complete, then sends
// what is held at once. Large writes go straight out.
func (c *guardConn) Write(p []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.werr != nil {
		// A write failed part way (a deadline): anything written now
		// would land mid-frame and the peer would misread every size
		// that follows.
		return 0, c.werr
	}
	_ = c.wframes.feed(p, 0)
	var err error
	if len(c.wbuf)+len(p) > ioBatch {
		if err = c.flushLocked(); err == nil {
			err = c.send(p)
		}
	} else {
		c.wbuf = append(c.wbuf, p...)
		if c.wframes.atMessageEnd() {
			err = c.flushLocked()
		} else if c.flushTimer == nil {
			// Normally the rest of the message follows at once; flush
			// anyway soon should the framing have been misread.
			c.flushTimer = time.AfterFunc(5*time.Millisecond, func() {
				c.wmu.Lock()
				defer c.wmu.Unlock()
				c.flushTimer = nil
				c.flushLocked()
			})
		}
	}
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

func (c *guardConn) flushLocked() error {
	if c.werr != nil {
		return c.werr
	}
	if c.flushTimer != nil && c.wframes.atMessageEnd() {
		c.flushTimer.Stop()
		c.flushTimer = nil
	}
	if len(c.wbuf) == 0 {
		return nil
	}
	err := c.send(c.wbuf)
	c.wbuf = c.wbuf[:0]
	return err
}

// send writes b with the write deadline, accounting and stall detection.
func (c *guardConn) send(b []byte) error {
	if d := time.Duration(guardWriteTimeout.Load()); d > 0 {
		c.Conn.SetWriteDeadline(time.Now().Add(d))
	}
	c.writeStart.Store(time.Now().UnixNano())
	n, err := c.Conn.Write(b)
	c.written.Add(int64(n))
	c.lastWrite.Store(time.Now().UnixNano())
	c.writeStart.Store(0)
	if err != nil {
		c.werr = err
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			if l := guardLog.Load(); l != nil {
				l.Printf("dropped connection to %s: it has not read for %v (a stalled client)", c.RemoteAddr(), time.Duration(guardWriteTimeout.Load()))
			}
			go c.Close() // Close takes wmu, which the caller holds
		}
	}
	return err
}

// frameParser follows ZMTP 3 framing (flags byte, 1- or 8-byte size, body)
// over a byte stream. Given a limit, it reports a message whose frames add
// up to more than the limit (each frame counted with frameCost on top of
// its body), or that has more than maxFrames frames, as soon as the frame
// that crosses the line is announced.
type frameParser struct {
	skip    uint64 // bytes of greeting or frame body still to pass
	state   int    // 0: want flags, 1: reading size
	long    bool
	more    bool
	cmd     bool
	inBody  bool // skip counts a frame body, not the greeting
	sizeBuf [8]byte
	sizeN   int
	total   uint64 // bytes counted for the current message so far
	frames  int    // frames of the current message so far
	first   int    // first body byte of the message's first frame, -1 if none
	want1st bool   // the next body byte is that first byte
	// onMessage, when set, is called at the end of every whole message.
	onMessage func(frames, first int, bytes uint64, cmd bool) error
}

// atMessageEnd reports whether the bytes so far end a whole message (or
// the greeting, or a command) rather than stopping inside one.
func (f *frameParser) atMessageEnd() bool { return f.skip == 0 && f.state == 0 && !f.more }

func (f *frameParser) feed(p []byte, limit int64) error {
	for len(p) > 0 {
		if f.skip > 0 {
			if f.want1st {
				f.first, f.want1st = int(p[0]), false
			}
			n := min(uint64(len(p)), f.skip)
			f.skip -= n
			p = p[n:]
			if f.skip == 0 && f.inBody {
				if err := f.frameEnd(); err != nil {
					return err
				}
			}
			continue
		}
		switch f.state {
		case 0:
			fl := p[0]
			p = p[1:]
			f.more = fl&0x01 != 0
			f.long = fl&0x02 != 0
			f.cmd = fl&0x04 != 0
			f.sizeN = 0
			f.state = 1
		case 1:
			need := 1
			if f.long {
				need = 8
			}
			n := copy(f.sizeBuf[f.sizeN:need], p)
			f.sizeN += n
			p = p[n:]
			if f.sizeN < need {
				continue
			}
			size := uint64(f.sizeBuf[0])
			if f.long {
				size = binary.BigEndian.Uint64(f.sizeBuf[:8])
			}
			f.frames++
			if limit > 0 {
				if size > uint64(limit) || f.total+size+frameCost > uint64(limit) {
					return fmt.Errorf("%w: a frame of %d bytes makes the message exceed %d bytes (%d frames so far, each counted as %d bytes more)", errOversized, size, limit, f.frames, frameCost)
				}
				if f.frames > maxFrames {
					return fmt.Errorf("%w: more than %d frames in one message", errTooManyFrames, maxFrames)
				}
			}
			f.total += size + frameCost
			if f.frames == 1 {
				f.first, f.want1st = -1, size > 0
			}
			f.skip = size
			f.state = 0
			f.inBody = true
			if size == 0 {
				if err := f.frameEnd(); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// frameEnd follows the end of a frame's body.
func (f *frameParser) frameEnd() error {
	f.inBody = false
	if f.more {
		return nil
	}
	var err error
	if f.onMessage != nil {
		err = f.onMessage(f.frames, f.first, f.total, f.cmd)
	}
	f.total, f.frames = 0, 0
	return err
}
