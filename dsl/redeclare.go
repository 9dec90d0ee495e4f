package dsl

import (
	"go/ast"
	"go/parser"
	"go/token"
)

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
	var names []string
	for _, c := range chunks {
		switch c.kind {
		case chunkProbe:
			names = append(names, c.names...)
		case chunkVar:
			names = append(names, topLevelVarNames("package main\n"+stripDirective(c.src), false)...)
		case chunkStmts:
			names = append(names, topLevelVarNames(funcPrefix+stripDirective(c.src)+"\n}", true)...)
		}
	}
	if len(names) == 0 {
		return false
	}
	globals := s.globals()
	for _, n := range names {
		if _, ok := globals[n]; ok && n != "_" {
			return true
		}
	}
	return false
}

// topLevelVarNames parses src (a file, or a file whose one func body holds
// the statements when inBody is set) and returns the names its top-level
// `:=` and var declarations define; nil when it does not parse.
func topLevelVarNames(src string, inBody bool) []string {
	f, err := parser.ParseFile(token.NewFileSet(), "_.go", src, parser.SkipObjectResolution)
	if err != nil {
		return nil
	}
	var names []string
	addSpecs := func(d *ast.GenDecl) {
		if d.Tok != token.VAR {
			return
		}
		for _, sp := range d.Specs {
			for _, id := range sp.(*ast.ValueSpec).Names {
				names = append(names, id.Name)
			}
		}
	}
	if !inBody {
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok {
				addSpecs(g)
			}
		}
		return names
	}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		for _, st := range fd.Body.List {
			switch x := st.(type) {
			case *ast.AssignStmt:
				if x.Tok == token.DEFINE {
					for _, l := range x.Lhs {
						if id, ok := l.(*ast.Ident); ok {
							names = append(names, id.Name)
						}
					}
				}
			case *ast.DeclStmt:
				if g, ok := x.Decl.(*ast.GenDecl); ok {
					addSpecs(g)
				}
			}
		}
	}
	return names
}
