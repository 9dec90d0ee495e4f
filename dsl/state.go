package dsl

import (
	"path"
	"reflect"
	"sync/atomic"

	"github.com/traefik/yaegi/interp"
)

// state is what the session keeps across cells: the interpreter, with
// the variables the cells defined in its globals, and what a rebuild
// needs to make another interpreter like it. Its lifecycle:
//
//   - useFresh (New, Reset): a fresh interpreter with the preloaded packages
//     and the helper preamble; no imports of the cells, no declarations.
//   - Each cell (Execute, one at a time under the session's mutex) adds
//     its imports (addImport) and declarations (record) and defines its
//     variables in the interpreter. Its programs run on a goroutine of
//     their own (running, see run.go), which the session waits for, after
//     an interrupt too, so the race detector sees every hand-over.
//   - moveTo (rebuild, see redefine.go: a changed declaration; compaction
//     every compactEvery cells or after a re-declared variable; a
//     compiled call still running after an interrupt, stuck) puts a fresh
//     interpreter in place, into which the imports were replayed, the
//     declarations evaluated anew (newest source per name) and the
//     variables carried with their values. The old interpreter is
//     dropped; goroutines a cell started there run on.
//   - Close drops the interpreter (in is nil after it).
type state struct {
	in      *interp.Interpreter
	imports []importSpec      // every import evaluated, in order (replayed by a rebuild)
	aliases map[string]string // the name each import binds -> its path
	decls   []*declRec        // func, method, type and const declarations: the replay log
	declIdx map[string]int    // key -> index in decls

	running  atomic.Pointer[run] // the last program started (see run.go)
	sinceNew int                 // cells run by the current interpreter
	shadowed bool                // a cell re-declared a variable: compact before the next one
	stuck    bool                // an interrupted compiled call is still running
	sizeMemo sizeMemo            // the cells' constants and types that size arrays (sizeguard.go)

	probeIn *interp.Interpreter // the interpreter that imported the probe package
	// regs caches the line-tracking registers of interpreter in.
	regs struct {
		in                *interp.Interpreter
		line, cell, track reflect.Value
	}
}

// declRec is a top-level declaration kept for replay.
type declRec struct {
	keys    []string
	kinds   []string
	body    string // source without the //line directive, to spot redefinitions
	src     string // source with its directive
	results int    // number of results of a func declaration, -1 otherwise
	prog0   int    // its first program line (see lineMap)
}

// useFresh makes in, a fresh interpreter, the session's, with no imports
// or declarations of cells.
func (s *state) useFresh(in *interp.Interpreter) {
	s.in = in
	s.sinceNew = 0
	s.imports = nil
	s.decls = nil
	s.declIdx = map[string]int{}
	s.aliases = map[string]string{}
	s.sizeMemo.consts, s.sizeMemo.types = nil, nil
	for _, p := range preImports() {
		s.aliases[path.Base(p)] = p
	}
}

// moveTo makes in, a rebuilt interpreter that holds the imports, the
// declarations recs and the variables, the session's.
func (s *state) moveTo(in *interp.Interpreter, recs []*declRec) {
	s.in = in
	s.sinceNew = 0
	s.decls = recs
	s.declIdx = map[string]int{}
	for i, r := range recs {
		for _, k := range r.keys {
			s.declIdx[k] = i
		}
	}
}

// imported reports whether im was already imported (a no-op then).
func (s *state) imported(im importSpec) bool {
	name := im.name()
	if name == "_" {
		return false
	}
	return s.aliases[name] == im.Path
}

// addImport records im, imported into the interpreter.
func (s *state) addImport(im importSpec) {
	s.imports = append(s.imports, im)
	if name := im.name(); name != "_" && name != "." {
		s.aliases[name] = im.Path
	}
}

// compareDecl reports whether every key of c is already declared with the
// same source (same), or some key is declared with a different one (redef).
func (s *state) compareDecl(c chunk) (same, redef bool) {
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

// record adds a declaration chunk to the replay list.
func (s *state) record(c chunk) {
	rec := &declRec{keys: c.keys, kinds: c.kinds, body: c.body, src: c.src, results: c.results, prog0: c.prog0}
	s.decls = append(s.decls, rec)
	for _, k := range c.keys {
		s.declIdx[k] = len(s.decls) - 1
	}
}
