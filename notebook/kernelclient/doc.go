// Package kernelclient runs notebook cells on any installed Jupyter kernel
// over ZeroMQ, as nbclient does: it finds the kernelspec, starts the kernel
// with a fresh connection file, and turns the kernel's iopub messages into
// display.Sink calls, so `latent run --kernel NAME` records outputs exactly
// as it does for the in-process Go session. A *Client is a
// notebook.Executor.
package kernelclient
