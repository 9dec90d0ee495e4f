package dsl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime/pprof"
	"time"

	"github.com/traefik/yaegi/interp"
)

// A cell's program runs on a goroutine of its own (run), which closes a
// channel when yaegi returns: the session waits on that channel, so the
// race detector sees every hand-over between the interpreter and the
// session, after an interrupt too.
//
// An interrupt stops yaegi with yaegiStop (see yaegi.go), but only once
// the program runs: a stop that comes while yaegi still prepares it is
// lost (the program's global frame takes the new run id and a `for {}`
// never ends). Whether it runs is read from a goroutine profile (the run
// goroutine carries a label); that decides only when to stop, never what
// the session may touch.

// run is one execution of a compiled program.
type run struct {
	done chan struct{} // closed when Execute returned; v and err are set then
	v    reflect.Value
	err  error
}

// eval compiles src and runs it. ctx interrupts it; so does enter, when
// recursion is too deep (stopping the interpreter unwinds its frames
// quickly, where a panic through thousands of interpreted frames takes
// seconds).
func (s *Session) eval(ctx context.Context, src string) (reflect.Value, error) {
	s.seq++
	label := fmt.Sprintf("%p-%d", s, s.seq)
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
	s.stopEval.Store(&cancel)
	defer s.stopEval.Store(nil)
	r := s.start(prog, label)
	select {
	case <-r.done:
	case <-ctx.Done():
	case <-overflow.Done():
	}
	if !closed(r.done) {
		s.stop(r, label)
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

// start runs prog on a goroutine labelled label.
func (s *Session) start(prog *interp.Program, label string) *run {
	r := &run{done: make(chan struct{})}
	in := s.in
	go pprof.Do(context.Background(), pprof.Labels("latent_eval", label), func(context.Context) {
		defer close(r.done)
		defer func() {
			if p := recover(); p != nil {
				r.err = interp.Panic{Value: p}
			}
		}()
		r.v, r.err = in.Execute(prog)
	})
	return r
}

// stop stops the interpreter once run r's program runs (or r ended).
func (s *Session) stop(r *run, label string) {
	for !evalRunning(label) {
		select {
		case <-r.done:
			return
		case <-time.After(time.Millisecond):
		}
	}
	yaegiStop(s.in)
}

// stopError is the error of a stopped run: the interrupt, or a stack
// overflow when enter stopped it.
func (s *Session) stopError(ctx context.Context) error {
	if ctx.Err() == nil && s.overflow.Load() {
		return interp.Panic{Value: stackOverflow{}}
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

// evalGoroutines returns the stacks of the goroutines labelled label (the
// run's own and those its code started) that contain marker. A profile
// keeps only the innermost frames of a deep stack.
func evalGoroutines(label, marker string) [][]byte {
	want := []byte(`"latent_eval":"` + label + `"`)
	var buf bytes.Buffer
	_ = pprof.Lookup("goroutine").WriteTo(&buf, 1)
	var out [][]byte
	for _, rec := range bytes.Split(buf.Bytes(), []byte("\n\n")) {
		if bytes.Contains(rec, want) && bytes.Contains(rec, []byte(marker)) {
			out = append(out, rec)
		}
	}
	return out
}

// evalRunning reports whether the run labelled label runs interpreted
// code, that is has passed the point where yaegi takes its run id: a
// goroutine with its label is in yaegi's runCfg (among the innermost
// frames, which a profile always keeps).
func evalRunning(label string) bool { return len(evalGoroutines(label, "interp.runCfg")) > 0 }

// fixFrame is called after a compile error: it can leave symbols declared
// that the global frame has no room for yet (Globals would then panic); a
// trivial Execute resizes the frame.
func (s *Session) fixFrame() {
	defer func() { _ = recover() }()
	_, _ = s.in.Eval("0")
}
