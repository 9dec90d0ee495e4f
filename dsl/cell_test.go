package dsl

import (
	"context"
	"strings"
	"testing"

	"github.com/latent-ai/latent/display"
)

// TestOneParsePerCell checks that a cell is parsed once, whatever its
// parts: imports, declarations, statements, probes, a list of values as
// its last line, a name to import, a redefinition.
func TestOneParsePerCell(t *testing.T) {
	s := newSession(t)
	cells := []string{
		"x := 1",
		"x + 1",
		"strings.ToUpper(\"a\")",
		"import \"strconv\"\nv, err := strconv.Atoi(\"3\")\nv, err",
		"func f() int { return 2 }\ntype T struct{ a int }\ny := f()\nz := []int{y}\nw := z[0]\nw",
		"func f() int { return 3 }\nf()",
		"var e any = x\ne",
		"for i := range 3 { go func() { _ = i }() }",
	}
	for _, c := range cells {
		before := parses.Load()
		if _, err := s.Execute(context.Background(), c, newRecSink()); err != nil {
			t.Fatalf("%q: %v", c, err)
		}
		if n := parses.Load() - before; n != 1 {
			t.Errorf("%q was parsed %d times, want once", c, n)
		}
	}
}

// TestLineMap checks that program lines and line registers turn into
// the cell positions they were made for.
func TestLineMap(t *testing.T) {
	var m lineMap
	g := m.add(3, 5, 7) // cell 3, lines 5 to 7
	if p, ok := m.pos(g+2, 4); !ok || p != (cellPos{3, 7, 4}) {
		t.Errorf("pos(g+2, 4) = %v, %v; want cell 3, line 7:4", p, ok)
	}
	for _, bad := range []int{g - 1, g + 3, 12} {
		if p, ok := m.pos(bad, 1); ok {
			t.Errorf("pos(%d) = %v, want none", bad, p)
		}
	}
	v := m.spot(g, cellPos{3, 6, 2})
	if p, ok := m.spotPos(int64(v)); !ok || p != (cellPos{3, 6, 2}) {
		t.Errorf("spotPos(%d) = %v, %v", v, p, ok)
	}
	if _, ok := m.spotPos(0); ok {
		t.Error("register value 0 (nothing tracked) has a position")
	}
}

// TestLineMapPrune checks that a compaction keeps the lines of the
// declarations and drops the rest.
func TestLineMapPrune(t *testing.T) {
	var m lineMap
	decl := m.add(1, 1, 2)
	stmts := m.add(2, 1, 1)
	dv, sv := m.spot(decl, cellPos{1, 2, 1}), m.spot(stmts, cellPos{2, 1, 1})
	m.prune(map[int]bool{decl: true})
	if _, ok := m.pos(decl+1, 1); !ok {
		t.Error("a declaration's line was dropped")
	}
	if _, ok := m.spotPos(int64(dv)); !ok {
		t.Error("a declaration's spot was dropped")
	}
	if _, ok := m.pos(stmts, 1); ok {
		t.Error("a statement's line was kept")
	}
	if _, ok := m.spotPos(int64(sv)); ok {
		t.Error("a statement's spot was kept")
	}
}

// TestLineMapBounded checks that the line map does not grow with the
// number of cells run (compactions drop the lines of earlier statements),
// and that a declaration keeps its positions.
func TestLineMapBounded(t *testing.T) {
	s := newSession(t)
	if _, err := s.Execute(context.Background(), "func g(i int) int {\n\tif i > 5 { panic(\"big\") }\n\treturn i\n}", newRecSink()); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < compactEvery+10; i++ {
		if _, err := s.Execute(context.Background(), "g(3) + 1", newRecSink()); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(s.lines.ranges); n > compactEvery {
		t.Errorf("the line map holds %d ranges after %d cells", n, compactEvery+10)
	}
	_, err := s.Execute(context.Background(), "g(7)", newRecSink())
	if err == nil || !strings.Contains(strings.Join(err.(*display.Error).Traceback, "\n"), "in g at cell 1, line 2:") {
		t.Errorf("a panic after a compaction: %#v", err)
	}
}
