package modules

// genMain is the program that writes the symbol tables: yaegi's extract
// reads packages relative to the working directory, so it runs as a child
// process in the build directory rather than in the kernel. Arguments:
// the output directory, then import paths; each table goes to
// sym_<n>.go in package main.
const genMain = `package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/traefik/yaegi/extract"
)

func main() {
	e := extract.Extractor{Dest: "main"}
	for i, p := range os.Args[2:] {
		f, err := os.Create(filepath.Join(os.Args[1], fmt.Sprintf("sym_%d.go", i)))
		if err == nil {
			_, err = e.Extract(p, "", f)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", p, err)
			os.Exit(1)
		}
	}
}
`

// pluginMain declares the table the generated files fill and the kernel
// looks up.
const pluginMain = `package main

import "reflect"

// Symbols holds the yaegi symbol tables of this plugin's packages.
var Symbols = map[string]map[string]reflect.Value{}

func main() {}
`
