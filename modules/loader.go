package modules

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Package is one package made importable.
type Package struct {
	ImportPath, Name string
	Module, Version  string
	Cgo              bool // it has C code, compiled with the C compiler
}

// Result is what one Get did.
type Result struct {
	// Packages were built and loaded by this call.
	Packages []Package
	// Already were importable before (nothing to build).
	Already []string
	// Symbols are the new packages' tables, for interp.Use.
	Symbols map[string]map[string]reflect.Value
	// Offline is set when the proxy could not be reached and the local
	// module cache served the modules.
	Offline bool
	// Took is the time the whole call took.
	Took time.Duration
}

// Loader resolves, builds and loads modules into this process. Its zero
// value is not usable: use Default.
type Loader struct {
	mu      sync.Mutex
	host    host
	dir     string            // build directory: go.mod, the table generator, plugins
	build   int64             // number of the current build (see builds)
	modules map[string]string // module path -> version loaded in this process
	pkgs    map[string]bool   // import paths loaded
	symbols map[string]map[string]reflect.Value
	// goCmd is the go command; empty means look it up on PATH.
	goCmd string
}

// builds numbers the plugins of this process: a plugin path (its module
// path) can be loaded once per process, so each build gets a new one.
var builds atomic.Int64

var (
	defaultOnce   sync.Once
	defaultLoader *Loader
)

// Default returns the process's Loader: a process can load a package into
// its address space only once, so every session shares it.
func Default() *Loader {
	defaultOnce.Do(func() { defaultLoader = newLoader() })
	return defaultLoader
}

// Cleanup removes the build directory of the process's Loader (go.mod,
// generated tables, plugin files), if one was made. Packages already
// loaded stay loaded: the process keeps its mapping of each plugin. Call
// it once, when the process ends.
func Cleanup() { Default().removeDir() }

// removeDir removes the build directory; a later Get makes a new one.
func (l *Loader) removeDir() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.dir != "" {
		os.RemoveAll(l.dir)
		l.dir = ""
	}
}

func newLoader() *Loader {
	return &Loader{host: readHost(), modules: map[string]string{}, pkgs: map[string]bool{}, symbols: map[string]map[string]reflect.Value{}}
}

// Symbols returns the tables of every package loaded so far, for a new
// interpreter (interp.Use).
func (l *Loader) Symbols() map[string]map[string]reflect.Value {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]map[string]reflect.Value, len(l.symbols))
	for k, v := range l.symbols {
		out[k] = v
	}
	return out
}

// Loaded reports whether the package with this import path was loaded.
func (l *Loader) Loaded(importPath string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pkgs[importPath]
}

// Get makes the packages named by args importable. Each argument is what
// `go get` takes: an import path (a module's root package or one of its
// packages) with an optional @version, or path/... for every package
// under path. progress receives the go command's notes (downloads) as
// they come. ctx cancels the go commands (an interrupt).
func (l *Loader) Get(ctx context.Context, args []string, progress func(string)) (res *Result, err error) {
	start := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	defer func() {
		if err != nil && ctx.Err() != nil {
			res, err = nil, fmt.Errorf("%%go get %s was interrupted; nothing was loaded", strings.Join(args, " "))
		}
	}()
	if err := checkArgs(args); err != nil {
		return nil, err
	}
	if err := l.preflight(ctx); err != nil {
		return nil, err
	}
	res = &Result{}
	b := &build{l: l, ctx: ctx, progress: progress}
	if err := b.resolve(args, res); err != nil {
		return nil, err
	}
	pkgs, err := b.packages(args, res)
	if err != nil || len(pkgs) == 0 {
		res.Took = time.Since(start)
		return res, err
	}
	if err := b.checkVersions(pkgs); err != nil {
		return nil, err
	}
	syms, err := b.buildAndLoad(pkgs)
	if err != nil {
		return nil, err
	}
	for _, p := range pkgs {
		l.pkgs[p.ImportPath] = true
	}
	for k, v := range syms {
		l.symbols[k] = v
	}
	res.Packages, res.Symbols, res.Took = pkgs, syms, time.Since(start)
	return res, nil
}

// checkArgs refuses what `go get` would take for something else.
func checkArgs(args []string) error {
	if len(args) == 0 {
		return errors.New("%go get needs a module: %go get github.com/google/uuid@v1.6.0 (a version, @latest, or nothing for the latest)")
	}
	for _, a := range args {
		p, _, _ := strings.Cut(a, "@")
		first, _, _ := strings.Cut(p, "/")
		switch {
		case strings.HasPrefix(a, "-"):
			return fmt.Errorf("%%go get takes module paths, not flags (%s); run other go commands with !go ...", a)
		case !strings.Contains(first, "."):
			return fmt.Errorf("%s is not a module path (a module path starts with a domain, as github.com/google/uuid); the standard library needs no %%go get: import it", p)
		}
	}
	return nil
}

// preflight checks what building and loading a plugin needs, and makes
// the build directory.
func (l *Loader) preflight(ctx context.Context) error {
	switch {
	case !pluginsWork():
		return errors.New("compiled modules load as Go plugins, which this operating system does not support (Linux, macOS and FreeBSD do)")
	case !l.host.cgo:
		return errors.New("this latent binary was built without cgo (CGO_ENABLED=0), so it cannot load compiled modules: install gcc and rebuild it with CGO_ENABLED=1 (go build ./cmd/latent)")
	}
	if l.goCmd == "" {
		g, err := exec.LookPath("go")
		if err != nil {
			return fmt.Errorf("no Go toolchain: %%go get needs the go command (Go %s, the release latent was built with) on PATH; install it from https://go.dev/dl, put it on PATH and restart the kernel", goVersion())
		}
		l.goCmd = g
	}
	cc, err := l.goOutput(ctx, "", nil, "env", "CC")
	if err != nil {
		return fmt.Errorf("the go command does not run (%v); check your Go installation (go version)", err)
	}
	cc = strings.TrimSpace(cc)
	if _, err := exec.LookPath(firstField(cc)); err != nil {
		return fmt.Errorf("building a module into the running kernel needs a C compiler (%q is not installed): install gcc (apt-get install gcc) and try again", cc)
	}
	if l.host.devel {
		if err := l.readModuleDeps(ctx); err != nil {
			return err
		}
	}
	if l.dir == "" {
		dir, err := os.MkdirTemp("", "latent-modules-")
		if err != nil {
			return fmt.Errorf("cannot make a build directory: %v; check that the temporary directory (TMPDIR) is writable", err)
		}
		l.dir = dir
	}
	return nil
}

// readModuleDeps takes the modules that the packages and tests of the
// module the binary was built from (found from the working directory) use,
// at their versions, as its dependencies: a test binary records none.
func (l *Loader) readModuleDeps(ctx context.Context) error {
	// -mod=readonly: the module's go.mod and go.sum are the user's, never
	// to be written.
	out, err := l.goOutput(ctx, "", nil, "list", "-mod=readonly", "-e", "-f", "{{with .Module}}{{.Path}} {{.Version}}{{end}}", "all")
	if err != nil {
		return fmt.Errorf("this binary records no dependency versions and its module's cannot be listed (%v): build latent with go build", err)
	}
	for _, line := range strings.Split(out, "\n") {
		if p, v, ok := strings.Cut(strings.TrimSpace(line), " "); ok && v != "" {
			l.host.deps[p] = v
		}
	}
	l.host.devel = false
	return nil
}

func firstField(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return s
}

// goEnv is the environment of every go command the loader runs.
func (l *Loader) goEnv(extra []string) []string {
	env := append(os.Environ(),
		"GOFLAGS=-mod=mod",
		"GOWORK=off",
		"GO111MODULE=on",
		"CGO_ENABLED=1",
		"GOTOOLCHAIN=go"+goVersion(), // the plugin must be built by the binary's release
	)
	env = append(env, l.host.env...)
	return append(env, extra...)
}

// goOutput runs the go command in dir and returns its standard output; an
// error carries its standard error.
func (l *Loader) goOutput(ctx context.Context, dir string, extra []string, args ...string) (string, error) {
	return l.goStreaming(ctx, dir, extra, nil, args...)
}

// build is one Get's work in the loader's directory.
type build struct {
	l        *Loader
	ctx      context.Context
	progress func(string)
	extra    []string          // GOPROXY and GOSUMDB when offline
	needs    map[string]string // module -> version the build links
}

// writeGoMod starts go.mod afresh, with a new module path (a plugin path
// can be loaded once per process) and the versions this process already
// holds as the minimum: the binary's dependencies and the modules loaded
// earlier, so that the resolution picks them where it can.
func (b *build) writeGoMod() error {
	l := b.l
	l.build = builds.Add(1)
	var m strings.Builder
	fmt.Fprintf(&m, "module latentmodules/build%d\n\ngo %s\n\nrequire (\n", l.build, goVersion())
	req := map[string]string{}
	for p, v := range l.host.deps {
		req[p] = v
	}
	for p, v := range l.modules {
		req[p] = v
	}
	paths := make([]string, 0, len(req))
	for p := range req {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if req[p] != "" && req[p] != "(devel)" {
			fmt.Fprintf(&m, "\t%s %s\n", p, req[p])
		}
	}
	m.WriteString(")\n")
	for _, p := range paths {
		if r, ok := l.host.replaced[p]; ok {
			fmt.Fprintf(&m, "replace %s => %s\n", p, r)
		}
	}
	return os.WriteFile(filepath.Join(l.dir, "go.mod"), []byte(m.String()), 0o644)
}

// netFailure matches the go command's words for a proxy it cannot reach.
var netFailure = regexp.MustCompile(`dial tcp|no such host|connection refused|i/o timeout|network is unreachable|TLS handshake|proxyconnect|server misbehaving|temporary failure in name resolution`)

// resolve runs go get for args, falling back to the local module cache
// when the proxy cannot be reached.
func (b *build) resolve(args []string, res *Result) error {
	if err := b.writeGoMod(); err != nil {
		return fmt.Errorf("cannot write %s: %v", b.l.dir, err)
	}
	getArgs := append([]string{"get"}, args...)
	_, err := b.l.goStreaming(b.ctx, b.l.dir, nil, b.progress, getArgs...)
	if err != nil && netFailure.MatchString(err.Error()) {
		cache, cerr := b.l.goOutput(b.ctx, b.l.dir, nil, "env", "GOMODCACHE")
		if cerr == nil {
			b.progress("the module proxy cannot be reached: resolving from the local module cache\n")
			b.extra = []string{"GOPROXY=file://" + filepath.Join(strings.TrimSpace(cache), "cache", "download"), "GOSUMDB=off"}
			res.Offline = true
			if werr := b.writeGoMod(); werr != nil {
				return werr
			}
			_, err = b.l.goStreaming(b.ctx, b.l.dir, b.extra, b.progress, getArgs...)
		}
	}
	if err != nil {
		return explainGet(args, err, res.Offline)
	}
	return nil
}

// proxyRefusal matches the module proxy's answers for a module or version
// it does not have.
var proxyRefusal = regexp.MustCompile(`\b(400 Bad Request|403 Forbidden|404 Not Found|410 Gone)\b|not available`)

// explainGet turns go get's failure into what the user can do.
func explainGet(args []string, err error, offline bool) error {
	msg := err.Error()
	what := strings.Join(args, " ")
	switch {
	case msg == "interrupted":
		return fmt.Errorf("%%go get %s was interrupted", what)
	case offline && (strings.Contains(msg, "no such file or directory") || strings.Contains(msg, "not found") || strings.Contains(msg, "no matching versions") || strings.Contains(msg, "unrecognized import path")):
		return fmt.Errorf("%s: not in the local module cache, and the module proxy cannot be reached (offline). Connect to the network, or on a machine with one run go mod download %s and copy its module cache (go env GOMODCACHE)\n%s", what, what, msg)
	case strings.Contains(msg, "invalid version") || strings.Contains(msg, "unknown revision") || strings.Contains(msg, "no matching versions"):
		return fmt.Errorf("%s: no such version. List the versions with !go list -m -versions MODULE, then %%go get MODULE@VERSION\n%s", what, msg)
	case proxyRefusal.MatchString(msg):
		return fmt.Errorf("%s: the module proxy has no such module or version (only tagged releases may be served). Check the path as in its import line and the version (!go list -m -versions MODULE)\n%s", what, msg)
	case strings.Contains(msg, "not found") || strings.Contains(msg, "unrecognized import path") || strings.Contains(msg, "malformed module path") || strings.Contains(msg, "is not a package path"):
		return fmt.Errorf("%s: no such module or package. Check the path (as in its import line, for example github.com/google/uuid)\n%s", what, msg)
	case strings.Contains(msg, "requires go >="):
		return fmt.Errorf("%s needs a newer Go than the %s this latent was built with: pick an older version of the module, or rebuild latent with a newer Go\n%s", what, goVersion(), msg)
	}
	return fmt.Errorf("go get %s failed:\n%s", what, msg)
}
