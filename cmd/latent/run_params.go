package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/latent-ai/latent/notebook"
)

// allParams merges the parameters of the -f files (first) and of -p and -r
// (in order); for a name given more than once, the last value wins.
func (rf *runFlags) allParams() ([]notebook.Param, error) {
	var all []notebook.Param
	for _, f := range rf.paramFiles {
		ps, err := notebook.ReadParamFile(f)
		if err != nil {
			return nil, err
		}
		all = append(all, ps...)
	}
	all = append(all, rf.params...)
	at := map[string]int{}
	var merged []notebook.Param
	for _, p := range all {
		if i, ok := at[p.Name]; ok {
			merged[i] = p
			continue
		}
		at[p.Name] = len(merged)
		merged = append(merged, p)
	}
	return merged, nil
}

// helpNotebook prints the parameters of each notebook (papermill's
// --help-notebook) and returns the exit code.
func helpNotebook(ctx context.Context, inputs []string, rf *runFlags) int {
	code := 0
	for _, in := range inputs {
		nb, err := loadNotebook(ctx, in)
		if err != nil {
			fmt.Fprintf(os.Stderr, "latent run: %s: %v\n", in, err)
			code = max(code, 1)
			continue
		}
		language := notebookLanguage(nb)
		if rf.kernel != "" || language == "" {
			language = "go"
			if rf.kernel != "" && rf.kernel != "latent" {
				language = "python"
			}
		}
		params, cell, err := nb.Parameters(language)
		if err != nil {
			fmt.Fprintf(os.Stderr, "latent run: %s: %v\n", in, err)
			code = max(code, 1)
			continue
		}
		if cell == 0 {
			fmt.Printf("%s has no cell tagged \"parameters\": it takes no parameters (-p values would be injected at the top, untyped).\n", in)
			continue
		}
		fmt.Printf("Parameters of %s (cell %d, tagged \"parameters\"):\n", in, cell)
		w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
		for _, p := range params {
			typ := p.Type
			if typ == "" {
				typ = "(type unknown)"
			}
			def := p.Default
			if def == "" {
				def = "(zero value)"
			}
			fmt.Fprintf(w, "  %s\t%s\t= %s\t%s\n", p.Name, typ, def, strings.ReplaceAll(p.Comment, "\n", " "))
		}
		w.Flush()
		if len(params) == 0 {
			fmt.Println("  (the cell declares no variables)")
		}
		fmt.Println("Set them with -p NAME=VALUE, -r NAME VALUE (a string as it is) or -f FILE (YAML or JSON).")
	}
	return code
}
