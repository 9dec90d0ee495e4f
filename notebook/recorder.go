package notebook

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/latent-ai/latent/display"
)

// recorder is the display.Sink of a running notebook. It turns what a cell
// sends into nbformat outputs the way nbclient does:
//   - consecutive stream outputs of the same name are coalesced, and a
//     carriage return overwrites its line (as nbconvert's coalesce_streams
//     and every Jupyter frontend do);
//   - an update replaces data and metadata of every earlier output that
//     carries the display ID, in any cell, and adds nothing; a new display
//     with an ID that is already shown updates the old outputs too;
//   - clear_output(wait) clears when the next output arrives;
//   - display IDs are transient: they are not saved.
//
// Output sent while no cell runs (from a goroutine that outlived its cell)
// goes to the cell that ran last, or is dropped once the notebook is done.
type recorder struct {
	mu           sync.Mutex
	cell         *Cell
	clearPending bool
	displays     map[string][]displayRef
	closed       bool
	echo         io.Writer // also gets stream text, when set

	times   cellTimes // of the running cell
	version uint64    // counts changes to the notebook, for autosave
	// finished and finishedCount are the position (1-based) and execution
	// count of the last cell that finished, 0 before the first.
	finished, finishedCount int
}

type displayRef struct {
	cell *Cell
	out  *Output
}

var _ display.Sink = (*recorder)(nil)

func newRecorder() *recorder { return &recorder{displays: map[string][]displayRef{}} }

// begin makes c the cell that receives outputs, starting with none, and
// gives it its execution count.
func (r *recorder) begin(c *Cell, count int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cell = c
	c.Outputs = nil
	c.ExecutionCount = &count
	r.clearPending = false
	r.times.reset()
	r.version++
}

// MarkTime implements TimeMarker: the executor's own timestamps.
func (r *recorder) MarkTime(event string, t time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.times.reported != nil {
		r.times.reported[event] = t
	}
}

// markOwn records the runner's clock for event, unless it has already.
func (r *recorder) markOwn(event string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.times.own[event]; !ok && r.times.own != nil {
		r.times.own[event] = time.Now()
	}
}

// finish ends cell c at position index (1-based): its metadata.execution
// gets the timestamps when timing is on, and loses old ones when it is off.
func (r *recorder) finish(c *Cell, index int, timing bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.times.own[TimeIdle]; !ok {
		r.times.own[TimeIdle] = time.Now()
	}
	if timing {
		if c.Metadata == nil {
			c.Metadata = map[string]any{}
		}
		c.Metadata["execution"] = r.times.metadata()
	} else {
		delete(c.Metadata, "execution")
	}
	r.finished, r.finishedCount = index, *c.ExecutionCount
	r.version++
}

// close drops every later output.
func (r *recorder) close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
}

// add appends o to the current cell, applying a pending clear first.
// The caller holds r.mu.
func (r *recorder) add(o *Output) bool {
	if r.closed || r.cell == nil {
		return false
	}
	if r.clearPending {
		r.clearLocked()
	}
	r.cell.Outputs = append(r.cell.Outputs, o)
	r.version++
	return true
}

func (r *recorder) clearLocked() {
	r.clearPending = false
	r.cell.Outputs = nil
	for id, refs := range r.displays {
		kept := refs[:0]
		for _, ref := range refs {
			if ref.cell != r.cell {
				kept = append(kept, ref)
			}
		}
		if len(kept) == 0 {
			delete(r.displays, id)
		} else {
			r.displays[id] = kept
		}
	}
}

// Stream implements display.Sink.
func (r *recorder) Stream(name, text string) {
	if name != "stderr" {
		name = "stdout"
	}
	if text == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || r.cell == nil {
		return
	}
	if r.echo != nil {
		io.WriteString(r.echo, text)
	}
	if !r.clearPending {
		if n := len(r.cell.Outputs); n > 0 {
			if last := r.cell.Outputs[n-1]; last.Type == StreamOutput && last.Name == name {
				r.version++
				joined := len(last.Text)
				last.Text += text
				if strings.Contains(text, "\r") {
					last.Text = collapseCR(last.Text, joined)
				}
				return
			}
		}
	}
	o := &Output{Type: StreamOutput, Name: name, Text: collapseCR(text, 0)}
	r.add(o)
}

// Display implements display.Sink.
func (r *recorder) Display(b display.Bundle, update bool) {
	o, warn := bundleOutput(DisplayDataOutput, b)
	if warn != "" {
		r.Stream("stderr", warn)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.show(o, b.ID, update)
}

// show records a rich output; the caller holds r.mu.
func (r *recorder) show(o *Output, id string, update bool) {
	if r.closed {
		return
	}
	if id != "" {
		for _, ref := range r.displays[id] {
			ref.out.Data, ref.out.Metadata = o.Data, o.Metadata
			r.version++
		}
	}
	if update || !r.add(o) {
		return
	}
	if id != "" {
		r.displays[id] = append(r.displays[id], displayRef{r.cell, o})
	}
}

// result records the cell's execute_result.
func (r *recorder) result(b display.Bundle, count int) {
	o, warn := bundleOutput(ExecuteResultOutput, b)
	o.ExecutionCount = &count
	if warn != "" {
		r.Stream("stderr", warn)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.show(o, b.ID, false)
}

// fail records an error output.
func (r *recorder) fail(e *display.Error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	tb := e.Traceback
	if tb == nil {
		tb = []string{}
	}
	r.add(&Output{Type: ErrorOutput, EName: e.Name, EValue: e.Value, Traceback: tb})
}

// Clear implements display.Sink.
func (r *recorder) Clear(wait bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || r.cell == nil {
		return
	}
	if wait {
		r.clearPending = true
		return
	}
	r.clearLocked()
}

// Input implements display.Sink: a headless run has no one to type.
func (r *recorder) Input(prompt string, password bool) (string, error) {
	return "", display.ErrNoStdin
}

// bundleOutput turns b into an output of the given type with data and
// metadata that nbformat can store: JSON MIME types are normalized through
// encoding/json, other MIME types must be text (non-text values are JSON
// encoded). Values that cannot be stored are dropped, and warn says so.
func bundleOutput(typ string, b display.Bundle) (*Output, string) {
	var warns []string
	data := make(map[string]any, len(b.Data))
	for mime, v := range b.Data {
		if s, ok := v.(string); ok {
			data[mime] = s
			continue
		}
		if !isJSONMime(mime) {
			raw, err := json.Marshal(v)
			if err != nil {
				warns = append(warns, fmt.Sprintf("display: %s not saved: %v\n", mime, err))
				continue
			}
			data[mime] = string(raw)
			continue
		}
		norm, err := normalizeJSON(v)
		if err != nil {
			warns = append(warns, fmt.Sprintf("display: %s not saved: %v\n", mime, err))
			continue
		}
		data[mime] = norm
	}
	meta := map[string]any{}
	if len(b.Metadata) > 0 {
		norm, err := normalizeJSON(b.Metadata)
		if m, ok := norm.(map[string]any); ok && err == nil {
			meta = m
		} else {
			warns = append(warns, fmt.Sprintf("display: metadata not saved: %v\n", err))
		}
	}
	// Bounded as the kernel bounds what it publishes, so that a notebook
	// run headless holds what Jupyter would show.
	data, _ = display.Bound(data, display.OutputLimit)
	return &Output{Type: typ, Data: data, Metadata: meta}, strings.Join(warns, "")
}

// collapseCR applies a carriage return in s the way nbconvert's
// coalesce_streams does (the regexp `.*\r(?=[^\n])` removed): on each line,
// everything up to the last '\r' that is followed by another character on
// the same line is dropped. Lines that end before from are left alone (they
// were collapsed already).
func collapseCR(s string, from int) string {
	start := strings.LastIndexByte(s[:from], '\n') + 1
	tail := s[start:]
	if !strings.Contains(tail, "\r") {
		return s
	}
	var b strings.Builder
	b.WriteString(s[:start])
	for line := range strings.SplitAfterSeq(tail, "\n") {
		body := strings.TrimSuffix(line, "\n")
		// the last '\r' followed by a character other than '\n'
		if i := strings.LastIndexByte(body[:max(len(body)-1, 0)], '\r'); i >= 0 {
			line = line[i+1:]
		}
		b.WriteString(line)
	}
	return b.String()
}
