package dsl

import (
	"go/ast"
	"go/token"
	"sort"
	"strconv"
	"strings"
)

// editor collects the edits of one piece of a cell's text. Edits compose: the text
// an edit puts in place may quote other ranges of the segment (src), and a
// quoted range is rendered with every edit inside it, whichever was made
// first. So a rewrite nested inside another one (min inside the call of a
// go statement, a make guard inside a deferred call) is kept.
type editor struct {
	fset  *token.FileSet
	shift int // the Pos of the text's first byte
	text  string
	edits []edit
	quote []span // the ranges src quoted, by placeholder number
	// The program lines of the text (see lineMap): cell line line0 of
	// cell is program line prog0.
	lines              *lineMap
	cell, line0, prog0 int
	col0               int // the text's column on its first line
}

type edit struct {
	start, end int // replaced byte range of text
	with       string
	tracking   bool // an insertion of trackLines
	// node is the range of the node an insertion wraps: a quote takes
	// the insertion only when that node lies within it (a quote of x in
	// x.M() does not take what goes before the statement x.M()).
	node span
}

type span struct{ start, end int }

// quoteMark delimits a placeholder for a quoted range in an edit's text; Go
// source never holds a NUL byte.
const quoteMark = "\x00"

// newEditor returns an editor of text, which starts at pos shift of
// fset, at line line0, column col0 of cell; it gives the text's lines
// program lines in lines.
func newEditor(fset *token.FileSet, shift int, text string, lines *lineMap, cell, line0, col0 int) *editor {
	prog0 := lines.add(cell, line0, line0+strings.Count(text, "\n"))
	return &editor{fset: fset, shift: shift, text: text, lines: lines, cell: cell, line0: line0, prog0: prog0, col0: col0}
}

// progLine returns the program line of cell line l.
func (e *editor) progLine(l int) int { return e.prog0 + l - e.line0 }

// dir returns the //line directive that goes before the edited text.
func (e *editor) dir() string { return directive(e.prog0, e.col0) }

// off returns the offset in the segment text of pos.
func (e *editor) off(pos token.Pos) int { return int(pos) - e.shift }

// replace replaces the source between two positions.
func (e *editor) replace(from, to token.Pos, with string) {
	e.edits = append(e.edits, edit{e.off(from), e.off(to), with, false, span{e.off(from), e.off(to)}})
}

// wrap inserts before and after around n.
func (e *editor) wrap(n ast.Node, before, after string) {
	s := span{e.off(n.Pos()), e.off(n.End())}
	e.edits = append(e.edits, edit{s.start, s.start, before, false, s}, edit{s.end, s.end, after, false, s})
}

// src quotes the source between two positions, for the text of an edit:
// it stands for that source with all of its own edits applied.
func (e *editor) src(from, to token.Pos) string {
	e.quote = append(e.quote, span{e.off(from), e.off(to)})
	return quoteMark + strconv.Itoa(len(e.quote)-1) + quoteMark
}

// track inserts a line-tracking statement (see trackLines) before st.
func (e *editor) track(st ast.Node, with string) {
	at := e.off(st.Pos())
	e.edits = append(e.edits, edit{at, at, with, true, span{at, e.off(st.End())}})
}

// apply returns the edited text.
func (e *editor) apply() string { return e.renderAll(true) }

// plain returns the edited text without the line tracking.
func (e *editor) plain() string { return e.renderAll(false) }

// renderAll renders the whole text. Edits are taken by position,
// insertions before replacements at the same place.
func (e *editor) renderAll(tracking bool) string {
	if len(e.edits) == 0 {
		return e.text
	}
	sort.SliceStable(e.edits, func(i, j int) bool {
		a, b := e.edits[i], e.edits[j]
		return a.start < b.start || a.start == b.start && a.end == a.start && b.end > b.start
	})
	busy := make([]bool, len(e.edits))
	return e.render(0, len(e.text), tracking, busy)
}

// render returns text[start:end] with the edits inside it applied. An edit
// inside one already applied is skipped (the outer one quotes that text
// when it keeps it), and so is an edit whose own text is being written
// (busy): a quote of the range an insertion stands at.
func (e *editor) render(start, end int, tracking bool, busy []bool) string {
	var b strings.Builder
	last := start
	for i, ed := range e.edits {
		if busy[i] || ed.tracking && !tracking || ed.start < last || ed.end > end || ed.node.start < start || ed.node.end > end {
			continue
		}
		b.WriteString(e.text[last:ed.start])
		busy[i] = true
		e.expand(&b, ed.with, tracking, busy)
		busy[i] = false
		last = ed.end
	}
	b.WriteString(e.text[last:end])
	return b.String()
}

// expand writes with, its quoted ranges rendered.
func (e *editor) expand(b *strings.Builder, with string, tracking bool, busy []bool) {
	for {
		i := strings.Index(with, quoteMark)
		if i < 0 {
			b.WriteString(with)
			return
		}
		b.WriteString(with[:i])
		rest := with[i+1:]
		j := strings.Index(rest, quoteMark)
		n, _ := strconv.Atoi(rest[:j])
		q := e.quote[n]
		b.WriteString(e.render(q.start, q.end, tracking, busy))
		with = rest[j+1:]
	}
}
