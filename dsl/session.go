package dsl

import (
	"context"
	"fmt"
	"os"
	"path"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/latent-ai/latent/display"
	"github.com/latent-ai/latent/dsl/symbols"
	"github.com/latent-ai/latent/dsl/symbols/stdlib"
	"github.com/latent-ai/latent/modules"
	"github.com/latent-ai/latent/nbtools"
	"github.com/latent-ai/latent/runtime/host"
	"github.com/traefik/yaegi/interp"
)

// Options configure a session.
type Options struct {
	// Args is what os.Args holds for interpreted code (scripts).
	Args []string
	// NewReporter, when set, makes the progress reporter of each training
	// run (host.Set); it gets the running cell's sink. The default shows a
	// live display in the cell (plotting.LiveProgress).
	NewReporter func(sink display.Sink) host.Reporter
	// Exit, when set, is what os.Exit in interpreted code calls, after the
	// cell's pending output has been written: `latent script` ends the
	// process there, as a Go program would, without running deferred
	// calls. When nil, os.Exit raises an error in the cell and the
	// session goes on (a kernel must not exit).
	Exit func(code int)
}

// Session is one long-lived interpreter. Its methods are not safe for
// concurrent use, except that the context passed to Execute may be cancelled
// from any goroutine.
type Session struct {
	mu   sync.Mutex
	opts Options
	state

	st    streamer
	stdin stdinReader

	cell   int         // number of the running cell in positions, 1..maxCellTag, wrapping
	parsed *parsedCell // the cell being run, parsed once
	lines  lineMap     // the cell position of every program line (see lines.go)

	ctxMu      sync.Mutex
	ctx        context.Context // the running cell's context
	active     bool            // a cell is running
	activeCell int             // its number (cell), for goPanic

	gpMu      sync.Mutex
	gpDuring  []goPanicMsg // goroutine panics while the cell ran
	gpPending []goPanicMsg // goroutine panics after the cell had ended

	panicMu    sync.Mutex
	panicLines []string // yaegi's "file:line:col: panic: ..." lines of the last eval

	depth    atomic.Int64                       // interpreted calls in progress, in all goroutines
	goLive   atomic.Int64                       // goroutines started by cells still running
	probes   int                                // probe variables exported so far (see probe.go)
	overflow atomic.Bool                        // enter stopped the eval: recursion too deep
	stopEval atomic.Pointer[context.CancelFunc] // cancels the running eval

	typeNames atomic.Pointer[map[reflect.Type]string] // see refreshTypeNames

	oom   atomic.Pointer[host.AllocError] // the memory watchdog stopped the eval (memstop.go)
	tools toolState                       // notebook tools' state: %cd's previous directory, %history
}

// New starts a session with the Go standard library and the preloaded Latent
// packages available; the Latent packages are imported under their short
// names.
func New() (*Session, error) { return NewWithOptions(Options{}) }

// NewWithOptions starts a session configured by opts.
func NewWithOptions(opts Options) (*Session, error) {
	installFormatter()
	quietNilType()
	s := &Session{opts: opts}
	s.stdin.s = s
	in, err := s.newInterp()
	if err != nil {
		return nil, err
	}
	s.useFresh(in)
	return s, nil
}

// preImports are the packages every cell can use without an import line.
func preImports() []string {
	var ps []string
	for k := range symbols.Symbols {
		p := path.Dir(k)
		switch path.Base(p) {
		case "ae", "data", "display", "plotting", "metrics", "nn", "pca":
			ps = append(ps, p)
		}
	}
	sort.Strings(ps)
	return append(ps, "fmt", "sort") // the preamble uses sort
}

var specialStdioMu sync.Mutex

// newInterp creates an interpreter wired to the session's streams, with the
// preloaded packages imported and the helper preamble defined.
func (s *Session) newInterp() (*interp.Interpreter, error) {
	// YAEGI_SPECIAL_STDIO makes os.Stdout and os.Stderr of interpreted code
	// the session's writers; yaegi reads it in interp.New.
	specialStdioMu.Lock()
	old, had := os.LookupEnv("YAEGI_SPECIAL_STDIO")
	os.Setenv("YAEGI_SPECIAL_STDIO", "1")
	in := interp.New(interp.Options{
		Stdin:        &s.stdin,
		Stdout:       streamWriter{&s.st, "stdout"},
		Stderr:       panicFilter{s, streamWriter{&s.st, "stderr"}},
		Args:         s.opts.Args,
		Unrestricted: true,
	})
	if had {
		os.Setenv("YAEGI_SPECIAL_STDIO", old)
	} else {
		os.Unsetenv("YAEGI_SPECIAL_STDIO")
	}
	specialStdioMu.Unlock()
	if err := in.Use(stdlib.Symbols); err != nil {
		return nil, fmt.Errorf("dsl: loading the standard library: %w", err)
	}
	if err := in.Use(symbols.Symbols); err != nil {
		return nil, fmt.Errorf("dsl: loading the preloaded packages: %w", err)
	}
	if err := useLibraries(in); err != nil {
		return nil, err
	}
	if err := in.Use(modules.Default().Symbols()); err != nil {
		return nil, fmt.Errorf("dsl: loading the modules got with %%go get: %w", err)
	}
	sprintf := reflect.ValueOf(s.sprintf)
	fatals := s.fatalFuncs(in.Symbols("log")["log"]["Output"])
	// Values passed to these keep their String and Error methods, as for
	// fmt.Sprintf.
	keepMethods := map[reflect.Value][]reflect.Type{sprintf: fmtInterfaces}
	for _, f := range fatals {
		keepMethods[f] = fmtInterfaces
	}
	if err := in.Use(interp.Exports{
		".": {"MapTypes": reflect.ValueOf(keepMethods)},
		"latentsession/latentsession": {
			"GoPanic":     reflect.ValueOf(s.goPanic),
			"Clear":       reflect.ValueOf(clearValue),
			"Enter":       reflect.ValueOf(s.enter),
			"Leave":       reflect.ValueOf(s.leave),
			"GoLive":      reflect.ValueOf(func(d int64) { s.goLive.Add(d) }),
			"Return":      reflect.ValueOf(cellReturnFunc),
			"Len":         reflect.ValueOf(checkedLen),
			"Tuple":       reflect.ValueOf(newTuple),
			"Started":     reflect.ValueOf(s.started),
			"Passed":      reflect.ValueOf(s.passed),
			"Sprintf":     sprintf,
			"WriteString": reflect.ValueOf(writeString),
		},
		"os/os":     {"Exit": reflect.ValueOf(s.exit)},
		"log/log":   fatals,
		"time/time": {"Sleep": reflect.ValueOf(s.sleep)},
	}); err != nil {
		return nil, err
	}
	if err := in.Use(s.guardedSymbols()); err != nil { // guarded.go
		return nil, err
	}
	var b strings.Builder
	b.WriteString("import (\n")
	for _, p := range preImports() {
		b.WriteString(strconv.Quote(p) + "\n")
	}
	b.WriteString(")")
	if _, err := in.Eval(b.String()); err != nil {
		return nil, fmt.Errorf("dsl: importing the preloaded packages: %w", err)
	}
	if _, err := in.Eval(preamble); err != nil {
		return nil, fmt.Errorf("dsl: preamble: %w", err)
	}
	rearm(in)
	return in, nil
}

// Close releases the session. It is safe to call more than once.
func (s *Session) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.in = nil
	return nil
}

// Reset discards every variable, function, type and import and starts a
// fresh interpreter (the %reset magic).
func (s *Session) Reset() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reset()
}

func (s *Session) reset() error {
	in, err := s.newInterp()
	if err != nil {
		return err
	}
	s.useFresh(in)
	return nil
}

// context returns the running cell's context for the runtime (host.Context).
func (s *Session) context() context.Context {
	s.ctxMu.Lock()
	defer s.ctxMu.Unlock()
	if s.ctx == nil {
		return context.Background()
	}
	return s.ctx
}

// Execute runs code. It returns the bundle of the cell's last expression, or
// nil, and a *display.Error when the code fails. %history lists the code.
func (s *Session) Execute(ctx context.Context, code string, sink display.Sink) (*display.Bundle, error) {
	return s.executeCell(ctx, code, sink, true)
}

// ExecuteUnrecorded is Execute for code that %history leaves out, as
// Jupyter's history does: a silent request, one with store_history false,
// a user expression.
func (s *Session) ExecuteUnrecorded(ctx context.Context, code string, sink display.Sink) (*display.Bundle, error) {
	return s.executeCell(ctx, code, sink, false)
}

func (s *Session) executeCell(ctx context.Context, code string, sink display.Sink, record bool) (b *display.Bundle, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.in == nil {
		return nil, &display.Error{Name: "SessionClosed", Value: "the session was closed; start a new one"}
	}
	if sink == nil {
		sink = discardSink{}
	}
	s.cell = s.cell%maxCellTag + 1
	s.depth.Store(0)
	s.st.begin(sink)
	cs := cellSink{&s.st, sink}
	s.stdin.begin(cs)
	s.ctxMu.Lock()
	s.ctx, s.active, s.activeCell = ctx, true, s.cell
	s.ctxMu.Unlock()
	display.SetSink(cs)
	if s.opts.NewReporter != nil {
		host.Set(s.context, func() host.Reporter { return s.opts.NewReporter(cs) })
	} else {
		host.Set(s.context, liveReporter(cs))
	}
	host.SetMemoryStop(s.stopForMemory)
	s.reportEarlierPanics(cs)
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, &display.Error{Name: "InternalError", Value: fmt.Sprint(r),
				Traceback: []string{"InternalError: the session failed on this cell: " + fmt.Sprint(r), "The session is still usable; please report this cell."}}
		}
		s.ctxMu.Lock()
		s.ctx, s.active = nil, false
		s.ctxMu.Unlock()
		s.gpMu.Lock()
		during := s.gpDuring
		s.gpDuring = nil
		s.gpMu.Unlock()
		if err == nil && len(during) > 0 {
			// The cell's own code succeeded: its result is still shown, as
			// a display, and the reply reports the goroutine panics.
			if b != nil {
				cs.Display(*b, false)
			}
			b, err = nil, s.goroutineError(during)
		}
		s.reportEarlierPanics(cs)
		display.SetSink(nil)
		s.stdin.end()
		s.st.end()
	}()
	if s.stuck {
		cs.Stream("stderr", "warning: a compiled call from an interrupted cell is still running; restart the kernel if it keeps the CPU busy\n")
	}
	s.compact()
	s.resetLines()
	if record {
		s.tools.remember(code)
	}
	if parts, ok, err := nbtools.Split(code); err != nil {
		return nil, toolError("UsageError", err)
	} else if ok {
		return s.runTools(ctx, parts, cs)
	}
	if m, ok := parseMagic(code); ok {
		return s.runMagic(ctx, m, cs)
	}
	return s.execute(ctx, code, cs)
}

// compactEvery is how many cells an interpreter runs before the session
// moves to a fresh one: yaegi keeps about 2.7 KB of parse state per
// evaluation, and a rebuild gives it back.
const compactEvery = 2000

// compact rebuilds the interpreter when it has run compactEvery cells, if
// that moves every variable unchanged: no goroutine started by a cell is
// running, no variable holds a func value or an interface, and no compiled
// call is stuck. Otherwise it tries again later.
func (s *Session) compact() {
	s.sinceNew++
	if s.sinceNew < compactEvery && !s.shadowed {
		return
	}
	s.shadowed = false
	if s.goLive.Load() > 0 || s.stuck {
		s.sinceNew = compactEvery / 2
		return
	}
	if err := s.rebuild(context.Background(), "", nil, discardSink{}, true); err != nil {
		s.sinceNew = compactEvery / 2
		return
	}
	s.sinceNew = 0
	// No code of an earlier cell can run now but the declarations.
	keep := map[int]bool{}
	for _, d := range s.decls {
		keep[d.prog0] = true
	}
	s.lines.prune(keep)
}
