package dsl

import (
	"go/ast"
	"go/token"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// firstUndefined finds the first name the cell being run (s.parsed)
// uses that neither the cell nor the session defines.
func (s *Session) firstUndefined(code string) (string, cellPos, bool) {
	if s.parsed == nil || s.parsed.code != code {
		return "", cellPos{}, false
	}
	uses, declared := s.parsed.names()
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

// names returns the names the cell uses without declaring them, in
// order, and the names the cell declares at its top level. They are read
// from the tree as parsed (chunks asks before the passes change the
// selectors of a cell that has any).
func (pc *parsedCell) names() (uses []nameUse, declared map[string]bool) {
	if pc.declared != nil {
		return pc.uses, pc.declared
	}
	defer func() { pc.uses, pc.declared = uses, declared }()
	declared = map[string]bool{}
	topLevelNames(pc.file, declared)
	sels := map[token.Pos]string{}
	ast.Inspect(pc.file, func(n ast.Node) bool {
		if se, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := se.X.(*ast.Ident); ok {
				sels[id.Pos()] = se.Sel.Name
			}
		}
		return true
	})
	for _, id := range pc.file.Unresolved {
		if p := pc.pieceAt(id.Pos()); p != nil {
			uses = append(uses, nameUse{id.Name, pc.cellOffset(p, id.Pos()), sels[id.Pos()]})
		}
	}
	sort.SliceStable(uses, func(i, j int) bool { return uses[i].off < uses[j].off })
	return uses, declared
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
