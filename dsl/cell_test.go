package dsl

import (
	"context"
	"testing"
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
	v := m.spot(cellPos{3, 6, 2})
	if p, ok := m.spotPos(int64(v)); !ok || p != (cellPos{3, 6, 2}) {
		t.Errorf("spotPos(%d) = %v, %v", v, p, ok)
	}
	if _, ok := m.spotPos(0); ok {
		t.Error("register value 0 (nothing tracked) has a position")
	}
}
