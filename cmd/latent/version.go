package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

func init() { register("version", "print the versions of Latent, Go and yaegi", versionMain) }

// version, when set at link time (go build -ldflags "-X main.version=v1.2.3"),
// is Latent's version; otherwise it comes from the module or VCS build info.
var version string

// buildVersions reads Latent's and yaegi's versions from the build info
// embedded in the binary.
func buildVersions() (latent, yaegi string) {
	latent, yaegi = "devel", "unknown"
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		if version != "" {
			latent = version
		}
		return
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		latent = v
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+dirty"
			}
		}
	}
	if latent == "devel" && rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		latent = "devel-" + rev + modified
	}
	if version != "" {
		latent = version
	}
	for _, d := range bi.Deps {
		if d.Path == "github.com/traefik/yaegi" {
			yaegi = d.Version
			if d.Replace != nil {
				yaegi = d.Replace.Version + " (replaced)"
			}
		}
	}
	return
}

func versionMain(args []string) int {
	if len(args) > 0 {
		fmt.Println("usage: latent version\n\nPrints the versions of Latent, Go and the yaegi interpreter.")
		if args[0] == "-h" || args[0] == "--help" {
			return 0
		}
		return 2
	}
	l, y := buildVersions()
	fmt.Printf("latent %s\ngo     %s %s/%s\nyaegi  %s\n", l, runtime.Version(), runtime.GOOS, runtime.GOARCH, y)
	return 0
}
