// Package notebook reads, validates and writes Jupyter notebooks (nbformat
// 4.5) and runs them headless: each code cell is executed in order through
// the same session and output sink as the kernel, and the outputs are
// recorded in the shape nbclient writes them, so a notebook executed by
// `latent run` looks like one executed by `jupyter nbconvert --execute`.
//
// Files are written the way nbformat writes them (keys sorted, one-space
// indent, multi-line strings split into lists of lines), atomically, so a
// killed run never leaves a half-written notebook behind.
package notebook
