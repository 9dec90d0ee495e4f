package notebook

import (
	"bytes"
	"errors"
	"html"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzNotebook feeds arbitrary bytes to Parse. It must never panic; any
// error must be a *ParseError; and a notebook it accepts must be written
// as a valid notebook that reads back to the same bytes.
func FuzzNotebook(f *testing.F) {
	for _, path := range testdataNotebooks(f) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		nb, err := Parse(data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Msg == "" {
				t.Fatalf("Parse returned %T %v, want a *ParseError with a message", err, err)
			}
			return
		}
		if err := nb.Validate(); err != nil {
			t.Fatalf("Parse accepted a notebook that does not validate: %v", err)
		}
		out, err := nb.Marshal()
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("cannot read back what Marshal wrote: %v\n%s", err, out)
		}
		out2, err := again.Marshal()
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("write/read/write is not stable: %v\n%s\n---\n%s", err, out, out2)
		}
		nb.HTML("fuzz") // must not panic either
	})
}

// FuzzMarkdownHTML renders arbitrary Markdown: it must never panic, and
// raw HTML in the source must never reach the page unescaped.
func FuzzMarkdownHTML(f *testing.F) {
	for _, s := range []string{
		"# T\n\n- a\n  - b\n1. c\n\n> q\n\n```go\nx\n```\n| a | b |\n|---|---|\n| 1 | 2 |\n",
		"*a* **b** `c` [d](http://e) ![f](attachment:g.png) <https://h>", "    code\n\ttab", "- \n-\n- - -", "[x](javascript:y)",
	} {
		f.Add(s)
	}
	att := map[string]any{"g.png": map[string]any{"image/png": "iVBO"}}
	f.Fuzz(func(t *testing.T, src string) {
		out, _ := markdownHTML(src, att)
		out = strings.ToLower(out)
		if strings.Contains(out, "<script") || strings.Contains(out, `href="javascript:`) || strings.Contains(out, `src="javascript:`) {
			t.Fatalf("markdownHTML(%q) lets markup through:\n%s", src, out)
		}
	})
}

// FuzzHighlight colors arbitrary source as Go: it must never panic nor
// lose or change a character.
func FuzzHighlight(f *testing.F) {
	highlightGo := highlighter(nil)
	for _, s := range []string{"x := `a\r\nb` // c\n/* d */ 'e' 1.5i", "%magic\n#!", "\"open", "/* open"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if !utf8.ValidString(src) {
			return // html.UnescapeString cannot give back invalid UTF-8
		}
		got := html.UnescapeString(tagPattern.ReplaceAllString(highlightGo(src), ""))
		if want := newlines.Replace(src); got != want {
			t.Fatalf("the highlighter changed the text:\n got %q\nwant %q", got, src)
		}
	})
}
