package kernel

import (
	"context"
	"errors"
	"sync"

	"github.com/latent-ai/latent/display"
)

// execSink publishes the outputs of one execute_request on iopub, with that
// request as their parent, and asks for input over stdin.
type execSink struct {
	k          *Kernel
	parent     *Message
	silent     bool
	allowStdin bool

	mu       sync.Mutex
	finished bool
	late     int   // outputs that arrived after the cell ended
	payloads []any // for the execute_reply (pager, set_next_input)
}

// Payload adds p to the payloads of the cell's execute_reply: the pager of
// name?, the cell text of %load (the session looks for this method).
func (s *execSink) Payload(p map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.finished && !s.silent {
		s.payloads = append(s.payloads, p)
	}
}

func (s *execSink) active() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.finished && !s.silent {
		s.late++
		if s.late == 1 {
			s.k.log.Printf("output of cell %s arrived after it finished (a goroutine it started?): dropped", s.parent.Header.MsgID)
		}
	}
	return !s.silent && !s.finished
}

// finish stops the sink: goroutines a cell left running must not publish
// under a parent whose reply has gone (frontends no longer listen for it).
// What they still write is dropped and logged once.
func (s *execSink) finish() {
	s.mu.Lock()
	s.finished = true
	s.mu.Unlock()
}

// Stream publishes text on stdout or stderr.
func (s *execSink) Stream(name, text string) {
	if text == "" || !s.active() {
		return
	}
	if name != "stderr" {
		name = "stdout"
	}
	s.k.pub.streamText(s.parent, name, text)
}

// Display publishes display_data, or update_display_data with update set.
func (s *execSink) Display(b display.Bundle, update bool) {
	if !s.active() {
		return
	}
	typ := "display_data"
	if update {
		if b.ID == "" {
			s.k.log.Printf("update_display_data without a display ID dropped")
			return
		}
		typ = "update_display_data"
	}
	transient := map[string]any{}
	if b.ID != "" {
		transient["display_id"] = b.ID
	}
	data := s.k.boundOutput(b.Data)
	if data == nil {
		data = map[string]any{}
	}
	s.k.pub.publish(s.parent, typ, map[string]any{"data": data, "metadata": orEmptyMap(b.Metadata), "transient": transient}, true)
}

// Clear publishes clear_output.
func (s *execSink) Clear(wait bool) {
	if !s.active() {
		return
	}
	s.k.pub.publish(s.parent, "clear_output", map[string]any{"wait": wait}, true)
}

// errInterrupted is what Input returns when the cell is interrupted or the
// kernel stops while it waits.
var errInterrupted = errors.New("input was interrupted")

// Input sends input_request over stdin and waits for the input_reply.
func (s *execSink) Input(prompt string, password bool) (string, error) {
	if !s.allowStdin {
		return "", display.ErrNoStdin
	}
	k := s.k
	ch := make(chan inputReply, 1)
	k.inputMu.Lock()
	if k.inputCh != nil {
		k.inputMu.Unlock()
		return "", errors.New("another input request is already waiting for the user: read input from one goroutine at a time")
	}
	k.inputCh = ch
	k.inputMu.Unlock()
	defer func() {
		k.inputMu.Lock()
		k.inputCh = nil
		k.inputMu.Unlock()
	}()
	ctx := k.execContext()
	k.reply(k.stdin, s.parent, "input_request", map[string]any{"prompt": prompt, "password": password})
	select {
	case r := <-ch:
		return r.value, r.err
	case <-ctx.Done():
		return "", errInterrupted
	case <-k.done:
		return "", errInterrupted
	}
}

// execContext is a context cancelled when the running cell is interrupted.
func (k *Kernel) execContext() context.Context {
	k.execMu.Lock()
	defer k.execMu.Unlock()
	return k.execCtx
}

// discardSink drops everything; user_expressions run with it.
type discardSink struct{}

func (discardSink) Stream(string, string)              {}
func (discardSink) Display(display.Bundle, bool)       {}
func (discardSink) Clear(bool)                         {}
func (discardSink) Input(string, bool) (string, error) { return "", display.ErrNoStdin }
