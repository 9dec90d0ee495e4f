// Package notebook reads, validates and writes Jupyter notebooks (nbformat
// 4.5) and runs them headless: each code cell is executed in order through
// an Executor (the same dsl session the kernel uses, or any Jupyter kernel
// through package kernelclient) and the outputs are recorded in the shape
// nbclient writes them, so a notebook executed by `latent run` looks like
// one executed by `jupyter nbconvert --execute`.
//
// The pieces:
//   - Parse, ReadFile, Validate and Marshal: nbformat 4 in, 4.5 out, written
//     byte for byte as Python's nbformat writes it (sorted keys, one-space
//     indent, multi-line strings as lists of lines), with stable cell ids.
//   - Run: the runner, with per-cell timeouts that interrupt, allowed and
//     expected (raises-exception) errors, skip-execution, progress,
//     nbclient's metadata.execution timestamps (TimeMarker lets an executor
//     give the kernel's own), autosave snapshots, and a note at the top of
//     a notebook whose run stopped (papermill's error marker).
//   - InjectParameters: papermill's parameters convention, typed by the Go
//     declarations of the cell tagged parameters; ReadParamFile reads -f
//     files (YAML, JSON); Parameters lists what a notebook declares.
//   - HTML: a standalone, deterministic report like nbconvert's: CommonMark
//     (goldmark), MathJax, chroma colors in the notebook's language, ANSI
//     colors, images inline, cell run times.
//   - WriteFileAtomic: a killed run never leaves a half-written file, and a
//     symbolic link is written through, never replaced (internal/atomicfile).
package notebook
