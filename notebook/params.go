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

// Param is one parameter given to the runner: -p NAME=VALUE, -r NAME
// VALUE, or an entry of a -f file.
type Param struct {
	Name  string
	Value string
	// Kind says what Value is: ValueText (from -p: typed by the parameters
	// cell) or, for values that carry their own type (-r, -f), ValueString,
	// ValueNumber, ValueBool or ValueNull.
	Kind ValueKind
}

// ValueKind is the kind of a parameter's value.
type ValueKind int

// The kinds of parameter values.
const (
	ValueText   ValueKind = iota // text to be read as the parameter's type (-p)
	ValueString                  // a string, taken as it is (-r, a quoted string in -f)
	ValueNumber                  // a number (-f)
	ValueBool                    // true or false (-f)
	ValueNull                    // null (-f): None in Python, refused in Go
)

func (k ValueKind) String() string {
	return [...]string{"text", "string", "number", "boolean", "null"}[k]
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
	def   string // the default value as written, "" when implicit
	pos   token.Pos
	value ast.Expr // the initializer, or nil
	doc   string   // the comment on its line, or else above it
	line  int      // its line in the cell, from 1
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
			lines = append(lines, p.Name+" = "+pythonValue(p))
		}
		if at < 0 {
			warning = "no cell is tagged \"parameters\": the parameters were injected at the top"
		}
	case at < 0:
		warning = "no cell is tagged \"parameters\": the parameters were injected at the top, with types guessed from their values; tag the cell that declares them \"parameters\" to get them checked"
		for _, p := range params {
			lit, err := guessValue(p)
			if err != nil {
				return "", err
			}
			lines = append(lines, fmt.Sprintf("var %s = %s", p.Name, lit))
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
			line, err := d.assign(p)
			if err != nil {
				return "", err
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
// file of declarations or as statements, with their default values and
// comments.
func parameterDeclarations(src string) ([]declaration, error) {
	fset := token.NewFileSet()
	var decls []declaration
	const fileHead = "package p\n"
	if f, err := parser.ParseFile(fset, "", fileHead+src, parser.SkipObjectResolution|parser.ParseComments); err == nil {
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok {
				decls = append(decls, genDecl(g)...)
			}
		}
		return annotate(decls, fset, f, src, len(fileHead), 1), nil
	}
	const funcHead = "package p\nfunc _() {\n"
	f, err := parser.ParseFile(fset, "", funcHead+src+"\n}", parser.SkipObjectResolution|parser.ParseComments)
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
					d := declaration{name: id.Name, form: ":=", pos: id.Pos()}
					if len(s.Lhs) == len(s.Rhs) {
						d.typ, d.why = inferType(s.Rhs[i])
						d.value = s.Rhs[i]
					} else {
						d.why = "its value comes from a call that returns several values"
					}
					decls = append(decls, d)
				}
			}
		}
	}
	return annotate(decls, fset, f, src, len(funcHead), 2), nil
}

// annotate fills in each declaration's default value (as written in src,
// which starts at offset head of the parsed file), its line in the cell
// (the file's lines shifted by lineShift) and its comment: the one on the
// same line, or else the one ending on the line above.
func annotate(decls []declaration, fset *token.FileSet, f *ast.File, src string, head, lineShift int) []declaration {
	byLine := map[int]string{}  // comment text by the line it starts on
	endLine := map[int]string{} // text of comments on lines of their own, by the line they end on
	for _, cg := range f.Comments {
		text := strings.TrimSpace(cg.Text())
		byLine[fset.Position(cg.Pos()).Line] = text
		// A comment after the code of the line above is that line's, not
		// the next declaration's.
		if off := fset.Position(cg.Pos()).Offset - head; off >= 0 && off <= len(src) {
			before := src[strings.LastIndexByte(src[:off], '\n')+1 : off]
			if strings.TrimSpace(before) != "" {
				continue
			}
		}
		endLine[fset.Position(cg.End()).Line] = text
	}
	for i := range decls {
		d := &decls[i]
		line := fset.Position(d.pos).Line
		d.line = line - lineShift
		if d.value != nil {
			from, to := fset.Position(d.value.Pos()).Offset-head, fset.Position(d.value.End()).Offset-head
			if from >= 0 && to <= len(src) && from <= to {
				d.def = src[from:to]
			}
			line = fset.Position(d.value.End()).Line
		}
		if c, ok := byLine[line]; ok {
			d.doc = c
		} else if c, ok := endLine[fset.Position(d.pos).Line-1]; ok {
			d.doc = c
		}
	}
	return decls
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
			d := declaration{name: id.Name, form: g.Tok.String(), pos: id.Pos()}
			if i < len(vs.Values) && len(vs.Values) == len(vs.Names) {
				d.value = vs.Values[i]
			}
			switch {
			case vs.Type != nil:
				d.typ, d.typed = exprString(vs.Type), true
			case d.value != nil:
				d.typ, d.why = inferType(d.value)
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

// assign returns the declaration that gives d's name the value of p.
func (d declaration) assign(p Param) (string, error) {
	if d.typ == "" {
		return "", fmt.Errorf("parameter %s: the parameters cell declares %s but %s; give it a type, e.g. var %s int = ...", p.Name, d.name, d.why, d.name)
	}
	lit, err := typedLiteral(d.typ, p)
	if err != nil {
		return "", fmt.Errorf("parameter %s=%q does not fit its type %s: %v", p.Name, p.Value, d.typ, err)
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

// typedLiteral checks p's value against the Go type typ: text is read as
// that type; a value with a kind of its own must be of a kind the type
// takes (a string for string and time.Duration, a number for numeric
// types, a boolean for bool).
func typedLiteral(typ string, p Param) (string, error) {
	_, isInt := intBits[typ]
	numeric := isInt || typ == "float32" || typ == "float64"
	switch {
	case p.Kind == ValueText:
	case p.Kind == ValueString && (typ == "string" || typ == "time.Duration"),
		p.Kind == ValueNumber && numeric,
		p.Kind == ValueBool && typ == "bool":
	default:
		return "", fmt.Errorf("it is given as a %s (by -r or -f), which %s cannot hold; give a %s value (-p %s=VALUE reads text as %s)", p.Kind, typ, typ, p.Name, typ)
	}
	return literal(typ, p.Value)
}

// pythonValue writes p as a Python literal: text as papermill's -p reads
// it, values with a kind of their own as that kind.
func pythonValue(p Param) string {
	switch p.Kind {
	case ValueString:
		return strconv.Quote(p.Value)
	case ValueBool:
		if p.Value == "true" {
			return "True"
		}
		return "False"
	case ValueNull:
		return "None"
	case ValueNumber:
		return strings.TrimSpace(p.Value)
	}
	return pythonLiteral(p.Value)
}

// guessValue writes p as a Go literal for a notebook without a parameters
// cell.
func guessValue(p Param) (string, error) {
	switch p.Kind {
	case ValueString:
		return strconv.Quote(p.Value), nil
	case ValueNull:
		return "", fmt.Errorf("parameter %s: Go has no untyped null; give a value", p.Name)
	}
	return guessLiteral(p.Value), nil
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
