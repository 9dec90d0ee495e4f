package dsl

// Names of the interpreted helpers every session defines (see preamble).
const (
	goRecoverFunc   = "__latentGoRecover"
	launchFunc      = "__latentLaunch"
	minFunc         = "__latentMin"
	maxFunc         = "__latentMax"
	sortFunc        = "__latentSort"
	sliceMinFunc    = "__latentSliceMin"
	sliceMaxFunc    = "__latentSliceMax"
	keysFunc        = "__latentKeys"
	sortedKeys      = "__latentSortedKeys"
	valuesFunc      = "__latentValues"
	sortFuncFunc    = "__latentSortFunc"
	sortStableFunc  = "__latentSortStableFunc"
	clearFunc       = "__latent.Clear"
	deferFunc       = "__latentDefer"
	goLiveFunc      = "__latent.GoLive"
	enterFunc       = "__latent.Enter"
	leaveFunc       = "__latent.Leave"
	returnFunc      = "__latent.Return"
	lenFunc         = "__latent.Len"
	tupleFunc       = "__latent.Tuple"
	writeStringFunc = "__latent.WriteString"
	sprintfFunc     = "__latent.Sprintf"
	nopStmt         = "__latentNop = 0"
	runDefers       = "__latentRunDefers()"
)

// preamble is interpreted once in every fresh interpreter. It defines the
// helpers the rewrites call. The sessionPkg functions are compiled. It runs
// after the preloaded imports, sort among them.
const preamble = `package main

import __latent "latentsession"

type __latentOrdered interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr | ~float32 | ~float64 | ~string
}

// __latentLine and __latentCellLine hold the position of the statement
// that last ran; __latentLine is written while __latentTrack is true (see
// trackLines).
var __latentLine, __latentCellLine int
var __latentTrack = true

// __latentNop ends a chunk without a result (see nopStmt).
var __latentNop int

// __latentV carries a cell's result back into the interpreter when it is
// a notebook type that renders itself.
var __latentV any

// __latentLaunch runs before a goroutine of the session starts: it counts
// the goroutine live and stops the tracking of __latentLine, which code on
// the new goroutine could otherwise write at the same time as the cell.
// Only the cell, with no goroutine live, finds __latentTrack true.
func __latentLaunch() {
	__latent.GoLive(1)
	if __latentTrack {
		__latentTrack = false
	}
}

// __latentGoRecover ends a goroutine of the session: it hands its panic,
// and the position its body last recorded in line, to the session.
func __latentGoRecover(line *int) {
	if r := recover(); r != nil {
		__latent.GoPanic(r, *line)
	}
}

func __latentMin[T __latentOrdered](a T, rest ...T) T {
	m := a
	for _, v := range rest {
		if v < m || v != v {
			m = v
		}
	}
	return m
}

func __latentMax[T __latentOrdered](a T, rest ...T) T {
	m := a
	for _, v := range rest {
		if v > m || v != v {
			m = v
		}
	}
	return m
}

func __latentSort[T __latentOrdered](s []T) {
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] || (s[i] != s[i] && s[j] == s[j]) })
}

func __latentSortFunc[T any](s []T, cmp func(a, b T) int) {
	sort.Slice(s, func(i, j int) bool { return cmp(s[i], s[j]) < 0 })
}

func __latentSortStableFunc[T any](s []T, cmp func(a, b T) int) {
	sort.SliceStable(s, func(i, j int) bool { return cmp(s[i], s[j]) < 0 })
}

var __latentDefers []func()

func __latentDefer(f func()) { __latentDefers = append(__latentDefers, f) }

func __latentRunDefers() {
	for len(__latentDefers) > 0 {
		f := __latentDefers[len(__latentDefers)-1]
		__latentDefers = __latentDefers[:len(__latentDefers)-1]
		f()
	}
}

func __latentSliceMin[T __latentOrdered](s []T) T {
	if len(s) == 0 {
		panic("slices.Min: empty list")
	}
	return __latentMin(s[0], s[1:]...)
}

func __latentSliceMax[T __latentOrdered](s []T) T {
	if len(s) == 0 {
		panic("slices.Max: empty list")
	}
	return __latentMax(s[0], s[1:]...)
}

func __latentKeys[K comparable, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

func __latentSortedKeys[K __latentOrdered, V any](m map[K]V) []K {
	keys := __latentKeys(m)
	__latentSort(keys)
	return keys
}

func __latentValues[K comparable, V any](m map[K]V) []V {
	vals := make([]V, 0, len(m))
	for _, v := range m {
		vals = append(vals, v)
	}
	return vals
}
`
