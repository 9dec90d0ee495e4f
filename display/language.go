package display

import (
	"runtime"
	"strings"
)

// LanguageInfo is the Jupyter language_info of Latent's cells: the kernel
// reports it in kernel_info_reply and the notebook runner writes it into
// executed notebooks. It lives here, in the layer both use, so that the
// kernel does not import the runner.
func LanguageInfo() map[string]any {
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
