package dsl

import (
	"go/constant"
	"reflect"

	"github.com/traefik/yaegi/interp"
)

// globals returns the interpreter's global variables and constants; it
// never panics.
func (s *Session) globals() map[string]reflect.Value { return s.globalsOf(s.in) }

func (s *Session) globalsOf(in *interp.Interpreter) (g map[string]reflect.Value) {
	defer func() {
		if r := recover(); r != nil {
			g = map[string]reflect.Value{}
		}
	}()
	return in.Globals()
}

// intValued implements rewriteEnv.
func (s *Session) intValued(name string) bool {
	if i, ok := s.declIdx[name]; ok {
		for j, k := range s.decls[i].keys {
			if k == name && s.decls[i].kinds[j] == "const" {
				v, ok := s.globals()[name]
				return ok && isIntKind(v)
			}
		}
		return false
	}
	v, ok := s.globals()[name]
	return ok && isIntKind(v)
}

func isIntKind(v reflect.Value) bool {
	if !v.IsValid() {
		return false
	}
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return true
	}
	if v.CanInterface() {
		if c, ok := v.Interface().(constant.Value); ok {
			return c.Kind() == constant.Int
		}
	}
	return false
}

// isPackage implements rewriteEnv.
func (s *Session) isPackage(name string) bool {
	_, ok := s.aliases[name]
	return ok
}

// funcValued implements rewriteEnv.
func (s *Session) funcValued(name string) bool {
	if i, ok := s.declIdx[name]; ok {
		return kindOf(s.decls[i], name) == "func"
	}
	v, ok := s.globals()[name]
	return ok && v.IsValid() && v.Kind() == reflect.Func
}

// isValue implements rewriteEnv: the interpreter's globals are its
// variables and constants.
func (s *Session) isValue(name string) bool {
	_, ok := s.globals()[name]
	return ok
}

// userDefined implements rewriteEnv.
func (s *Session) userDefined(name string) bool {
	if _, ok := s.declIdx[name]; ok {
		return true
	}
	if _, ok := s.aliases[name]; ok {
		return false
	}
	_, ok := s.globals()[name]
	return ok
}

// noEnv is a rewriteEnv that knows no session state.
type noEnv struct{}

func (noEnv) intValued(string) bool { return false }

func (noEnv) userDefined(string) bool { return false }

func (noEnv) funcValued(string) bool { return false }

func (noEnv) isPackage(string) bool { return false }

func (noEnv) results(string) int { return -1 }

func (noEnv) isValue(string) bool { return false }

// rewriteEnv answers the questions the rewriter cannot settle from syntax.
type rewriteEnv interface {
	// intValued reports whether the global name holds an integer, so that
	// `for i := range name` ranges over an integer.
	intValued(name string) bool
	// userDefined reports whether name is a function, type or variable of
	// the session (which then shadows a builtin such as min).
	userDefined(name string) bool
	// funcValued reports whether the global name is a function or holds
	// one.
	funcValued(name string) bool
	// isPackage reports whether name is an imported package.
	isPackage(name string) bool
	// results reports how many results a call of callee ("f", "pkg.F",
	// "x.M") has, or -1 when the session cannot tell.
	results(callee string) int
	// isValue reports whether the global name is a variable or a
	// constant (not a type or a function).
	isValue(name string) bool
}
