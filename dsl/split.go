package dsl

import (
	"path"
	"strconv"
	"strings"
)

// chunkKind says how a part of a cell is evaluated.
type chunkKind int

const (
	chunkImport chunkKind = iota // import declarations, de-duplicated
	chunkDecl                    // func, method, type or const declarations: kept for replay
	chunkVar                     // a package-level var declaration: evaluated every time
	chunkStmts                   // a run of statements, evaluated in a wrapper func
	chunkProbe                   // one `:=` evaluated in a func literal, then declared from its values
)

// importSpec is one import of a cell.
type importSpec struct {
	Name string // explicit name, "" for the package's own name, "_" or "."
	Path string
}

// source returns the import as Go source.
// name is the name the import binds: its alias, or the package name its
// path ends in (the element before a major version suffix such as /v2).
func (s importSpec) name() string {
	if s.Name != "" {
		return s.Name
	}
	base := path.Base(s.Path)
	if dir := path.Dir(s.Path); dir != "." && len(base) > 1 && base[0] == 'v' && strings.Trim(base[1:], "0123456789") == "" {
		return path.Base(dir)
	}
	return base
}

func (s importSpec) source() string {
	if s.Name != "" {
		return s.Name + " " + strconv.Quote(s.Path)
	}
	return strconv.Quote(s.Path)
}

// chunk is one evaluable part of a cell.
type chunk struct {
	kind chunkKind
	src  string // source to Eval, starting with a //line directive
	// body is src without the directive and without the line tracking
	// (see trackLines): what a redefinition is compared by.
	body    string
	keys    []string     // names a chunkDecl defines: "f", "T", "T.M", "C"
	kinds   []string     // "func", "method", "type", "const", parallel to keys
	imports []importSpec // for chunkImport
	// showLast is set for a statement chunk whose last statement is an
	// expression: its value is the cell's result.
	showLast bool
	// lastCall is the callee of that expression when it is a call ("fmt.Println",
	// "f", "x.M"), to tell functions without a single result apart.
	lastCall string
	// srcNone and srcTuple are src for a last call with no result or
	// several: the first ends on a value of its own (yaegi would show the
	// value of the last node, which can be a line register that a
	// goroutine writes), the second passes the results to tupleFunc.
	srcNone, srcTuple string
	defers            bool // the chunk registers end-of-cell calls (top-level defers)
	// results is the number of results of a single func or method
	// declaration, -1 for anything else.
	results int
	// vars are the variables the chunk declares at the cell's top level.
	vars []string
	// prog0 is the first program line of a chunkDecl (see lineMap).
	prog0 int
	// names are the variables a chunkProbe declares, "_" for blanks;
	// plain is its statement as written (after the rewrites).
	// bases are the identifiers its right-hand side selects from; direct
	// says it needs the probe whatever yaegi's compiler says.
	names  []string
	plain  string
	bases  []string
	direct bool
}

// splitCell parses a cell once and returns its chunks (see chunks).
func splitCell(code string, cell int, env rewriteEnv) ([]chunk, error) {
	pc, err := parseCell(code, cell)
	if err != nil {
		return nil, err
	}
	return pc.chunks(env, &lineMap{})
}

// maxCellTag bounds the cell numbers shown in positions, which wrap
// around.
const maxCellTag = 9999

// directive returns the //line comment that makes the text that follows
// it start at line line, column col (of a cell in the file parseCell
// composes, of the program in the text yaegi gets: see lineMap). The file
// name must stay yaegi's own ("_.go"), because yaegi resolves imports per
// file name.
func directive(line, col int) string {
	return "\n//line _.go:" + strconv.Itoa(line) + ":" + strconv.Itoa(col) + "\n"
}

// filePrefix starts the file a cell is composed into (see parseCell).
const filePrefix = "package main;"
