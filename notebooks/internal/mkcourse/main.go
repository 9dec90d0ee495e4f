// Command mkcourse writes the course notebooks (notebooks/NN-topic.ipynb)
// from their readable sources (notebooks/src/NN-topic.md), so that the
// course is reviewed and edited as Markdown with Go code blocks rather than
// as JSON.
//
// A source is Markdown. Every fenced block opened with ```go becomes a code
// cell; the text between code blocks becomes a markdown cell (a line holding
// only "+++" splits it into several). Words after "go" on the fence line are
// cell tags: ```go parameters marks papermill's parameters cell. The
// notebooks are written clean (no outputs, no execution counts) as nbformat
// 4.5 with stable cell ids ("NN-k") and the Latent kernelspec.
//
// Usage, from the module root:
//
//	go run ./notebooks/internal/mkcourse           # rewrite notebooks/*.ipynb
//	go run ./notebooks/internal/mkcourse -check    # fail if any is stale
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/latent-ai/latent/notebook"
)

func main() {
	dir := flag.String("dir", "notebooks", "the course directory (holding src/)")
	check := flag.Bool("check", false, "only report notebooks that differ from their sources; exit 1 if any")
	flag.Parse()
	stale, err := build(*dir, !*check)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkcourse:", err)
		os.Exit(1)
	}
	if *check && len(stale) > 0 {
		fmt.Fprintf(os.Stderr, "mkcourse: %s out of date; run `go run ./notebooks/internal/mkcourse`\n", strings.Join(stale, ", "))
		os.Exit(1)
	}
}

// build converts every dir/src/*.md into dir/*.ipynb. It returns the
// notebooks whose file content differs from their source (before writing,
// when write is true).
func build(dir string, write bool) (stale []string, err error) {
	srcs, err := filepath.Glob(filepath.Join(dir, "src", "*.md"))
	if err != nil {
		return nil, err
	}
	if len(srcs) == 0 {
		return nil, fmt.Errorf("no sources in %s; run from the module root or pass -dir", filepath.Join(dir, "src"))
	}
	for _, src := range srcs {
		text, err := os.ReadFile(src)
		if err != nil {
			return nil, err
		}
		base := strings.TrimSuffix(filepath.Base(src), ".md")
		nb, err := convert(base, string(text))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", src, err)
		}
		out, err := nb.Marshal()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", src, err)
		}
		dst := filepath.Join(dir, base+".ipynb")
		if old, err := os.ReadFile(dst); err == nil && bytes.Equal(old, out) {
			continue
		}
		stale = append(stale, dst)
		if write {
			if err := notebook.WriteFileAtomic(dst, out, 0o644); err != nil {
				return nil, err
			}
		}
	}
	return stale, nil
}

// convert parses one source into a clean notebook whose cell ids start
// with the source's number (the part of base before the first '-').
func convert(base, text string) (*notebook.Notebook, error) {
	prefix, _, _ := strings.Cut(base, "-")
	nb := &notebook.Notebook{
		Metadata:    map[string]any{"kernelspec": notebook.KernelSpec()},
		Format:      4,
		FormatMinor: 5,
	}
	add := func(typ, src string, tags []string) {
		src = strings.Trim(src, "\n")
		if strings.TrimSpace(src) == "" {
			return
		}
		c := &notebook.Cell{ID: fmt.Sprintf("%s-%d", prefix, len(nb.Cells)), Type: typ, Source: src, Metadata: map[string]any{}}
		if len(tags) > 0 {
			t := make([]any, len(tags))
			for i, s := range tags {
				t[i] = s
			}
			c.Metadata["tags"] = t
		}
		if typ == notebook.CodeCell {
			c.Outputs = []*notebook.Output{}
		}
		nb.Cells = append(nb.Cells, c)
	}
	var md, code strings.Builder
	var tags []string
	inCode := false
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case !inCode && strings.HasPrefix(trimmed, "```go"):
			add(notebook.MarkdownCell, md.String(), nil)
			md.Reset()
			tags = strings.Fields(strings.TrimPrefix(trimmed, "```go"))
			inCode = true
		case inCode && trimmed == "```":
			add(notebook.CodeCell, code.String(), tags)
			code.Reset()
			inCode = false
		case inCode:
			code.WriteString(line + "\n")
		case trimmed == "+++":
			add(notebook.MarkdownCell, md.String(), nil)
			md.Reset()
		default:
			md.WriteString(line + "\n")
		}
	}
	if inCode {
		return nil, fmt.Errorf("code block not closed at the end of the file")
	}
	add(notebook.MarkdownCell, md.String(), nil)
	if err := nb.Validate(); err != nil {
		return nil, err
	}
	return nb, nil
}
