package kernelclient

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Spec is an installed kernelspec (kernel.json).
type Spec struct {
	Name          string            `json:"-"`
	Dir           string            `json:"-"`
	Argv          []string          `json:"argv"`
	DisplayName   string            `json:"display_name"`
	Language      string            `json:"language"`
	InterruptMode string            `json:"interrupt_mode"`
	Env           map[string]string `json:"env"`
}

// SearchPath lists the directories searched for kernelspecs, in Jupyter's
// order: $JUPYTER_PATH, the user's data directory ($JUPYTER_DATA_DIR,
// $XDG_DATA_HOME/jupyter or ~/.local/share/jupyter), then
// /usr/local/share/jupyter and /usr/share/jupyter; each with /kernels added.
func SearchPath() []string {
	var dirs []string
	for _, d := range filepath.SplitList(os.Getenv("JUPYTER_PATH")) {
		if d != "" {
			dirs = append(dirs, d)
		}
	}
	switch {
	case os.Getenv("JUPYTER_DATA_DIR") != "":
		dirs = append(dirs, os.Getenv("JUPYTER_DATA_DIR"))
	case runtime.GOOS == "darwin":
		if home, err := os.UserHomeDir(); err == nil {
			dirs = append(dirs, filepath.Join(home, "Library", "Jupyter"))
		}
	case os.Getenv("XDG_DATA_HOME") != "":
		dirs = append(dirs, filepath.Join(os.Getenv("XDG_DATA_HOME"), "jupyter"))
	default:
		if home, err := os.UserHomeDir(); err == nil {
			dirs = append(dirs, filepath.Join(home, ".local", "share", "jupyter"))
		}
	}
	dirs = append(dirs, "/usr/local/share/jupyter", "/usr/share/jupyter")
	for i := range dirs {
		dirs[i] = filepath.Join(dirs[i], "kernels")
	}
	return dirs
}

// FindSpec looks name up in SearchPath and reads its kernel.json.
func FindSpec(name string) (*Spec, error) {
	if name == "" || strings.ContainsAny(name, `/\`) {
		return nil, fmt.Errorf("kernel name %q: want a kernelspec name such as python3 (see jupyter kernelspec list)", name)
	}
	var found []string
	for _, dir := range SearchPath() {
		path := filepath.Join(dir, name, "kernel.json")
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		spec := &Spec{Name: name, Dir: filepath.Dir(path)}
		if err := json.Unmarshal(data, spec); err != nil {
			return nil, fmt.Errorf("kernelspec %s: %s is not valid JSON: %v", name, path, err)
		}
		if len(spec.Argv) == 0 {
			return nil, fmt.Errorf("kernelspec %s: %s has no argv", name, path)
		}
		return spec, nil
	}
	for _, dir := range SearchPath() {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if _, err := os.Stat(filepath.Join(dir, e.Name(), "kernel.json")); err == nil {
				found = append(found, e.Name())
			}
		}
	}
	have := "none"
	if len(found) > 0 {
		have = strings.Join(found, ", ")
	}
	return nil, fmt.Errorf("no kernelspec named %q in %s (installed: %s); install one (e.g. latent install) or pick another", name, strings.Join(SearchPath(), ", "), have)
}

// argv returns the command line with {connection_file} and {resource_dir}
// filled in.
func (s *Spec) argv(connectionFile string) []string {
	out := make([]string, len(s.Argv))
	for i, a := range s.Argv {
		a = strings.ReplaceAll(a, "{connection_file}", connectionFile)
		out[i] = strings.ReplaceAll(a, "{resource_dir}", s.Dir)
	}
	return out
}
