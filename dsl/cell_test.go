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
