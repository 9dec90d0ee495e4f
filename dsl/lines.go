package dsl

import (
	"go/ast"
	"go/token"
	"reflect"
	"sort"
	"sync"
)

// The programs the session hands yaegi are composed from cells, and
// yaegi reports positions in them: "_.go:1000012:7". The line map, built
// while a chunk's text is composed, says which cell line each program
// line is: each chunk gets fresh program lines, and the //line directive
// before its text (see directive) gives its first line that number and
// the column the text starts at in the cell, so program columns are cell
// columns. Program lines start at firstProgramLine, so that the lines of
// the session's own sources (its preamble, the statements it runs without
// a directive) never read as a cell's.
const firstProgramLine = 1000000

// lineMap turns program lines into cell positions, and holds the
// positions the line registers point at. Goroutines that panic read it
// while the session composes, hence the mutex. It grows with every chunk
// composed; a compaction, after which no code of an earlier statement can
// run, keeps only the declarations' lines (prune).
type lineMap struct {
	mu     sync.Mutex
	ranges []lineRange // by prog0
	next   int         // the next program line, less firstProgramLine
	spots  map[int]spot
	nspots int // spots given out
}

// lineRange is the program lines of one chunk.
type lineRange struct {
	prog0, n    int // program lines prog0 .. prog0+n-1
	cell, line0 int // are cell lines line0 ..
}

// spot is a position a line register points at, and the chunk it is in.
type spot struct {
	pos   cellPos
	prog0 int
}

// add gives the cell lines from..to of cell fresh program lines and
// returns the first one's number.
func (m *lineMap) add(cell, from, to int) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	g := firstProgramLine + m.next
	m.next += to - from + 1
	m.ranges = append(m.ranges, lineRange{g, to - from + 1, cell, from})
	return g
}

// pos returns the cell position of column col of program line g.
func (m *lineMap) pos(g, col int) (cellPos, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	i := sort.Search(len(m.ranges), func(i int) bool { return m.ranges[i].prog0+m.ranges[i].n > g })
	if i == len(m.ranges) || g < m.ranges[i].prog0 {
		return cellPos{}, false
	}
	r := m.ranges[i]
	return cellPos{r.cell, r.line0 + g - r.prog0, col}, true
}

// spot records p, in the chunk whose first program line is prog0, for a
// line register, and returns the register's value.
func (m *lineMap) spot(prog0 int, p cellPos) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.spots == nil {
		m.spots = map[int]spot{}
	}
	m.nspots++
	m.spots[m.nspots] = spot{p, prog0}
	return m.nspots
}

// spotPos returns the position a register value stands for (0: nothing
// tracked yet).
func (m *lineMap) spotPos(v int64) (cellPos, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	sp, ok := m.spots[int(v)]
	return sp.pos, ok
}

// prune keeps the lines and spots of the chunks whose first program line
// keep holds, and drops the rest.
func (m *lineMap) prune(keep map[int]bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	kept := m.ranges[:0]
	for _, r := range m.ranges {
		if keep[r.prog0] {
			kept = append(kept, r)
		}
	}
	m.ranges = append([]lineRange(nil), kept...) // frees the old array
	for v, sp := range m.spots {
		if !keep[sp.prog0] {
			delete(m.spots, v)
		}
	}
}

// yaegi reports a panic at the first statement of each interpreted
// function it unwinds, not at the statement that panicked. So the session
// tracks lines itself: before every statement that can panic, the rewrite
// inserts an assignment of the statement's position (an index of the
// line map's spots) to a register (about 12 ns, against 25 ns for the
// cheapest loop iteration). Statements at a cell's top level set
// cellLineVar, statements in functions lineVar; after a panic the two give
// the line in the innermost function and the cell line that called it. An
// inline /*line*/ directive after the assignment keeps the statement's own
// column, so compile errors still point at the right place.
//
// The registers have one writer at a time, so that no two goroutines race
// on them: cellLineVar is written by the cell alone, and lineVar only while
// trackVar is true, which the launch of a goroutine makes false
// (launchFunc) and the session makes true again before a cell when no
// goroutine of the session is live. The body of a goroutine (a go
// statement's, or the func given to x.Go) tracks its own statements in a
// register of its own, goLineVar, which its recover reports; the functions
// it calls are not tracked while it runs.
const (
	lineVar     = "__latentLine"
	cellLineVar = "__latentCellLine"
	trackVar    = "__latentTrack"
	goLineVar   = "__latentGoLine"
)

// trackLines inserts the line tracking into the statements of f: the
// cell's statements (body, nil for a declaration chunk) and the bodies of
// its functions and function literals. A tracking statement goes before
// the statement it tracks; the printer gives that statement its own
// position again after it, so compile errors still point at the right
// place. Statements the passes built are not tracked.
func trackLines(f *ast.File, t *tree, body *ast.BlockStmt) {
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		reg := lineVar
		if fd.Body == body {
			reg = cellLineVar
		}
		fd.Body.List = trackList(fd.Body.List, reg, t)
		if fd.Body == body {
			fd.Body.List = withPassed(fd.Body.List, t)
		}
	}
}

// withPassed puts a call of passedFunc after every statement of a cell's
// top level that makes a call, but the last: the boundaries where an
// interrupt stops the cell once an interrupted call has handed back its
// result (see Session.passed). Like the tracking, it is not part of the
// chunk's plain source.
func withPassed(list []ast.Stmt, t *tree) []ast.Stmt {
	out := list[:0:0]
	for i, st := range list {
		out = append(out, st)
		if i == len(list)-1 || t.nodes[st].track || !makesCall(st) {
			continue
		}
		p := t.expr(t.callOf(passedFunc))
		t.set(p, mark{fresh: true, track: true})
		out = t.insert(out, len(out), st.End(), p)
	}
	return out
}

// makesCall reports whether st calls something outside a function literal.
func makesCall(st ast.Stmt) bool {
	found := false
	ast.Inspect(st, func(n ast.Node) bool {
		switch n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			found = true
		}
		return !found
	})
	return found
}

// trackList returns the statements of one list with the tracking of the
// register reg, and tracks the lists nested in them (function literals
// with lineVar, goroutine bodies with goLineVar).
func trackList(list []ast.Stmt, reg string, t *tree) []ast.Stmt {
	var out []ast.Stmt
	for i, st := range list {
		var track ast.Stmt
		switch st.(type) {
		case *ast.CaseClause, *ast.CommClause:
			// not statements of their own: only their bodies are tracked
		default:
			if t.own(st) && mayPanic(st) {
				track = t.tracking(reg, t.spotOf(st.Pos()))
			}
		}
		ast.Inspect(st, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.FuncLit:
				inner := lineVar
				if t.goBodies[x] {
					inner = goLineVar
				}
				x.Body.List = trackList(x.Body.List, inner, t)
				return false
			case *ast.BlockStmt:
				x.List = trackList(x.List, reg, t)
				return false
			case *ast.CaseClause:
				x.Body = trackList(x.Body, reg, t)
				return false
			case *ast.CommClause:
				x.Body = trackList(x.Body, reg, t)
				return false
			}
			return true
		})
		if track == nil && t.own(st) {
			track = hoistTracking(st, reg, t)
		}
		if track != nil && out == nil {
			out = list[:i:i]
		}
		if track != nil {
			out = t.insert(out, len(out), st.Pos()-1, track)
		}
		if out != nil {
			out = append(out, st)
		}
	}
	if out == nil {
		return list
	}
	return out
}

// hoistTracking takes the tracking out of the body of the loop st, and
// returns it, when writing it once before the loop gives every panic the
// same position as writing it in every iteration: the loop's header
// cannot panic, its body tracks one statement, at its top level, and
// nothing else in the body writes reg (for lineVar, which the functions
// it calls write too, the body calls none). The tightest loops then run
// without tracking. It returns nil, changing nothing, for any other
// statement.
func hoistTracking(st ast.Stmt, reg string, t *tree) ast.Stmt {
	for l, ok := st.(*ast.LabeledStmt); ok; l, ok = st.(*ast.LabeledStmt) {
		st = l.Stmt
	}
	var body *ast.BlockStmt
	switch x := st.(type) {
	case *ast.ForStmt:
		body = x.Body
	case *ast.RangeStmt:
		body = x.Body
	}
	if body == nil || mayPanic(st) {
		return nil
	}
	at, writes := -1, 0
	for i, s := range body.List {
		if t.nodes[s].track {
			at = i
		}
		ast.Inspect(s, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.CallExpr:
				if reg == lineVar && !safeCall(x) {
					writes++
				}
			}
			if n != nil && t.nodes[n].track {
				writes++
			}
			return true
		})
	}
	if at < 0 || writes != 1 {
		return nil
	}
	track := body.List[at]
	body.List = append(body.List[:at:at], body.List[at+1:]...)
	return track
}

// tracking is the statement that records position v in register reg:
// guarded by trackVar for lineVar, which code on any goroutine may run.
func (t *tree) tracking(reg string, v int) ast.Stmt {
	var st ast.Stmt = t.assign(t.ids(reg), token.ASSIGN, t.intLit(int64(v)))
	if reg == lineVar {
		st = fresh(t.marks, &ast.IfStmt{Cond: t.id(trackVar), Body: t.block(st)})
	}
	t.set(st, mark{fresh: true, track: true})
	return st
}

// spotOf returns the line map's spot for the cell position of pos.
func (t *tree) spotOf(pos token.Pos) int {
	p := t.fset.Position(pos) // in the cell (see parseCell)
	return t.lines.spot(t.prog0, cellPos{t.cell, p.Line, p.Column})
}

// mayPanic reports whether running st itself (its header, for a statement
// with a body) can panic: it calls something, indexes, slices,
// dereferences, selects, asserts a type, divides or sends. A statement
// that only assigns arithmetic on variables (`s += x * y`, `i++`) cannot,
// and is not tracked, which keeps tight loops fast.
func mayPanic(st ast.Stmt) bool {
	switch x := st.(type) {
	case *ast.IfStmt:
		return mayPanicStmt(x.Init) || exprPanics(x.Cond)
	case *ast.ForStmt:
		return mayPanicStmt(x.Init) || exprPanics(x.Cond)
	case *ast.RangeStmt:
		return exprPanics(x.X)
	case *ast.SwitchStmt:
		return mayPanicStmt(x.Init) || exprPanics(x.Tag)
	case *ast.TypeSwitchStmt:
		return mayPanicStmt(x.Init) || exprPanics(x.Assign)
	case *ast.LabeledStmt:
		return mayPanic(x.Stmt)
	case *ast.SelectStmt, *ast.BlockStmt, *ast.BranchStmt, *ast.EmptyStmt:
		return false
	case *ast.SendStmt:
		return true
	}
	return exprPanics(st)
}

func mayPanicStmt(st ast.Stmt) bool { return st != nil && mayPanic(st) }

// exprPanics reports whether n, outside function literals, holds an
// operation that can panic.
func exprPanics(n ast.Node) bool {
	if n == nil || reflect.ValueOf(n).IsNil() {
		return false
	}
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			found = found || !safeCall(x)
		case *ast.IndexExpr, *ast.IndexListExpr, *ast.SliceExpr, *ast.StarExpr,
			*ast.TypeAssertExpr, *ast.SelectorExpr:
			found = true
		case *ast.BinaryExpr:
			found = found || x.Op == token.QUO || x.Op == token.REM
		case *ast.AssignStmt:
			found = found || x.Tok == token.QUO_ASSIGN || x.Tok == token.REM_ASSIGN
		}
		return !found
	})
	return found
}

// safeCalls are the builtins and conversions that never panic.
var safeCalls = map[string]bool{
	"len": true, "cap": true, "append": true, "new": true, "min": true, "max": true,
	"real": true, "imag": true, "complex": true, "print": true, "println": true,
	"int": true, "int8": true, "int16": true, "int32": true, "int64": true,
	"uint": true, "uint8": true, "uint16": true, "uint32": true, "uint64": true, "uintptr": true,
	"float32": true, "float64": true, "byte": true, "rune": true, "bool": true, "string": true,
}

func safeCall(c *ast.CallExpr) bool {
	id, ok := c.Fun.(*ast.Ident)
	return ok && safeCalls[id.Name]
}

// lineRegisters returns the session's tracking registers, and trackVar,
// in the current interpreter (looked up once per interpreter).
func (s *Session) lineRegisters() (line, cell, track reflect.Value) {
	if s.regs.in != s.in {
		g := s.globals()
		s.regs.in, s.regs.line, s.regs.cell, s.regs.track = s.in, g[lineVar], g[cellLineVar], g[trackVar]
	}
	return s.regs.line, s.regs.cell, s.regs.track
}

// resetLines clears the registers before a cell, so that a position left
// by an earlier cell is never reported. lineVar is left alone, and not
// tracked, while a goroutine of the session is live; when none is, it is
// cleared and tracked again.
func (s *Session) resetLines() {
	line, cell, track := s.lineRegisters()
	if settable(cell, reflect.Int) {
		cell.SetInt(0)
	}
	if s.goLive.Load() == 0 && settable(line, reflect.Int) && settable(track, reflect.Bool) {
		line.SetInt(0)
		track.SetBool(true)
	}
}

// settable reports whether v is a settable variable of kind k.
func settable(v reflect.Value, k reflect.Kind) bool { return holds(v, k) && v.CanSet() }

// holds reports whether v is a variable of kind k.
func holds(v reflect.Value, k reflect.Kind) bool { return v.IsValid() && v.Kind() == k }

// trackedLines returns the positions the registers hold. lineVar counts
// only while it is tracked, and no goroutine of the session is live: once
// one was started it holds a position from before.
func (s *Session) trackedLines() (line, cell cellPos, lineOK, cellOK bool) {
	l, c, track := s.lineRegisters()
	if s.goLive.Load() == 0 && holds(l, reflect.Int) && holds(track, reflect.Bool) && track.Bool() {
		line, lineOK = s.lines.spotPos(l.Int())
	}
	if holds(c, reflect.Int) {
		cell, cellOK = s.lines.spotPos(c.Int())
	}
	return line, cell, lineOK, cellOK
}
