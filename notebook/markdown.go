package notebook

import (
	"bytes"
	"fmt"
	"html"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// markdownHTML renders a Markdown cell as CommonMark with GitHub's tables,
// strikethrough, autolinks and task lists (goldmark). Raw HTML in the source
// is left out and links to javascript: and the like are dropped, so a
// notebook cannot put script into the report. Images from the cell's
// attachments are inlined as data URLs. Math ($...$, $$...$$, \(...\),
// \[...\]) is kept as TeX, untouched by Markdown, for MathJax to typeset;
// hasMath says whether there was any. Fenced code that names a language
// chroma knows (```go, ```python, ```bash) is colored as code cells are.
func markdownHTML(src string, attachments map[string]any) (out string, hasMath bool) {
	protected, math := protectMath(src)
	md := goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(attachmentImages(attachments), 100))),
		goldmark.WithRendererOptions(renderer.WithNodeRenderers(util.Prioritized(fencedCode{}, 100))),
	)
	var b bytes.Buffer
	if err := md.Convert([]byte(protected), &b); err != nil {
		return "<pre>" + html.EscapeString(src) + "</pre>\n", false
	}
	out = b.String()
	for i, m := range math {
		out = strings.Replace(out, mathPlaceholder(i), html.EscapeString(m), 1)
	}
	return out, len(math) > 0
}

// mathPlaceholder stands for the i-th math span while Markdown is rendered:
// letters and digits only, so no Markdown rule touches it.
func mathPlaceholder(i int) string { return fmt.Sprintf("LATENTMATH%dX", i) }

// protectMath replaces the math spans of src with placeholders, skipping
// code spans and fenced code blocks, and returns the spans in order. An
// inline $...$ must not start or end with a space, nor be followed by a
// digit ($5 and $10 are money), as in Pandoc and nbconvert.
func protectMath(src string) (string, []string) {
	var out strings.Builder
	var math []string
	lines := strings.SplitAfter(src, "\n")
	var fence string
	var para strings.Builder // the text outside fenced code, to scan
	flush := func() {
		s := para.String()
		para.Reset()
		for i := 0; i < len(s); {
			if n := codeSpanLen(s[i:]); n > 0 {
				out.WriteString(s[i : i+n])
				i += n
				continue
			}
			if n := mathLen(s[i:]); n > 0 {
				out.WriteString(mathPlaceholder(len(math)))
				math = append(math, s[i:i+n])
				i += n
				continue
			}
			if s[i] == '\\' && i+1 < len(s) && s[i+1] == '$' {
				out.WriteString(s[i : i+2])
				i += 2
				continue
			}
			out.WriteByte(s[i])
			i++
		}
	}
	for _, line := range lines {
		trimmed := strings.TrimLeft(line, " ")
		switch {
		case fence != "":
			out.WriteString(line)
			if strings.HasPrefix(strings.TrimSpace(line), fence) {
				fence = ""
			}
			continue
		case strings.HasPrefix(trimmed, "```"), strings.HasPrefix(trimmed, "~~~"):
			flush()
			fence = trimmed[:3]
			out.WriteString(line)
			continue
		}
		para.WriteString(line)
	}
	flush()
	return out.String(), math
}

// codeSpanLen is the length of the code span at the start of s, or 0.
func codeSpanLen(s string) int {
	n := 0
	for n < len(s) && s[n] == '`' {
		n++
	}
	if n == 0 {
		return 0
	}
	if end := strings.Index(s[n:], s[:n]); end >= 0 {
		return n + end + n
	}
	return n // an unmatched run of backticks is text
}

// mathLen is the length of the math span at the start of s, or 0.
func mathLen(s string) int {
	for _, d := range [][2]string{{"$$", "$$"}, {`\[`, `\]`}, {`\(`, `\)`}} {
		if strings.HasPrefix(s, d[0]) {
			if end := strings.Index(s[2:], d[1]); end > 0 {
				return 2 + end + 2
			}
			return 0
		}
	}
	if !strings.HasPrefix(s, "$") || len(s) < 3 || s[1] == ' ' || s[1] == '\n' {
		return 0
	}
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '\n':
			if i+1 < len(s) && s[i+1] == '\n' {
				return 0 // math does not cross a paragraph
			}
		case '$':
			if s[i-1] == ' ' || (i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9') {
				return 0
			}
			return i + 1
		}
	}
	return 0
}

// attachmentImages turns images whose destination is attachment:NAME into
// data URLs of the cell's attachment (its first image MIME type).
type attachmentImages map[string]any

func (att attachmentImages) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		img, ok := n.(*ast.Image)
		if !entering || !ok {
			return ast.WalkContinue, nil
		}
		name, ok := strings.CutPrefix(string(img.Destination), "attachment:")
		if !ok {
			return ast.WalkContinue, nil
		}
		bundle, _ := att[name].(map[string]any)
		for _, mime := range []string{"image/png", "image/jpeg", "image/gif", "image/webp"} {
			if data, ok := bundle[mime].(string); ok {
				img.Destination = []byte("data:" + mime + ";base64," + strings.Join(strings.Fields(data), ""))
				break
			}
		}
		return ast.WalkContinue, nil
	})
}

// fencedCode renders fenced code blocks in place of goldmark's renderer:
// colored by chroma when the fence names a language it knows, else
// escaped as goldmark would.
type fencedCode struct{}

// RegisterFuncs registers the renderer for fenced code blocks.
func (fencedCode) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindFencedCodeBlock, renderFencedCode)
}

func renderFencedCode(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.FencedCodeBlock)
	var code strings.Builder
	for i := 0; i < n.Lines().Len(); i++ {
		line := n.Lines().At(i)
		code.Write(line.Value(source))
	}
	lang := string(n.Language(source))
	pre, body := "<pre>", html.EscapeString(code.String())
	if l := languageLexer(lang); l != nil {
		pre, body = `<pre class="chroma">`, highlight(l, code.String())
	}
	_, _ = w.WriteString(pre + "<code")
	if lang != "" {
		_, _ = w.WriteString(` class="language-` + html.EscapeString(lang) + `"`)
	}
	_, _ = w.WriteString(">" + body + "</code></pre>\n")
	return ast.WalkSkipChildren, nil
}
