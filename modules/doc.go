// Package modules makes third-party Go modules importable in a running
// notebook session, with the session's variables kept.
//
// Loader.Get resolves a module as `go get` does (the module proxy, or the
// local module cache when the proxy cannot be reached), writes the yaegi
// symbol table of each requested package (github.com/traefik/yaegi/extract),
// builds the packages and their tables into a Go plugin with the flags and
// dependency versions of the running binary, and loads it; the returned
// tables are what interp.Use takes. Plugins are per process, so one Loader
// (Default) serves every session of the process.
//
// Limits, each reported with what to do: the running binary must be built
// with cgo (a C compiler is needed to build and load plugins); the go
// command of the same Go release must be installed; a module that needs a
// different version of a package the binary already holds (its own
// dependencies, or a module loaded earlier) cannot be loaded into this
// process.
package modules
