// Command latent is Latent's one binary: a Jupyter kernel for Go with an
// autoencoder runtime built in, a kernelspec installer, a headless notebook
// runner and a script runner.
package main

import (
	"fmt"
	"os"
	"sort"

	"github.com/latent-ai/latent/modules"
)

// command is one subcommand; run gets the arguments after its name and
// returns the process exit code.
type command struct {
	summary string
	run     func(args []string) int
}

var commands = map[string]command{}

// register adds a subcommand; each subcommand's file calls it from init.
func register(name, summary string, run func(args []string) int) {
	commands[name] = command{summary, run}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: latent COMMAND [flags] [args]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(os.Stderr, "\nRun 'latent COMMAND --help' for a command's flags.")
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	name := os.Args[1]
	if name == "-h" || name == "--help" || name == "help" {
		usage()
		return
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "latent: unknown command %q\n\n", name)
		usage()
		os.Exit(2)
	}
	code := c.run(os.Args[2:])
	modules.Cleanup() // a %go get's build directory
	os.Exit(code)
}
