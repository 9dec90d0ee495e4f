package notebook

import (
	"bytes"
	"encoding/json"
	"github.com/latent-ai/latent/display"
	"html"
	"strings"
	"testing"
)

func TestMarkdownHTML(t *testing.T) {
	att := map[string]any{"dot.png": map[string]any{"image/png": "iVBO\nRw0="}}
	cases := []struct {
		in, want string
		math     bool
	}{
		{"# Title", "<h1>Title</h1>\n", false},
		{"one\ntwo\n\nthree", "<p>one\ntwo</p>\n<p>three</p>\n", false},
		{"*em* and **strong** and `a<b`", "<p><em>em</em> and <strong>strong</strong> and <code>a&lt;b</code></p>\n", false},
		{"snake_case_name stays", "<p>snake_case_name stays</p>\n", false},
		{"<script>alert(1)</script>", "<!-- raw HTML omitted -->\n", false},
		{"[Go](https://go.dev) <https://x.org/a_b_c>", `<p><a href="https://go.dev">Go</a> <a href="https://x.org/a_b_c">https://x.org/a_b_c</a></p>` + "\n", false},
		{"[x](javascript:alert(1))", `<p><a href="">x</a></p>` + "\n", false},
		{"![dot](attachment:dot.png)", `<p><img src="data:image/png;base64,iVBORw0=" alt="dot"></p>` + "\n", false},
		{"- a\n- b\n  - c\n- d", "<ul>\n<li>a</li>\n<li>b\n<ul>\n<li>c</li>\n</ul>\n</li>\n<li>d</li>\n</ul>\n", false},
		// Fenced code is colored when chroma knows its language, escaped
		// either way.
		{"```go\nx := 1 < 2\n```", `<pre class="chroma"><code class="language-go"><span class="nx">x</span><span class="w"> </span><span class="o">:=</span><span class="w"> </span><span class="mi">1</span><span class="w"> </span><span class="p">&lt;</span><span class="w"> </span><span class="mi">2</span>` + "\n</code></pre>\n", false},
		{"```nosuchlang\n<script>x</script>\n```", "<pre><code class=\"language-nosuchlang\">&lt;script&gt;x&lt;/script&gt;\n</code></pre>\n", false},
		{"```python\nprint('<b>')\n```", `<pre class="chroma"><code class="language-python"><span class="nb">print</span><span class="p">(</span><span class="s1">&#39;&lt;b&gt;&#39;</span><span class="p">)</span>` + "\n</code></pre>\n", false},
		// A name chroma cannot have is not looked up (the lookup of a
		// long unknown name takes time in proportion to its length).
		{"```" + strings.Repeat("x", 100000) + "\n<b>\n```", "<pre><code class=\"language-" + strings.Repeat("x", 100000) + "\">&lt;b&gt;\n</code></pre>\n", false},
		{"```caddyfile-directives\nx\n```", `<pre class="chroma"><code class="language-caddyfile-directives"><span class="k">x</span>` + "\n</code></pre>\n", false},
		{"| a | b |\n|---|--:|\n| 1 | 2 |", "<table>\n<thead>\n<tr>\n<th>a</th>\n<th style=\"text-align:right\">b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td style=\"text-align:right\">2</td>\n</tr>\n</tbody>\n</table>\n", false},
		// Math is kept as TeX, untouched by emphasis or escapes.
		{"math $x_1 + x_2*y_3*$ stays", "<p>math $x_1 + x_2*y_3*$ stays</p>\n", true},
		{"$$\n\\sum_{i<n} a_i\n$$", "<p>$$\n\\sum_{i&lt;n} a_i\n$$</p>\n", true},
		{`\(a_b\) and \[c_d\]`, `<p>\(a_b\) and \[c_d\]</p>` + "\n", true},
		// Not math: money, escaped dollars, code.
		{"costs $5 and $10", "<p>costs $5 and $10</p>\n", false},
		{"`$x_1$` and\n```\n$y_2$\n```", "<p><code>$x_1$</code> and</p>\n<pre><code>$y_2$\n</code></pre>\n", false},
	}
	for _, c := range cases {
		got, math := markdownHTML(c.in, att)
		if got != c.want || math != c.math {
			t.Errorf("markdownHTML(%q):\n got %q (math %v)\nwant %q (math %v)", c.in, got, math, c.want, c.math)
		}
	}
}

// TestHighlightKeepsText checks that coloring never loses or changes a
// character of the source, whatever the source is.
func TestHighlightKeepsText(t *testing.T) {
	goCode, python := highlighter(nil), highlighter(map[string]any{"language_info": map[string]any{"name": "python", "pygments_lexer": "ipython3"}})
	for _, src := range []string{
		"x := 1 // one\nfor i := range 3 { fmt.Println(\"a<b\", 'c', 1.5i) }",
		"/* block\r\ncomment */ s := `raw\r\nstring`",
		"%time train()\n#!weird @ $ ?",
		"\"unterminated\nnext", "`unterminated raw", "/* open", "two\n\n", "",
	} {
		for name, h := range map[string]func(string) string{"go": goCode, "python": python} {
			got := html.UnescapeString(tagPattern.ReplaceAllString(h(src), ""))
			if want := newlines.Replace(src); got != want {
				t.Errorf("%s highlighter lost text:\n got %q\nwant %q", name, got, src)
			}
		}
	}
	if h := goCode("func f() {}"); !strings.Contains(h, `<span class="kd">func</span>`) {
		t.Errorf("keyword not colored: %s", h)
	}
}

// TestANSIHTML: colors of streams and tracebacks become spans with
// nbconvert's classes; other escapes are dropped, text is escaped.
func TestANSIHTML(t *testing.T) {
	cases := map[string]string{
		"plain <b>":                        "plain &lt;b&gt;",
		"\x1b[31mred\x1b[0m after":         `<span class="ansi-red-fg">red</span> after`,
		"\x1b[1;92mok\x1b[39m bold":        `<span class="ansi-green-intense-fg ansi-bold">ok</span><span class="ansi-bold"> bold</span>`,
		"\x1b[38;5;208mo\x1b[48;2;1;2;3mx": `<span style="color:#ff8700">o</span><span style="color:#ff8700;background:#010203">x</span>`,
		"\x1b[2Kcleared\x1b[m":             "cleared",
		"cut \x1b[3":                       "cut ",
	}
	for in, want := range cases {
		if got := ansiHTML(in); got != want {
			t.Errorf("ansiHTML(%q)\n got %q\nwant %q", in, got, want)
		}
	}
}

func TestHTMLReport(t *testing.T) {
	one, three := 1, 3
	nb := &Notebook{Cells: []*Cell{
		{ID: "m", Type: MarkdownCell, Source: "# Report\nsome **text**"},
		{ID: "c", Type: CodeCell, Source: "show(img)", ExecutionCount: &one, Outputs: []*Output{
			{Type: StreamOutput, Name: "stdout", Text: "\x1b[31mred\x1b[0m <tag>\n"},
			{Type: DisplayDataOutput, Data: map[string]any{"image/png": "iVBORw0KGgo=\n", "text/plain": "<image>"}, Metadata: map[string]any{"image/png": map[string]any{"width": json.Number("40")}}},
			{Type: DisplayDataOutput, Data: map[string]any{"image/svg+xml": "<svg></svg>", "text/plain": "<svg>"}},
			{Type: ExecuteResultOutput, ExecutionCount: &three, Data: map[string]any{"text/plain": "42"}},
			{Type: ErrorOutput, EName: "panic", EValue: "boom", Traceback: []string{"panic: boom", "\x1b[1mat cell 2\x1b[0m"}},
		}},
		{ID: "r", Type: RawCell, Source: "<raw>"},
	}}
	a, b := nb.HTML("t <1>"), nb.HTML("t <1>")
	if !bytes.Equal(a, b) {
		t.Fatal("HTML is not deterministic")
	}
	page := string(a)
	for _, want := range []string{
		"<title>t &lt;1&gt;</title>",
		"<h1>Report</h1>", "<strong>text</strong>",
		`<img src="data:image/png;base64,iVBORw0KGgo=" width="40" alt="image">`,
		`<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=" alt="SVG image">`,
		`<span class="ansi-red-fg">red</span> &lt;tag&gt;`, "Out [3]:", "<pre>42</pre>", `<span class="ename">panic</span>: boom`, `<span class="ansi-bold">at cell 2</span>`,
		"&lt;raw&gt;", "1 error",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(page, "\x1b") {
		t.Error("report keeps ANSI escapes")
	}
}

// TestHTMLReportHighlightsTheNotebooksLanguage: a Python notebook is
// colored as Python, not as Go.
func TestHTMLReportHighlightsTheNotebooksLanguage(t *testing.T) {
	cell := []*Cell{{ID: "c", Type: CodeCell, Source: "def f(x): return x"}}
	for lang, want := range map[string]string{"python": `<span class="k">def</span>`, "go": `<span class="nx">def</span>`} {
		nb := &Notebook{Cells: cell, Metadata: map[string]any{"language_info": map[string]any{"name": lang}}}
		if page := string(nb.HTML("t")); !strings.Contains(page, want) {
			t.Errorf("%s notebook: no %s in\n%s", lang, want, page[strings.Index(page, "<main>"):])
		}
	}
}

// TestHTMLReportMathAndTimes: math loads MathJax and keeps its TeX; each
// executed cell shows its run time; a run note is shown as a banner.
func TestHTMLReportMathAndTimes(t *testing.T) {
	one := 1
	nb := &Notebook{Cells: []*Cell{
		failureNote(&CellError{Index: 2, Count: 1, Err: &display.Error{Name: "E", Value: "v"}}),
		{ID: "m", Type: MarkdownCell, Source: "Loss $L = \\|x - \\hat x\\|^2$"},
		{ID: "c", Type: CodeCell, Source: "x", ExecutionCount: &one, Metadata: map[string]any{"execution": map[string]any{
			TimeBusy: "2026-12-04T21:00:00.000000Z", TimeExecuteInput: "2026-12-04T21:00:00.001000Z",
			TimeExecuteReply: "2026-12-04T21:00:01.499000Z", TimeIdle: "2026-12-04T21:00:01.500000Z"}}},
	}}
	page := string(nb.HTML("t"))
	for _, want := range []string{"mathjax@3", `$L = \|x - \hat x\|^2$`, `<div class="time"`, "1.50 s", `class="cell note"`, "latent run stopped at cell 2 (In [1]): E: v"} {
		if !strings.Contains(page, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(string((&Notebook{}).HTML("t")), "mathjax") {
		t.Error("a report without math loads MathJax")
	}
}
