package dsl

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"strings"
)

// firstUndefined finds the first name the cell uses that neither the cell
// nor the session defines.
func (s *Session) firstUndefined(code string) (string, cellPos, bool) {
	uses, declared, ok := s.cellNames(code)
	if !ok {
		return "", cellPos{}, false
	}
	globals := s.globals()
	for _, u := range uses {
		if _, global := globals[u.name]; !declared[u.name] && !global && !s.sessionDefines(u.name) && !strings.HasPrefix(u.name, "__latent") {
			l, c := lineCol(code, u.off)
			return u.name, cellPos{s.cell, l, c}, true
		}
	}
	return "", cellPos{}, false
}

// sessionDefines reports whether name is a keyword, a builtin, or a
// declaration or import of the session. Variables are not looked at here:
// listing the interpreter's globals costs more, and callers do it once.
func (s *Session) sessionDefines(name string) bool {
	if _, ok := s.declIdx[name]; ok {
		return true
	}
	if _, ok := s.aliases[name]; ok {
		return true
	}
	return slices.Contains(keywords, name) || slices.Contains(builtins, name)
}

// nameUse is a name a cell uses without declaring it: its byte offset in
// the cell, and the member it selects when it is the X of X.Sel.
type nameUse struct {
	name string
	off  int
	sel  string
}

// cellNames returns the names the cell uses without declaring them, in
// order, and the names the cell declares at its top level.
func (s *Session) cellNames(code string) (uses []nameUse, declared map[string]bool, ok bool) {
	segs, err := segment(code)
	if err != nil {
		return nil, nil, false
	}
	declared = map[string]bool{}
	for _, sg := range segs {
		text := code[sg.start:sg.end]
		prefix := funcPrefix + "\n"
		if sg.decl != token.ILLEGAL {
			prefix = filePrefix + "\n"
		} else {
			text += "\n}"
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, "", prefix+text, 0)
		if list, ok := tupleLast(code[sg.start:sg.end]); err != nil && ok && sg.decl == token.ILLEGAL {
			// a last line that lists values (v, err)
			f, err = parser.ParseFile(fset, "", prefix+list+"\n}", 0)
		}
		if err != nil {
			return nil, nil, false
		}
		topLevelNames(f, declared)
		sels := map[token.Pos]string{}
		ast.Inspect(f, func(n ast.Node) bool {
			if se, ok := n.(*ast.SelectorExpr); ok {
				if id, ok := se.X.(*ast.Ident); ok {
					sels[id.Pos()] = se.Sel.Name
				}
			}
			return true
		})
		for _, id := range f.Unresolved {
			uses = append(uses, nameUse{id.Name, sg.start + fset.Position(id.Pos()).Offset - len(prefix), sels[id.Pos()]})
		}
	}
	return uses, declared, true
}

// topLevelNames adds to known the names f declares at the cell's top level.
func topLevelNames(f *ast.File, known map[string]bool) {
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				known[d.Name.Name] = true
			}
			if d.Name.Name == "_" && d.Body != nil {
				for _, st := range d.Body.List {
					if as, ok := st.(*ast.AssignStmt); ok && as.Tok == token.DEFINE {
						for _, l := range as.Lhs {
							if id, ok := l.(*ast.Ident); ok {
								known[id.Name] = true
							}
						}
					}
				}
			}
		case *ast.GenDecl:
			for _, sp := range d.Specs {
				switch sp := sp.(type) {
				case *ast.TypeSpec:
					known[sp.Name.Name] = true
				case *ast.ValueSpec:
					for _, n := range sp.Names {
						known[n.Name] = true
					}
				case *ast.ImportSpec:
					if sp.Name != nil {
						known[sp.Name.Name] = true
					} else {
						p, _ := strconv.Unquote(sp.Path.Value)
						known[importSpec{Path: p}.name()] = true
					}
				}
			}
		}
	}
}
