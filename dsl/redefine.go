package dsl

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/traefik/yaegi/interp"

	"github.com/latent-ai/latent/display"
)

// Redefinition semantics (also in doc.go):
//
// yaegi binds a call to the function body that existed when the caller was
// compiled and ignores a second definition of a type or a method. So when a
// cell changes a func, method, type or const that an earlier cell declared,
// the session rebuilds: it starts a fresh interpreter, evaluates every import,
// then all top-level declarations at once (each name with its newest source,
// in the order names were first declared), and restores every variable with
// the value it had. Earlier callers therefore see the new definition.
// Variables are never re-initialised: their initialisers and the statements
// of earlier cells do not run again. A variable whose type was redefined
// keeps its value when the old value still fits the new type; otherwise it
// is reset to the zero value of the new type, with a note on stderr. If the
// new declarations do not compile together (a caller no longer matches a
// changed signature), the cell fails and the session keeps its previous
// state.

// errNotMovable stops a strict rebuild (compaction) that would lose a value.
var errNotMovable = errors.New("a variable cannot be moved to a fresh interpreter")

// rebuild replays the declarations with the chunks of this cell applied.
// A strict rebuild (compaction, no declaration changed) gives up with
// errNotMovable, keeping the old interpreter, rather than drop or reset any
// variable or move a func value.
func (s *Session) rebuild(ctx context.Context, code string, chunks []chunk, sink display.Sink, strict bool) error {
	// The new declaration list: a changed record is replaced in place.
	recs := append([]*declRec(nil), s.decls...)
	for _, c := range chunks {
		nr := &declRec{keys: c.keys, kinds: c.kinds, body: c.body, src: c.src, results: c.results, prog0: c.prog0}
		placed := false
		for i, r := range recs {
			if r == nil || !overlaps(r.keys, c.keys) {
				continue
			}
			if !placed {
				recs[i], placed = nr, true
			} else {
				recs[i] = nil
			}
		}
		if !placed {
			recs = append(recs, nr)
		}
	}
	kept := recs[:0]
	for _, r := range recs {
		if r != nil {
			kept = append(kept, r)
		}
	}
	recs = kept

	old := s.in
	oldTypes := userTypes(old, s.decls)
	vars := s.userVars()

	in, err := s.newInterp()
	if err != nil {
		return err
	}
	if len(s.imports) > 0 {
		var b strings.Builder
		b.WriteString("import (\n")
		for _, im := range s.imports {
			b.WriteString(im.source() + "\n")
		}
		b.WriteString(")")
		if _, err := in.Eval(b.String()); err != nil {
			return s.evalErr(ctx, code, err)
		}
	}

	// Variables: typed declarations for values of notebook types (set after
	// the declarations compile), carried values for all others.
	carry := map[string]reflect.Value{}
	typed := map[string]reflect.Value{}
	var varSrc strings.Builder
	names := make([]string, 0, len(vars))
	for n := range vars {
		names = append(names, n)
	}
	sort.Strings(names)
	var lost []string
	for _, n := range names {
		v := vars[n]
		if !v.IsValid() {
			continue
		}
		if strict && !movable(v) {
			return errNotMovable
		}
		if te, ok := typeExpr(v.Type(), oldTypes); ok {
			fmt.Fprintf(&varSrc, "var %s %s\n", n, te)
			typed[n] = v
			continue
		}
		if interpType(v.Type()) {
			lost = append(lost, n) // an interpreter-internal representation cannot be carried
			continue
		}
		p := reflect.New(v.Type())
		p.Elem().Set(v)
		carry[n] = p.Elem()
		fmt.Fprintf(&varSrc, "var %s = __latentCarry.%s\n", n, n)
	}
	if len(carry) > 0 {
		if err := in.Use(interp.Exports{"latentcarry/latentcarry": carry}); err != nil {
			return err
		}
		if _, err := in.Eval(`import __latentCarry "latentcarry"`); err != nil {
			return err
		}
	}
	var b strings.Builder
	for _, r := range recs {
		b.WriteString(r.src)
		b.WriteString("\n")
	}
	b.WriteString("\n")
	b.WriteString(varSrc.String())
	s.in, in = in, s.in // eval runs on s.in
	_, err = s.eval(ctx, b.String())
	s.in, in = in, s.in
	if err != nil {
		return s.evalErr(ctx, code, err)
	}
	g := s.globalsOf(in)
	var reset []string
	for n, v := range typed {
		dst, ok := g[n]
		if !ok || !dst.CanSet() {
			continue
		}
		switch {
		case v.Type().AssignableTo(dst.Type()):
			dst.Set(v)
		case v.Type().ConvertibleTo(dst.Type()):
			dst.Set(v.Convert(dst.Type()))
		default:
			if strict {
				return errNotMovable
			}
			reset = append(reset, n)
		}
	}
	sort.Strings(reset)
	for _, n := range lost {
		sink.Stream("stderr", fmt.Sprintf("note: %s could not be moved to the rebuilt interpreter (the interpreter holds its value in an internal form); re-run the cell that sets it\n", n))
	}
	for _, n := range reset {
		sink.Stream("stderr", fmt.Sprintf("note: %s was reset to its zero value: its type changed and the old value does not fit the new one\n", n))
	}
	s.moveTo(in, recs)
	s.refreshTypeNames()
	return nil
}

// movable reports whether v can be carried to a fresh interpreter without
// changing meaning: no func values (closures would keep running in the old
// interpreter) and no interpreter-internal representations.
func movable(v reflect.Value) bool {
	if v.Kind() == reflect.Interface {
		if v.IsNil() {
			return true
		}
		v = v.Elem()
	}
	return movableType(v.Type(), 0)
}

func movableType(t reflect.Type, depth int) bool {
	if depth > 16 || interpType(t) {
		return false
	}
	switch t.Kind() {
	case reflect.Func, reflect.Interface, reflect.UnsafePointer, reflect.Chan:
		return false
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return movableType(t.Elem(), depth+1)
	case reflect.Map:
		return movableType(t.Key(), depth+1) && movableType(t.Elem(), depth+1)
	case reflect.Struct:
		if t.PkgPath() != "" && t.Name() != "" {
			// A compiled type: its unexported fields may hold anything, but
			// moving the value moves the same object, as Go assignment does.
			return true
		}
		for i := 0; i < t.NumField(); i++ {
			if !movableType(t.Field(i).Type, depth+1) {
				return false
			}
		}
	}
	return true
}

func overlaps(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

// userVars returns the session's global variables (not constants or the
// session's own helpers) and their values.
func (s *Session) userVars() map[string]reflect.Value {
	vars := map[string]reflect.Value{}
	for n, v := range s.globals() {
		if strings.HasPrefix(n, "__latent") || n == "_" {
			continue
		}
		if i, ok := s.declIdx[n]; ok {
			if kindOf(s.decls[i], n) == "const" {
				continue
			}
		}
		if v.IsValid() && v.CanInterface() {
			if _, isConst := v.Interface().(interface{ ExactString() string }); isConst {
				continue
			}
		}
		vars[n] = v
	}
	return vars
}

func kindOf(r *declRec, key string) string {
	for i, k := range r.keys {
		if k == key {
			return r.kinds[i]
		}
	}
	return ""
}

// userTypes maps the reflect type yaegi built for each notebook type to its
// name, by evaluating a zero value of each in the interpreter in.
func userTypes(in *interp.Interpreter, decls []*declRec) map[reflect.Type]string {
	m := map[reflect.Type]string{}
	for _, r := range decls {
		for i, k := range r.keys {
			if r.kinds[i] != "type" {
				continue
			}
			func() {
				defer func() { _ = recover() }()
				v, err := in.Eval("*new(" + k + ")")
				if err == nil && v.IsValid() {
					if _, dup := m[v.Type()]; !dup {
						m[v.Type()] = k
					}
				}
			}()
		}
	}
	return m
}

// typeExpr writes t as Go source when it involves a notebook type (listed
// in names); ok is false for types that need no name (those are carried as
// compiled values) or cannot be written.
func typeExpr(t reflect.Type, names map[reflect.Type]string) (string, bool) {
	if n, ok := names[t]; ok {
		return n, true
	}
	switch t.Kind() {
	case reflect.Pointer:
		if e, ok := typeExpr(t.Elem(), names); ok {
			return "*" + e, true
		}
	case reflect.Slice:
		if e, ok := typeExpr(t.Elem(), names); ok {
			return "[]" + e, true
		}
	case reflect.Array:
		if e, ok := typeExpr(t.Elem(), names); ok {
			return fmt.Sprintf("[%d]%s", t.Len(), e), true
		}
	case reflect.Map:
		k, kok := typeExpr(t.Key(), names)
		e, eok := typeExpr(t.Elem(), names)
		if !kok && !eok {
			return "", false
		}
		if !kok {
			if t.Key().PkgPath() != "" {
				return "", false
			}
			k = t.Key().String()
		}
		if !eok {
			if t.Elem().PkgPath() != "" || t.Elem().Kind() == reflect.Struct {
				return "", false
			}
			e = t.Elem().String()
		}
		return "map[" + k + "]" + e, true
	}
	return "", false
}
