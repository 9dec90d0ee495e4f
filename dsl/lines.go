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
// line map's spots) to an interpreted global (about 12 ns, against 25 ns for the cheapest loop iteration).
// Statements at a cell's top level set cellLineVar, statements in functions
// lineVar; after a panic the two give the line in the innermost function
// and the cell line that called it. An inline /*line*/ directive after the
// assignment keeps the statement's own column, so compile errors still
// point at the right place.
const (
	lineVar     = "__latentLine"
	cellLineVar = "__latentCellLine"
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
	}
}

// trackList returns the statements of one list with the tracking of the
// register reg, and tracks the lists nested in them (function literals
// with lineVar).
func trackList(list []ast.Stmt, reg string, t *tree) []ast.Stmt {
	var out []ast.Stmt
	for i, st := range list {
		switch st.(type) {
		case *ast.CaseClause, *ast.CommClause:
			// not statements of their own: only their bodies are tracked
		default:
			if t.own(st) && mayPanic(st) {
				if out == nil {
					out = list[:i:i]
				}
				p := t.fset.Position(st.Pos()) // in the cell (see parseCell)
				v := t.lines.spot(t.prog0, cellPos{t.cell, p.Line, p.Column})
				track := t.assign(t.ids(reg), token.ASSIGN, t.intLit(int64(v)))
				t.set(track, mark{fresh: true, track: true})
				out = t.insert(out, len(out), st.Pos()-1, track)
			}
		}
		if out != nil {
			out = append(out, st)
		}
		ast.Inspect(st, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.FuncLit:
				x.Body.List = trackList(x.Body.List, lineVar, t)
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
	}
	if out == nil {
		return list
	}
	return out
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

// lineRegisters returns the session's two tracking registers in the current
// interpreter (looked up once per interpreter).
func (s *Session) lineRegisters() (line, cell reflect.Value) {
	if s.regs.in != s.in {
		g := s.globals()
		s.regs.in, s.regs.line, s.regs.cell = s.in, g[lineVar], g[cellLineVar]
	}
	return s.regs.line, s.regs.cell
}

// resetLines clears the registers before a cell, so that a position left
// by an earlier cell is never reported. lineVar is left alone while a
// goroutine of the session runs: it may be writing it.
func (s *Session) resetLines() {
	line, cell := s.lineRegisters()
	regs := []reflect.Value{cell}
	if s.goLive.Load() == 0 {
		regs = append(regs, line)
	}
	for _, v := range regs {
		if v.IsValid() && v.CanSet() && v.Kind() == reflect.Int {
			v.SetInt(0)
		}
	}
}

// trackedLines returns the positions the registers hold. lineVar is not
// read while a goroutine of the session runs: it may be writing it (and
// what it holds may be that goroutine's position, not the cell's).
func (s *Session) trackedLines() (line, cell cellPos, lineOK, cellOK bool) {
	l, c := s.lineRegisters()
	if s.goLive.Load() == 0 && l.IsValid() && l.Kind() == reflect.Int {
		line, lineOK = s.lines.spotPos(l.Int())
	}
	if c.IsValid() && c.Kind() == reflect.Int {
		cell, cellOK = s.lines.spotPos(c.Int())
	}
	return line, cell, lineOK, cellOK
}
