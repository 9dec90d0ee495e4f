package dsl

import (
	"reflect"
	"unsafe"
)

// retainLimit is the size of a cell's result from which the session moves
// to a fresh interpreter before the next cell (compaction, with every
// variable carried over): yaegi keeps the value of every top-level
// expression it evaluated in its global frame, so a notebook that shows a
// 20 MiB result thirty times would otherwise hold 600 MiB.
const retainLimit = 1 << 20

// panicLimit is the number of goroutine panics after which the session
// compacts: yaegi keeps about 30 KB for each goroutine that panicked.
const panicLimit = 64

// noteResult asks for a compaction before the next cell when the value a
// cell's statements gave is large (see retainLimit) and not the memory of
// a session variable (showing big or big[:10] keeps nothing new, and a
// compaction costs tens of milliseconds), or after panicLimit goroutine
// panics.
func (s *Session) noteResult(v reflect.Value) {
	if s.sizeMemo.panics.Load() >= panicLimit || (shallowSize(v, 2) >= retainLimit && !s.heldByVariable(v)) {
		s.sizeMemo.panics.Store(0)
		s.shadowed = true
	}
}

// heldByVariable reports whether the memory v points to lies in the
// memory of one of the session's variables.
func (s *Session) heldByVariable(v reflect.Value) bool {
	p, _ := memRange(v)
	if p == 0 {
		return false
	}
	for _, g := range s.globals() {
		if q, n := memRange(g); q != 0 && p >= q && p < q+n {
			return true
		}
	}
	return false
}

// memRange returns the start and length of the memory a string, slice,
// map or pointer value points to (through interfaces, and pointers to
// strings, slices and maps); 0 for others.
func memRange(v reflect.Value) (uintptr, uintptr) {
	for v.IsValid() && (v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer) && !v.IsNil() {
		k := v.Elem().Kind()
		if v.Kind() == reflect.Pointer && k != reflect.String && k != reflect.Slice && k != reflect.Map && k != reflect.Interface {
			break // a pointer to other memory: its own range
		}
		v = v.Elem()
	}
	if !v.IsValid() {
		return 0, 0
	}
	switch v.Kind() {
	case reflect.String:
		return uintptr(unsafe.Pointer(unsafe.StringData(v.String()))), uintptr(v.Len())
	case reflect.Slice:
		return v.Pointer(), uintptr(v.Cap()) * v.Type().Elem().Size()
	case reflect.Map:
		return v.Pointer(), 1
	case reflect.Pointer:
		return v.Pointer(), max(v.Type().Elem().Size(), 1)
	}
	return 0, 0
}

// shallowSize returns the bytes v holds directly or through one pointer,
// slice, string or map; what lies further behind pointers is not counted.
func shallowSize(v reflect.Value, depth int) int64 {
	if !v.IsValid() || depth < 0 {
		return 0
	}
	switch v.Kind() {
	case reflect.String:
		return int64(v.Len())
	case reflect.Slice:
		return int64(v.Cap()) * int64(v.Type().Elem().Size())
	case reflect.Map:
		return int64(v.Len()) * int64(v.Type().Key().Size()+v.Type().Elem().Size())
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return 0
		}
		return shallowSize(v.Elem(), depth-1)
	}
	return int64(v.Type().Size())
}
