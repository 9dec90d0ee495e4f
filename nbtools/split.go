package nbtools

import (
	"fmt"
	"strings"
)

// Kind says what a Part of a cell is.
type Kind int

// The kinds of parts.
const (
	KindGo    Kind = iota // Go source, for the interpreter
	KindShell             // a !cmd line
	KindLine              // a %name args line magic
	KindCell              // a %%name args cell magic with the rest of the cell as Body
	KindHelp              // a name? or name?? line
)

// Part is one piece of a cell, in the order written.
type Part struct {
	Kind Kind
	// Line is the 1-based cell line the part starts on.
	Line int
	// Text is the Go source (Go), the command (Shell), or the name asked
	// about (Help).
	Text string
	// Name and Args are the magic's name without % signs and the rest of
	// its line.
	Name, Args string
	// Body is the cell after a cell magic's line.
	Body string
	// Detail is 1 for name??, 0 for name?.
	Detail int
}

// Split finds the notebook tools in a cell: lines that start, in column
// 0, with !cmd, %name or %%name, and a cell that is only name? or name??.
// Lines inside a raw string or a block comment are Go. A cell magic must
// be the first line that is not blank or a comment. ok is false when the
// cell is plain Go (parts is then nil). Blank and comment-only Go between
// tools is dropped; a Go part keeps its line numbers by starting with as
// many newlines as lines came before it.
func Split(code string) (parts []Part, ok bool, err error) {
	if p, ok := helpLine(code); ok {
		return []Part{p}, true, nil
	}
	lines := strings.SplitAfter(code, "\n")
	var goText strings.Builder
	goStart := 0
	flush := func() {
		if onlyComments(goText.String()) {
			goText.Reset()
			return
		}
		parts = append(parts, Part{Kind: KindGo, Line: goStart + 1, Text: strings.Repeat("\n", goStart) + goText.String()})
		goText.Reset()
	}
	var st scanState
	for i, raw := range lines {
		line := strings.TrimRight(raw, "\r\n")
		if st.plain() {
			kind, name, args := toolLine(line)
			if kind == KindCell {
				if ok || !onlyComments(goText.String()) {
					return nil, false, fmt.Errorf("the cell magic %%%%%s must start the cell (only comments may come before it): "+
						"move it to the first line or split the cell", name)
				}
				return []Part{{Kind: KindCell, Line: i + 1, Name: name, Args: args, Body: strings.Join(lines[i+1:], "")}}, true, nil
			}
			if kind != KindGo {
				flush()
				p := Part{Kind: kind, Line: i + 1, Name: name, Args: args}
				if kind == KindShell {
					p.Text, p.Args = args, ""
				}
				parts = append(parts, p)
				ok = true
				goStart = i + 1
				continue
			}
		}
		st.scan(line)
		goText.WriteString(raw)
	}
	if !ok {
		return nil, false, nil
	}
	flush()
	return parts, true, nil
}

// toolLine classifies one line outside strings and comments.
func toolLine(line string) (kind Kind, name, args string) {
	switch {
	case strings.HasPrefix(line, "%%") && isNameStart(line, 2):
		name, args = cutName(line[2:])
		return KindCell, name, args
	case strings.HasPrefix(line, "%") && isNameStart(line, 1):
		name, args = cutName(line[1:])
		return KindLine, name, args
	case strings.HasPrefix(line, "!") && !strings.HasPrefix(line, "!=") && strings.TrimSpace(line[1:]) != "":
		return KindShell, "", strings.TrimSpace(line[1:])
	}
	return KindGo, "", ""
}

func isNameStart(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	c := s[i]
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func cutName(s string) (name, args string) {
	name, args, _ = strings.Cut(s, " ")
	if n, a, found := strings.Cut(name, "\t"); found {
		name, args = n, a+" "+args
	}
	return name, strings.TrimSpace(args)
}

// helpLine recognises a cell that is one name followed by ? or ??, or
// preceded by them (ipykernel accepts both), after optional comments.
func helpLine(code string) (Part, bool) {
	last, n := "", 0
	for i, l := range strings.Split(code, "\n") {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "//") {
			continue
		}
		if last != "" {
			return Part{}, false // more than one line of code
		}
		last, n = t, i+1
	}
	detail := 0
	name := last
	switch {
	case strings.HasSuffix(name, "??"):
		name, detail = strings.TrimSuffix(name, "??"), 1
	case strings.HasSuffix(name, "?"):
		name = strings.TrimSuffix(name, "?")
	case strings.HasPrefix(name, "??"):
		name, detail = strings.TrimPrefix(name, "??"), 1
	case strings.HasPrefix(name, "?"):
		name = strings.TrimPrefix(name, "?")
	default:
		return Part{}, false
	}
	if !isQualifiedName(name) {
		return Part{}, false
	}
	return Part{Kind: KindHelp, Line: n, Text: name, Detail: detail}, true
}

// isQualifiedName reports a Go identifier or a dotted chain of them.
func isQualifiedName(s string) bool {
	if s == "" {
		return false
	}
	for _, id := range strings.Split(s, ".") {
		if !isNameStart(id, 0) {
			return false
		}
		for _, c := range id {
			if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c > 127) {
				return false
			}
		}
	}
	return true
}

// onlyComments reports Go text that holds nothing but blanks and line
// comments.
func onlyComments(s string) bool {
	for _, l := range strings.Split(s, "\n") {
		t := strings.TrimSpace(l)
		if t != "" && !strings.HasPrefix(t, "//") {
			return false
		}
	}
	return true
}

// scanState follows raw strings and block comments across lines, so that a
// line inside one is never taken for a tool line.
type scanState struct {
	inRaw, inComment bool
}

func (st *scanState) plain() bool { return !st.inRaw && !st.inComment }

// scan advances the state over one line of Go.
func (st *scanState) scan(line string) {
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case st.inRaw:
			if c == '`' {
				st.inRaw = false
			}
		case st.inComment:
			if c == '*' && i+1 < len(line) && line[i+1] == '/' {
				st.inComment = false
				i++
			}
		case c == '`':
			st.inRaw = true
		case c == '/' && i+1 < len(line) && line[i+1] == '/':
			return
		case c == '/' && i+1 < len(line) && line[i+1] == '*':
			st.inComment = true
			i++
		case c == '"' || c == '\'':
			i = skipQuoted(line, i)
		}
	}
}

// skipQuoted returns the index of the quote that closes the interpreted
// string or rune literal opened at i (or the line's end).
func skipQuoted(line string, i int) int {
	q := line[i]
	for j := i + 1; j < len(line); j++ {
		switch line[j] {
		case '\\':
			j++
		case q:
			return j
		}
	}
	return len(line)
}
