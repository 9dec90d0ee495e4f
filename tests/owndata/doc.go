// Package owndata tests, through the notebook API (a dsl session running
// cells as a user types them), what a user brings and takes away: their
// own image folders, NumPy arrays and CSV files, custom losses and layers
// written in cells, interrupts that keep the history, and exports that
// Debian's Python reads back. The files are made by the tests (images with
// image/png, arrays with Debian's numpy).
package owndata
