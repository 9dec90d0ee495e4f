package dsl

import (
	"cmp"
	"fmt"
	"image"
	"reflect"
	"slices"
	"strings"

	"github.com/latent-ai/latent/display"
)

// Limits of the plain-text form of values. fmt's %v follows interfaces,
// slices, maps and structs without bound: a value that contains itself
// (a := []any{nil}; a[0] = a) overflows the Go stack, a fatal error that
// ends the process, and a slice of millions of numbers makes a text of
// hundreds of megabytes. Values past these limits are printed by
// boundedString instead.
const (
	maxPrintDepth = 32   // nesting
	maxPrintElems = 1000 // elements of one slice, array or map
	maxPrintNodes = 20000
	showElems     = 100 // elements shown of a long slice or map
)

var stringerType = reflect.TypeOf((*fmt.Stringer)(nil)).Elem()
var errorType = reflect.TypeOf((*error)(nil)).Elem()

// formatBounded is the part of the display.Format hook that keeps %v
// safe: a value that is not an image and that %v could not print within
// the limits is shown as boundedString.
func formatBounded(v any) (display.Bundle, bool) {
	if _, ok := v.(image.Image); ok {
		return display.Bundle{}, false
	}
	rv := reflect.ValueOf(v)
	if !unbounded(rv) {
		return display.Bundle{}, false
	}
	return display.Text(boundedString(rv)), true
}

// unbounded reports whether printing v with %v would go deeper or longer
// than the limits, following the paths fmt follows.
func unbounded(v reflect.Value) bool {
	nodes := 0
	var walk func(v reflect.Value, depth int) bool
	walk = func(v reflect.Value, depth int) bool {
		nodes++
		if depth > maxPrintDepth || nodes > maxPrintNodes {
			return true
		}
		if !v.IsValid() {
			return false
		}
		if v.CanInterface() && (v.Type().Implements(stringerType) || v.Type().Implements(errorType)) {
			return false // fmt calls the method
		}
		switch v.Kind() {
		case reflect.Interface:
			return !v.IsNil() && walk(v.Elem(), depth+1)
		case reflect.Pointer:
			if depth == 0 && !v.IsNil() {
				switch v.Elem().Kind() {
				case reflect.Array, reflect.Slice, reflect.Struct, reflect.Map:
					return walk(v.Elem(), depth+1)
				}
			}
		case reflect.Slice, reflect.Array:
			if v.Len() > maxPrintElems {
				return true
			}
			if isScalar(v.Type().Elem().Kind()) {
				return false
			}
			for i := 0; i < v.Len(); i++ {
				if walk(v.Index(i), depth+1) {
					return true
				}
			}
		case reflect.Map:
			if v.Len() > maxPrintElems {
				return true
			}
			it := v.MapRange()
			for it.Next() {
				if walk(it.Key(), depth+1) || walk(it.Value(), depth+1) {
					return true
				}
			}
		case reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				if walk(v.Field(i), depth+1) {
					return true
				}
			}
		}
		return false
	}
	return walk(v, 0)
}

func isScalar(k reflect.Kind) bool {
	switch k {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128, reflect.String:
		return true
	}
	return false
}

// boundedString prints v like %v, but at most showElems elements of each
// slice, array or map (with the number left out), at most maxPrintDepth
// levels deep and at most maxPrintNodes values in all.
func boundedString(v reflect.Value) string {
	var b strings.Builder
	nodes := 0
	var pr func(v reflect.Value, depth int)
	pr = func(v reflect.Value, depth int) {
		nodes++
		if depth > maxPrintDepth || nodes > maxPrintNodes {
			b.WriteString("...")
			return
		}
		if !v.IsValid() {
			b.WriteString("<nil>")
			return
		}
		if v.CanInterface() && (v.Type().Implements(stringerType) || v.Type().Implements(errorType)) {
			if v.Kind() == reflect.Pointer && v.IsNil() {
				b.WriteString("<nil>")
				return
			}
			fmt.Fprint(&b, v.Interface())
			return
		}
		switch v.Kind() {
		case reflect.Interface:
			if v.IsNil() {
				b.WriteString("<nil>")
				return
			}
			pr(v.Elem(), depth+1)
		case reflect.Pointer:
			if v.IsNil() {
				b.WriteString("<nil>")
				return
			}
			switch v.Elem().Kind() {
			case reflect.Array, reflect.Slice, reflect.Struct, reflect.Map:
				if depth == 0 {
					b.WriteString("&")
					pr(v.Elem(), depth+1)
					return
				}
			}
			fmt.Fprintf(&b, "%#x", v.Pointer())
		case reflect.Slice, reflect.Array:
			b.WriteString("[")
			n := v.Len()
			for i := 0; i < n && i < showElems; i++ {
				if i > 0 {
					b.WriteString(" ")
				}
				pr(v.Index(i), depth+1)
			}
			if n > showElems {
				fmt.Fprintf(&b, " ... (%d more)", n-showElems)
			}
			b.WriteString("]")
		case reflect.Map:
			// The smallest keys, in order, as fmt sorts a map's keys.
			b.WriteString("map[")
			for i, k := range smallestKeys(v, showElems) {
				if i > 0 {
					b.WriteString(" ")
				}
				pr(k, depth+1)
				b.WriteString(":")
				pr(v.MapIndex(k), depth+1)
			}
			if v.Len() > showElems {
				fmt.Fprintf(&b, " ... (%d more)", v.Len()-showElems)
			}
			b.WriteString("]")
		case reflect.Struct:
			b.WriteString("{")
			for i := 0; i < v.NumField(); i++ {
				if i > 0 {
					b.WriteString(" ")
				}
				pr(v.Field(i), depth+1)
			}
			b.WriteString("}")
		default:
			if v.CanInterface() {
				fmt.Fprint(&b, v.Interface())
			} else {
				fmt.Fprint(&b, v)
			}
		}
	}
	pr(v, 0)
	return b.String()
}

// smallestKeys returns the n smallest keys of map m in order (all of them
// when it has fewer), in O(len·log n) time and O(n) memory.
func smallestKeys(m reflect.Value, n int) []reflect.Value {
	buf := make([]reflect.Value, 0, 2*n)
	it := m.MapRange()
	for it.Next() {
		buf = append(buf, it.Key())
		if len(buf) == cap(buf) {
			slices.SortFunc(buf, compareKeys)
			buf = buf[:n]
		}
	}
	slices.SortFunc(buf, compareKeys)
	return buf[:min(n, len(buf))]
}

// compareKeys orders map keys as fmt prints them: numbers by value,
// strings and booleans in order, other kinds by their printed form.
func compareKeys(a, b reflect.Value) int {
	if a.Kind() == b.Kind() {
		switch a.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			return cmp.Compare(a.Int(), b.Int())
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			return cmp.Compare(a.Uint(), b.Uint())
		case reflect.Float32, reflect.Float64:
			return cmp.Compare(a.Float(), b.Float())
		case reflect.String:
			return strings.Compare(a.String(), b.String())
		case reflect.Bool:
			return cmp.Compare(boolInt(a.Bool()), boolInt(b.Bool()))
		}
	}
	return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
