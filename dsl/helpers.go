package dsl

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/latent-ai/latent/display"
	"github.com/latent-ai/latent/runtime/host"
	"github.com/traefik/yaegi/interp"
)

// checkedLen is the check guardMake puts around the sizes of a make: n
// elements of size bytes each.
func checkedLen(n, size int64) int64 {
	bytes := n * size
	if n > 0 && bytes/n != size {
		bytes = 1 << 62
	}
	if err := host.CheckAlloc(fmt.Sprintf("make of %d elements of %d bytes", n, size), bytes); err != nil {
		panic(err)
	}
	return n
}

// maxDepth bounds the interpreted calls in progress (all goroutines of the
// session together). Deeper recursion would overflow the Go stack, a fatal
// error that ends the process.
const maxDepth = 20000

// stackOverflow is the error of a cell whose recursion went past maxDepth.
type stackOverflow struct{}

func (stackOverflow) Error() string {
	return fmt.Sprintf("stack overflow: more than %d nested calls (unbounded recursion?)", maxDepth)
}

// enter counts an interpreted call. Past maxDepth it stops the running
// eval (or, in a goroutine that outlived its cell, panics).
func (s *Session) enter() {
	if s.depth.Add(1) > maxDepth && deepHere() { // depth.go
		s.depth.Add(-1)
		if stop := s.stopEval.Load(); stop != nil && !s.overflow.Swap(true) {
			(*stop)()
			return
		} else if stop != nil {
			return
		}
		panic(stackOverflow{})
	}
}

// leave ends a call counted by enter.
func (s *Session) leave() { s.depth.Add(-1) }

// clearValue implements the builtin clear for the interpreter: it deletes
// every entry of a map and zeroes every element of a slice.
func clearValue(v any) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map, reflect.Slice:
		rv.Clear()
	default:
		panic(fmt.Sprintf("invalid argument: clear(%T): the argument must be a map or a slice", v))
	}
}

// exitPanic is what os.Exit or log.Fatal in a cell raises: the kernel must
// not exit.
type exitPanic struct {
	code  int
	fatal bool // raised by log.Fatal, which has logged its message
}

func (e exitPanic) String() string {
	if e.fatal {
		return fmt.Sprintf("log.Fatal called (a program would exit with status %d here)", e.code)
	}
	return fmt.Sprintf("os.Exit(%d) called", e.code)
}

// exit is os.Exit for interpreted code (see Options.Exit).
func (s *Session) exit(code int) { s.leaveProgram(exitPanic{code: code}) }

// leaveProgram ends the program as e says: through Options.Exit, once the
// cell's pending output is written, or else by failing the cell.
func (s *Session) leaveProgram(e exitPanic) {
	if s.opts.Exit != nil {
		s.st.flush()
		s.opts.Exit(e.code)
	}
	panic(e)
}

// fatalFuncs are log.Fatal, Fatalf and Fatalln for interpreted code: the
// message goes through output (the Output method of yaegi's logger for
// interpreted code, which has the flags and prefix the cell set), then
// the program ends as os.Exit(1) does (see leaveProgram). yaegi's own
// versions panic with the bare message, which reads as an ordinary panic.
func (s *Session) fatalFuncs(output reflect.Value) map[string]reflect.Value {
	fatal := func(msg string) {
		if output.IsValid() {
			output.Call([]reflect.Value{reflect.ValueOf(3), reflect.ValueOf(msg)})
		}
		s.leaveProgram(exitPanic{code: 1, fatal: true})
	}
	return map[string]reflect.Value{
		"Fatal":   reflect.ValueOf(func(v ...any) { fatal(fmt.Sprint(v...)) }),
		"Fatalf":  reflect.ValueOf(func(format string, v ...any) { fatal(fmt.Sprintf(format, v...)) }),
		"Fatalln": reflect.ValueOf(func(v ...any) { fatal(fmt.Sprintln(v...)) }),
	}
}

// cellReturn is what a `return` at the top level of a cell raises (see
// rewriteReturn): the cell ends there, without an error.
type cellReturn struct{}

func cellReturnFunc() { panic(cellReturn{}) }

// isCellReturn reports whether err is the panic of a top-level return.
func isCellReturn(err error) bool {
	var p interp.Panic
	if !errors.As(err, &p) {
		return false
	}
	r := p.Value
	if v, ok := r.(reflect.Value); ok && v.IsValid() && v.CanInterface() {
		r = v.Interface()
	}
	_, ok := r.(cellReturn)
	return ok
}

// goPanic is called (compiled) by the interpreted recover of a goroutine.
func (s *Session) goPanic(r any, line int) {
	if v, ok := r.(reflect.Value); ok && v.IsValid() && v.CanInterface() {
		r = v.Interface()
	}
	msg := goPanicMsg{msg: fmt.Sprintf("%s: %s", panicName(r), panicValue(r))}
	msg.pos, msg.posOK = s.lines.spotPos(int64(line))
	s.ctxMu.Lock()
	active, cell := s.active, s.activeCell
	s.ctxMu.Unlock()
	s.gpMu.Lock()
	defer s.gpMu.Unlock()
	// A goroutine of the running cell fails it; one that an earlier cell
	// started (its position names that cell) is not this cell's fault.
	if active && (!msg.posOK || msg.pos.cell == cell) {
		s.gpDuring = append(s.gpDuring, msg)
	} else if len(s.gpPending) < 100 {
		s.gpPending = append(s.gpPending, msg)
	}
}

// reportEarlierPanics writes the panics of goroutines that earlier cells
// started (pending) to the stderr of the running cell, which itself runs
// on as usual: failing it would also abort the cells queued behind it.
func (s *Session) reportEarlierPanics(cs display.Sink) {
	s.gpMu.Lock()
	pending := s.gpPending
	s.gpPending = nil
	s.gpMu.Unlock()
	if len(pending) == 0 {
		return
	}
	var b strings.Builder
	b.WriteString("warning: a goroutine started by an earlier cell panicked (this cell is not affected):\n")
	for _, m := range s.panicTexts(pending) {
		b.WriteString("  " + m + "\n")
	}
	cs.Stream("stderr", b.String())
}

// panicTexts are the goroutine panics ps, each with its position when
// known.
func (s *Session) panicTexts(ps []goPanicMsg) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.msg
		if p.posOK {
			out[i] += " (at " + s.where(p.pos) + ")"
		}
	}
	return out
}

// goPanicMsg is the panic of a goroutine, and where it was when known.
type goPanicMsg struct {
	msg   string
	pos   cellPos
	posOK bool
}

// goroutineError reports the panics of goroutines started by this cell.
func (s *Session) goroutineError(panics []goPanicMsg) error {
	texts := s.panicTexts(panics)
	tb := []string{"GoroutinePanic: a goroutine started by this cell panicked:"}
	for _, m := range texts {
		tb = append(tb, "  "+m)
	}
	tb = append(tb, "The session is still usable.")
	return &display.Error{Name: "GoroutinePanic", Value: strings.Join(texts, "; "), Traceback: tb}
}
