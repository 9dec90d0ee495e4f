// Package dsl is the notebook session: Go cells evaluated by the yaegi
// interpreter against preloaded, compiled packages, with state kept across
// cells, the last expression shown, and outputs sent to a display.Sink.
//
// # Pipeline
//
// A cell goes through these steps, each in the file named (the files of
// the package read in this order):
//
//  1. magic.go: a first line starting with % runs a magic from the
//     magics table (one entry and a handler per magic).
//  2. cell.go: the cell is parsed once. One go/scanner pass finds where
//     its top-level declarations start; the cell is composed into one Go
//     file (declarations at the top level, each run of statements the
//     body of a func _, every piece behind a //line directive giving its
//     cell position) and go/parser reads that file once. Every later step
//     reads its pieces and never parses the text again.
//  3. autoimport.go, names.go: standard packages the cell uses as
//     pkg.Member and nothing defines (the tree's unresolved names) are
//     imported.
//  4. chunk.go: each piece becomes a chunk: the imports, a declaration, a
//     run of statements, and, cut out by probe.go, the `:=` statements
//     yaegi cannot type. The passes of rewrite.go (listed below) change
//     each chunk's syntax tree (tree.go: nodes they build, nodes they put
//     in the place of others); print.go prints the program text once from
//     the tree, and lines.go gives the chunk's lines program lines in the
//     line map.
//  5. execute.go: imports, then a rebuild when declarations change
//     (redefine.go), then declarations and statements in source order.
//     Each program runs on a goroutine of its own (run.go); state.go
//     holds what the session keeps across cells.
//  6. result.go shows the value of the last line (value.go, format.go;
//     retain.go compacts after a large result, which yaegi would keep);
//     errors.go and panics.go turn yaegi's errors and panics into errors
//     on the cell's own lines, through the line map (lines.go).
//
// yaegi.go holds everything the session knows of yaegi's workings and
// wording (how to stop it, its positions and panic traces, the error
// texts it recognises), and gaps.go the gaps of yaegi the passes fill.
//
// The passes, in the order rewrite.go runs them, one line each:
//
//   - recursion (recursion.go): a self-recursive generic is refused; depth is counted.
//   - arrays (sizeguard.go): an array of constant length larger than memory is refused.
//   - Go methods (callbacks.go): x.Go(f) recovers and counts f's goroutine like a go statement.
//   - perIteration (loopvar.go): a captured loop variable gets a copy per iteration.
//   - trackLines (lines.go): a statement that may panic records its position.
//   - top level (toplevel.go): a return ends the cell; mis-scoped statements get a block.
//   - the walk (rewrite.go) visits every node, bottom up, and does the rest:
//   - walk, ranges (calls.go): range over an int or maps.Keys/Values rewritten, over a func refused.
//   - walk, go and defer (godefer.go): goroutines recover panics; defers take arguments late;
//     a top-level defer runs when the cell ends.
//   - walk, gaps (gaps.go): new(VALUE), comma-ok on nil interfaces, os.Stdout.WriteString.
//   - walk, calls (calls.go): builtins and generics yaegi lacks, fmt of cell types;
//     make's sizes and x.Grow(n) pass the memory check (sizeguard.go).
//   - last line (chunk.go, result.go): a call with no result ends on a value; lists go to Tuple.
//
// Passes compose: the walk rebuilds a node after its children were
// rewritten, so every rewrite applies inside every other one (go f(min(a,
// b)) binds __latentMin(a, b)). The printer writes the cell's own nodes as
// the cell's text between their children, so their tokens keep their
// columns, and the nodes the passes built from their fields, followed by
// a /*line*/ directive that gives the next token of the cell its position.
//
// # Session state
//
// A Session (session.go) holds one interpreter and what a rebuild needs to
// make another, in one value, state (state.go, where its lifecycle is
// described): the imports in effect, the replay log of declarations
// (decls, newest source per name), through the interpreter's globals the
// variables carried across a rebuild, and the goroutine the running
// program is on. New makes an interpreter with the preloaded packages and
// the helper preamble; Execute runs cells one at a time (the session's
// mutex); every 2000 cells, after a cell that re-declares a variable, and
// when a declaration changes, the session moves to a fresh interpreter
// (compact, rebuild); an interrupt stops the running program and waits
// for its goroutine; Reset starts over; Close drops the interpreter.
//
// Positions: every chunk's lines get fresh program lines, recorded in
// the line map (lines.go) with the cell and line they come from; a
// statement that may panic records the index of its position there in a
// line register: the cell's, a goroutine body's own, or the one functions
// share, which has one writer at a time (lines.go). A loop whose body
// tracks one statement writes it once, before the loop. A compaction keeps
// only the declarations' entries.
//
// # Cells
//
// A cell may mix imports, declarations (func, method, type, var, const) and
// statements in any order. The session parses it once (cell.go) into
// imports, declarations and runs of statements; imports are
// evaluated first (an import already in effect is a no-op, and a standard
// package used as pkg.Member that nothing defines is imported as goimports
// would; see autoimport.go), then the func,
// method, type and const declarations together, then var declarations and
// statements in source order. Variables defined at the top level of a cell
// (x := ..., var x ...) live on in later cells. When the last statement of
// a cell is an expression, its value is the cell's result; a call with no
// result (sb.Reset(), wg.Wait()) or a print or write (fmt.Println,
// w.WriteString) shows nothing, and so does a cell ending in any other
// statement. A call with several results (strconv.Atoi("12")), or a last
// line that lists values (v, err), shows them all as fmt.Println prints
// them (12 <nil>).
//
// # Redefinition
//
// yaegi binds a call to the body that existed when the caller was compiled
// and silently ignores a second definition of a type or method. The session
// therefore rebuilds when a cell changes a func, method, type or const that
// an earlier cell declared: a fresh interpreter gets every import, then all
// top-level declarations at once (each with its newest source), then every
// variable with the value it had. Earlier callers see the new definition,
// methods and types take their new form, and nothing is re-run: variable
// initialisers and earlier statements do not execute again. A variable whose
// type changed keeps its value when the old value still fits the new type,
// and is otherwise reset to the zero value with a note on stderr. When the
// new definitions do not compile together (a caller no longer matches a
// changed signature), the cell fails and the session keeps its old state.
// Re-running a cell whose declarations did not change is a no-op for them.
// Two things cannot move to the new interpreter: a func value stored in a
// variable (a closure) keeps running the old code against the old
// variables, and goroutines started earlier keep running in the old
// interpreter. Re-run the cells that create them after a redefinition.
//
// Memory: yaegi keeps about 2.7 KB of parse state per evaluation (measured
// with v0.16.1, the same with and without the session). Every 2000 cells
// the session therefore compacts: it rebuilds as above, but only when that
// moves every variable unchanged (no goroutine started by a cell is
// running, and no variable holds a func value or an interface value inside
// a container); otherwise it tries again later. Memory then stays flat.
// yaegi also keeps the old value of a re-declared top-level variable
// (`x := ...` in a re-run cell); a cell that re-declares one makes the
// session compact before the next cell, under the same condition, so the
// old value is freed.
//
// # What the interpreter cannot run
//
// The session rewrites (go/ast, with positions kept) what yaegi v0.16.1
// cannot run: `for i := range n` over an integer becomes a three-clause
// loop; min, max, slices.Sort, slices.SortFunc, slices.SortStableFunc,
// slices.Min, slices.Max, maps.Keys, maps.Values,
// slices.Sorted(maps.Keys(m)) and slices.Collect(maps.Keys(m)) call
// interpreted generic helpers, and clear a compiled one; `go` statements get
// a deferred recover so a panicking goroutine is reported (on its cell, or
// on the next one) rather than killing the process; a defer at the top level
// of a cell runs when the cell ends (yaegi would run it again after every
// later cell); a top-level statement with a multi-value := (or var)
// nested in its blocks runs in a func literal, where yaegi keeps those
// variables (it loses them at the top level: "undefined: a"); a func
// literal called at the top level sits in a block (yaegi would call it
// again in later cells); a top-level := or var that yaegi cannot type
// (an index on a value of a compiled type, m.Params()[0] or
// h.Metrics["a"][i]: "constant definition loop" or a crash; a typed var
// from a compiled value; a comma-ok type assertion or receive) runs once
// in a func literal that hands back its values, and the session declares
// the variables from them (see probe.go); a return at the top level of a
// cell ends the cell (yaegi's compiler crashes on it); os.Exit and
// log.Fatal (which first logs its message) raise an error instead of
// exiting, unless Options.Exit is set (latent script), which they then
// call. Loop variables captured by a
// closure or by their address get a copy per iteration, as since Go 1.22
// (yaegi shares one), and a top-level statement that redeclares a name
// from itself in a nested block (x := x) runs in a func literal, where
// yaegi reads the outer x (see loopvar.go). A generic function that calls
// itself is refused: a panic inside one sends yaegi into a fatal stack
// overflow. Functions that call notebook code count their nesting, so
// unbounded recursion ends the cell with a "stack overflow" error after
// 20000 nested calls instead of overflowing the Go stack, which would end
// the process. A range over a function iterator is rejected before anything
// runs, and a range over an integer whose type the session cannot see is
// reported as unsupported, each with what to write instead. A cell that
// fails to compile may leave the names it declared defined with zero
// values. An interrupted cell blocked in a compiled call that ignores
// cancellation leaves that call running in the background; the session
// moves its state to a fresh interpreter and goes on.
//
// # Display
//
// A cell's result is shown with display.Format: compiled Renderers and
// bundles render themselves, runtime results (training histories,
// reconstructions, codes, samples, anomaly reports, image datasets) become
// plotting figures, images become PNG, and other values are printed with
// %v. A value of a notebook type with a Render() display.Bundle method (or
// the methods of image.Image) is rendered too when it is a cell's result;
// to pass one to display.Show, assign it to a display.Renderer variable
// first (var r display.Renderer = v; display.Show(r)), because yaegi drops
// the methods of a notebook value passed as a plain interface{} argument.
// Values that %v could not print safely (deeper than 32 levels, such as a
// slice that contains itself, or with more than 1000 elements in one slice
// or map) are printed with the first 100 elements of each slice or map and
// a count of the rest. Training started from a cell reports progress as one live display,
// updated at most five times a second.
//
// # Outputs and errors
//
// fmt.Print and writes to os.Stdout and os.Stderr stream live, coalesced
// every 50 ms; a cell shows at most the first 1 MiB and the last 64 KiB of
// each stream, with a notice as soon as the limit is reached and another
// before the tail. What goroutines write between cells (up to 64 KiB) is
// shown at the start of the next cell. Compile errors, panics and
// goroutine panics name the cell's own line and column (a goroutine's, the
// line its body last ran, or the go statement); a panic names the
// statement that panicked and the cell line that called it, from the
// positions that statements which can panic record as they run (see
// lines.go). Reads from os.Stdin
// become input requests, or fail with display.ErrNoStdin. Cancelling the
// context of Execute interrupts the cell; the stop reaches yaegi once the
// compiled cell runs (a stop during its compile is lost), and the session
// waits until the interpreted code has stopped.
//
// # Magics
//
// %help, %help NAME, %who, %reset, %time, %%time and %env; see magics in
// magic.go. An unknown magic is an error that lists the known ones.
package dsl
