// Package langinfo describes Latent's cell language for Jupyter. It has no
// dependencies, so the kernel and the notebook runner can both use it
// without the kernel importing the runner.
package langinfo

import (
	"runtime"
	"strings"
)

// Get returns the Jupyter language_info of Latent's cells: the kernel
// reports it in kernel_info_reply and the notebook runner writes it into
// executed notebooks.
func Get() map[string]any {
	return map[string]any{
		"name":            "go",
		"version":         strings.TrimPrefix(runtime.Version(), "go"),
		"mimetype":        "text/x-go",
		"file_extension":  ".go",
		"pygments_lexer":  "go",
		"codemirror_mode": "go",
		// nbconvert --to script writes a .go file with it
		"nbconvert_exporter": "script",
	}
}
