// Package install holds the kernelspec that 'latent install' writes: the
// kernel.json template and the logos (drawn by internal/genlogo from the
// same shapes as logo-svg.svg).
package install

import (
	"embed"
	"encoding/json"
	"fmt"
	"strings"
)

//go:generate go run ./internal/genlogo

//go:embed kernel.json logo-32x32.png logo-64x64.png logo-svg.svg
var assets embed.FS

// DisplayName is how Jupyter lists the kernel unless told otherwise.
const DisplayName = "Go (Latent)"

// Logos are the image files of the kernelspec, by file name.
var Logos = []string{"logo-32x32.png", "logo-64x64.png", "logo-svg.svg"}

// Asset returns the bytes of one embedded kernelspec file.
func Asset(name string) ([]byte, error) { return assets.ReadFile(name) }

// KernelJSON returns kernel.json for a kernel started as binary (an
// absolute path) and listed as displayName ("" for "Go (Latent)"),
// checked to be valid JSON.
func KernelJSON(binary, displayName string) ([]byte, error) {
	tmpl, err := assets.ReadFile("kernel.json")
	if err != nil {
		return nil, err
	}
	if displayName == "" {
		displayName = DisplayName
	}
	out := string(tmpl)
	for key, v := range map[string]string{`"{binary}"`: binary, `"{display_name}"`: displayName} {
		quoted, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		out = strings.Replace(out, key, string(quoted), 1)
	}
	var check map[string]any
	if err := json.Unmarshal([]byte(out), &check); err != nil {
		return nil, fmt.Errorf("install: kernel.json template is broken: %w", err)
	}
	return []byte(out), nil
}
