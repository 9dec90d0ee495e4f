package modules

import (
	"runtime"
	"runtime/debug"
	"strings"
)

// host describes the running binary: what a plugin must match to load.
type host struct {
	deps     map[string]string // module path -> version linked in
	replaced map[string]string // module path -> its replacement, "path version" or a directory
	flags    []string          // go build flags that change compiled packages
	env      []string          // environment settings that do
	cgo      bool              // built with cgo (needed to load plugins)
	// devel is set for a binary built from a module's source without a
	// record of its dependencies (a test binary): its module's go.mod
	// stands for them.
	devel bool
}

// readHost reads the running binary's build information.
func readHost() host {
	h := host{deps: map[string]string{}, replaced: map[string]string{}, cgo: true}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return h
	}
	h.devel = len(bi.Deps) == 0 && bi.Main.Version == "(devel)"
	for _, d := range bi.Deps {
		h.deps[d.Path] = d.Version
		if r := d.Replace; r != nil {
			h.deps[d.Path] = r.Version
			h.replaced[d.Path] = strings.TrimSpace(r.Path + " " + r.Version)
		}
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "-race", "-msan", "-asan", "-trimpath":
			if s.Value == "true" {
				h.flags = append(h.flags, s.Key)
			}
		case "-tags", "-gcflags", "-asmflags":
			h.flags = append(h.flags, s.Key+"="+s.Value)
		case "CGO_ENABLED":
			h.cgo = s.Value == "1"
		case "CGO_CFLAGS", "CGO_CPPFLAGS", "CGO_CXXFLAGS", "CGO_LDFLAGS", "GOAMD64", "GOARM", "GOARM64", "GO386", "GOEXPERIMENT":
			h.env = append(h.env, s.Key+"="+s.Value)
		}
	}
	return h
}

// goVersion is the release the running binary was built with, as go.mod
// writes it (1.26.8).
func goVersion() string {
	v := strings.TrimPrefix(runtime.Version(), "go")
	v, _, _ = strings.Cut(v, " ")
	return v
}

// pluginsWork reports whether this platform can load Go plugins.
func pluginsWork() bool {
	switch runtime.GOOS {
	case "linux", "darwin", "freebsd":
		return true
	}
	return false
}
