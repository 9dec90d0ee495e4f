package dsl

import (
	"fmt"
	"go/ast"
	"reflect"
	"strings"
)

// yaegi v0.16.1 gives a struct type declared in a cell no name: its
// reflect type is struct { Xx int; Xy int } (unexported fields get an X in
// front). fmt's %T, %+v and %#v would print that. So the session rewrites
// fmt.Printf, fmt.Sprintf and fmt.Fprintf calls (see rewriteCall) to format
// through sprintf, which prints such values as Go does (main.point,
// {x:1 y:2}, main.point{x:1, y:2}); everything else is fmt's own output.

// typeNames maps the reflect types of the session's struct types to their
// names; it is set after declarations are evaluated and read by sprintf,
// which may run on any goroutine.
func (s *Session) refreshTypeNames() {
	m := map[reflect.Type]string{}
	dup := map[reflect.Type]bool{}
	for t, n := range userTypes(s.in, s.decls) {
		if t.Kind() != reflect.Struct || t.Name() != "" {
			continue
		}
		if _, seen := m[t]; seen {
			dup[t] = true
		}
		m[t] = n
	}
	for t := range dup {
		delete(m, t) // two types with the same fields: not told apart
	}
	s.typeNames.Store(&m)
}

// sprintf is fmt.Sprintf with the session's struct types printed under
// their names by %T, %+v and %#v.
func (s *Session) sprintf(format string, args ...any) string {
	names := s.typeNames.Load()
	if names == nil || len(*names) == 0 || !strings.ContainsAny(format, "T+#") {
		return fmt.Sprintf(format, args...)
	}
	f := []byte(format)
	out := append([]any(nil), args...)
	arg := 0
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		j := i + 1
		flags := ""
		for ; j < len(f) && strings.IndexByte("+-# 0", f[j]) >= 0; j++ {
			flags += string(f[j])
		}
		for k := 0; k < 2 && j < len(f); k++ { // width, then precision
			if k == 1 {
				if f[j] != '.' {
					break
				}
				j++
			}
			if j < len(f) && f[j] == '*' {
				arg, j = arg+1, j+1
			}
			for j < len(f) && f[j] >= '0' && f[j] <= '9' {
				j++
			}
		}
		if j >= len(f) || f[j] == '[' {
			return fmt.Sprintf(format, args...) // explicit argument indexes: left to fmt
		}
		if f[j] == '%' {
			i = j
			continue
		}
		if arg < len(out) {
			switch {
			case f[j] == 'T':
				if n, ok := goTypeName(reflect.TypeOf(out[arg]), *names); ok {
					f[j], out[arg] = 's', n
				}
			case f[j] == 'v' && strings.ContainsAny(flags, "+#"):
				if _, ok := goTypeName(reflect.TypeOf(out[arg]), *names); ok {
					out[arg] = goValue{reflect.ValueOf(out[arg]), *names}
				}
			}
		}
		arg++
		i = j
	}
	return fmt.Sprintf(string(f), out...)
}

// fmtInterfaces are the interfaces yaegi wraps a notebook value in when
// it is passed to sprintf, so that fmt sees its methods; fmt prefers them
// in this order.
var fmtInterfaces = []reflect.Type{
	reflect.TypeOf((*fmt.Formatter)(nil)).Elem(),
	reflect.TypeOf((*error)(nil)).Elem(),
	reflect.TypeOf((*fmt.Stringer)(nil)).Elem(),
}

// goTypeName returns the Go name of t (main.point, *main.point) when it is
// one of the session's struct types or a pointer to one.
func goTypeName(t reflect.Type, names map[reflect.Type]string) (string, bool) {
	if t == nil {
		return "", false
	}
	if n, ok := names[t]; ok {
		return "main." + n, true
	}
	if t.Kind() == reflect.Pointer {
		if n, ok := goTypeName(t.Elem(), names); ok {
			return "*" + n, true
		}
	}
	return "", false
}

// goValue prints a value of a session struct type for %+v and %#v as Go
// would.
type goValue struct {
	v     reflect.Value
	names map[reflect.Type]string
}

// Format implements fmt.Formatter.
func (g goValue) Format(st fmt.State, verb rune) {
	sharp := st.Flag('#')
	v := g.v
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			fmt.Fprintf(st, fmt.FormatString(st, verb), v.Interface())
			return
		}
		fmt.Fprint(st, "&")
		v = v.Elem()
	}
	name, ok := goTypeName(v.Type(), g.names)
	if !ok || v.Kind() != reflect.Struct {
		fmt.Fprintf(st, fmt.FormatString(st, verb), v.Interface())
		return
	}
	if sharp {
		fmt.Fprint(st, name)
	}
	fmt.Fprint(st, "{")
	for i := 0; i < v.NumField(); i++ {
		if i > 0 {
			if sharp {
				fmt.Fprint(st, ", ")
			} else {
				fmt.Fprint(st, " ")
			}
		}
		fv := v.Field(i)
		var x any = "?"
		if fv.CanInterface() {
			x = fv.Interface()
			if _, ok := goTypeName(fv.Type(), g.names); ok {
				x = goValue{fv, g.names}
			}
		}
		fmt.Fprintf(st, "%s:"+fmt.FormatString(st, verb), fieldName(v.Type().Field(i).Name), x)
	}
	fmt.Fprint(st, "}")
}

// fieldName undoes yaegi's renaming of an unexported field (x becomes Xx).
func fieldName(n string) string {
	if len(n) > 1 && n[0] == 'X' && n[1] >= 'a' && n[1] <= 'z' {
		return n[1:]
	}
	return n
}

// rewriteFmt makes fmt.Sprintf(F, A...) call sprintf, and fmt.Printf(F,
// A...) and fmt.Fprintf(W, F, A...) print what sprintf returns with
// fmt.Print and fmt.Fprint (same output, same results). The call is
// replaced whole, so the call of a go or defer statement, whose arguments
// are bound one by one, keeps fmt's own formatting.
func rewriteFmt(c *ast.CallExpr, name string, t *tree) {
	if len(c.Args) == 0 || name == "fmt.Fprintf" && len(c.Args) < 2 {
		return
	}
	args := c.Args
	var with *ast.CallExpr
	switch name {
	case "fmt.Sprintf":
		c.Fun = stand(t.marks, c.Fun, t.id(sprintfFunc))
		return
	case "fmt.Printf":
		with = t.callOf("fmt.Print", nil)
	case "fmt.Fprintf":
		with = t.callOf("fmt.Fprint", args[0], nil)
		args = args[1:]
	}
	s := t.callOf(sprintfFunc, args...)
	s.Ellipsis = c.Ellipsis
	with.Args[len(with.Args)-1] = s
	become(t.marks, c, with)
}
