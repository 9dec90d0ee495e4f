package modules

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"plugin"
	"reflect"
	"regexp"
	"sort"
	"strings"
)

// goStreaming runs the go command in dir, passing each download note it
// writes to standard error to progress (when not nil) as it comes. It
// returns standard output; an error carries standard error.
func (l *Loader) goStreaming(ctx context.Context, dir string, extra []string, progress func(string), args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, l.goCmd, args...)
	cmd.Dir = dir
	cmd.Env = l.goEnv(extra)
	var out, all bytes.Buffer
	cmd.Stdout = &out
	pr, pw, err := os.Pipe()
	if err != nil {
		return "", err
	}
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		pr.Close()
		pw.Close()
		return "", err
	}
	pw.Close()
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		line := sc.Text()
		all.WriteString(line + "\n")
		if progress != nil && strings.HasPrefix(line, "go: downloading") {
			progress(line + "\n")
		}
	}
	pr.Close()
	if err := cmd.Wait(); err != nil {
		if ctx.Err() != nil {
			return "", errors.New("interrupted")
		}
		msg := strings.TrimSpace(all.String())
		if msg == "" {
			msg = err.Error()
		}
		return out.String(), errors.New(msg)
	}
	return out.String(), nil
}

// packages lists the packages args name, after resolution: the ones to
// build, with those already loaded noted in res.
func (b *build) packages(args []string, res *Result) ([]Package, error) {
	var patterns []string
	for _, a := range args {
		p, _, _ := strings.Cut(a, "@")
		patterns = append(patterns, p)
	}
	const format = "{{.ImportPath}}\t{{.Name}}\t{{with .Module}}{{.Path}}\t{{.Version}}{{else}}\t{{end}}\t{{if .CgoFiles}}cgo{{end}}\t{{with .Error}}{{.Err}}{{end}}"
	out, err := b.l.goOutput(b.ctx, b.l.dir, b.extra, append([]string{"list", "-e", "-f", format}, patterns...)...)
	if err != nil {
		return nil, fmt.Errorf("listing the packages of %s: %v", strings.Join(args, " "), err)
	}
	var pkgs []Package
	var mains []string
	for _, line := range strings.Split(out, "\n") {
		f := strings.Split(line, "\t")
		if len(f) < 6 {
			continue
		}
		p := Package{ImportPath: f[0], Name: f[1], Module: f[2], Version: f[3], Cgo: f[4] == "cgo"}
		explicit := containsString(patterns, p.ImportPath)
		switch {
		case f[5] != "" && strings.Contains(f[5], "no Go files"):
			return nil, fmt.Errorf("%s has no Go package at its root: name one of its packages (%%go get %s/SUBPACKAGE), or %%go get %s/... for all of them", p.ImportPath, p.ImportPath, p.ImportPath)
		case f[5] != "":
			return nil, fmt.Errorf("package %s cannot be built: %s", p.ImportPath, f[5])
		case p.Name == "main":
			mains = append(mains, p.ImportPath)
		case isInternal(p.ImportPath) && explicit:
			return nil, fmt.Errorf("%s is an internal package: Go lets only its own module import it; import one of the module's public packages", p.ImportPath)
		case isInternal(p.ImportPath):
		case b.l.pkgs[p.ImportPath] && b.l.modules[p.Module] != p.Version:
			return nil, fmt.Errorf("this kernel already loaded %s %s, and a loaded package cannot change version: restart the kernel to use %s", p.Module, b.l.modules[p.Module], p.Version)
		case b.l.pkgs[p.ImportPath]:
			res.Already = append(res.Already, p.ImportPath)
		default:
			pkgs = append(pkgs, p)
		}
	}
	if len(pkgs) == 0 && len(res.Already) == 0 {
		if len(mains) > 0 {
			return nil, fmt.Errorf("%s is a command (package main), not a library: a notebook can only import libraries; run it with !go run %s", strings.Join(mains, ", "), mains[0])
		}
		return nil, fmt.Errorf("%s: no packages to import", strings.Join(args, " "))
	}
	return pkgs, nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func isInternal(path string) bool {
	return strings.HasSuffix(path, "/internal") || strings.Contains(path, "/internal/")
}

// checkVersions refuses a build that would need a version of a module
// other than the one this process already holds: Go loads one copy of a
// package per process.
func (b *build) checkVersions(pkgs []Package) error {
	paths := make([]string, len(pkgs))
	for i, p := range pkgs {
		paths[i] = p.ImportPath
	}
	out, err := b.l.goOutput(b.ctx, b.l.dir, b.extra, append([]string{"list", "-deps", "-f", "{{with .Module}}{{.Path}} {{.Version}}{{end}}"}, paths...)...)
	if err != nil {
		return fmt.Errorf("listing the dependencies of %s: %v", strings.Join(paths, " "), err)
	}
	needs := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if p, v, ok := strings.Cut(strings.TrimSpace(line), " "); ok {
			needs[p] = v
		}
	}
	mods := make([]string, 0, len(needs))
	for m := range needs {
		mods = append(mods, m)
	}
	sort.Strings(mods)
	for _, m := range mods {
		v := needs[m]
		if hv, ok := b.l.host.deps[m]; ok && hv != v {
			return fmt.Errorf("%s needs %s %s, but this latent binary was built with %s %s, and one process holds one version of a package. "+
				"Use a version of the module that works with %s %s (%%go get MODULE@VERSION), or rebuild latent with the newer one (in latent's source: go get %s@%s, then go build ./cmd/latent)",
				strings.Join(paths, ", "), m, v, m, hv, m, hv, m, v)
		}
		if lv, ok := b.l.modules[m]; ok && lv != v {
			return fmt.Errorf("%s needs %s %s, but this kernel already loaded %s %s, and a loaded package cannot change version: restart the kernel to use %s", strings.Join(paths, ", "), m, v, m, lv, v)
		}
	}
	for _, p := range pkgs {
		needs[p.Module] = p.Version
	}
	b.needs = needs
	return nil
}

// buildAndLoad generates the packages' symbol tables, builds them into a
// plugin with the running binary's flags and loads it.
func (b *build) buildAndLoad(pkgs []Package) (map[string]map[string]reflect.Value, error) {
	l := b.l
	old, _ := filepath.Glob(filepath.Join(l.dir, "sym_*.go"))
	for _, f := range old {
		os.Remove(f)
	}
	if err := writeFiles(l.dir); err != nil {
		return nil, err
	}
	gen, err := b.generator()
	if err != nil {
		return nil, err
	}
	paths := make([]string, len(pkgs))
	for i, p := range pkgs {
		paths[i] = p.ImportPath
	}
	cmd := exec.CommandContext(b.ctx, gen, append([]string{l.dir}, paths...)...)
	cmd.Dir = l.dir
	cmd.Env = l.goEnv(b.extra)
	if out, err := cmd.CombinedOutput(); err != nil {
		if b.ctx.Err() != nil {
			return nil, errors.New("interrupted")
		}
		msg := strings.TrimSpace(string(out))
		if cgoFailure.MatchString(msg) {
			return nil, cgoError(paths, msg)
		}
		return nil, fmt.Errorf("reading the API of %s failed: %s", strings.Join(paths, ", "), msg)
	}
	so := filepath.Join(l.dir, fmt.Sprintf("build%d.so", l.build))
	args := append([]string{"build", "-buildmode=plugin", "-o", so}, l.host.flags...)
	if _, err := l.goOutput(b.ctx, l.dir, b.extra, append(args, ".")...); err != nil {
		return nil, explainBuild(paths, err)
	}
	plug, err := plugin.Open(so)
	os.Remove(so) // mapped now (or useless): the disk space goes back
	if err != nil {
		return nil, explainOpen(paths, err)
	}
	sym, err := plug.Lookup("Symbols")
	if err != nil {
		return nil, fmt.Errorf("the plugin of %s has no symbol table: %v", strings.Join(paths, ", "), err)
	}
	table, ok := sym.(*map[string]map[string]reflect.Value)
	if !ok {
		return nil, fmt.Errorf("the plugin of %s has a symbol table of type %T", strings.Join(paths, ", "), sym)
	}
	for m, v := range b.needs {
		l.modules[m] = v
	}
	return *table, nil
}

// generator returns the symbol table generator, building it when this
// Go release and yaegi version have none in the user's cache yet (its
// build takes a few seconds; kept there, a new kernel skips it).
func (b *build) generator() (string, error) {
	l := b.l
	dir := l.dir
	if cache, err := os.UserCacheDir(); err == nil {
		dir = filepath.Join(cache, "latent", "modules")
	}
	name := fmt.Sprintf("extract-go%s-yaegi%s", goVersion(), l.host.deps["github.com/traefik/yaegi"])
	gen := filepath.Join(dir, strings.ReplaceAll(name, "/", "_"))
	if _, err := os.Stat(gen); err == nil {
		return gen, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		dir, gen = l.dir, filepath.Join(l.dir, name)
	}
	tmp := fmt.Sprintf("%s.%d.tmp", gen, os.Getpid())
	if _, err := l.goOutput(b.ctx, l.dir, b.extra, "build", "-o", tmp, "./gen"); err != nil {
		return "", fmt.Errorf("building the symbol table generator (yaegi's extract): %v", err)
	}
	if err := os.Rename(tmp, gen); err != nil {
		return tmp, nil
	}
	return gen, nil
}

// writeFiles writes the plugin's main file and the generator's source.
func writeFiles(dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, "gen"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(pluginMain), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "gen", "main.go"), []byte(genMain), 0o644)
}

// explainBuild turns a failed plugin build into what the user can do.
func explainBuild(paths []string, err error) error {
	msg := err.Error()
	what := strings.Join(paths, ", ")
	switch {
	case msg == "interrupted":
		return fmt.Errorf("building %s was interrupted", what)
	case cgoFailure.MatchString(msg):
		return cgoError(paths, msg)
	}
	return fmt.Errorf("building %s failed:\n%s", what, msg)
}

// cgoFailure matches the words of C code that does not build.
var cgoFailure = regexp.MustCompile(`cgo|pkg-config|C compiler|#include|\.h: No such file|gcc`)

// cgoError says that a module's C code did not build and what to do.
func cgoError(paths []string, msg string) error {
	return fmt.Errorf("%s uses C code (cgo) that did not build: install the C libraries and headers it needs (the module's README names them; on Debian usually a lib...-dev package), then try again\n%s", strings.Join(paths, ", "), msg)
}

var differentVersion = regexp.MustCompile(`different version of package (\S+)`)

// explainOpen turns a plugin that does not load into what the user can do.
func explainOpen(paths []string, err error) error {
	what := strings.Join(paths, ", ")
	if m := differentVersion.FindStringSubmatch(err.Error()); m != nil {
		return fmt.Errorf("%s was built against another version of package %s than the running latent holds (a different Go release, build flags or module version): build latent and the module with the same Go (go version), or restart the kernel\n%v", what, m[1], err)
	}
	return fmt.Errorf("loading %s into the kernel failed: %v", what, err)
}
