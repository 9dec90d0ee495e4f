package dsl

import (
	"fmt"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/latent-ai/latent/display"
)

// Stream limits. A cell's stdout and stderr together show at most
// streamHead bytes from the start and streamTail bytes from the end of each
// stream; what lies between is dropped with a notice.
const (
	streamHead     = 1 << 20
	streamTail     = 64 << 10
	streamInterval = 50 * time.Millisecond // at most 20 flushes a second
)

// streamer coalesces and bounds the text a cell writes to stdout and
// stderr, and forwards it to the cell's sink.
type streamer struct {
	mu      sync.Mutex
	sink    display.Sink
	pending []streamSeg
	total   int64            // bytes written in this cell
	dropped map[string]int64 // bytes dropped per stream
	tails   map[string]*ring // last bytes of each stream after the head limit
	stop    chan struct{}
	// between holds what goroutines wrote while no cell ran (at most
	// streamTail bytes); the next cell shows it first.
	between        []streamSeg
	betweenBytes   int
	betweenDropped int64
	wg             sync.WaitGroup
	headLimit      int64
}

type streamSeg struct {
	name string
	text []byte
}

// ring keeps the last n bytes written to it.
type ring struct {
	buf  []byte
	next int
	full bool
}

func (r *ring) write(p []byte) {
	if len(p) >= len(r.buf) {
		copy(r.buf, p[len(p)-len(r.buf):])
		r.next, r.full = 0, true
		return
	}
	n := copy(r.buf[r.next:], p)
	if n < len(p) {
		copy(r.buf, p[n:])
		r.full = true
	}
	r.next = (r.next + len(p)) % len(r.buf)
	if r.next == 0 && len(p) > 0 {
		r.full = true
	}
}

func (r *ring) bytes() []byte {
	if !r.full {
		return append([]byte(nil), r.buf[:r.next]...)
	}
	return append(append([]byte(nil), r.buf[r.next:]...), r.buf[:r.next]...)
}

// begin starts coalescing for one cell that writes to sink.
func (s *streamer) begin(sink display.Sink) {
	s.mu.Lock()
	s.sink = sink
	s.total = 0
	s.dropped = map[string]int64{}
	s.tails = map[string]*ring{}
	if s.headLimit == 0 {
		s.headLimit = streamHead
	}
	s.stop = make(chan struct{})
	stop := s.stop
	if len(s.between) > 0 || s.betweenDropped > 0 {
		s.pending = append(s.pending, streamSeg{"stderr", []byte("[output written by goroutines between cells:]\n")})
		s.pending = append(s.pending, s.between...)
		if s.betweenDropped > 0 {
			s.pending = append(s.pending, streamSeg{"stderr", []byte(fmt.Sprintf("\n[%d more bytes written between cells were dropped]\n", s.betweenDropped))})
		}
		s.between, s.betweenBytes, s.betweenDropped = nil, 0, 0
	}
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(streamInterval)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				s.flushLive()
			}
		}
	}()
}

// end flushes what is pending, adds the truncation notice and the tail of
// each truncated stream, and detaches the sink. Later writes (from
// goroutines that outlive the cell) are dropped.
func (s *streamer) end() {
	s.mu.Lock()
	if s.stop != nil {
		close(s.stop)
		s.stop = nil
	}
	s.mu.Unlock()
	s.wg.Wait()
	s.flush()
	s.mu.Lock()
	sink := s.sink
	var notes []streamSeg
	for _, name := range []string{"stdout", "stderr"} {
		if n := s.dropped[name]; n > 0 {
			tail := s.tails[name].bytes()
			for len(tail) > 0 && !utf8.RuneStart(tail[0]) {
				tail = tail[1:]
			}
			msg := fmt.Sprintf("\n... [%s truncated: %d bytes not shown. The last %d bytes follow] ...\n\n", name, n-int64(len(tail)), len(tail))
			notes = append(notes, streamSeg{name, append([]byte(msg), tail...)})
		}
	}
	s.sink = nil
	s.mu.Unlock()
	if sink != nil {
		for _, n := range notes {
			sink.Stream(n.name, string(n.text))
		}
	}
}

// write takes bytes written by user code to stream name.
func (s *streamer) write(name string, p []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sink == nil {
		if room := streamTail - s.betweenBytes; len(p) <= room {
			s.between = append(s.between, streamSeg{name, append([]byte(nil), p...)})
			s.betweenBytes += len(p)
		} else {
			s.betweenDropped += int64(len(p))
		}
		return
	}
	keep := int64(len(p))
	if room := s.headLimit - s.total; keep > room {
		keep = max(room, 0)
		for keep > 0 && keep < int64(len(p)) && !utf8.RuneStart(p[keep]) {
			keep--
		}
	}
	s.total += int64(len(p))
	if keep > 0 {
		if n := len(s.pending); n > 0 && s.pending[n-1].name == name {
			s.pending[n-1].text = append(s.pending[n-1].text, p[:keep]...)
		} else {
			s.pending = append(s.pending, streamSeg{name, append([]byte(nil), p[:keep]...)})
		}
	}
	if rest := p[keep:]; len(rest) > 0 {
		r := s.tails[name]
		if r == nil {
			r = &ring{buf: make([]byte, streamTail)}
			s.tails[name] = r
			// Say so now, not only when the cell ends.
			note := fmt.Sprintf("\n\n... [output limit of %d bytes reached: %s is not shown from here on; its last %d bytes will be shown when the cell ends] ...\n", s.headLimit, name, streamTail)
			s.pending = append(s.pending, streamSeg{name, []byte(note)})
		}
		r.write(rest)
		s.dropped[name] += int64(len(rest))
	}
}

// flush sends pending text to the sink.
func (s *streamer) flush() { s.send(false) }

// flushLive is flush for the periodic flushes while the cell writes: a
// character whose bytes are split between two writes waits for the rest
// of its bytes rather than reaching the sink as two broken halves.
func (s *streamer) flushLive() { s.send(true) }

func (s *streamer) send(holdCut bool) {
	s.mu.Lock()
	segs, sink := s.pending, s.sink
	s.pending = nil
	if n := len(segs); holdCut && n > 0 {
		last := &segs[n-1]
		if cut := cutRune(last.text); cut > 0 {
			k := len(last.text) - cut
			s.pending = []streamSeg{{last.name, append([]byte(nil), last.text[k:]...)}}
			last.text = last.text[:k]
		}
	}
	s.mu.Unlock()
	if sink == nil {
		return
	}
	for _, sg := range segs {
		if len(sg.text) > 0 {
			sink.Stream(sg.name, string(sg.text))
		}
	}
}

// cutRune returns how many bytes at the end of b begin a UTF-8 character
// that b does not hold whole (0 when it ends on a whole one).
func cutRune(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if utf8.FullRune(b[i:]) {
				return 0
			}
			return len(b) - i
		}
	}
	return 0
}

// streamWriter is the io.Writer given to the interpreter for one stream.
type streamWriter struct {
	s    *streamer
	name string
}

func (w streamWriter) Write(p []byte) (int, error) {
	w.s.write(w.name, p)
	return len(p), nil
}

// cellSink is the sink the running cell's code sees: displays and input
// requests first flush pending stream text, so outputs keep their order.
type cellSink struct {
	s    *streamer
	next display.Sink
}

func (c cellSink) Stream(name, text string) { c.s.write(name, []byte(text)) }

func (c cellSink) Display(b display.Bundle, update bool) {
	c.s.flush()
	c.next.Display(b, update)
}

func (c cellSink) Clear(wait bool) {
	c.s.flush()
	c.next.Clear(wait)
}

func (c cellSink) Input(prompt string, password bool) (string, error) {
	c.s.flush()
	return c.next.Input(prompt, password)
}
