package dsl

import (
	"strings"
	"sync"

	"github.com/latent-ai/latent/display"
)

// recSink records everything a cell sends.
type recSink struct {
	mu       sync.Mutex
	streams  map[string]*strings.Builder
	messages int
	displays []display.Bundle
	updates  int
	inputs   []string // lines to answer input requests with
	prompts  int
	noStdin  bool
}

func newRecSink() *recSink { return &recSink{streams: map[string]*strings.Builder{}} }

func (r *recSink) Stream(name, text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.streams[name] == nil {
		r.streams[name] = &strings.Builder{}
	}
	r.streams[name].WriteString(text)
	r.messages++
}

func (r *recSink) Display(b display.Bundle, update bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if update {
		r.updates++
	}
	r.displays = append(r.displays, b)
}

func (r *recSink) Clear(bool) {}

func (r *recSink) Input(prompt string, password bool) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.prompts++
	if r.noStdin || len(r.inputs) == 0 {
		return "", display.ErrNoStdin
	}
	l := r.inputs[0]
	r.inputs = r.inputs[1:]
	return l, nil
}

func (r *recSink) out(name string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if b := r.streams[name]; b != nil {
		return b.String()
	}
	return ""
}
