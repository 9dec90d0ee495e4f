package dsl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/constant"
	"os"
	"path"
	"reflect"
	"regexp"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"

	"github.com/latent-ai/latent/display"
	"github.com/latent-ai/latent/dsl/symbols"
	"github.com/latent-ai/latent/runtime/host"
)

// Options configure a session.
type Options struct {
	// Args is what os.Args holds for interpreted code (scripts).
	Args []string
	// NewReporter, when set, makes the progress reporter of each training
	// run (host.Set); it gets the running cell's sink. The default shows a
	// live display in the cell (plotting.LiveProgress).
	NewReporter func(sink display.Sink) host.Reporter
}

// Session is one long-lived interpreter. Its methods are not safe for
// concurrent use, except that the context passed to Execute may be cancelled
// from any goroutine.
type Session struct {
	mu   sync.Mutex
	opts Options
	in   *interp.Interpreter

	st    streamer
	stdin stdinReader

	cell    int            // number of the running cell in positions, 1..maxCellTag, wrapping
	imports []importSpec   // every import evaluated, in order
	decls   []*declRec     // func, method, type and const declarations, for replay
	declIdx map[string]int // key -> index in decls
	aliases map[string]string

	ctxMu  sync.Mutex
	ctx    context.Context // the running cell's context
	active bool            // a cell is running

	gpMu      sync.Mutex
	gpDuring  []string // goroutine panics while the cell ran
	gpPending []string // goroutine panics after the cell had ended

	panicMu    sync.Mutex
	panicLines []string // yaegi's "file:line:col: panic: ..." lines of the last eval
	// regs caches the line-tracking registers of interpreter in.
	regs struct {
		in         *interp.Interpreter
		line, cell reflect.Value
	}

	depth    atomic.Int64                       // interpreted calls in progress, in all goroutines
	goLive   atomic.Int64                       // goroutines started by cells still running
	sinceNew int                                // cells run by the current interpreter
	shadowed bool                               // a cell re-declared a variable: compact before the next one
	probes   int                                // probe variables exported so far (see probe.go)
	probeIn  *interp.Interpreter                // the interpreter that imported the probe package
	overflow atomic.Bool                        // enter stopped the eval: recursion too deep
	stopEval atomic.Pointer[context.CancelFunc] // cancels the running eval
	oom      atomic.Pointer[host.AllocError]    // the memory watchdog stopped the eval (memstop.go)

	seq   int  // eval counter, labels eval goroutines
	stuck bool // an interrupted compiled call is still running
}

// declRec is a top-level declaration kept for replay.
type declRec struct {
	keys    []string
	kinds   []string
	body    string // source without the //line directive, to spot redefinitions
	src     string // source with its directive
	results int    // number of results of a func declaration, -1 otherwise
}

// New starts a session with the Go standard library and the preloaded Latent
// packages available; the Latent packages are imported under their short
// names.
func New() (*Session, error) { return NewWithOptions(Options{}) }

// NewWithOptions starts a session configured by opts.
func NewWithOptions(opts Options) (*Session, error) {
	installFormatter()
	s := &Session{opts: opts}
	s.stdin.s = s
	in, err := s.newInterp()
	if err != nil {
		return nil, err
	}
	s.in = in
	s.resetState()
	return s, nil
}

func (s *Session) resetState() {
	s.imports = nil
	s.decls = nil
	s.declIdx = map[string]int{}
	s.aliases = map[string]string{}
	for _, p := range preImports() {
		s.aliases[path.Base(p)] = p
	}
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
	if err := in.Use(interp.Exports{
		"latentsession/latentsession": {
			"GoPanic": reflect.ValueOf(s.goPanic),
			"Clear":   reflect.ValueOf(clearValue),
			"Enter":   reflect.ValueOf(s.enter),
			"Leave":   reflect.ValueOf(s.leave),
			"GoLive":  reflect.ValueOf(func(d int64) { s.goLive.Add(d) }),
			"Return":  reflect.ValueOf(cellReturnFunc),
			"Len":     reflect.ValueOf(checkedLen),
		},
		"os/os": {"Exit": reflect.ValueOf(exitFunc)},
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
	return in, nil
}

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

// exitPanic is what os.Exit in a cell raises: the kernel must not exit.
type exitPanic struct{ code int }

func (e exitPanic) String() string { return fmt.Sprintf("os.Exit(%d) called", e.code) }

func exitFunc(code int) { panic(exitPanic{code}) }

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
	s.in = in
	s.sinceNew = 0
	s.resetState()
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
// nil, and a *display.Error when the code fails.
func (s *Session) Execute(ctx context.Context, code string, sink display.Sink) (b *display.Bundle, err error) {
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
	s.ctx, s.active = ctx, true
	s.ctxMu.Unlock()
	display.SetSink(cs)
	if s.opts.NewReporter != nil {
		host.Set(s.context, func() host.Reporter { return s.opts.NewReporter(cs) })
	} else {
		host.Set(s.context, liveReporter(cs))
	}
	host.SetMemoryStop(s.stopForMemory)
	// Goroutine panics that came after the previous cell had ended are
	// reported as this cell's error.
	s.gpMu.Lock()
	pending := s.gpPending
	s.gpPending = nil
	s.gpMu.Unlock()
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
		if err == nil && len(during)+len(pending) > 0 {
			// The cell itself succeeded: its result is still shown, as a
			// display, and the reply reports the goroutine panics.
			if b != nil {
				cs.Display(*b, false)
			}
			b, err = nil, s.goroutineError(during, pending)
		}
		display.SetSink(nil)
		s.stdin.end()
		s.st.end()
	}()
	if s.stuck {
		cs.Stream("stderr", "warning: a compiled call from an interrupted cell is still running; restart the kernel if it keeps the CPU busy\n")
	}
	s.compact()
	s.resetLines()
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
}

// discardSink drops outputs, for callers that pass a nil sink.
type discardSink struct{}

func (discardSink) Stream(string, string)        {}
func (discardSink) Display(display.Bundle, bool) {}
func (discardSink) Clear(bool)                   {}
func (discardSink) Input(string, bool) (string, error) {
	return "", display.ErrNoStdin
}

// execute runs one cell of Go source: imports first; then, when the cell
// changes an existing declaration, a rebuild with all of the cell's
// declarations; otherwise consecutive declarations are evaluated together
// at their place among the statements.
func (s *Session) execute(ctx context.Context, code string, sink display.Sink) (res *display.Bundle, rerr error) {
	chunks, err := splitCell(code, s.cell, s)
	if err != nil {
		var ue unsupportedError
		if errors.As(err, &ue) {
			return nil, s.newError(code, "Unsupported", s.humanize(ue.Error()), ue.Error())
		}
		return nil, s.syntaxErr(code, err)
	}
	for _, c := range chunks {
		if c.defers {
			defer func() {
				if err := s.runDefers(ctx, code); err != nil && rerr == nil {
					res, rerr = nil, err
				}
			}()
			break
		}
	}
	if err := s.evalAutoImports(ctx, code); err != nil {
		return nil, err
	}
	if s.redeclares(chunks) {
		s.shadowed = true
	}
	redefines := false
	var decls []chunk
	for _, c := range chunks {
		switch c.kind {
		case chunkImport:
			if err := s.evalImports(ctx, code, c); err != nil {
				return nil, err
			}
		case chunkDecl:
			same, redef := s.compareDecl(c)
			redefines = redefines || redef
			if !same {
				decls = append(decls, c)
			}
		}
	}
	if redefines {
		if err := s.rebuild(ctx, code, decls, sink, false); err != nil {
			return nil, err
		}
	}
	var result *display.Bundle
	var batch []chunk
	for i, c := range chunks {
		if c.kind == chunkDecl && !redefines {
			if same, _ := s.compareDecl(c); !same {
				batch = append(batch, c)
			}
		}
		if len(batch) > 0 && (i == len(chunks)-1 || chunks[i+1].kind != chunkDecl) {
			if err := s.evalDecls(ctx, code, batch); err != nil {
				return nil, err
			}
			batch = nil
		}
		if c.kind == chunkProbe {
			result = nil
			if err := s.evalProbe(ctx, c); err != nil {
				return nil, s.evalErr(ctx, code, err)
			}
			continue
		}
		if c.kind != chunkVar && c.kind != chunkStmts {
			continue
		}
		result = nil
		v, err := s.eval(ctx, c.src)
		if isCellReturn(err) {
			return nil, nil // a top-level return: the rest of the cell does not run
		}
		if err != nil {
			return nil, s.evalErr(ctx, code, err)
		}
		if c.kind == chunkStmts && c.showLast && s.showsResult(c.lastCall) && v.IsValid() && v.CanInterface() && !internalValue(v, c.lastCall != "") {
			bd, ok := s.renderUser(v)
			if !ok {
				bd = display.Format(v.Interface())
			}
			result = &bd
		}
	}
	return result, nil
}

// runDefers runs the calls registered by the cell's top-level defers, last
// first, even when the cell failed or was interrupted.
func (s *Session) runDefers(ctx context.Context, code string) error {
	if ctx.Err() != nil {
		c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		ctx = c
	}
	if _, err := s.eval(ctx, runDefers); err != nil {
		return s.evalErr(ctx, code, err)
	}
	return nil
}

// internalValue reports values that are the interpreter's own (what yaegi
// returns for a call without results), not something to show.
func internalValue(v reflect.Value, call bool) bool {
	t := v.Type()
	if call && t == reflect.TypeOf((*any)(nil)) {
		return true // a method call without results
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return strings.Contains(t.PkgPath(), "traefik/yaegi")
}

// renderUser shows a value of a notebook type that implements
// display.Renderer (a Render() display.Bundle method) or image.Image. yaegi
// hands such values to compiled code without their methods, so the session
// converts them inside the interpreter, where the methods are known.
func (s *Session) renderUser(v reflect.Value) (b display.Bundle, ok bool) {
	var renders, images []string
	for k := range s.declIdx {
		recv, m, found := strings.Cut(k, ".")
		switch {
		case !found:
		case m == "Render":
			renders = append(renders, recv)
		case m == "At":
			images = append(images, recv)
		}
	}
	if len(renders)+len(images) == 0 {
		return b, false
	}
	name, ok := typeExpr(v.Type(), userTypes(s.in, s.decls))
	if !ok {
		return b, false
	}
	base := strings.TrimPrefix(name, "*")
	var conv string
	switch {
	case slices.Contains(renders, base):
		conv = "(func() display.Bundle { var r display.Renderer = __latentV.(" + name + "); return r.Render() })()"
	case slices.Contains(images, base) && s.declIdx[base+".Bounds"] >= 0 && s.declIdx[base+".ColorModel"] >= 0:
		conv = "display.Image(__latentV.(" + name + "))"
	default:
		return b, false
	}
	defer func() {
		if r := recover(); r != nil {
			ok = false
		}
	}()
	g := s.globals()["__latentV"]
	if !g.IsValid() || !g.CanSet() {
		return b, false
	}
	g.Set(v)
	defer g.Set(reflect.Zero(g.Type()))
	r, err := s.in.Eval(conv)
	if err != nil || !r.IsValid() || !r.CanInterface() {
		return b, false
	}
	b, ok = r.Interface().(display.Bundle)
	return b, ok
}

// showsResult reports whether a last-expression call to callee has one
// result worth showing (fmt.Println's two results are not).
func (s *Session) showsResult(callee string) bool {
	if callee == "" {
		return true
	}
	if i, ok := s.declIdx[callee]; ok {
		return s.decls[i].results == 1 || s.decls[i].results < 0
	}
	pkg, name, ok := strings.Cut(callee, ".")
	if !ok {
		return true
	}
	p, ok := s.aliases[pkg]
	if !ok {
		return true
	}
	if fn, ok := lookupSymbol(p, name); ok && fn.Kind() == reflect.Func {
		return fn.Type().NumOut() == 1
	}
	return true
}

// lookupSymbol finds a compiled package member.
func lookupSymbol(pkgPath, name string) (reflect.Value, bool) {
	key := pkgPath + "/" + path.Base(pkgPath)
	if m, ok := symbols.Symbols[key]; ok {
		v, ok := m[name]
		return v, ok
	}
	if m, ok := stdlib.Symbols[key]; ok {
		v, ok := m[name]
		return v, ok
	}
	return reflect.Value{}, false
}

// evalImports evaluates the imports of c that are not in effect yet.
func (s *Session) evalImports(ctx context.Context, code string, c chunk) error {
	var todo []importSpec
	for _, im := range c.imports {
		if !s.imported(im) {
			todo = append(todo, im)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	for _, im := range todo {
		if err := s.importConflict(code, im); err != nil {
			return err
		}
	}
	var b strings.Builder
	b.WriteString("import (")
	for _, im := range todo {
		b.WriteString(im.source() + "; ")
	}
	b.WriteString(")")
	if _, err := s.eval(ctx, c.src+b.String()); err != nil {
		return s.evalErr(ctx, code, err)
	}
	for _, im := range todo {
		s.addImport(im)
	}
	return nil
}

// evalDecls evaluates new declarations together and records them for
// replay.
func (s *Session) evalDecls(ctx context.Context, code string, decls []chunk) error {
	var b strings.Builder
	for _, c := range decls {
		b.WriteString(c.src)
		b.WriteString("\n")
	}
	if _, err := s.eval(ctx, b.String()); err != nil {
		return s.evalErr(ctx, code, err)
	}
	for _, c := range decls {
		s.record(c)
	}
	return nil
}

// imported reports whether im was already imported (a no-op then).
func (s *Session) imported(im importSpec) bool {
	name := im.name()
	if name == "_" {
		return false
	}
	return s.aliases[name] == im.Path
}

func (s *Session) addImport(im importSpec) {
	s.imports = append(s.imports, im)
	if name := im.name(); name != "_" && name != "." {
		s.aliases[name] = im.Path
	}
}

// importConflict returns an error when im would bind a name that an
// earlier import gave to another package (yaegi's own message for that is
// "rand/_.go redeclared in this block").
func (s *Session) importConflict(code string, im importSpec) error {
	name := im.name()
	old, ok := s.aliases[name]
	if !ok || old == im.Path || name == "_" || name == "." {
		return nil
	}
	msg := fmt.Sprintf("%s is already the package %q, imported earlier; import %q under another name, as in: import %s2 %q",
		name, old, im.Path, name, im.Path)
	return s.newError(code, "CompileError", msg, "")
}

// compareDecl reports whether every key of c is already declared with the
// same source (same), or some key is declared with a different one (redef).
func (s *Session) compareDecl(c chunk) (same, redef bool) {
	body := c.body
	same = true
	for _, k := range c.keys {
		i, ok := s.declIdx[k]
		if !ok {
			same = false
			continue
		}
		if s.decls[i].body != body {
			same = false
			redef = true
		}
	}
	return same, redef
}

func stripDirective(src string) string {
	if strings.HasPrefix(src, "\n//line ") {
		if i := strings.Index(src[1:], "\n"); i >= 0 {
			return src[i+2:]
		}
	}
	return src
}

// record adds a declaration chunk to the replay list.
func (s *Session) record(c chunk) {
	rec := &declRec{keys: c.keys, kinds: c.kinds, body: c.body, src: c.src, results: c.results}
	s.decls = append(s.decls, rec)
	for _, k := range c.keys {
		s.declIdx[k] = len(s.decls) - 1
	}
}

// eval runs src with ctx. The goroutine yaegi starts for it carries a
// profiler label, so that after an interrupt the session can wait until the
// interpreted code has really stopped before it runs anything else.
//
// yaegi loses a stop that comes before the compiled program starts to run
// (its global frame then takes the new run id and a `for {}` never ends),
// so the cell is compiled first and an interrupt is passed on to yaegi
// only once the interpreted code is running (see forwardStop).
func (s *Session) eval(ctx context.Context, src string) (v reflect.Value, err error) {
	s.seq++
	label := fmt.Sprintf("%p-%d", s, s.seq)
	s.panicMu.Lock()
	s.panicLines = s.panicLines[:0]
	s.panicMu.Unlock()
	// The eval's own context is also cancelled by enter when recursion is
	// too deep: stopping the interpreter unwinds its frames quickly, where a
	// panic through thousands of interpreted frames takes seconds.
	evalCtx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.overflow.Store(false)
	s.oom.Store(nil)
	s.stopEval.Store(&cancel)
	defer s.stopEval.Store(nil)
	finished := make(chan struct{})
	defer close(finished)
	go forwardStop(ctx, label, cancel, finished)
	pprof.Do(context.Background(), pprof.Labels("latent_eval", label), func(context.Context) {
		defer func() {
			if r := recover(); r != nil {
				err = interp.Panic{Value: r}
			}
		}()
		prog, cerr := s.in.Compile(src)
		switch {
		case cerr != nil:
			err = cerr
		case ctx.Err() != nil: // interrupted while compiling: nothing ran
			err = ctx.Err()
		default:
			v, err = s.in.ExecuteWithContext(evalCtx, prog)
		}
	})
	if err == nil && ctx.Err() != nil {
		// A compiled call (Fit) saw the interrupt and returned before the
		// stop reached yaegi: the cell still counts as interrupted.
		err = ctx.Err()
	}
	if (ctx.Err() != nil || evalCtx.Err() != nil) && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		s.stuck = !waitStopped(label, 2*time.Second)
		if ctx.Err() == nil && s.overflow.Load() {
			err = interp.Panic{Value: stackOverflow{}}
		} else if e := s.oom.Load(); ctx.Err() == nil && e != nil {
			err = interp.Panic{Value: e}
		} else {
			err = ctx.Err()
		}
	} else if err != nil {
		s.fixFrame()
	}
	return v, err
}

// forwardStop cancels the eval labelled label (stop) when ctx is cancelled,
// but only once its interpreted code is running: a stop that yaegi gets
// while it still prepares the program is lost. It returns when finished is
// closed.
func forwardStop(ctx context.Context, label string, stop context.CancelFunc, finished <-chan struct{}) {
	select {
	case <-finished:
		return
	case <-ctx.Done():
	}
	for !evalRunning(label) {
		select {
		case <-finished:
			return
		case <-time.After(time.Millisecond):
		}
	}
	stop()
}

// evalGoroutines returns the stacks of the goroutines labelled label (the
// eval's own and those its code started) that contain marker. A profile
// keeps only the innermost frames of a deep stack, so a marker near the
// bottom (ExecuteWithContext) can be missing from a deep recursion.
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

// evalRunning reports whether the eval labelled label runs interpreted
// code, that is has passed the point where yaegi takes its run id: a
// goroutine with its label is in yaegi's runCfg (among the innermost
// frames, which a profile always keeps). Goroutines the code started have
// the label too, but they exist only once the code runs.
func evalRunning(label string) bool { return len(evalGoroutines(label, "interp.runCfg")) > 0 }

// fixFrame is called after a compile error: it can leave symbols declared
// that the global frame has no room for yet (Globals would then panic); a
// trivial Execute resizes the frame.
func (s *Session) fixFrame() {
	defer func() { _ = recover() }()
	_, _ = s.in.Eval("0")
}

// globals returns the interpreter's global variables and constants; it
// never panics.
func (s *Session) globals() map[string]reflect.Value { return s.globalsOf(s.in) }

func (s *Session) globalsOf(in *interp.Interpreter) (g map[string]reflect.Value) {
	defer func() {
		if r := recover(); r != nil {
			g = map[string]reflect.Value{}
		}
	}()
	return in.Globals()
}

// waitStopped waits until no goroutine labelled label is still inside
// yaegi's ExecuteWithContext, and reports whether that happened within
// limit.
func waitStopped(label string, limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	for len(evalGoroutines(label, "ExecuteWithContext")) > 0 {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(2 * time.Millisecond)
	}
	return true
}

// intValued implements rewriteEnv.
func (s *Session) intValued(name string) bool {
	if i, ok := s.declIdx[name]; ok {
		for j, k := range s.decls[i].keys {
			if k == name && s.decls[i].kinds[j] == "const" {
				v, ok := s.globals()[name]
				return ok && isIntKind(v)
			}
		}
		return false
	}
	v, ok := s.globals()[name]
	return ok && isIntKind(v)
}

func isIntKind(v reflect.Value) bool {
	if !v.IsValid() {
		return false
	}
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return true
	}
	if v.CanInterface() {
		if c, ok := v.Interface().(constant.Value); ok {
			return c.Kind() == constant.Int
		}
	}
	return false
}

// isPackage implements rewriteEnv.
func (s *Session) isPackage(name string) bool {
	_, ok := s.aliases[name]
	return ok
}

// funcValued implements rewriteEnv.
func (s *Session) funcValued(name string) bool {
	if i, ok := s.declIdx[name]; ok {
		return kindOf(s.decls[i], name) == "func"
	}
	v, ok := s.globals()[name]
	return ok && v.IsValid() && v.Kind() == reflect.Func
}

// userDefined implements rewriteEnv.
func (s *Session) userDefined(name string) bool {
	if _, ok := s.declIdx[name]; ok {
		return true
	}
	if _, ok := s.aliases[name]; ok {
		return false
	}
	_, ok := s.globals()[name]
	return ok
}

// goPanic is called (compiled) by the interpreted recover of a goroutine.
func (s *Session) goPanic(r any, line int) {
	if v, ok := r.(reflect.Value); ok && v.IsValid() && v.CanInterface() {
		r = v.Interface()
	}
	msg := fmt.Sprintf("%s: %s", panicName(r), panicValue(r))
	if p, ok := trackedPos(int64(line)); ok {
		// The raw position; goroutineError makes it readable.
		msg += fmt.Sprintf(" (at %d:%d)", p.cell*lineBase+p.line, p.col)
	}
	s.ctxMu.Lock()
	active := s.active
	s.ctxMu.Unlock()
	s.gpMu.Lock()
	defer s.gpMu.Unlock()
	if active {
		s.gpDuring = append(s.gpDuring, msg)
	} else if len(s.gpPending) < 100 {
		s.gpPending = append(s.gpPending, msg)
	}
}

// goroutineError reports the panics of goroutines started by this cell
// (during) and of goroutines that panicked after their cell had ended
// (earlier).
func (s *Session) goroutineError(during, earlier []string) error {
	for _, ms := range [][]string{during, earlier} {
		for i, m := range ms {
			ms[i] = s.humanize(m)
		}
	}
	var tb []string
	if len(during) > 0 {
		tb = append(tb, "GoroutinePanic: a goroutine started by this cell panicked:")
		for _, m := range during {
			tb = append(tb, "  "+m)
		}
	}
	if len(earlier) > 0 {
		tb = append(tb, "GoroutinePanic: a goroutine started by an earlier cell panicked after that cell ended (this cell itself ran to the end):")
		for _, m := range earlier {
			tb = append(tb, "  "+m)
		}
	}
	tb = append(tb, "The session is still usable.")
	return &display.Error{Name: "GoroutinePanic", Value: strings.Join(append(append([]string(nil), during...), earlier...), "; "), Traceback: tb}
}
