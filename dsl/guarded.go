package dsl

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/traefik/yaegi/interp"

	"github.com/latent-ai/latent/runtime/host"
)

// guardedSymbols replaces a few standard functions in the interpreter
// with versions that keep a cell's mistakes inside the cell:
//
//   - strings.Repeat and bytes.Repeat check their result's size against
//     the memory available first (host.CheckAlloc): one call could
//     otherwise ask for more than the machine has, and Go's out of memory
//     ends the process;
//   - time.AfterFunc, context.AfterFunc and the handlers given to
//     net/http's Handle, HandleFunc, ListenAndServe and Serve run their
//     callback under a recover that reports a panic as a goroutine panic
//     of the session (the go statement's rewrite does the same for
//     goroutines a cell starts itself): the library's goroutine has no
//     recover of its own (net/http's logs and hides the panic).
func (s *Session) guardedSymbols() interp.Exports {
	guard := func(f func()) func() {
		if f == nil {
			return nil
		}
		return func() {
			defer s.reportCallbackPanic()
			f()
		}
	}
	handler := func(h http.Handler) http.Handler {
		if h == nil {
			return nil
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if p := recover(); p != nil {
					s.sizeMemo.panics.Add(1)
					s.goPanic(p, 0)
					http.Error(w, "the handler panicked: "+fmt.Sprint(p), http.StatusInternalServerError)
				}
			}()
			h.ServeHTTP(w, r)
		})
	}
	session := sizeSymbols() // sizeguard.go
	// GoPanic (the go statement's recover) counts the panics for noteResult.
	session["GoPanic"] = reflect.ValueOf(func(r any, line int) {
		s.sizeMemo.panics.Add(1)
		s.goPanic(r, line)
	})
	return interp.Exports{
		"latentsession/latentsession": session,
		"strings/strings": {"Repeat": reflect.ValueOf(func(str string, n int) string {
			mustFit("strings.Repeat", len(str), n)
			return strings.Repeat(str, n)
		})},
		"bytes/bytes": {"Repeat": reflect.ValueOf(func(b []byte, n int) []byte {
			mustFit("bytes.Repeat", len(b), n)
			return bytes.Repeat(b, n)
		})},
		"time/time": {"AfterFunc": reflect.ValueOf(func(d time.Duration, f func()) *time.Timer {
			return time.AfterFunc(d, guard(f))
		})},
		"context/context": {"AfterFunc": reflect.ValueOf(func(ctx context.Context, f func()) func() bool {
			return context.AfterFunc(ctx, guard(f))
		})},
		"net/http/http": {
			"Handle": reflect.ValueOf(func(pattern string, h http.Handler) { http.Handle(pattern, handler(h)) }),
			"HandleFunc": reflect.ValueOf(func(pattern string, f func(http.ResponseWriter, *http.Request)) {
				http.Handle(pattern, handler(http.HandlerFunc(f)))
			}),
			"ListenAndServe": reflect.ValueOf(func(addr string, h http.Handler) error { return http.ListenAndServe(addr, handler(h)) }),
			"Serve":          reflect.ValueOf(func(l net.Listener, h http.Handler) error { return http.Serve(l, handler(h)) }),
		},
	}
}

// reportCallbackPanic is deferred around a library callback.
func (s *Session) reportCallbackPanic() {
	if r := recover(); r != nil {
		s.sizeMemo.panics.Add(1)
		s.goPanic(r, 0)
	}
}

// mustFit panics with a *host.AllocError when n copies of size bytes do
// not fit in the memory available.
func mustFit(what string, size, n int) {
	if n <= 0 || size <= 0 {
		return
	}
	bytes := int64(min(float64(size)*float64(n), 1<<62))
	if err := host.CheckAlloc(fmt.Sprintf("%s of %d × %d bytes", what, n, size), bytes); err != nil {
		panic(err)
	}
}
