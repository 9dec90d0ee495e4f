package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"

	"github.com/latent-ai/latent/install"
)

func init() {
	register("install", "install the Jupyter kernelspec for this binary", installMain)
}

var kernelNameRE = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

func installMain(args []string) int {
	fs := flag.NewFlagSet("install", flag.ContinueOnError)
	name := fs.String("name", "latent", "kernelspec `name` (letters, digits, '.', '_' and '-')")
	prefix := fs.String("prefix", "", "install into `DIR`/share/jupyter/kernels instead of the user's Jupyter data dir")
	sysPrefix := fs.Bool("sys-prefix", false, "install into the prefix of the Python that runs 'jupyter' (e.g. a virtualenv)")
	display := fs.String("display-name", "", "how Jupyter lists the kernel (default \""+install.DisplayName+"\", or \""+install.DisplayName+" NAME\" with --name NAME)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: latent install [--name NAME] [--display-name TEXT] [--prefix DIR | --sys-prefix]

Writes a Jupyter kernelspec (kernel.json and logos) that starts this binary
as a kernel, so that Jupyter lists "Go (Latent)". By default it goes to the
user's Jupyter data dir: $JUPYTER_DATA_DIR when set, otherwise
$XDG_DATA_HOME/jupyter or ~/.local/share/jupyter (~/Library/Jupyter on
macOS, %APPDATA%\jupyter on Windows). Check with 'jupyter kernelspec list'.

flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "latent install: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	if !kernelNameRE.MatchString(*name) {
		fmt.Fprintf(os.Stderr, "latent install: kernel name %q may only hold letters, digits, '.', '_' and '-'\n", *name)
		return 2
	}
	if *prefix != "" && *sysPrefix {
		fmt.Fprintln(os.Stderr, "latent install: pass --prefix or --sys-prefix, not both")
		return 2
	}
	var base string
	var err error
	switch {
	case *prefix != "":
		base = filepath.Join(*prefix, "share", "jupyter")
	case *sysPrefix:
		var p string
		if p, err = jupyterSysPrefix(); err == nil {
			base = filepath.Join(p, "share", "jupyter")
		}
	default:
		base, err = jupyterDataDir()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "latent install:", err)
		return 1
	}
	dir := filepath.Join(base, "kernels", *name)
	if *display == "" && *name != "latent" {
		// Two kernelspecs must not look alike in Jupyter's launcher.
		*display = install.DisplayName + " " + *name
	}
	if err := writeKernelspec(dir, *display); err != nil {
		fmt.Fprintln(os.Stderr, "latent install:", err)
		return 1
	}
	fmt.Printf("installed kernelspec %s in %s\n", *name, dir)
	return 0
}

// writeKernelspec writes kernel.json, listing the kernel as displayName,
// and the logos into dir.
func writeKernelspec(dir, displayName string) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("cannot find the path of this binary: %w", err)
	}
	if p, err := filepath.EvalSymlinks(exe); err == nil {
		exe = p
	}
	if exe, err = filepath.Abs(exe); err != nil {
		return err
	}
	kj, err := install.KernelJSON(exe, displayName)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cannot create %s: %w (pick another place with --prefix)", dir, err)
	}
	files := map[string][]byte{"kernel.json": kj}
	for _, l := range install.Logos {
		b, err := install.Asset(l)
		if err != nil {
			return err
		}
		files[l] = b
	}
	for n, b := range files {
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			return fmt.Errorf("cannot write %s: %w", filepath.Join(dir, n), err)
		}
	}
	return nil
}

// jupyterDataDir follows jupyter_core's rules for the user data dir.
func jupyterDataDir() (string, error) {
	if d := os.Getenv("JUPYTER_DATA_DIR"); d != "" {
		return d, nil
	}
	home, err := os.UserHomeDir()
	switch runtime.GOOS {
	case "windows":
		if a := os.Getenv("APPDATA"); a != "" {
			return filepath.Join(a, "jupyter"), nil
		}
	case "darwin":
		if err == nil {
			return filepath.Join(home, "Library", "Jupyter"), nil
		}
	default:
		if x := os.Getenv("XDG_DATA_HOME"); x != "" {
			return filepath.Join(x, "jupyter"), nil
		}
		if err == nil {
			return filepath.Join(home, ".local", "share", "jupyter"), nil
		}
	}
	return "", fmt.Errorf("cannot find your home directory to locate the Jupyter data dir: set JUPYTER_DATA_DIR or pass --prefix")
}

// jupyterSysPrefix returns sys.prefix of the Python interpreter that runs
// the 'jupyter' command on PATH (read from its #! line).
func jupyterSysPrefix() (string, error) {
	j, err := exec.LookPath("jupyter")
	if err != nil {
		return "", fmt.Errorf("--sys-prefix needs the 'jupyter' command on PATH (%v); use --prefix DIR instead", err)
	}
	f, err := os.Open(j)
	if err != nil {
		return "", err
	}
	line, _ := bufio.NewReader(f).ReadString('\n')
	f.Close()
	python := "python3"
	if rest, ok := strings.CutPrefix(line, "#!"); ok {
		if fields := strings.Fields(rest); len(fields) > 0 {
			python = fields[0]
			if filepath.Base(python) == "env" && len(fields) > 1 {
				python = fields[1]
			}
		}
	}
	out, err := exec.Command(python, "-c", "import sys; print(sys.prefix)").Output()
	if err != nil {
		return "", fmt.Errorf("--sys-prefix: cannot ask %s for sys.prefix: %v; use --prefix DIR instead", python, err)
	}
	p := string(bytes.TrimSpace(out))
	if p == "" {
		return "", fmt.Errorf("--sys-prefix: %s reported an empty sys.prefix; use --prefix DIR instead", python)
	}
	return p, nil
}
