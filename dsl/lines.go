package dsl

import (
	"fmt"
	"go/ast"
	"go/token"
	"reflect"
)

// yaegi reports a panic at the first statement of each interpreted
// function it unwinds, not at the statement that panicked. So the session
// tracks lines itself: before every statement that can panic, the rewrite
// inserts an assignment of the statement's position to an interpreted
// global (about 12 ns, against 25 ns for the cheapest loop iteration).
// Statements at a cell's top level set cellLineVar, statements in functions
// lineVar; after a panic the two give the line in the innermost function
// and the cell line that called it. An inline /*line*/ directive after the
// assignment keeps the statement's own column, so compile errors still
// point at the right place.
const (
	lineVar     = "__latentLine"
	cellLineVar = "__latentCellLine"
)

// colBase packs a position into one int: line*colBase + column. Columns
// past colBase-1 are clamped.
const colBase = 1000

// trackLines inserts the line tracking into the statements of f: the
// cell's statements (body, nil for a declaration chunk) and the bodies of
// its functions and function literals. It must run before the other
// rewrites, so that an insertion comes before a rewrite that starts at the
// same statement.
func trackLines(f *ast.File, ed *editor, body *ast.BlockStmt) {
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		reg := lineVar
		if fd.Body == body {
			reg = cellLineVar
		}
		trackList(fd.Body.List, reg, ed)
	}
}

// trackList tracks the statements of one list with the register reg, and
// the lists nested in them (function literals with lineVar).
func trackList(list []ast.Stmt, reg string, ed *editor) {
	for _, st := range list {
		switch st.(type) {
		case *ast.CaseClause, *ast.CommClause:
			// not statements of their own: only their bodies are tracked
		default:
			if mayPanic(st) {
				p := ed.fset.Position(st.Pos())
				col := min(p.Column, colBase-1)
				ed.track(st, fmt.Sprintf("%s = %d; /*line _.go:%d:%d*/", reg, p.Line*colBase+col, p.Line, p.Column))
			}
		}
		ast.Inspect(st, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.FuncLit:
				trackList(x.Body.List, lineVar, ed)
				return false
			case *ast.BlockStmt:
				trackList(x.List, reg, ed)
				return false
			case *ast.CaseClause:
				trackList(x.Body, reg, ed)
				return false
			case *ast.CommClause:
				trackList(x.Body, reg, ed)
				return false
			}
			return true
		})
	}
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

// trackedPos decodes a register value (0: nothing tracked yet).
func trackedPos(v int64) (cellPos, bool) {
	if v <= 0 {
		return cellPos{}, false
	}
	l, col := int(v/colBase), int(v%colBase)
	return cellPos{l / lineBase, l % lineBase, col}, true
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

// trackedLines returns the positions the registers hold.
func (s *Session) trackedLines() (line, cell cellPos, lineOK, cellOK bool) {
	l, c := s.lineRegisters()
	if l.IsValid() && l.Kind() == reflect.Int {
		line, lineOK = trackedPos(l.Int())
	}
	if c.IsValid() && c.Kind() == reflect.Int {
		cell, cellOK = trackedPos(c.Int())
	}
	return line, cell, lineOK, cellOK
}
