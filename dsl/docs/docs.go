// Package docs holds the documentation of the preloaded Latent packages and
// of common standard library packages, gathered at build time with go/doc
// (go generate runs gen.go), for the session's inspect and %help.
package docs

import (
	"sort"
	"strings"
)

//go:generate go run gen.go

// Entry documents one symbol: its declaration as Go source and its doc
// comment.
type Entry struct {
	Decl string
	Doc  string
}

// Lookup returns the documentation of pkgPath.name; name "" asks for the
// package's own doc, "Type.Method" for a method.
func Lookup(pkgPath, name string) (Entry, bool) {
	e, ok := entries[pkgPath+"."+name]
	return e, ok
}

// Members returns the documented exported names of pkgPath.
func Members(pkgPath string) []string {
	return members[pkgPath]
}

// Methods returns the documented methods of pkgPath's type typ, sorted.
func Methods(pkgPath, typ string) []string {
	prefix := pkgPath + "." + typ + "."
	var ms []string
	for k := range entries {
		if strings.HasPrefix(k, prefix) {
			ms = append(ms, k[len(prefix):])
		}
	}
	sort.Strings(ms)
	return ms
}
