package dsl

import (
	"context"
	"fmt"
	"os"
	"path"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/latent-ai/latent/display"
	"github.com/latent-ai/latent/dsl/docs"
	"github.com/latent-ai/latent/dsl/symbols"
)

// magic is a parsed magic command: %name args, or %%name with a cell body.
type magic struct {
	name string // without the % signs
	cell bool   // %%name
	args string // rest of the magic line
	rest string // the cell after the magic line
}

// magicDef is one magic: its name (without the % signs; "%time" for
// %%time), its one-line help, and its handler. A handler returns the
// cell's result; what follows the magic line runs afterwards as a cell,
// unless the handler says it consumed it.
type magicDef struct {
	name, help string
	run        func(s *Session, ctx context.Context, m magic, sink display.Sink) (res *display.Bundle, consumed bool, err error)
}

// magics is the magic dispatch table: a new magic is one entry here and
// its handler. (It is filled by init: %help lists the magics.)
var magics []magicDef

func init() {
	magics = []magicDef{
		{"help", "%help lists the preloaded API; %help NAME shows one symbol's doc", (*Session).helpMagic},
		{"who", "%who lists your variables with their types", (*Session).whoMagic},
		{"reset", "%reset discards all variables, functions, types and imports", (*Session).resetMagic},
		{"time", "%time STATEMENT runs one line and prints how long it took; the lines after it run as usual", (*Session).timeMagic},
		{"%time", "%%time on a cell's first line times the whole cell", (*Session).cellTimeMagic},
		{"env", "%env shows the environment; %env NAME shows one variable; %env NAME=VALUE sets it", (*Session).envMagic},
	}
}

// parseMagic recognises a cell whose first non-blank line starts with %.
func parseMagic(code string) (magic, bool) {
	trimmed := strings.TrimLeft(code, " \t\r\n")
	if !strings.HasPrefix(trimmed, "%") {
		return magic{}, false
	}
	line, rest, _ := strings.Cut(trimmed, "\n")
	line = strings.TrimSpace(line)
	m := magic{rest: rest}
	if strings.HasPrefix(line, "%%") {
		m.cell = true
		line = line[2:]
	} else {
		line = line[1:]
	}
	m.name, m.args, _ = strings.Cut(line, " ")
	m.args = strings.TrimSpace(m.args)
	return m, true
}

func knownMagics() string {
	var names []string
	for _, m := range magics {
		names = append(names, "%"+m.name)
	}
	return strings.Join(names, ", ")
}

// runMagic executes a magic cell: the handler of its magic, then the rest
// of the cell.
func (s *Session) runMagic(ctx context.Context, m magic, sink display.Sink) (*display.Bundle, error) {
	key := m.name
	if m.cell {
		key = "%" + key
	}
	for _, d := range magics {
		if d.name != key {
			continue
		}
		res, consumed, err := d.run(s, ctx, m, sink)
		if err != nil || consumed || strings.TrimSpace(m.rest) == "" {
			return res, err
		}
		return s.execute(ctx, m.rest, sink)
	}
	if m.cell {
		return nil, s.unknownMagic("%%" + m.name)
	}
	return nil, s.unknownMagic("%" + m.name)
}

func out(sink display.Sink, format string, a ...any) {
	sink.Stream("stdout", fmt.Sprintf(format, a...))
}

func (s *Session) cellTimeMagic(ctx context.Context, m magic, sink display.Sink) (*display.Bundle, bool, error) {
	start := time.Now()
	b, err := s.execute(ctx, m.rest, sink)
	s.st.flush()
	out(sink, "time: %s\n", fmtDuration(time.Since(start)))
	return b, true, err
}

func (s *Session) timeMagic(ctx context.Context, m magic, sink display.Sink) (*display.Bundle, bool, error) {
	start := time.Now()
	b, err := s.execute(ctx, m.args, sink)
	s.st.flush()
	out(sink, "time: %s\n", fmtDuration(time.Since(start)))
	return b, false, err
}

func (s *Session) helpMagic(_ context.Context, m magic, sink display.Sink) (*display.Bundle, bool, error) {
	if m.args == "" {
		out(sink, "%s", s.helpAll())
		return nil, false, nil
	}
	text, ok := s.helpFor(m.args)
	if !ok {
		text, ok = s.helpSearch(m.args)
	}
	if !ok {
		return nil, false, &display.Error{Name: "HelpError", Value: fmt.Sprintf("no help for %q: try a preloaded name such as data.Set, a standard library name such as strings.Split, or one of your own functions", m.args),
			Traceback: []string{fmt.Sprintf("HelpError: no help for %q", m.args)}}
	}
	out(sink, "%s", text)
	return nil, false, nil
}

func (s *Session) whoMagic(_ context.Context, _ magic, sink display.Sink) (*display.Bundle, bool, error) {
	out(sink, "%s", s.who())
	return nil, false, nil
}

func (s *Session) resetMagic(_ context.Context, _ magic, sink display.Sink) (*display.Bundle, bool, error) {
	if err := s.reset(); err != nil {
		return nil, false, &display.Error{Name: "ResetError", Value: err.Error(), Traceback: []string{"ResetError: " + err.Error()}}
	}
	out(sink, "session reset: all variables, functions, types and imports are gone\n")
	return nil, false, nil
}

func (s *Session) envMagic(_ context.Context, m magic, sink display.Sink) (*display.Bundle, bool, error) {
	return nil, false, envMagic(m.args, func(f string, a ...any) { out(sink, f, a...) })
}

func (s *Session) unknownMagic(name string) error {
	msg := fmt.Sprintf("unknown magic %s; the known magics are %s", name, knownMagics())
	return &display.Error{Name: "UnknownMagic", Value: msg, Traceback: []string{"UnknownMagic: " + msg}}
}

func fmtDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(10 * time.Microsecond).String()
	}
	return d.Round(time.Millisecond).String()
}

// envMagic implements %env.
func envMagic(args string, out func(string, ...any)) error {
	switch {
	case args == "":
		env := os.Environ()
		sort.Strings(env)
		for _, e := range env {
			out("%s\n", e)
		}
	case strings.ContainsAny(args, "= "):
		k, v, ok := strings.Cut(args, "=")
		if !ok {
			k, v, _ = strings.Cut(args, " ")
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if err := os.Setenv(k, v); err != nil {
			msg := fmt.Sprintf("cannot set %q: %v", k, err)
			return &display.Error{Name: "EnvError", Value: msg, Traceback: []string{"EnvError: " + msg}}
		}
		out("env: %s=%s\n", k, v)
	default:
		if v, ok := os.LookupEnv(args); ok {
			out("%s\n", v)
		} else {
			out("%s is not set\n", args)
		}
	}
	return nil
}

// who lists user variables with their types.
func (s *Session) who() string {
	vars := s.userVars()
	if len(vars) == 0 {
		return "no variables\n"
	}
	names := make([]string, 0, len(vars))
	for n := range vars {
		names = append(names, n)
	}
	sort.Strings(names)
	types := userTypes(s.in, s.decls)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "%-16s %s\n", n, s.typeName(vars[n].Type(), types))
	}
	return b.String()
}

// typeName names t as the user wrote it where it is a notebook type.
func (s *Session) typeName(t reflect.Type, types map[reflect.Type]string) string {
	if te, ok := typeExpr(t, types); ok {
		return te
	}
	return t.String()
}

// helpAll lists the preloaded API, one line each.
func (s *Session) helpAll() string {
	var b strings.Builder
	b.WriteString("Preloaded packages (no import needed): " + strings.Join(shortNames(), ", ") + "\n")
	b.WriteString("Magics: " + knownMagics() + "\n\n")
	keys := make([]string, 0, len(symbols.Symbols))
	for k := range symbols.Symbols {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p := path.Dir(k)
		pkg := path.Base(k)
		if !isPreImported(p) {
			continue
		}
		names := make([]string, 0, len(symbols.Symbols[k]))
		for n := range symbols.Symbols[k] {
			if !strings.HasPrefix(n, "_") {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(&b, "%s\n", oneLine(p, pkg, n))
			for _, m := range docs.Methods(p, n) {
				fmt.Fprintf(&b, "%s\n", oneLine(p, pkg, n+"."+m))
			}
		}
	}
	return b.String()
}

func shortNames() []string {
	var ns []string
	for _, p := range preImports() {
		ns = append(ns, path.Base(p))
	}
	return ns
}

func isPreImported(p string) bool {
	for _, q := range preImports() {
		if q == p {
			return true
		}
	}
	return false
}

// oneLine is the %help line of a package member: its signature and the
// first sentence of its doc.
func oneLine(pkgPath, pkg, name string) string {
	if e, ok := lookupDoc(pkgPath, name); ok {
		line, _, _ := strings.Cut(e.Decl, "\n")
		line = strings.TrimSuffix(strings.TrimSpace(line), "{")
		if line == "var (" || line == "const (" || line == "var(" || line == "const(" {
			line = strings.TrimSuffix(line, "(") + name
		}
		line = strings.TrimSpace(line)
		if syn := synopsis(e.Doc); syn != "" {
			line += "  // " + syn
		}
		return pkg + ": " + line
	}
	v, _ := lookupSymbol(pkgPath, name)
	if v.IsValid() {
		return fmt.Sprintf("%s.%s  %s", pkg, name, v.Type())
	}
	return pkg + "." + name
}

// helpFor returns the doc of NAME: pkg.Member, a user declaration, or a
// variable.
func (s *Session) helpFor(name string) (string, bool) {
	if pkg, member, ok := strings.Cut(name, "."); ok {
		if p, ok := s.aliases[pkg]; ok {
			if e, ok := lookupDoc(p, member); ok {
				return e.Decl + "\n\n" + e.Doc + "\n", true
			}
			if v, ok := lookupSymbol(p, member); ok {
				return fmt.Sprintf("%s  %s\n", name, v.Type()), true
			}
		}
	}
	if p, ok := s.aliases[name]; ok {
		if e, ok := lookupDoc(p, ""); ok {
			return "package " + name + " // import " + fmt.Sprintf("%q", p) + "\n\n" + e.Doc + "\n", true
		}
	}
	if i, ok := s.declIdx[name]; ok {
		return strings.TrimSpace(s.decls[i].body) + "\n", true
	}
	if v, ok := s.userVars()[name]; ok {
		return fmt.Sprintf("%s %s = %s\n", name, s.typeName(v.Type(), userTypes(s.in, s.decls)), valueString(v)), true
	}
	return "", false
}

// valueString is a bounded %v of v.
func valueString(v reflect.Value) string {
	if !v.IsValid() || !v.CanInterface() {
		return "<invalid>"
	}
	str := boundedString(v)
	if len(str) > 2000 {
		str = str[:2000] + "..."
	}
	return str
}
