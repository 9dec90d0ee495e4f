package dsl

import (
	"reflect"
	"strings"

	"github.com/latent-ai/latent/display"
)

// panicErr reports a runtime panic with its value and the cell line it came
// from.
func (s *Session) panicErr(code string, r any) error {
	if v, ok := r.(reflect.Value); ok && v.IsValid() && v.CanInterface() {
		r = v.Interface()
	}
	if so, ok := r.(stackOverflow); ok {
		msg := strings.TrimPrefix(so.Error(), "stack overflow: ")
		return &display.Error{Name: "stack overflow", Value: msg, Traceback: []string{"stack overflow: " + msg, "The session is still usable."}}
	}
	name, val := panicName(r), panicValue(r)
	if e, ok := r.(exitPanic); ok {
		msg := e.String() + ": a cell cannot end the kernel; the session is still running"
		return &display.Error{Name: "Exit", Value: msg, Traceback: []string{"Exit: " + msg}}
	}
	if nilTypeCrash(val) {
		msg := "this cell uses a construct the interpreter cannot run" + unsupportedRange
		return &display.Error{Name: "Unsupported", Value: msg, Traceback: []string{"Unsupported: " + msg}}
	}
	msg := val
	tb := []string{name + ": " + val}
	for i, f := range s.panicFrames() {
		at := "in " + f.fn
		if f.posOK {
			at = s.where(f.pos)
			if f.fn != "" {
				at = "in " + f.fn + " at " + at
			} else {
				at = "at " + at
			}
		}
		if i == 0 {
			msg = val + " (" + at + ")"
		} else {
			at = "called from " + strings.TrimPrefix(strings.TrimPrefix(at, "at "), "in ")
		}
		tb = append(tb, "  "+at)
		if f.posOK && f.pos.cell == s.cell {
			for _, sl := range sourceLines(code, f.pos) {
				tb = append(tb, "  "+sl)
			}
		}
	}
	return &display.Error{Name: name, Value: msg, Traceback: tb}
}

// panicFrame is one interpreted frame a panic went through: its function
// ("" for the cell's top level) and, when known, the position it was at.
type panicFrame struct {
	fn    string
	pos   cellPos
	posOK bool
}

// panicFrames returns the frames of the last panic, innermost first, from
// yaegi's trace lines and the tracked lines. yaegi names each frame's
// function but gives the position of its first statement, so that position
// is replaced by the tracked one: the function line for the innermost
// frame, the cell line for the top level; frames in between keep only
// their names. Repeated frames (recursion) are given once. yaegi calls
// both a func literal and a cell's top level "func"; the last frame of a
// trace that was not cut short is the top level.
func (s *Session) panicFrames() []panicFrame {
	s.panicMu.Lock()
	lines := append([]string(nil), s.panicLines...)
	s.panicMu.Unlock()
	line, cell, lineOK, cellOK := s.trackedLines()
	var frames []panicFrame
	for i, l := range lines {
		p, ok := s.findPos(l)
		if !ok {
			continue
		}
		fn := traceFunc(l)
		if i == len(lines)-1 && len(lines) < maxPanicLines {
			fn = "" // the last frame is the cell's own code
		}
		f := panicFrame{fn: fn, pos: p, posOK: true}
		switch {
		case fn == "" && cellOK:
			f.pos = cell
		case fn != "" && len(frames) == 0 && lineOK:
			f.pos = line
		case fn != "" && len(frames) > 0:
			f.posOK = false
		}
		if n := len(frames); n > 0 && frames[n-1].fn == f.fn && !f.posOK {
			continue
		}
		frames = append(frames, f)
	}
	if len(frames) == 0 && cellOK {
		frames = append(frames, panicFrame{pos: cell, posOK: true})
	}
	return frames
}

// maxPanicLines bounds the trace lines kept of one panic.
const maxPanicLines = 64

// panicFilter keeps yaegi's panic trace lines out of the cell's stderr and
// records them for the error report.
type panicFilter struct {
	s    *Session
	next streamWriter
}

func (p panicFilter) Write(b []byte) (int, error) {
	if panicLine.Match(b) {
		p.s.panicMu.Lock()
		if len(p.s.panicLines) < maxPanicLines {
			p.s.panicLines = append(p.s.panicLines, strings.TrimSpace(string(b)))
		}
		p.s.panicMu.Unlock()
		return len(b), nil
	}
	return p.next.Write(b)
}
