package dsl

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/traefik/yaegi/interp"

	"github.com/latent-ai/latent/display"
	"github.com/latent-ai/latent/runtime/host"
)

// posRe finds positions the session's //line directives produce:
// "_.go:1200003:7" is line 3, column 7 of cell 12 (see lineBase).
var posRe = regexp.MustCompile(`(?:_\.go:)?\b(\d{6,}):(\d+)\b`)

// cellPos is a position found in an error message.
type cellPos struct{ cell, line, col int }

// findPos returns the first cell position in msg.
func findPos(msg string) (cellPos, bool) {
	m := posRe.FindStringSubmatch(msg)
	if m == nil {
		return cellPos{}, false
	}
	l, _ := strconv.Atoi(m[1])
	col, _ := strconv.Atoi(m[2])
	return cellPos{l / lineBase, l % lineBase, col}, true
}

// humanize rewrites the positions in msg: the running cell's become
// "line L:C", earlier cells' "cell N, line L:C".
func (s *Session) humanize(msg string) string {
	return posRe.ReplaceAllStringFunc(msg, func(m string) string {
		p, _ := findPos(m)
		if p.cell == s.cell {
			return fmt.Sprintf("line %d:%d", p.line, p.col)
		}
		return fmt.Sprintf("cell %d, line %d:%d", p.cell, p.line, p.col)
	})
}

// sourceLines returns the traceback lines that quote the cell's line at p
// with a caret under the column.
func sourceLines(code string, p cellPos) []string {
	lines := strings.Split(code, "\n")
	if p.line < 1 || p.line > len(lines) {
		return nil
	}
	text := strings.ReplaceAll(lines[p.line-1], "\t", "    ")
	raw := lines[p.line-1]
	col := p.col - 1
	if col > len(raw) {
		col = len(raw)
	}
	if col < 0 {
		col = 0
	}
	pad := len([]rune(strings.ReplaceAll(raw[:col], "\t", "    ")))
	prefix := fmt.Sprintf("%4d | ", p.line)
	return []string{prefix + text, strings.Repeat(" ", len(prefix)+pad) + "^"}
}

// syntaxErr reports a parse error of the cell. An error the parser finds in
// the wrapper after the cell's end means the cell stops mid-statement.
func (s *Session) syntaxErr(code string, err error) error {
	if p, ok := findPos(err.Error()); ok && p.cell == s.cell && p.line > strings.Count(code, "\n")+1 {
		lines := strings.Split(code, "\n")
		last := len(lines)
		raw := fmt.Sprintf("%d:%d", s.cell*lineBase+last, len(lines[last-1])+1)
		msg := fmt.Sprintf("line %d:%d: unexpected end of the cell: a statement or expression is not finished", last, len(lines[last-1])+1)
		return s.newError(code, "SyntaxError", msg, raw)
	}
	msg := s.humanize(syntaxError(err).Error())
	return s.newError(code, "SyntaxError", msg, err.Error())
}

// newError builds a display.Error whose traceback quotes the cell line
// named in raw (when it is in this cell).
func (s *Session) newError(code, name, msg, raw string) *display.Error {
	tb := []string{name + ": " + msg}
	if p, ok := findPos(raw); ok && p.cell == s.cell {
		tb = append(tb, sourceLines(code, p)...)
	}
	return &display.Error{Name: name, Value: msg, Traceback: tb}
}

// evalErr turns an error from yaegi into the error the cell reports.
func (s *Session) evalErr(ctx context.Context, code string, err error) error {
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		msg := "the cell was interrupted; variables assigned before the interrupt keep their values"
		if s.stuck {
			// The interpreter is still inside a compiled call that ignores
			// cancellation. Move the session's state to a fresh interpreter
			// so that the next cells do not share one with it.
			s.stuck = false
			if rerr := s.rebuild(context.Background(), code, nil, discardSink{}, false); rerr == nil {
				msg += ". A compiled call did not stop: it keeps running in the background until it returns, and the session moved your variables and definitions to a fresh interpreter; restart the kernel if that call keeps the CPU busy"
			} else {
				s.stuck = true
				msg += ". A compiled call did not stop and the session could not move to a fresh interpreter (" + rerr.Error() + "); restart the kernel"
			}
		}
		return &display.Error{Name: "Interrupted", Value: msg, Traceback: []string{"Interrupted: " + msg}}
	}
	var p interp.Panic
	if errors.As(err, &p) {
		return s.panicErr(code, p.Value)
	}
	var el scanner.ErrorList
	if errors.As(err, &el) {
		return s.syntaxErr(code, el)
	}
	raw := err.Error()
	if strings.Contains(raw, "constant definition loop") || strings.Contains(raw, "undefined:") {
		// yaegi often reports an unknown name as a "constant definition
		// loop", at the start of the statement: name it instead.
		if name, p, ok := s.firstUndefined(code); ok {
			raw = fmt.Sprintf("%d:%d: undefined: %s", p.cell*lineBase+p.line, p.col, name)
			return s.newError(code, "CompileError", s.humanize(raw)+" (check the spelling, and that the cell defining it was run"+importHint(name)+")", raw)
		}
	}
	msg := s.humanize(explain(raw, s.mayCallGeneric(code)))
	return s.newError(code, "CompileError", msg, raw)
}

// firstUndefined finds the first name the cell uses that neither the cell
// nor the session defines.
func (s *Session) firstUndefined(code string) (string, cellPos, bool) {
	uses, declared, ok := s.cellNames(code)
	if !ok {
		return "", cellPos{}, false
	}
	globals := s.globals()
	for _, u := range uses {
		if _, global := globals[u.name]; !declared[u.name] && !global && !s.sessionDefines(u.name) && !strings.HasPrefix(u.name, "__latent") {
			l, c := lineCol(code, u.off)
			return u.name, cellPos{s.cell, l, c}, true
		}
	}
	return "", cellPos{}, false
}

// sessionDefines reports whether name is a keyword, a builtin, or a
// declaration or import of the session. Variables are not looked at here:
// listing the interpreter's globals costs more, and callers do it once.
func (s *Session) sessionDefines(name string) bool {
	if _, ok := s.declIdx[name]; ok {
		return true
	}
	if _, ok := s.aliases[name]; ok {
		return true
	}
	return slices.Contains(keywords, name) || slices.Contains(builtins, name)
}

// nameUse is a name a cell uses without declaring it: its byte offset in
// the cell, and the member it selects when it is the X of X.Sel.
type nameUse struct {
	name string
	off  int
	sel  string
}

// cellNames returns the names the cell uses without declaring them, in
// order, and the names the cell declares at its top level.
func (s *Session) cellNames(code string) (uses []nameUse, declared map[string]bool, ok bool) {
	segs, err := segment(code)
	if err != nil {
		return nil, nil, false
	}
	declared = map[string]bool{}
	for _, sg := range segs {
		text := code[sg.start:sg.end]
		prefix := funcPrefix + "\n"
		if sg.decl != token.ILLEGAL {
			prefix = filePrefix + "\n"
		} else {
			text += "\n}"
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, "", prefix+text, 0)
		if list, ok := tupleLast(code[sg.start:sg.end]); err != nil && ok && sg.decl == token.ILLEGAL {
			// a last line that lists values (v, err)
			f, err = parser.ParseFile(fset, "", prefix+list+"\n}", 0)
		}
		if err != nil {
			return nil, nil, false
		}
		topLevelNames(f, declared)
		sels := map[token.Pos]string{}
		ast.Inspect(f, func(n ast.Node) bool {
			if se, ok := n.(*ast.SelectorExpr); ok {
				if id, ok := se.X.(*ast.Ident); ok {
					sels[id.Pos()] = se.Sel.Name
				}
			}
			return true
		})
		for _, id := range f.Unresolved {
			uses = append(uses, nameUse{id.Name, sg.start + fset.Position(id.Pos()).Offset - len(prefix), sels[id.Pos()]})
		}
	}
	return uses, declared, true
}

// topLevelNames adds to known the names f declares at the cell's top level.
func topLevelNames(f *ast.File, known map[string]bool) {
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				known[d.Name.Name] = true
			}
			if d.Name.Name == "_" && d.Body != nil {
				for _, st := range d.Body.List {
					if as, ok := st.(*ast.AssignStmt); ok && as.Tok == token.DEFINE {
						for _, l := range as.Lhs {
							if id, ok := l.(*ast.Ident); ok {
								known[id.Name] = true
							}
						}
					}
				}
			}
		case *ast.GenDecl:
			for _, sp := range d.Specs {
				switch sp := sp.(type) {
				case *ast.TypeSpec:
					known[sp.Name.Name] = true
				case *ast.ValueSpec:
					for _, n := range sp.Names {
						known[n.Name] = true
					}
				case *ast.ImportSpec:
					if sp.Name != nil {
						known[sp.Name.Name] = true
					} else {
						p, _ := strconv.Unquote(sp.Path.Value)
						known[importSpec{Path: p}.name()] = true
					}
				}
			}
		}
	}
}

// explain adds advice to yaegi messages that are known to be obscure.
//
// generic says whether the cell may call a generic function (see
// mayCallGeneric): only then does a func type mismatch get the advice on
// type arguments.
func explain(msg string, generic bool) string {
	switch {
	case strings.Contains(msg, "constant definition loop"):
		return msg + " (an undefined name or a use before its definition; check the spelling and that the cell defining it was run)"
	case strings.Contains(msg, "nil type"):
		return msg + unsupportedRange
	case generic && (strings.Contains(msg, "cannot use type func(") || strings.Contains(msg, "undefined type for")):
		// yaegi infers a generic function's type parameters from its
		// first arguments only (Map(xs, func(int) string) takes U =
		// int), and not at all through a generic type ([]Pair[K, V]).
		return msg + " (if this calls a generic function, the interpreter may have inferred its type arguments wrongly: give them explicitly, as in Map[int, string](xs, f))"
	}
	return msg
}

const unsupportedRange = " (the interpreter cannot range over an integer whose type it cannot see, nor over a function iterator: write `for i := 0; i < n; i++` instead)"

// genericDecl finds the name of a generic function declaration.
var genericDecl = regexp.MustCompile(`(?m)^func\s+(\w+)\s*\[`)

// mayCallGeneric reports whether code may call a generic function: one
// declared in the cell or an earlier one, or one of package slices or
// maps.
func (s *Session) mayCallGeneric(code string) bool {
	if strings.Contains(code, "slices.") || strings.Contains(code, "maps.") {
		return true
	}
	srcs := []string{code}
	for _, d := range s.decls {
		srcs = append(srcs, d.body)
	}
	for _, src := range srcs {
		for _, m := range genericDecl.FindAllStringSubmatch(src, -1) {
			if strings.Contains(code, m[1]+"(") || strings.Contains(code, m[1]+"[") {
				return true
			}
		}
	}
	return false
}

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
			at = s.humanize(fmt.Sprintf("%d:%d", f.pos.cell*lineBase+f.pos.line, f.pos.col))
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
		p, ok := findPos(l)
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
