package dsl

import (
	"fmt"
	"reflect"
	"regexp"
	"runtime"
	"strings"

	"github.com/latent-ai/latent/display"
	"github.com/latent-ai/latent/runtime/host"
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
	if val == "nil type" {
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
		fn := ""
		if i := strings.Index(l, "panic: "); i >= 0 {
			fn = strings.TrimSuffix(strings.TrimPrefix(l[i+len("panic: "):], "main."), "(...)")
		}
		switch {
		case fn == "main" || i == len(lines)-1 && len(lines) < maxPanicLines:
			fn = "" // the last frame is the cell's own code
		case fn == "func" || strings.HasSuffix(fn, ".func"):
			// yaegi names a literal after the functions around it
			var outer []string
			for _, part := range strings.Split(fn, ".") {
				if part != "func" {
					outer = append(outer, part)
				}
			}
			fn = "a func literal"
			if len(outer) > 0 {
				fn += " in " + strings.Join(outer, ".")
			}
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

// panicName is the ename of a panic: "runtime error" for the runtime's own
// panics, the dynamic type for an error value, "panic" otherwise.
func panicName(r any) string {
	switch v := r.(type) {
	case runtime.Error:
		return "runtime error"
	case *host.AllocError:
		return "out of memory"
	case error:
		if strings.HasPrefix(v.Error(), "reflect: ") || strings.HasPrefix(v.Error(), "runtime error: ") {
			return "runtime error"
		}
		return fmt.Sprintf("%T", v)
	case string:
		if strings.HasPrefix(v, "reflect: ") || strings.HasPrefix(v, "runtime error: ") {
			return "runtime error"
		}
		return "panic"
	case fmt.Stringer:
		return fmt.Sprintf("%T", v)
	}
	return "panic"
}

// panicValue is the message of a panic value.
func panicValue(r any) string {
	if v, ok := r.(reflect.Value); ok && v.IsValid() && v.CanInterface() {
		r = v.Interface()
	}
	s := fmt.Sprint(r)
	s = strings.TrimPrefix(s, "runtime error: ")
	switch {
	case strings.HasPrefix(s, "reflect: slice index out of range") || strings.HasPrefix(s, "reflect: array index out of range"):
		return "index out of range"
	case strings.HasPrefix(s, "reflect: call of reflect.Value.Field on zero Value"):
		// yaegi's forms of a nil pointer dereference
		return "invalid memory address or nil pointer dereference (a field of a nil pointer)"
	case strings.HasPrefix(s, "reflect.Value.Call: call of nil function"):
		return "invalid memory address or nil pointer dereference (a call of a nil func)"
	case strings.HasPrefix(s, "reflect: call of reflect.Value.Interface on zero Value"):
		return "invalid memory address or nil pointer dereference (probably a method call on a nil interface)"
	case strings.Contains(s, "as type") && strings.Contains(s, "in Call") || strings.Contains(s, "is not assignable to type"):
		if strings.Contains(s, "struct {") {
			return strings.TrimPrefix(strings.TrimPrefix(s, "reflect: "), "reflect.Set: ") + " (the interpreter cannot hand a value of a type declared in a cell to compiled code as this interface here, as in a variadic argument: call the method yourself, or use a standard type such as *bytes.Buffer)"
		}
	case strings.Contains(s, "Call with too many input arguments"):
		return strings.TrimPrefix(s, "reflect: ") + " (a method expression such as T.Method cannot be called by the interpreter: use a func literal, func(t T, x X) R { return t.Method(x) })"
	case strings.Contains(s, "target must be interface or implement error"):
		return s + " (errors.As cannot see the methods of a type declared in a cell: use a type switch or assertion on the error, or errors.Is with a sentinel value)"
	}
	return strings.TrimPrefix(s, "reflect: ")
}

// panicLine matches the lines yaegi writes to its stderr while a panic
// unwinds interpreted frames.
var panicLine = regexp.MustCompile(`^(?:[^\s:]+:)?\d+:\d+: panic(?::|$)`)

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
