package notebook_test

import (
	"context"
	"fmt"
	"log"

	"github.com/latent-ai/latent/dsl"
	"github.com/latent-ai/latent/notebook"
)

// Run executes a notebook's code cells with a Go session and records their
// outputs as nbclient would.
func ExampleRun() {
	nb, err := notebook.Parse([]byte(`{
	 "cells": [
	  {"cell_type": "code", "id": "a", "metadata": {"tags": ["parameters"]}, "outputs": [], "execution_count": null, "source": "var epochs = 3"},
	  {"cell_type": "code", "id": "b", "metadata": {}, "outputs": [], "execution_count": null, "source": "fmt.Println(\"training for\", epochs, \"epochs\")"}
	 ],
	 "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`))
	if err != nil {
		log.Fatal(err)
	}
	if _, err := nb.InjectParameters([]notebook.Param{{Name: "epochs", Value: "10"}}); err != nil {
		log.Fatal(err)
	}
	session, err := dsl.New()
	if err != nil {
		log.Fatal(err)
	}
	if _, err := notebook.Run(context.Background(), nb, session, notebook.Options{}); err != nil {
		log.Fatal(err)
	}
	for _, c := range nb.Cells {
		fmt.Printf("In [%d]: %q\n", *c.ExecutionCount, c.Source)
		for _, o := range c.Outputs {
			fmt.Printf("  %s %s: %q\n", o.Type, o.Name, o.Text)
		}
	}
	// Output:
	// In [1]: "var epochs = 3"
	// In [2]: "// Parameters\nvar epochs int = 10"
	// In [3]: "fmt.Println(\"training for\", epochs, \"epochs\")"
	//   stream stdout: "training for 10 epochs\n"
}

// Marshal writes a notebook exactly as Python's nbformat would.
func ExampleNotebook_Marshal() {
	nb := &notebook.Notebook{Cells: []*notebook.Cell{{ID: "intro", Type: notebook.MarkdownCell, Source: "# Title\ntext"}}}
	data, err := nb.Marshal()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(data))
	// Output:
	// {
	//  "cells": [
	//   {
	//    "cell_type": "markdown",
	//    "id": "intro",
	//    "metadata": {},
	//    "source": [
	//     "# Title\n",
	//     "text"
	//    ]
	//   }
	//  ],
	//  "metadata": {},
	//  "nbformat": 4,
	//  "nbformat_minor": 5
	// }
}
