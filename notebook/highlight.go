package notebook

import (
	"bytes"
	"html"
	"strings"
	"sync"

	"github.com/alecthomas/chroma/v2"
	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
)

// reportStyle is the chroma style of code in reports.
const reportStyle = "github"

var formatter = chromahtml.New(chromahtml.WithClasses(true), chromahtml.PreventSurroundingPre(true))

// newlines turns CRLF and CR line ends into LF, as code is shown.
var newlines = strings.NewReplacer("\r\n", "\n", "\r", "\n")

// highlighter returns the function that colors the code cells of a
// notebook with this metadata: by language_info's pygments_lexer, name or
// codemirror_mode, or the kernelspec's language (Go when none is given).
// A language chroma does not know is escaped, uncolored.
func highlighter(meta map[string]any) func(string) string {
	lexer := notebookLexer(meta)
	if lexer == nil {
		return html.EscapeString
	}
	return func(src string) string { return highlight(lexer, src) }
}

// highlight returns src as HTML colored by lexer (spans with chroma's
// classes), or escaped when the lexer fails.
func highlight(lexer chroma.Lexer, src string) string {
	src = newlines.Replace(src) // chroma reads lines as \n-terminated
	body := strings.TrimRight(src, "\n")
	it, err := lexer.Tokenise(nil, body)
	var b bytes.Buffer
	if err == nil {
		err = formatter.Format(&b, styles.Get(reportStyle), chroma.Literator(trimFinalNewline(it.Tokens())...))
	}
	if err != nil {
		return html.EscapeString(src)
	}
	return b.String() + src[len(body):]
}

// maxLanguageName bounds the fence languages looked up in chroma: its
// longest name, alias or file name without a space has 20 bytes
// ("caddyfile-directives").
const maxLanguageName = 32

// languageLexer returns chroma's lexer for a fenced code block's language
// ("go", "python", "bash", ...), or nil when there is none or chroma does
// not know it. A name longer than any chroma knows (maxLanguageName) is not
// looked up: chroma matches an unknown name against every lexer's file
// patterns, which took 0.4 s for a 1,000-byte name.
func languageLexer(lang string) chroma.Lexer {
	if lang == "" || len(lang) > maxLanguageName {
		return nil
	}
	if l := lexers.Get(strings.ToLower(lang)); l != nil {
		return chroma.Coalesce(l)
	}
	return nil
}

// trimFinalNewline drops the newline chroma's lexers add at the end.
func trimFinalNewline(tokens []chroma.Token) []chroma.Token {
	for len(tokens) > 0 {
		last := &tokens[len(tokens)-1]
		last.Value = strings.TrimSuffix(last.Value, "\n")
		if last.Value != "" {
			break
		}
		tokens = tokens[:len(tokens)-1]
	}
	return tokens
}

// notebookLexer returns the lexer for a notebook's code cells, from its
// metadata: language_info's pygments_lexer, name and codemirror_mode, then
// the kernelspec's language, the first one chroma knows; Go when the
// metadata names none, nil when it names only unknown languages.
func notebookLexer(meta map[string]any) chroma.Lexer {
	li, _ := meta["language_info"].(map[string]any)
	ks, _ := meta["kernelspec"].(map[string]any)
	var names []string
	add := func(v any) {
		switch x := v.(type) {
		case string:
			names = append(names, x)
		case map[string]any: // codemirror_mode: {"name": "ipython", "version": 3}
			if n, ok := x["name"].(string); ok {
				names = append(names, n)
			}
		}
	}
	add(li["pygments_lexer"])
	add(li["name"])
	add(li["codemirror_mode"])
	add(ks["language"])
	if len(names) == 0 {
		names = []string{"go"}
	}
	for _, n := range names {
		if l := languageLexer(n); l != nil {
			return l
		}
	}
	return nil
}

var chromaCSSOnce = sync.OnceValue(func() string {
	var b bytes.Buffer
	formatter.WriteCSS(&b, styles.Get(reportStyle))
	return b.String()
})

// chromaCSS is the style sheet of the colored code.
func chromaCSS() string { return chromaCSSOnce() }
