package dsl

import "reflect"

// yaegi gives a re-declared top-level variable (`x := ...` or `var x` run
// again, as when a notebook cell is re-run) a new slot and keeps the old
// one, with its value, for as long as the interpreter lives: re-running
// `train, test := data.FashionMNIST()` would keep every earlier copy of the
// data. So a cell that re-declares an existing variable asks for the
// session to be compacted (moved to a fresh interpreter that carries every
// variable over, see compact) before the next cell; the old values are
// then garbage.

// redeclares reports whether the cell's chunks declare, at top level, a
// variable the session already has.
func (s *Session) redeclares(chunks []chunk) bool {
	var globals map[string]reflect.Value // listed only when a chunk declares a variable
	for _, c := range chunks {
		for _, n := range c.vars {
			if n == "_" {
				continue
			}
			if globals == nil {
				globals = s.globals()
			}
			if _, ok := globals[n]; ok {
				return true
			}
		}
	}
	return false
}
