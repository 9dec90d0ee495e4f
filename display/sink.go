package display

import (
	"errors"
	"fmt"
	"image"
	"sync"
)

// Sink receives the outputs of running code, in order, as they happen.
// The kernel turns them into iopub messages, the notebook runner into cell
// outputs, and a script into files and terminal text. Implementations must be
// safe for use from several goroutines.
type Sink interface {
	// Stream sends text on "stdout" or "stderr".
	Stream(name, text string)
	// Display shows b. With update set, it replaces the earlier output that
	// carries b.ID (update_display_data) instead of adding a new one.
	Display(b Bundle, update bool)
	// Clear clears the current output; with wait set, it clears only when
	// the next output arrives.
	Clear(wait bool)
	// Input asks the user for a line of text. It returns ErrNoStdin when the
	// frontend does not accept input.
	Input(prompt string, password bool) (string, error)
}

// ErrNoStdin is returned by Sink.Input when the frontend cannot take input.
var ErrNoStdin = errors.New("this frontend does not accept input (allow_stdin is false): pass the value in code instead of reading standard input")

// Error is an error as a cell reports it: its type name, its message and a
// traceback of plain lines.
type Error struct {
	Name      string
	Value     string
	Traceback []string
}

func (e *Error) Error() string { return e.Name + ": " + e.Value }

var (
	mu      sync.RWMutex
	current Sink
)

// SetSink makes s the sink that Show, Update and Clear of this package write
// to; the host calls it around each cell. A nil s discards output.
func SetSink(s Sink) {
	mu.Lock()
	current = s
	mu.Unlock()
}

// CurrentSink returns the sink set with SetSink, or nil.
func CurrentSink() Sink {
	mu.RLock()
	defer mu.RUnlock()
	return current
}

// Show displays each value now, as a new output. Renderers, Bundles and images
// are shown rich; other values go through Format.
func Show(values ...any) {
	s := CurrentSink()
	if s == nil {
		return
	}
	for _, v := range values {
		s.Display(Format(v), false)
	}
}

// Update replaces the output that was shown with display ID id by v.
func Update(id string, v any) {
	if s := CurrentSink(); s != nil {
		s.Display(Format(v).WithID(id), true)
	}
}

// ShowWithID displays v as a new output that later Update calls with the
// same id replace in place.
func ShowWithID(id string, v any) {
	if s := CurrentSink(); s != nil {
		s.Display(Format(v).WithID(id), false)
	}
}

// ClearOutput clears the current cell's output; with wait set, it clears
// when the next output arrives (for smooth animation).
func ClearOutput(wait bool) {
	if s := CurrentSink(); s != nil {
		s.Clear(wait)
	}
}

var (
	fmtMu     sync.RWMutex
	formatter func(any) (Bundle, bool)
)

// SetFormatter installs the hook that turns values which are not Renderers
// (images, runtime results) into bundles. The notebook session installs one
// that knows the runtime's types and plotting.
func SetFormatter(f func(any) (Bundle, bool)) {
	fmtMu.Lock()
	formatter = f
	fmtMu.Unlock()
}

// Format turns v into a bundle: a Renderer renders itself, then the hook set
// with SetFormatter is tried, then a plain-text form is used.
func Format(v any) Bundle {
	if r, ok := v.(Renderer); ok {
		return r.Render()
	}
	fmtMu.RLock()
	f := formatter
	fmtMu.RUnlock()
	if f != nil {
		if b, ok := f(v); ok {
			return b
		}
	}
	if img, ok := v.(image.Image); ok {
		return Image(img)
	}
	return Text(fmt.Sprintf("%v", v))
}
