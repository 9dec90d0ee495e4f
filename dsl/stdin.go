package dsl

import (
	"sync"

	"github.com/latent-ai/latent/display"
)

// stdinReader is the interpreter's standard input: each time its buffer
// runs dry it asks the running cell's sink for a line (an input_request in
// Jupyter). When the frontend takes no input, reads fail with
// display.ErrNoStdin and a note is written once per cell to stderr.
type stdinReader struct {
	s      *Session
	mu     sync.Mutex
	sink   display.Sink
	buf    []byte
	warned bool
}

func (r *stdinReader) begin(sink display.Sink) {
	r.mu.Lock()
	r.sink, r.buf, r.warned = sink, nil, false
	r.mu.Unlock()
}

func (r *stdinReader) end() {
	r.mu.Lock()
	r.sink, r.buf = nil, nil
	r.mu.Unlock()
}

// Read implements io.Reader.
func (r *stdinReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.buf) == 0 {
		if r.sink == nil {
			return 0, display.ErrNoStdin
		}
		line, err := r.sink.Input("", false)
		if err != nil {
			if !r.warned {
				r.warned = true
				r.sink.Stream("stderr", "stdin: "+err.Error()+"\n")
			}
			r.s.awaitStop() // an interrupted read ends the cell here
			return 0, err
		}
		r.buf = append([]byte(line), '\n')
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}
