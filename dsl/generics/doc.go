// Package generics gives a yaegi interpreter the generic functions and
// types of the standard library, which yaegi's symbol tables cannot hold
// (a generic function has no address until it is instantiated, so yaegi's
// extract skips them).
//
// Each package here is Go source written for this project (src/*.go.txt,
// our own implementations of the documented behaviour), compiled into the
// interpreter by Load:
//
//   - cmp, slices, maps: every function, replacing the partial copies that
//     yaegi v0.16.1 interprets (most of whose calls fail there with
//     "undefined type for E", and which lack Sort, Min, Max, IsSorted,
//     BinarySearch, All, Values, Collect, Sorted, Chunk, Repeat, ...).
//     Parameters are written []E rather than S ~[]E, since yaegi cannot
//     infer E through S; a named slice type still passes. slices.Sort of
//     the built-in number and string types sorts compiled.
//   - iter: Seq, Seq2, Pull and Pull2 (Pull runs the sequence in a
//     goroutine). Iterator results are plain func types, as yaegi
//     mistypes a generic named func type passed between generic calls;
//     they are assignable to iter.Seq and iter.Seq2.
//   - errors.AsType, sync.OnceValue and OnceValues, sync/atomic.Pointer
//     (guarded by a mutex), reflect.TypeFor and TypeAssert, unique.Make
//     and Handle: the package's compiled symbols are re-exported from
//     generated source next to ours (type aliases, constants, and
//     variables initialised from the compiled ones), so the package
//     resolves as one.
//
// yaegi cannot range over a function, so iterators are used by calling
// them or through slices.Collect, maps.Collect and friends.
package generics
