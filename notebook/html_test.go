package notebook

import (
	"bytes"
	"encoding/json"
	"html"
	"regexp"
	"strings"
	"testing"
)

func TestMarkdownHTML(t *testing.T) {
	att := map[string]any{"dot.png": map[string]any{"image/png": "iVBO\nRw0="}}
	cases := []struct{ in, want string }{
		{"# Title", "<h1>Title</h1>\n"},
		{"### Three ###", "<h3>Three</h3>\n"},
		{"one\ntwo\n\nthree", "<p>one\ntwo</p>\n<p>three</p>\n"},
		{"*em* and **strong** and `a<b`", "<p><em>em</em> and <strong>strong</strong> and <code>a&lt;b</code></p>\n"},
		{"snake_case_name stays", "<p>snake_case_name stays</p>\n"},
		{"<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"},
		{"[Go](https://go.dev) <https://x.org/a_b_c>", `<p><a href="https://go.dev">Go</a> <a href="https://x.org/a_b_c">https://x.org/a_b_c</a></p>` + "\n"},
		{"[x](javascript:alert(1))", `<p><a href="#">x</a>)</p>` + "\n"},
		{"![dot](attachment:dot.png)", `<p><img src="data:image/png;base64,iVBORw0=" alt="dot"></p>` + "\n"},
		{"- a\n- b\n  - c\n- d", "<ul>\n<li>a</li>\n<li>b\n<ul>\n<li>c</li>\n</ul>\n</li>\n<li>d</li>\n</ul>\n"},
		{"1. first\n2. second", "<ol>\n<li>first</li>\n<li>second</li>\n</ol>\n"},
		{"```go\nx := 1 < 2\n```", "<pre><code class=\"language-go\">x := 1 &lt; 2</code></pre>\n"},
		{"    indented\n    code", "<pre><code>indented\ncode</code></pre>\n"},
		{"> quoted\n> text", "<blockquote>\n<p>quoted\ntext</p>\n</blockquote>\n"},
		{"---", "<hr>\n"},
		{"| a | b |\n|---|--:|\n| 1 | 2 |", "<table>\n<thead>\n<tr><th>a</th><th style=\"text-align:right\">b</th></tr>\n</thead>\n<tbody>\n<tr><td>1</td><td style=\"text-align:right\">2</td></tr>\n</tbody>\n</table>\n"},
		{"math $x_1 + x_2$ stays", "<p>math $x_1 + x_2$ stays</p>\n"},
	}
	for _, c := range cases {
		if got := markdownHTML(c.in, att); got != c.want {
			t.Errorf("markdownHTML(%q):\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

var tagPattern = regexp.MustCompile(`<[^>]*>`)

// TestHighlightGoKeepsText checks that coloring never loses or changes a
// character of the source, whatever the source is.
func TestHighlightGoKeepsText(t *testing.T) {
	for _, src := range []string{
		"x := 1 // one\nfor i := range 3 { fmt.Println(\"a<b\", 'c', 1.5i) }",
		"/* block\r\ncomment */ s := `raw\r\nstring`",
		"%time train()\n#!weird @ $ ?",
		"\"unterminated\nnext", "`unterminated raw", "/* open",
	} {
		got := html.UnescapeString(tagPattern.ReplaceAllString(highlightGo(src), ""))
		if got != src {
			t.Errorf("highlightGo lost text:\n got %q\nwant %q", got, src)
		}
	}
	if h := highlightGo("func f() {}"); !strings.Contains(h, `<span class="k">func</span>`) {
		t.Errorf("keyword not colored: %s", h)
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
		"red &lt;tag&gt;", "Out [3]:", "<pre>42</pre>", `<span class="ename">panic</span>: boom`, "at cell 2",
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

func TestHTMLReportHighlightsOnlyGo(t *testing.T) {
	cell := []*Cell{{ID: "c", Type: CodeCell, Source: "for x in y: pass"}}
	for lang, colored := range map[string]bool{"go": true, "python": false} {
		nb := &Notebook{Cells: cell, Metadata: map[string]any{"language_info": map[string]any{"name": lang}}}
		if got := strings.Contains(string(nb.HTML("t")), `<span class="k">for</span>`); got != colored {
			t.Errorf("%s notebook: keyword colored = %v, want %v", lang, got, colored)
		}
	}
}
