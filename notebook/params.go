package notebook

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Param is one -p NAME=VALUE given to the runner.
type Param struct {
	Name  string
	Value string
}

// ParseParam splits "NAME=VALUE".
func ParseParam(s string) (Param, error) {
	name, value, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || !token.IsIdentifier(name) {
		return Param{}, fmt.Errorf("parameter %q: want NAME=VALUE with NAME a Go identifier, e.g. -p epochs=3", s)
	}
	return Param{Name: name, Value: value}, nil
}

// paramKind is the Go type a parameter is declared with.
type paramKind struct {
	typ     string // Go type as written: int, float64, string, bool, time.Duration, ...
	defined bool   // the type is the default type of an untyped constant of that kind
}

// declaration is how the parameters cell declares a name.
type declaration struct {
	name  string
	form  string // "var", "const" or ":="
	typ   string // the declared Go type; "" when it could not be told
	typed bool   // the declaration names the type (var x int = ...)
	why   string // when typ is "": why not
}

// InjectParameters applies params to nb as papermill does: a code cell
// tagged injected-parameters, holding one declaration per parameter, is
// inserted right after the first cell tagged parameters (an earlier
// injected cell is removed first). Each value is checked against the type
// the parameters cell gives the name (int and uint types, float32/64,
// string, bool, time.Duration) and written in the same form (var, const or
// :=), so the injected values replace the defaults. Without a parameters
// cell, the cell is injected at the top with types guessed from the values,
// and warning says so. With no params, nb is left alone.
func (nb *Notebook) InjectParameters(params []Param) (warning string, err error) {
	return nb.InjectParametersFor("go", params)
}

// InjectParametersFor is InjectParameters for a notebook in language: "go"
// as described there, or "python", where each value becomes an assignment
// typed by its look as papermill's -p does (True/False, None, int, float,
// else a string). Other languages get an error.
func (nb *Notebook) InjectParametersFor(language string, params []Param) (warning string, err error) {
	if len(params) == 0 {
		return "", nil
	}
	language = strings.ToLower(language)
	if language != "go" && language != "python" {
		return "", fmt.Errorf("-p is supported for Go and Python notebooks, not %s", language)
	}
	kept := nb.Cells[:0]
	for _, c := range nb.Cells {
		if !c.HasTag(TagInjectedParameters) {
			kept = append(kept, c)
		}
	}
	nb.Cells = kept

	at := -1
	for i, c := range nb.Cells {
		if c.Type == CodeCell && c.HasTag(TagParameters) {
			at = i
			break
		}
	}
	var lines []string
	comment := "//"
	switch {
	case language == "python":
		comment = "#"
		for _, p := range params {
			lines = append(lines, p.Name+" = "+pythonLiteral(p.Value))
		}
		if at < 0 {
			warning = "no cell is tagged \"parameters\": the parameters were injected at the top"
		}
	case at < 0:
		warning = "no cell is tagged \"parameters\": the parameters were injected at the top, with types guessed from their values; tag the cell that declares them \"parameters\" to get them checked"
		for _, p := range params {
			lines = append(lines, fmt.Sprintf("var %s = %s", p.Name, guessLiteral(p.Value)))
		}
	default:
		decls, err := parameterDeclarations(nb.Cells[at].Source)
		if err != nil {
			return "", fmt.Errorf("the parameters cell (cell %d) cannot be parsed: %v", at+1, err)
		}
		byName := map[string]declaration{}
		var names []string
		for _, d := range decls {
			if _, dup := byName[d.name]; !dup {
				names = append(names, d.name)
			}
			byName[d.name] = d
		}
		sort.Strings(names)
		for _, p := range params {
			d, ok := byName[p.Name]
			if !ok {
				declared := "nothing"
				if len(names) > 0 {
					declared = strings.Join(names, ", ")
				}
				return "", fmt.Errorf("parameter %q is not declared in the parameters cell (cell %d), which declares %s", p.Name, at+1, declared)
			}
			line, err := d.assign(p.Value)
			if err != nil {
				return "", fmt.Errorf("parameter %s=%q: %v", p.Name, p.Value, err)
			}
			lines = append(lines, line)
		}
	}
	src := comment + " Parameters\n" + strings.Join(lines, "\n")
	cell := &Cell{
		ID:       "injected-parameters",
		Type:     CodeCell,
		Source:   src,
		Metadata: map[string]any{"tags": []any{TagInjectedParameters}},
	}
	for _, c := range nb.Cells {
		if c.ID == cell.ID {
			c.ID = "" // AssignIDs gives it another one
		}
	}
	nb.Cells = append(nb.Cells[:at+1], append([]*Cell{cell}, nb.Cells[at+1:]...)...)
	nb.AssignIDs()
	return warning, nil
}

// parameterDeclarations finds the names src declares at its top level, as a
// file of declarations or as statements.
func parameterDeclarations(src string) ([]declaration, error) {
	fset := token.NewFileSet()
	var decls []declaration
	if f, err := parser.ParseFile(fset, "", "package p\n"+src, parser.SkipObjectResolution); err == nil {
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok {
				decls = append(decls, genDecl(g)...)
			}
		}
		return decls, nil
	}
	f, err := parser.ParseFile(fset, "", "package p\nfunc _() {\n"+src+"\n}", parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("%v", strings.TrimPrefix(err.Error(), ":"))
	}
	body := f.Decls[0].(*ast.FuncDecl).Body
	for _, st := range body.List {
		switch s := st.(type) {
		case *ast.DeclStmt:
			if g, ok := s.Decl.(*ast.GenDecl); ok {
				decls = append(decls, genDecl(g)...)
			}
		case *ast.AssignStmt:
			if s.Tok != token.DEFINE {
				continue
			}
			for i, l := range s.Lhs {
				if id, ok := l.(*ast.Ident); ok && id.Name != "_" {
					d := declaration{name: id.Name, form: ":="}
					if len(s.Lhs) == len(s.Rhs) {
						d.typ, d.why = inferType(s.Rhs[i])
					} else {
						d.why = "its value comes from a call that returns several values"
					}
					decls = append(decls, d)
				}
			}
		}
	}
	return decls, nil
}

func genDecl(g *ast.GenDecl) []declaration {
	if g.Tok != token.VAR && g.Tok != token.CONST {
		return nil
	}
	var decls []declaration
	for _, spec := range g.Specs {
		vs := spec.(*ast.ValueSpec)
		for i, id := range vs.Names {
			if id.Name == "_" {
				continue
			}
			d := declaration{name: id.Name, form: g.Tok.String()}
			switch {
			case vs.Type != nil:
				d.typ, d.typed = exprString(vs.Type), true
			case i < len(vs.Values) && len(vs.Values) == len(vs.Names):
				d.typ, d.why = inferType(vs.Values[i])
			default:
				d.why = "its value is implicit (iota or a multi-value call)"
			}
			decls = append(decls, d)
		}
	}
	return decls
}

// inferType tells the default type of a simple initializer.
func inferType(e ast.Expr) (typ, why string) {
	switch x := e.(type) {
	case *ast.BasicLit:
		switch x.Kind {
		case token.INT:
			return "int", ""
		case token.FLOAT:
			return "float64", ""
		case token.STRING:
			return "string", ""
		case token.CHAR:
			return "rune", ""
		}
	case *ast.Ident:
		if x.Name == "true" || x.Name == "false" {
			return "bool", ""
		}
	case *ast.ParenExpr:
		return inferType(x.X)
	case *ast.UnaryExpr:
		return inferType(x.X)
	case *ast.CallExpr: // a conversion such as float32(0.1) or time.Duration(5)
		if len(x.Args) == 1 {
			if t := exprString(x.Fun); knownType(t) {
				return t, ""
			}
		}
	case *ast.BinaryExpr:
		if usesTimeUnit(x) {
			return "time.Duration", ""
		}
		lt, _ := inferType(x.X)
		rt, _ := inferType(x.Y)
		switch {
		case lt == "float64" || rt == "float64":
			if lt != "" && rt != "" {
				return "float64", ""
			}
		case lt == rt && lt != "":
			return lt, ""
		}
	case *ast.SelectorExpr:
		if usesTimeUnit(x) {
			return "time.Duration", ""
		}
	}
	return "", fmt.Sprintf("its type cannot be told from `%s`", exprString(e))
}

func usesTimeUnit(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if s, ok := n.(*ast.SelectorExpr); ok {
			if pkg, ok := s.X.(*ast.Ident); ok && pkg.Name == "time" {
				switch s.Sel.Name {
				case "Nanosecond", "Microsecond", "Millisecond", "Second", "Minute", "Hour":
					found = true
				}
			}
		}
		return !found
	})
	return found
}

func exprString(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.SelectorExpr:
		return exprString(x.X) + "." + x.Sel.Name
	case *ast.BasicLit:
		return x.Value
	case *ast.StarExpr:
		return "*" + exprString(x.X)
	case *ast.ArrayType:
		return "[]" + exprString(x.Elt)
	case *ast.CallExpr:
		return exprString(x.Fun) + "(...)"
	case *ast.BinaryExpr:
		return exprString(x.X) + " " + x.Op.String() + " " + exprString(x.Y)
	case *ast.UnaryExpr:
		return x.Op.String() + exprString(x.X)
	case *ast.ParenExpr:
		return "(" + exprString(x.X) + ")"
	case *ast.CompositeLit:
		if x.Type != nil {
			return exprString(x.Type) + "{...}"
		}
		return "{...}"
	case *ast.MapType:
		return "map[" + exprString(x.Key) + "]" + exprString(x.Value)
	case *ast.FuncLit:
		return "func literal"
	}
	return "an expression"
}

var intBits = map[string]int{"int": 0, "int8": 8, "int16": 16, "int32": 32, "rune": 32, "int64": 64,
	"uint": 0, "uint8": 8, "byte": 8, "uint16": 16, "uint32": 32, "uint64": 64, "uintptr": 0}

func knownType(t string) bool {
	_, isInt := intBits[t]
	return isInt || t == "float32" || t == "float64" || t == "string" || t == "bool" || t == "time.Duration"
}

// literal checks value against typ and returns it as a Go expression.
func literal(typ, value string) (string, error) {
	v := strings.TrimSpace(value)
	if bits, ok := intBits[typ]; ok {
		if strings.HasPrefix(typ, "u") || typ == "byte" {
			n, err := strconv.ParseUint(v, 0, bits)
			if err != nil {
				return "", fmt.Errorf("want a non-negative integer that fits %s", typ)
			}
			return strconv.FormatUint(n, 10), nil
		}
		n, err := strconv.ParseInt(v, 0, bits)
		if err != nil {
			return "", fmt.Errorf("want an integer that fits %s", typ)
		}
		return strconv.FormatInt(n, 10), nil
	}
	switch typ {
	case "float32", "float64":
		bits := 64
		if typ == "float32" {
			bits = 32
		}
		f, err := strconv.ParseFloat(v, bits)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return "", fmt.Errorf("want a finite number for %s, e.g. 0.01 or 1e-3", typ)
		}
		return floatLiteral(f, bits), nil
	case "string":
		return strconv.Quote(value), nil
	case "bool":
		b, err := strconv.ParseBool(v)
		if err != nil {
			return "", fmt.Errorf("want true or false")
		}
		return strconv.FormatBool(b), nil
	case "time.Duration":
		d, err := time.ParseDuration(v)
		if err != nil {
			return "", fmt.Errorf("want a duration such as 90s, 1.5m or 200ms")
		}
		return durationLiteral(d), nil
	}
	return "", fmt.Errorf("parameters of type %s are not supported; use int, float64, string, bool or time.Duration", typ)
}

func floatLiteral(f float64, bits int) string {
	s := strconv.FormatFloat(f, 'g', -1, bits)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

// durationLiteral writes d with the largest time unit that divides it.
func durationLiteral(d time.Duration) string {
	units := []struct {
		d    time.Duration
		name string
	}{{time.Hour, "Hour"}, {time.Minute, "Minute"}, {time.Second, "Second"},
		{time.Millisecond, "Millisecond"}, {time.Microsecond, "Microsecond"}}
	for _, u := range units {
		if d%u.d == 0 {
			return fmt.Sprintf("%d * time.%s", d/u.d, u.name)
		}
	}
	return fmt.Sprintf("time.Duration(%d)", int64(d))
}

// assign returns the declaration that gives d's name the new value.
func (d declaration) assign(value string) (string, error) {
	if d.typ == "" {
		return "", fmt.Errorf("the parameters cell declares %s but %s; give it a type, e.g. var %s int = ...", d.name, d.why, d.name)
	}
	lit, err := literal(d.typ, value)
	if err != nil {
		return "", err
	}
	defaultType := map[string]string{"int": "int", "float64": "float64", "string": "string", "bool": "bool"}
	switch {
	case d.form == ":=" && defaultType[d.typ] != "":
		return fmt.Sprintf("%s := %s", d.name, lit), nil
	case d.form == ":=":
		return fmt.Sprintf("%s := %s(%s)", d.name, d.typ, lit), nil
	case d.form == "const" && !d.typed && defaultType[d.typ] != "":
		return fmt.Sprintf("const %s = %s", d.name, lit), nil
	}
	return fmt.Sprintf("%s %s %s = %s", d.form, d.name, d.typ, lit), nil
}

// pythonLiteral writes value as papermill's -p reads it: True, False and
// None as themselves, integers and floats as numbers, anything else as a
// string.
func pythonLiteral(value string) string {
	v := strings.TrimSpace(value)
	switch v {
	case "True", "False", "None":
		return v
	}
	if _, err := strconv.ParseInt(v, 10, 64); err == nil {
		return v
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) && !strings.ContainsAny(v, "xXpP_") {
		return floatLiteral(f, 64)
	}
	return strconv.Quote(value)
}

// guessLiteral writes value as the Go literal it looks like: an integer, a
// float, a boolean, a duration, or else a string.
func guessLiteral(value string) string {
	v := strings.TrimSpace(value)
	if _, err := strconv.ParseInt(v, 0, 64); err == nil {
		lit, _ := literal("int", v)
		return lit
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
		return floatLiteral(f, 64)
	}
	if v == "true" || v == "false" {
		return v
	}
	return strconv.Quote(value)
}
