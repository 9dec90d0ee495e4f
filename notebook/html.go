package notebook

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"regexp"
	"strings"
	"time"
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
.time{font-size:11px;line-height:1.2;color:#8c959f}
.note{background:#ffebe9;border:1px solid #cf222e;border-radius:4px;padding:4px 12px;color:#82071e}
`

// mathJaxScript loads MathJax from its CDN to typeset the report's math
// as nbconvert's HTML does; without a network the TeX stays readable.
const mathJaxScript = `<script>window.MathJax={tex:{inlineMath:[['$','$'],['\\(','\\)']],displayMath:[['$$','$$'],['\\[','\\]']],processEscapes:true}};</script>
<script defer src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml-full.js"></script>
`

// report renders one notebook as HTML.
type report struct {
	b         bytes.Buffer
	highlight func(string) string
	math      bool // some cell or output holds math: load MathJax
}

// HTML renders nb as one standalone HTML page, as nbconvert's HTML export
// would show it: Markdown cells rendered (CommonMark with GitHub tables),
// math typeset by MathJax when the page is opened online (the TeX shows
// as written offline), code colored in the notebook's own language, ANSI
// colors of streams and tracebacks kept, each cell's run time (from its
// metadata.execution), and every output, images inline as data URLs, so
// the file can be kept as a CI artifact and opened anywhere. The same
// notebook always gives the same bytes.
func (nb *Notebook) HTML(title string) []byte {
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
	r := &report{highlight: highlighter(nb.Metadata)}
	for _, c := range nb.Cells {
		id := html.EscapeString(c.ID)
		switch {
		case c.HasTag(TagRunNote):
			fmt.Fprintf(&r.b, "<section class=\"cell note\" id=\"cell-%s\">\n%s</section>\n", id, r.markdown(noteText(c.Source), nil))
		case c.Type == MarkdownCell:
			fmt.Fprintf(&r.b, "<section class=\"cell markdown\" id=\"cell-%s\">\n%s</section>\n", id, r.markdown(c.Source, c.Attachments))
		case c.Type == RawCell:
			fmt.Fprintf(&r.b, "<section class=\"cell raw\" id=\"cell-%s\"><pre>%s</pre></section>\n", id, html.EscapeString(c.Source))
		case c.Type == CodeCell:
			took := ""
			if d, ok := CellDuration(c); ok {
				took = "<div class=\"time\" title=\"run time, from metadata.execution\">" + formatDuration(d) + "</div>"
			}
			fmt.Fprintf(&r.b, "<section class=\"cell code\" id=\"cell-%s\">\n<div class=\"input\"><div class=\"prompt\">In [%s]:%s</div><div class=\"body\"><pre class=\"source chroma\"><code>%s</code></pre></div></div>\n",
				id, countString(c.ExecutionCount), took, r.highlight(c.Source))
			for _, o := range c.Outputs {
				r.output(o)
			}
			r.b.WriteString("</section>\n")
		}
	}
	var page bytes.Buffer
	t := html.EscapeString(title)
	fmt.Fprintf(&page, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>%s</title>\n<style>\n%s%s%s</style>\n", t, reportCSS, ansiCSS, chromaCSS())
	if r.math {
		page.WriteString(mathJaxScript)
	}
	fmt.Fprintf(&page, "</head>\n<body>\n<main>\n<header>\n<h1>%s</h1>\n<p class=\"summary\">%d of %d cells executed, %s. Executed by latent run.</p>\n</header>\n",
		t, code, len(nb.Cells), plural(errs, "error"))
	page.Write(r.b.Bytes())
	page.WriteString("</main>\n</body>\n</html>\n")
	return page.Bytes()
}

// markdown renders Markdown, noting whether it held math.
func (r *report) markdown(src string, att map[string]any) string {
	out, math := markdownHTML(src, att)
	r.math = r.math || math
	return out
}

// noteText is the text of a run note without its HTML (raw HTML is left
// out of reports): the headline becomes a heading.
func noteText(src string) string {
	head, rest, _ := strings.Cut(src, "\n\n")
	head = html.UnescapeString(tagPattern.ReplaceAllString(head, ""))
	return "**" + strings.NewReplacer("*", "\\*", "_", "\\_").Replace(head) + "**\n\n" + rest
}

var tagPattern = regexp.MustCompile(`<[^>]*>`)

// formatDuration writes a cell's run time the way people read it.
func formatDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return d.Round(time.Second).String()
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

func (r *report) output(o *Output) {
	b := &r.b
	prompt, class := "", "output"
	if o.Type == ExecuteResultOutput {
		prompt, class = "Out ["+countString(o.ExecutionCount)+"]:", "output out"
	}
	fmt.Fprintf(b, "<div class=\"%s\"><div class=\"prompt\">%s</div><div class=\"body\">", class, prompt)
	switch o.Type {
	case StreamOutput:
		fmt.Fprintf(b, "<pre class=\"%s\">%s</pre>", o.Name, ansiHTML(o.Text))
	case ErrorOutput:
		fmt.Fprintf(b, "<pre class=\"error\"><span class=\"ename\">%s</span>: %s", html.EscapeString(o.EName), ansiHTML(o.EValue))
		for _, line := range o.Traceback {
			if line == o.EName+": "+o.EValue {
				continue
			}
			b.WriteString("\n" + ansiHTML(line))
		}
		b.WriteString("</pre>")
	default:
		b.WriteString(r.rich(o))
	}
	b.WriteString("</div></div>\n")
}

// rich renders the best MIME type of a display_data or execute_result.
func (r *report) rich(o *Output) string {
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
			return r.markdown(s, nil)
		case "text/latex":
			r.math = true
			return `<div class="math">` + html.EscapeString(s) + "</div>"
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
		default: // text/plain
			return "<pre>" + ansiHTML(s) + "</pre>"
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
