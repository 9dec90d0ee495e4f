package kernel

import (
	"bytes"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// countingConn counts the writes that reach the network.
type countingConn struct {
	net.Conn
	writes atomic.Int64
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

func tcpPair(t *testing.T) (server, client net.Conn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := l.Accept()
		accepted <- c
	}()
	client, err = net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	t.Cleanup(func() { server.Close(); client.Close() })
	return server, client
}

// TestGuardConnBatchesWrites writes as zmq4 does (greeting, then each
// frame as a header write and a body write) and checks that each whole
// message reaches the network in one write, byte for byte.
func TestGuardConnBatchesWrites(t *testing.T) {
	server, client := tcpPair(t)
	cc := &countingConn{Conn: server}
	g := newGuardConn(cc, nil)
	var want bytes.Buffer
	write := func(p []byte) {
		t.Helper()
		want.Write(p)
		if n, err := g.Write(p); err != nil || n != len(p) {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	write(bytes.Repeat([]byte{0xAA}, zmtpGreeting))
	if got := cc.writes.Load(); got != 1 {
		t.Fatalf("greeting took %d writes, want 1", got)
	}
	frames := [][]byte{[]byte("topic"), {}, bytes.Repeat([]byte("j"), 300)}
	for i, f := range frames {
		fl := byte(0)
		if i < len(frames)-1 {
			fl = 1
		}
		if len(f) > 255 {
			write([]byte{fl | 2, 0, 0, 0, 0, 0, 0, byte(len(f) >> 8), byte(len(f))})
		} else {
			write([]byte{fl, byte(len(f))})
		}
		if len(f) > 0 {
			write(f)
		}
	}
	if got := cc.writes.Load(); got != 2 {
		t.Fatalf("a 3-frame message took %d writes, want 1", got-1)
	}
	got := make([]byte, want.Len())
	client.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(client, got); err != nil || !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("peer read %d bytes (%v), not what was written", len(got), err)
	}

	// A message cut off mid-frame still goes out, after a short delay.
	g.Write([]byte{1, 3})
	client.SetReadDeadline(time.Now().Add(5 * time.Second))
	part := make([]byte, 2)
	if _, err := io.ReadFull(client, part); err != nil || part[1] != 3 {
		t.Fatalf("held bytes were never flushed: %v", err)
	}
}

// TestGuardConnStopsAfterFailedWrite: once a write to a peer that does not
// read hits its deadline part way, nothing more may be written, or the peer
// would read the next bytes as frame sizes.
func TestGuardConnStopsAfterFailedWrite(t *testing.T) {
	old := guardWriteTimeout.Load()
	guardWriteTimeout.Store(int64(50 * time.Millisecond))
	defer guardWriteTimeout.Store(old)
	server, client := net.Pipe() // synchronous: nothing is written until read
	defer client.Close()
	gc := newGuardConn(server, nil)
	big := make([]byte, 2*ioBatch) // large writes go straight out
	if _, err := gc.Write(big); err == nil {
		t.Fatal("a write nobody read succeeded")
	}
	go io.Copy(io.Discard, client) // the peer reads again
	if _, err := gc.Write([]byte{0x00, 0x01}); err == nil {
		t.Fatal("a write after a failed one went out: the stream would be misread")
	}
}
