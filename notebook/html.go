package notebook

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"go/scanner"
	"go/token"
	"html"
	"strings"
)

// mimePriority is the order in which a rich output's MIME types are tried
// for the HTML report (nbconvert's order, without widgets and scripts).
var mimePriority = []string{
	"text/html", "text/markdown", "image/svg+xml", "text/latex",
	"image/png", "image/jpeg", "image/gif", "application/json", "text/plain",
}

const reportCSS = `body{margin:0;background:#fafafa;color:#1f2328;font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif}
main{max-width:980px;margin:0 auto;padding:24px 16px 64px}
header{border-bottom:1px solid #d0d7de;margin-bottom:16px}
header .summary{color:#57606a}
.cell{margin:10px 0}
.markdown{padding:0 8px}
.code .input,.code .output{display:flex;gap:8px}
.prompt{flex:0 0 72px;text-align:right;color:#57606a;font:12px/1.9 ui-monospace,monospace;white-space:nowrap}
.out .prompt{color:#9a3412}
.body{flex:1;min-width:0;overflow-x:auto}
pre{margin:0;padding:6px 10px;tab-size:4;font:13px/1.45 ui-monospace,"SFMono-Regular",Menlo,monospace;white-space:pre-wrap;word-break:break-word}
.source{background:#f2f4f7;border:1px solid #d0d7de;border-radius:4px}
.stderr{background:#fff1f0}
.error{background:#ffebe9;border-left:3px solid #cf222e}
.error .ename{color:#cf222e;font-weight:600}
img{max-width:100%;height:auto}
table{border-collapse:collapse}th,td{border:1px solid #d0d7de;padding:3px 8px}
blockquote{margin:0;padding-left:12px;border-left:3px solid #d0d7de;color:#57606a}
code{font-family:ui-monospace,monospace;font-size:90%}
.k{color:#cf222e}.s{color:#0a3069}.c{color:#6e7781;font-style:italic}.n{color:#0550ae}
`

// HTML renders nb as one standalone HTML page: markdown cells rendered,
// code with Go syntax colors (other languages plain), and every output, images inline as data URLs,
// so the file can be kept as a CI artifact and opened anywhere. The same
// notebook always gives the same bytes.
func (nb *Notebook) HTML(title string) []byte {
	var b bytes.Buffer
	code, errs := 0, 0
	for _, c := range nb.Cells {
		if c.Type != CodeCell {
			continue
		}
		if c.ExecutionCount != nil {
			code++
		}
		for _, o := range c.Outputs {
			if o.Type == ErrorOutput {
				errs++
			}
		}
	}
	t := html.EscapeString(title)
	highlight := html.EscapeString
	if li, _ := nb.Metadata["language_info"].(map[string]any); li == nil || li["name"] == nil || li["name"] == "go" {
		highlight = highlightGo
	}
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>%s</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n", t, reportCSS)
	fmt.Fprintf(&b, "<header>\n<h1>%s</h1>\n<p class=\"summary\">%d of %d cells executed, %s. Executed by latent run.</p>\n</header>\n",
		t, code, len(nb.Cells), plural(errs, "error"))
	for _, c := range nb.Cells {
		id := html.EscapeString(c.ID)
		switch c.Type {
		case MarkdownCell:
			fmt.Fprintf(&b, "<section class=\"cell markdown\" id=\"cell-%s\">\n%s</section>\n", id, markdownHTML(c.Source, c.Attachments))
		case RawCell:
			fmt.Fprintf(&b, "<section class=\"cell raw\" id=\"cell-%s\"><pre>%s</pre></section>\n", id, html.EscapeString(c.Source))
		case CodeCell:
			fmt.Fprintf(&b, "<section class=\"cell code\" id=\"cell-%s\">\n<div class=\"input\"><div class=\"prompt\">In [%s]:</div><div class=\"body\"><pre class=\"source\"><code>%s</code></pre></div></div>\n",
				id, countString(c.ExecutionCount), highlight(c.Source))
			for _, o := range c.Outputs {
				writeOutputHTML(&b, o)
			}
			b.WriteString("</section>\n")
		}
	}
	b.WriteString("</main>\n</body>\n</html>\n")
	return b.Bytes()
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func countString(n *int) string {
	if n == nil {
		return " "
	}
	return fmt.Sprint(*n)
}

func writeOutputHTML(b *bytes.Buffer, o *Output) {
	prompt, class := "", "output"
	if o.Type == ExecuteResultOutput {
		prompt, class = "Out ["+countString(o.ExecutionCount)+"]:", "output out"
	}
	fmt.Fprintf(b, "<div class=\"%s\"><div class=\"prompt\">%s</div><div class=\"body\">", class, prompt)
	switch o.Type {
	case StreamOutput:
		fmt.Fprintf(b, "<pre class=\"%s\">%s</pre>", o.Name, html.EscapeString(StripANSI(o.Text)))
	case ErrorOutput:
		fmt.Fprintf(b, "<pre class=\"error\"><span class=\"ename\">%s</span>: %s", html.EscapeString(o.EName), html.EscapeString(StripANSI(o.EValue)))
		for _, line := range o.Traceback {
			if line == o.EName+": "+o.EValue {
				continue
			}
			b.WriteString("\n" + html.EscapeString(StripANSI(line)))
		}
		b.WriteString("</pre>")
	default:
		b.WriteString(richHTML(o))
	}
	b.WriteString("</div></div>\n")
}

// richHTML renders the best MIME type of a display_data or execute_result.
func richHTML(o *Output) string {
	for _, mime := range mimePriority {
		v, ok := o.Data[mime]
		if !ok {
			continue
		}
		s, _ := v.(string)
		switch mime {
		case "text/html":
			return s
		case "text/markdown":
			return markdownHTML(s, nil)
		case "image/svg+xml":
			return `<img src="data:image/svg+xml;base64,` + base64.StdEncoding.EncodeToString([]byte(s)) + `"` + imageSize(o, mime) + ` alt="SVG image">`
		case "image/png", "image/jpeg", "image/gif":
			return `<img src="data:` + mime + `;base64,` + strings.Join(strings.Fields(s), "") + `"` + imageSize(o, mime) + ` alt="image">`
		case "application/json":
			j, err := json.MarshalIndent(v, "", "  ")
			if err != nil {
				continue
			}
			return "<pre>" + html.EscapeString(string(j)) + "</pre>"
		default: // text/latex, text/plain
			return "<pre>" + html.EscapeString(StripANSI(s)) + "</pre>"
		}
	}
	return "<pre>(no displayable output)</pre>"
}

// imageSize returns width and height attributes from the output's metadata
// for mime ({"image/png": {"width": 320}}), as Jupyter applies them.
func imageSize(o *Output, mime string) string {
	m, _ := o.Metadata[mime].(map[string]any)
	var attrs string
	for _, key := range []string{"width", "height"} {
		if n, ok := m[key].(json.Number); ok {
			if _, err := n.Int64(); err == nil {
				attrs += fmt.Sprintf(` %s="%s"`, key, n)
			}
		}
	}
	return attrs
}

// highlightGo escapes Go source for HTML and colors keywords, literals and
// comments. Source that does not scan (magics, typos) keeps its text; only
// the recognized tokens get colored.
func highlightGo(src string) string {
	var b strings.Builder
	fset := token.NewFileSet()
	data := []byte(src)
	var s scanner.Scanner
	s.Init(fset.AddFile("", fset.Base(), len(data)), data, func(token.Position, string) {}, scanner.ScanComments)
	pos := 0
	for {
		p, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		off := fset.Position(p).Offset
		if (tok == token.SEMICOLON && lit == "\n") || off < pos || off > len(src) {
			continue
		}
		end := tokenEnd(src, off, tok, lit)
		b.WriteString(html.EscapeString(src[pos:off]))
		text := html.EscapeString(src[off:end])
		switch {
		case tok == token.COMMENT:
			b.WriteString(`<span class="c">` + text + `</span>`)
		case tok == token.STRING || tok == token.CHAR:
			b.WriteString(`<span class="s">` + text + `</span>`)
		case tok == token.INT || tok == token.FLOAT || tok == token.IMAG:
			b.WriteString(`<span class="n">` + text + `</span>`)
		case tok.IsKeyword():
			b.WriteString(`<span class="k">` + text + `</span>`)
		default:
			b.WriteString(text)
		}
		pos = end
	}
	b.WriteString(html.EscapeString(src[pos:]))
	return b.String()
}

// tokenEnd finds where the token at off ends in src; lit is unreliable for
// comments and raw strings, from which the scanner drops carriage returns.
func tokenEnd(src string, off int, tok token.Token, lit string) int {
	rest := src[off:]
	n := len(lit)
	switch {
	case tok == token.COMMENT && strings.HasPrefix(rest, "/*"):
		if i := strings.Index(rest[2:], "*/"); i >= 0 {
			n = i + 4
		} else {
			n = len(rest)
		}
	case tok == token.COMMENT:
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			n = i
		} else {
			n = len(rest)
		}
	case tok == token.STRING && strings.HasPrefix(rest, "`"):
		if i := strings.IndexByte(rest[1:], '`'); i >= 0 {
			n = i + 2
		} else {
			n = len(rest)
		}
	case lit == "":
		n = len(tok.String())
	}
	return off + min(max(n, 0), len(rest))
}

// StripANSI removes terminal escape sequences (colors in tracebacks) from s.
func StripANSI(s string) string {
	if !strings.Contains(s, "\x1b") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
			i = j
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
