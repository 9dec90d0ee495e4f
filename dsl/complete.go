package dsl

import (
	"errors"
	"fmt"
	"go/scanner"
	"go/token"
	"path"
	"reflect"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/latent-ai/latent/display"
	"github.com/latent-ai/latent/dsl/docs"
	"github.com/latent-ai/latent/dsl/symbols"
	"github.com/latent-ai/latent/dsl/symbols/stdlib"
	"github.com/latent-ai/latent/modules"
)

// lookupDoc finds the build-time documentation of pkgPath.name ("" for the
// package itself).
func lookupDoc(pkgPath, name string) (docs.Entry, bool) {
	return docs.Lookup(pkgPath, name)
}

// synopsis is the first sentence of a doc comment, at most 160 bytes.
func synopsis(doc string) string {
	doc = strings.Join(strings.Fields(doc), " ")
	for from := 0; ; {
		i := strings.Index(doc[from:], ". ")
		if i < 0 {
			break
		}
		end := from + i
		if strings.HasSuffix(doc[:end], "e.g") || strings.HasSuffix(doc[:end], "i.e") {
			from = end + 2
			continue
		}
		doc = doc[:end+1]
		break
	}
	if len(doc) > 160 {
		cut := 157
		for cut > 0 && !utf8.RuneStart(doc[cut]) {
			cut--
		}
		doc = doc[:cut] + "..."
	}
	return doc
}

var keywords = []string{
	"break", "case", "chan", "const", "continue", "default", "defer", "else",
	"fallthrough", "for", "func", "go", "goto", "if", "import", "interface",
	"map", "package", "range", "return", "select", "struct", "switch", "type", "var",
}

var builtins = []string{
	"append", "cap", "clear", "close", "complex", "copy", "delete", "imag", "len",
	"make", "max", "min", "new", "panic", "print", "println", "real", "recover",
	"bool", "byte", "complex128", "complex64", "error", "float32", "float64", "int",
	"int16", "int32", "int64", "int8", "rune", "string", "uint", "uint16",
	"uint32", "uint64", "uint8", "uintptr", "any", "true", "false", "nil", "iota",
}

func isIdentRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// wordAt returns the identifier around cursor (runes before it from start,
// runes after it to end) and the identifier before a '.' that precedes it.
func wordAt(rs []rune, cursor int, extend bool) (start, end int, qual string) {
	if cursor < 0 {
		cursor = 0
	}
	if cursor > len(rs) {
		cursor = len(rs)
	}
	start, end = cursor, cursor
	for start > 0 && isIdentRune(rs[start-1]) {
		start--
	}
	if extend {
		for end < len(rs) && isIdentRune(rs[end]) {
			end++
		}
	}
	if start > 0 && rs[start-1] == '.' {
		q := start - 1
		for q > 0 && isIdentRune(rs[q-1]) {
			q--
		}
		qual = string(rs[q : start-1])
	}
	return start, end, qual
}

// Complete returns completions for the identifier before cursor (a
// code-point offset) and the code-point range they replace: members of a
// package (ae.De|), fields and methods of a variable's type (m.F|), and
// otherwise variables, functions, types, packages (the standard ones too,
// which import themselves), identifiers of the cell, keywords and builtins.
func (s *Session) Complete(code string, cursor int) (matches []string, start, end int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rs := []rune(code)
	if m, st, en, ok := importPathCompletions(rs, cursor); ok {
		return m, st, en
	}
	start, end, qual := wordAt(rs, cursor, false)
	prefix := string(rs[start:end])
	if magicWord(rs, start) {
		for _, m := range magics {
			name := strings.TrimPrefix(m.name, "%") // %%time completes as %time after its first %
			if strings.HasPrefix(name, prefix) && !slices.Contains(matches, name) {
				matches = append(matches, name)
			}
		}
		sort.Strings(matches)
		return matches, start, end
	}
	seen := map[string]bool{}
	add := func(n string) {
		if strings.HasPrefix(n, prefix) && !seen[n] && !strings.HasPrefix(n, "__latent") && n != "_" {
			seen[n] = true
			matches = append(matches, n)
		}
	}
	if start > 0 && rs[start-1] == '.' {
		for _, n := range s.members(qual) {
			add(n)
		}
		sort.Strings(matches)
		return matches, start, end
	}
	if s.in != nil {
		for n := range s.userVars() {
			add(n)
		}
	}
	for k := range s.declIdx {
		if !strings.Contains(k, ".") {
			add(k)
		}
	}
	for a := range s.aliases {
		add(a)
	}
	for n := range stdPackages() { // imported on first use
		add(n)
	}
	for _, n := range cellIdents(code) {
		if n != prefix { // the word being completed
			add(n)
		}
	}
	for _, k := range keywords {
		add(k)
	}
	for _, b := range builtins {
		add(b)
	}
	sort.Strings(matches)
	return matches, start, end
}

// magicWord reports whether the word starting at start follows the % (or
// %%) of a magic at the start of a line.
func magicWord(rs []rune, start int) bool {
	i := start
	for i > 0 && rs[i-1] == '%' {
		i--
	}
	if i == start {
		return false
	}
	for i > 0 && (rs[i-1] == ' ' || rs[i-1] == '\t') {
		i--
	}
	return i == 0 || rs[i-1] == '\n'
}

// importPathCompletions completes the import path in a string literal of an
// import declaration (import "encoding/js|" or a line of import ( ... )):
// the paths of the standard library, of the preloaded packages and of the
// modules got with %go get that start with what is typed. ok is false when
// the cursor is not in such a string.
func importPathCompletions(rs []rune, cursor int) (matches []string, start, end int, ok bool) {
	cursor = min(max(cursor, 0), len(rs))
	lineStart := cursor
	for lineStart > 0 && rs[lineStart-1] != '\n' {
		lineStart--
	}
	line := string(rs[lineStart:cursor])
	q := strings.LastIndex(line, "\"")
	if q < 0 || strings.Count(line, "\"") != 1 {
		return nil, 0, 0, false
	}
	head := strings.TrimSpace(line[:q])
	inBlock := head == "" || isIdentifier(head) // a line of import ( ... ), maybe with a name
	if f := strings.Fields(head); len(f) > 0 && f[0] == "import" {
		inBlock = false
	} else if !inBlock || !inImportBlock(string(rs[:lineStart])) {
		return nil, 0, 0, false
	}
	prefix := line[q+1:]
	for _, p := range importPaths() {
		if strings.HasPrefix(p, prefix) {
			matches = append(matches, p)
		}
	}
	start = lineStart + len([]rune(line[:q+1]))
	return matches, start, cursor, true
}

// inImportBlock reports whether text ends inside an import ( ... ) block.
func inImportBlock(text string) bool {
	i := strings.LastIndex(text, "import (")
	return i >= 0 && !strings.Contains(text[i:], ")")
}

// isIdentifier reports whether s is a Go identifier (an import's name) or
// _ or . .
func isIdentifier(s string) bool {
	if s == "_" || s == "." {
		return true
	}
	for i, r := range s {
		if !isIdentRune(r) || i == 0 && unicode.IsDigit(r) {
			return false
		}
	}
	return s != ""
}

// importPaths lists every package a cell can import, sorted.
func importPaths() []string {
	seen := map[string]bool{}
	for _, table := range []map[string]map[string]reflect.Value{stdlib.Symbols, symbols.Symbols, modules.Default().Symbols()} {
		for k := range table {
			if p := path.Dir(k); p != "." && !strings.Contains(p, "internal") {
				seen[p] = true
			}
		}
	}
	paths := make([]string, 0, len(seen))
	for p := range seen {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths
}

// pkgPath resolves a package name: an import of the session, else a
// standard library package of that name (for help before the import).
func (s *Session) pkgPath(name string) (string, bool) {
	if p, ok := s.aliases[name]; ok {
		return p, true
	}
	if s.isVar(name) {
		return "", false
	}
	if ps := stdPackages()[name]; len(ps) > 0 {
		return ps[0], true // the shortest path: math/rand over crypto/rand
	}
	return "", false
}

func (s *Session) isVar(name string) bool {
	if s.in == nil {
		return false
	}
	_, ok := s.globals()[name]
	return ok
}

// members lists what can follow "qual.": a package's exported names, or the
// fields and methods of a variable's type.
func (s *Session) members(qual string) []string {
	if p, ok := s.pkgPath(qual); ok {
		return packageMembers(p)
	}
	if s.in == nil {
		return nil
	}
	v, ok := s.userVars()[qual]
	if !ok {
		return nil
	}
	var names []string
	t := v.Type()
	if v.Kind() == reflect.Interface && !v.IsNil() {
		t = v.Elem().Type()
	}
	for _, tt := range []reflect.Type{t, reflect.PointerTo(t)} {
		for i := 0; i < tt.NumMethod(); i++ {
			names = append(names, tt.Method(i).Name)
		}
	}
	st := t
	if st.Kind() == reflect.Pointer {
		st = st.Elem()
	}
	if st.Kind() == reflect.Struct {
		for i := 0; i < st.NumField(); i++ {
			if f := st.Field(i); f.IsExported() || f.PkgPath == "" || st.PkgPath() == "" {
				names = append(names, f.Name)
			}
		}
	}
	// Methods of notebook types live in the interpreter, not in reflect.
	if tn, ok := typeExpr(t, userTypes(s.in, s.decls)); ok {
		base := strings.TrimLeft(tn, "*")
		for k := range s.declIdx {
			if recv, m, ok := strings.Cut(k, "."); ok && recv == base {
				names = append(names, m)
			}
		}
	}
	return names
}

// packageMembers lists the exported names of a compiled package.
func packageMembers(p string) []string {
	m := packageTable(p)
	names := make([]string, 0, len(m))
	for n := range m {
		if !strings.HasPrefix(n, "_") {
			names = append(names, n)
		}
	}
	return names
}

// cellIdents lists the identifiers of code (locals of the cell being typed).
func cellIdents(code string) []string {
	fset := token.NewFileSet()
	f := fset.AddFile("", -1, len(code))
	var sc scanner.Scanner
	sc.Init(f, []byte(code), func(token.Position, string) {}, 0)
	var ids []string
	for {
		_, tok, lit := sc.Scan()
		if tok == token.EOF {
			return ids
		}
		if tok == token.IDENT {
			ids = append(ids, lit)
		}
	}
}

// Inspect returns help on the symbol at cursor, and whether one was found:
// the signature and doc of a package member, a package's doc, a variable's
// type and value, or the source of a notebook declaration.
func (s *Session) Inspect(code string, cursor, detail int) (display.Bundle, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inspect(code, cursor, detail)
}

// inspect is Inspect with the session locked.
func (s *Session) inspect(code string, cursor, detail int) (display.Bundle, bool) {
	rs := []rune(code)
	start, end, qual := wordAt(rs, cursor, true)
	if start == end {
		return display.Bundle{}, false
	}
	name := string(rs[start:end])
	var text string
	qualPkg, isPkg := "", false
	if qual != "" {
		qualPkg, isPkg = s.pkgPath(qual)
	}
	switch {
	case isPkg:
		p := qualPkg
		if e, ok := lookupDoc(p, name); ok {
			text = e.Decl + "\n\n" + e.Doc
		} else if v, ok := lookupSymbol(p, name); ok {
			text = fmt.Sprintf("%s.%s  %s", qual, name, v.Type())
		}
	case qual != "" && s.in != nil:
		if v, ok := s.userVars()[qual]; ok {
			text = s.memberHelp(qual, v, name)
		}
	default:
		if p, ok := s.aliases[name]; ok {
			text = "package " + name + " // import " + fmt.Sprintf("%q", p)
			if e, ok := lookupDoc(p, ""); ok {
				text += "\n\n" + e.Doc
			}
		} else if h, ok := s.helpFor(name); ok {
			text = h
		}
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return display.Bundle{}, false
	}
	return display.Text(text), true
}

// memberHelp describes field or method name of variable qual.
func (s *Session) memberHelp(qual string, v reflect.Value, name string) string {
	t := v.Type()
	named := t
	if named.Kind() == reflect.Pointer {
		named = named.Elem()
	}
	_, has := t.MethodByName(name)
	if _, onPtr := reflect.PointerTo(t).MethodByName(name); has || onPtr {
		if e, ok := lookupDoc(named.PkgPath(), named.Name()+"."+name); ok {
			return e.Decl + "\n\n" + e.Doc
		}
		m, ok := t.MethodByName(name)
		if !ok {
			m, _ = reflect.PointerTo(t).MethodByName(name)
		}
		return fmt.Sprintf("%s.%s  %s", qual, name, m.Type)
	}
	st := t
	if st.Kind() == reflect.Pointer {
		st = st.Elem()
	}
	if st.Kind() == reflect.Struct {
		if f, ok := st.FieldByName(name); ok {
			out := fmt.Sprintf("%s.%s %s", qual, name, f.Type)
			fv := reflect.Indirect(v)
			if fv.IsValid() {
				if x := fv.FieldByIndex(f.Index); x.CanInterface() {
					out += " = " + valueString(x)
				}
			}
			if e, ok := lookupDoc(t.PkgPath(), t.Name()); ok {
				out += "\n\n" + e.Decl
			}
			return out
		}
	}
	if tn, ok := typeExpr(t, userTypes(s.in, s.decls)); ok {
		if i, ok := s.declIdx[strings.TrimLeft(tn, "*")+"."+name]; ok {
			return strings.TrimSpace(s.decls[i].body)
		}
	}
	return ""
}

// IsComplete reports "complete", "incomplete" (with a suggested indent) or
// "invalid" for code: incomplete while a brace, paren, bracket or raw
// string is open or the code stops mid-statement, invalid for any other
// syntax error.
func (s *Session) IsComplete(code string) (status, indent string) {
	if m, ok := parseMagic(code); ok {
		// The Go lines after the magic's line decide; a cell magic
		// (%%time) waits for its body.
		if m.cell && strings.TrimSpace(m.rest) == "" {
			return "incomplete", ""
		}
		return s.IsComplete(m.rest)
	}
	var sc scanner.Scanner
	fset := token.NewFileSet()
	src := []byte(code)
	openRaw, invalid := false, false
	sc.Init(fset.AddFile("", -1, len(src)), src, func(_ token.Position, msg string) {
		if strings.Contains(msg, "raw string literal not terminated") || strings.Contains(msg, "comment not terminated") {
			openRaw = true
		} else {
			invalid = true
		}
	}, 0)
	depth := 0
	for {
		_, tok, _ := sc.Scan()
		if tok == token.EOF {
			break
		}
		switch tok {
		case token.LBRACE, token.LPAREN, token.LBRACK:
			depth++
		case token.RBRACE, token.RPAREN, token.RBRACK:
			depth--
		}
	}
	switch {
	case openRaw:
		return "incomplete", ""
	case invalid || depth < 0:
		return "invalid", ""
	case depth > 0:
		return "incomplete", strings.Repeat("\t", depth)
	}
	if strings.TrimSpace(code) == "" {
		return "complete", ""
	}
	if _, err := splitCell(code, 1, noEnv{}); err != nil {
		var ge goError
		if errors.As(err, &ge) && strings.HasSuffix(strings.TrimSpace(code), ":") {
			return "incomplete", "" // a label typed before its statement
		}
		el, ok := err.(scanner.ErrorList)
		if strings.Contains(err.Error(), "found 'EOF'") || (ok && len(el) > 0 && el[0].Pos.Line > strings.Count(code, "\n")+1) {
			return "incomplete", ""
		}
		return "invalid", ""
	}
	return "complete", ""
}
