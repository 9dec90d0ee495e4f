package dsl

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/latent-ai/latent/runtime/host"
	"github.com/traefik/yaegi/interp"
)

// A cell's program runs on a goroutine of its own (run), which closes a
// channel when yaegi returns, and its first statement is a call of
// startedFunc, which closes another: the session waits on those channels,
// so the race detector sees every hand-over between the interpreter and
// the session, after an interrupt too, and no goroutine profile is read.
//
// An interrupt stops yaegi with yaegiStop (see yaegi.go), but only once
// the program has started: a stop that comes while yaegi still prepares
// it is lost (the program's global frame takes the new run id and a
// `for {}` never ends). Programs that start with imports (which must come
// first) carry no such call; they run no user code and are waited for.

// run is one execution of a compiled program.
type run struct {
	done    chan struct{} // closed when Execute returned; v and err are set then
	started chan struct{} // closed by the program's first statement
	once    sync.Once
	v       reflect.Value
	err     error

	// An interrupt sets stopping; the program then closes boundary at its
	// next top-level statement boundary (passedFunc) or at its end, and
	// waits there until stop has stopped the interpreter and closed
	// stopped.
	stopping     atomic.Bool
	boundary     chan struct{}
	boundaryOnce sync.Once
	stopped      chan struct{}
}

// atBoundary closes r.boundary (once).
func (r *run) atBoundary() { r.boundaryOnce.Do(func() { close(r.boundary) }) }

// stopGrace is how long a program without startedFunc runs before a stop
// may reach it.
const stopGrace = 20 * time.Millisecond

// mayBlock reports whether src may run for long: it has a call, a loop or
// a channel operation. A program without them (x + 1, the common case of
// a cell that shows a value) is not interrupted but waited for, and needs
// no startedFunc, which costs a compiled call.
func mayBlock(src string) bool {
	return strings.Contains(src, "(") || strings.Contains(src, "for") || strings.Contains(src, "<-") || strings.Contains(src, "select") || strings.Contains(src, "goto")
}

// statements reports whether src (after its //line directive) starts with
// a statement: yaegi takes a source that starts with a statement and goes
// on with declarations as a function body, so only such sources can
// start with startedFunc.
func statements(src string) bool {
	src = strings.TrimSpace(stripDirective(src))
	for _, kw := range []string{"import", "func", "type", "var", "const"} {
		if strings.HasPrefix(src, kw) && (len(src) == len(kw) || !isIdentRune(rune(src[len(kw)]))) {
			return false
		}
	}
	return true
}

// withStarted puts startedFunc at the start of src, after its //line
// directive, and a directive for the same position after it: positions
// stay those of the cell (yaegi reports the top-level frame of a panic at
// the first statement).
func withStarted(src string) string {
	const dir = "\n//line "
	if !strings.HasPrefix(src, dir) {
		return startedFunc + src
	}
	end := strings.Index(src[1:], "\n") + 1
	pos := src[len(dir):end]
	return src[:end+1] + startedFunc + "/*line " + pos + "*/" + src[end+1:]
}

// startedFunc is the call a program starts with (see Session.started).
const startedFunc = "__latent.Started(); "

// passedFunc is the call after each top-level statement that makes a call
// (see withPassed and Session.passed).
const passedFunc = "__latent.Passed"

// passed implements passedFunc. While an interrupt stops the program, it
// holds the program at this statement boundary until the interpreter is
// stopped: a call that honours the interrupt (Fit, a read of standard
// input) returns what it has, its statement stores it (h := m.Fit(...)
// keeps the history), and no later statement of the cell runs.
func (s *Session) passed() {
	r := s.running.Load()
	// The cancelled context counts as well as stopping: a call that saw
	// the interrupt (Fit) may return before eval has begun the stop.
	if r == nil || !r.stopping.Load() && s.context().Err() == nil {
		return
	}
	r.atBoundary()
	<-r.stopped
}

// awaitStop holds the program, when the running cell has been interrupted,
// until the interpreter is stopped. A compiled call that returns at once
// because of the interrupt (a read of standard input) calls it, so that
// the statements after it do not run before the stop reaches the
// interpreter.
func (s *Session) awaitStop() {
	if r := s.running.Load(); r != nil && s.context().Err() != nil {
		select {
		case <-r.stopped:
		case <-r.done: // the program ended (the caller is another goroutine)
		}
	}
}

// sleep is time.Sleep for interpreted code: an interrupt of the running
// cell ends it, and the cell stops there (awaitStop), where the compiled
// time.Sleep would hold the interrupt until its end and then leave the
// session to a fresh interpreter.
func (s *Session) sleep(d time.Duration) {
	if d <= 0 {
		return
	}
	ctx := s.context()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		s.awaitStop()
	}
}

// started implements startedFunc: the running program has passed the
// point where yaegi takes its run id.
func (s *Session) started() {
	if r := s.running.Load(); r != nil {
		r.once.Do(func() { close(r.started) })
	}
}

// eval compiles src and runs it. ctx interrupts it; so does enter, when
// recursion is too deep (stopping the interpreter unwinds its frames
// quickly, where a panic through thousands of interpreted frames takes
// seconds).
func (s *Session) eval(ctx context.Context, src string) (reflect.Value, error) {
	blocks := mayBlock(src)
	signals := blocks && statements(src)
	if signals {
		src = withStarted(src)
	}
	s.panicMu.Lock()
	s.panicLines = s.panicLines[:0]
	s.panicMu.Unlock()
	prog, err := s.compile(src)
	if err != nil {
		s.fixFrame()
		return reflect.Value{}, err
	}
	if ctx.Err() != nil { // interrupted while compiling: nothing ran
		return reflect.Value{}, ctx.Err()
	}
	overflow, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.overflow.Store(false)
	s.oom.Store(nil)
	s.stopEval.Store(&cancel)
	defer s.stopEval.Store(nil)
	r := s.start(prog, blocks, signals)
	select {
	case <-r.done:
	case <-ctx.Done():
	case <-overflow.Done():
	}
	if !closed(r.done) {
		s.stop(r)
		if !waitDone(r.done, 2*time.Second) {
			// A compiled call ignores the stop: leave it running (the
			// session moves to a fresh interpreter) and touch nothing of
			// this run.
			s.stuck = true
			return reflect.Value{}, s.stopError(ctx)
		}
		rearm(s.in)
		if r.err == nil || isStop(r.err) {
			return reflect.Value{}, s.stopError(ctx)
		}
	}
	if r.err == nil && ctx.Err() != nil {
		// A compiled call (Fit) saw the interrupt and returned before the
		// stop reached yaegi: the cell still counts as interrupted.
		return reflect.Value{}, ctx.Err()
	}
	if r.err != nil && !isStop(r.err) {
		s.fixFrame()
	}
	return r.v, r.err
}

// compile compiles src on the caller's goroutine.
func (s *Session) compile(src string) (prog *interp.Program, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = interp.Panic{Value: r}
		}
	}()
	return s.in.Compile(src)
}

// start runs prog on a goroutine of its own; signals says whether it
// starts with startedFunc, blocks whether it may run for long (otherwise
// an interrupt waits for its end).
func (s *Session) start(prog *interp.Program, blocks, signals bool) *run {
	r := &run{done: make(chan struct{}), started: make(chan struct{}), boundary: make(chan struct{}), stopped: make(chan struct{})}
	if blocks && !signals {
		// Declarations only (var initialisers may still run code): the
		// stop comes after a grace period instead.
		time.AfterFunc(stopGrace, func() { r.once.Do(func() { close(r.started) }) })
	}
	s.running.Store(r)
	in := s.in
	go func() {
		defer close(r.done)
		defer r.atBoundary()
		defer func() {
			if p := recover(); p != nil {
				r.err = interp.Panic{Value: p}
			}
		}()
		r.v, r.err = in.Execute(prog)
	}()
	return r
}

// stop stops the interpreter once run r's program has started (or r
// ended).
func (s *Session) stop(r *run) {
	select {
	case <-r.started:
		r.stopping.Store(true)
		// h := m.Fit(...) keeps the history Fit returns: the program goes
		// on to its next statement boundary (passed), or for a short grace
		// when the call sits in a nested block.
		host.AwaitCooperative(r.boundary, 5*time.Second)
		yaegiStop(s.in)
		close(r.stopped)
	case <-r.done:
	}
}

// stopError is the error of a stopped run: the interrupt, or a stack
// overflow when enter stopped it.
func (s *Session) stopError(ctx context.Context) error {
	if ctx.Err() == nil && s.overflow.Load() {
		return interp.Panic{Value: stackOverflow{}}
	}
	if e := s.oom.Load(); ctx.Err() == nil && e != nil {
		return interp.Panic{Value: e}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return context.Canceled
}

// isStop reports whether err is what a stopped run may return.
func isStop(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

func closed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// waitDone waits until c is closed, at most limit.
func waitDone(c chan struct{}, limit time.Duration) bool {
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case <-c:
		return true
	case <-t.C:
		return false
	}
}

// fixFrame is called after a compile error: it can leave symbols declared
// that the global frame has no room for yet (Globals would then panic); a
// trivial Execute resizes the frame.
func (s *Session) fixFrame() {
	defer func() { _ = recover() }()
	_, _ = s.in.Eval("0")
}
