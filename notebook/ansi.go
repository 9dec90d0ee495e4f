package notebook

import (
	"fmt"
	"html"
	"strconv"
	"strings"
)

// ansiNames are the eight basic terminal colours, as nbconvert names their
// CSS classes (ansi-red-fg, ansi-green-intense-bg, ...).
var ansiNames = [8]string{"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"}

// ansiCSS colours those classes as nbconvert's and JupyterLab's defaults do.
const ansiCSS = `.ansi-black-fg{color:#3e424d}.ansi-red-fg{color:#e75c58}.ansi-green-fg{color:#00a250}.ansi-yellow-fg{color:#ddb62b}.ansi-blue-fg{color:#208ffb}.ansi-magenta-fg{color:#d160c4}.ansi-cyan-fg{color:#60c6c8}.ansi-white-fg{color:#c5c1b4}
.ansi-black-intense-fg{color:#282c36}.ansi-red-intense-fg{color:#b22b31}.ansi-green-intense-fg{color:#007427}.ansi-yellow-intense-fg{color:#b27d12}.ansi-blue-intense-fg{color:#0065ca}.ansi-magenta-intense-fg{color:#a03196}.ansi-cyan-intense-fg{color:#258f8f}.ansi-white-intense-fg{color:#a1a6b2}
.ansi-black-bg{background:#3e424d}.ansi-red-bg{background:#e75c58}.ansi-green-bg{background:#00a250}.ansi-yellow-bg{background:#ddb62b}.ansi-blue-bg{background:#208ffb}.ansi-magenta-bg{background:#d160c4}.ansi-cyan-bg{background:#60c6c8}.ansi-white-bg{background:#c5c1b4}
.ansi-black-intense-bg{background:#282c36}.ansi-red-intense-bg{background:#b22b31}.ansi-green-intense-bg{background:#007427}.ansi-yellow-intense-bg{background:#b27d12}.ansi-blue-intense-bg{background:#0065ca}.ansi-magenta-intense-bg{background:#a03196}.ansi-cyan-intense-bg{background:#258f8f}.ansi-white-intense-bg{background:#a1a6b2}
.ansi-bold{font-weight:bold}.ansi-underline{text-decoration:underline}
`

// ansiStyle is the state the SGR escape sequences set.
type ansiStyle struct {
	fg, bg          string // a class name part ("red", "red-intense") or a CSS colour ("#ff8700")
	bold, underline bool
}

func (st ansiStyle) plain() bool { return st == ansiStyle{} }

// open is the span that starts text in this style.
func (st ansiStyle) open() string {
	var classes, styles []string
	for _, c := range []struct{ v, kind, css string }{{st.fg, "fg", "color"}, {st.bg, "bg", "background"}} {
		switch {
		case c.v == "":
		case strings.HasPrefix(c.v, "#"):
			styles = append(styles, c.css+":"+c.v)
		default:
			classes = append(classes, "ansi-"+c.v+"-"+c.kind)
		}
	}
	if st.bold {
		classes = append(classes, "ansi-bold")
	}
	if st.underline {
		classes = append(classes, "ansi-underline")
	}
	s := "<span"
	if len(classes) > 0 {
		s += ` class="` + strings.Join(classes, " ") + `"`
	}
	if len(styles) > 0 {
		s += ` style="` + strings.Join(styles, ";") + `"`
	}
	return s + ">"
}

// ansiHTML escapes s for HTML and turns its ANSI colour sequences (SGR:
// the 8 and 16 colours, 256 colours, 24-bit colour, bold, underline) into
// spans, as nbconvert does for tracebacks and streams; other escape
// sequences are dropped.
func ansiHTML(s string) string {
	if !strings.Contains(s, "\x1b") {
		return html.EscapeString(s)
	}
	var b strings.Builder
	var st ansiStyle
	open := false
	text := func(t string) {
		if t == "" {
			return
		}
		if !open && !st.plain() {
			b.WriteString(st.open())
			open = true
		}
		b.WriteString(html.EscapeString(t))
	}
	for {
		i := strings.IndexByte(s, 0x1b)
		if i < 0 {
			text(s)
			break
		}
		text(s[:i])
		s = s[i+1:]
		if !strings.HasPrefix(s, "[") {
			continue // a lone escape: dropped
		}
		j := 1
		for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
			j++
		}
		if j == len(s) {
			break
		}
		params, final := s[1:j], s[j]
		s = s[j+1:]
		if final != 'm' {
			continue // cursor movement and the like
		}
		next := st.apply(params)
		if next != st && open {
			b.WriteString("</span>")
			open = false
		}
		st = next
	}
	if open {
		b.WriteString("</span>")
	}
	return b.String()
}

// apply returns the style after the SGR parameters params ("1;31").
func (st ansiStyle) apply(params string) ansiStyle {
	codes := strings.Split(params, ";")
	for i := 0; i < len(codes); i++ {
		n, err := strconv.Atoi(codes[i])
		if err != nil {
			n = 0 // "" means 0
		}
		switch {
		case n == 0:
			st = ansiStyle{}
		case n == 1:
			st.bold = true
		case n == 4:
			st.underline = true
		case n == 22:
			st.bold = false
		case n == 24:
			st.underline = false
		case n >= 30 && n <= 37:
			st.fg = ansiNames[n-30]
		case n >= 90 && n <= 97:
			st.fg = ansiNames[n-90] + "-intense"
		case n >= 40 && n <= 47:
			st.bg = ansiNames[n-40]
		case n >= 100 && n <= 107:
			st.bg = ansiNames[n-100] + "-intense"
		case n == 39:
			st.fg = ""
		case n == 49:
			st.bg = ""
		case n == 38 || n == 48:
			colour, used := extendedColour(codes[i+1:])
			i += used
			if n == 38 {
				st.fg = colour
			} else {
				st.bg = colour
			}
		}
	}
	return st
}

// extendedColour reads "5;N" (256 colours) or "2;R;G;B" and returns the
// colour (a class part for the first 16, else #rrggbb) and how many codes
// it used.
func extendedColour(codes []string) (string, int) {
	num := func(i int) int {
		if i >= len(codes) {
			return 0
		}
		n, _ := strconv.Atoi(codes[i])
		return min(max(n, 0), 255)
	}
	if len(codes) == 0 {
		return "", 0
	}
	switch codes[0] {
	case "5":
		n := num(1)
		switch {
		case n < 8:
			return ansiNames[n], 2
		case n < 16:
			return ansiNames[n-8] + "-intense", 2
		case n < 232:
			n -= 16
			level := func(v int) int {
				if v == 0 {
					return 0
				}
				return 55 + 40*v
			}
			return fmt.Sprintf("#%02x%02x%02x", level(n/36), level(n/6%6), level(n%6)), 2
		default:
			g := 8 + 10*(n-232)
			return fmt.Sprintf("#%02x%02x%02x", g, g, g), 2
		}
	case "2":
		return fmt.Sprintf("#%02x%02x%02x", num(1), num(2), num(3)), 4
	}
	return "", 1
}
