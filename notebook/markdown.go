package notebook

import (
	"html"
	"regexp"
	"strings"
)

// markdownHTML renders the common subset of Markdown that notebooks use:
// ATX headings, paragraphs, emphasis, strong, inline code, fenced and
// indented code blocks, bullet and numbered lists (nested by indentation),
// block quotes, horizontal rules, pipe tables, links and images (images
// from cell attachments are inlined). Math ($...$) is kept as text. Raw
// HTML in the source is escaped, not passed through.
func markdownHTML(src string, attachments map[string]any) string {
	var out strings.Builder
	lines := strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n")
	renderBlocks(&out, lines, attachments)
	return out.String()
}

var (
	reHeading = regexp.MustCompile(`^(#{1,6})\s+(.*?)\s*#*\s*$`)
	reRule    = regexp.MustCompile(`^\s{0,3}(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$`)
	reBullet  = regexp.MustCompile(`^(\s*)([-*+])\s+(.*)$`)
	reOrdered = regexp.MustCompile(`^(\s*)(\d{1,9})[.)]\s+(.*)$`)
	reFence   = regexp.MustCompile("^\\s*(```+|~~~+)\\s*([\\w+-]*)")
	reTableSp = regexp.MustCompile(`^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$`)
)

func renderBlocks(out *strings.Builder, lines []string, att map[string]any) {
	for i := 0; i < len(lines); {
		line := lines[i]
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "":
			i++
		case reFence.MatchString(line):
			m := reFence.FindStringSubmatch(line)
			fence := m[1]
			j := i + 1
			for j < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[j]), fence) {
				j++
			}
			class := ""
			if m[2] != "" {
				class = ` class="language-` + html.EscapeString(m[2]) + `"`
			}
			out.WriteString("<pre><code" + class + ">" + html.EscapeString(strings.Join(lines[i+1:min(j, len(lines))], "\n")) + "</code></pre>\n")
			i = j + 1
		case reHeading.MatchString(line):
			m := reHeading.FindStringSubmatch(line)
			n := string(rune('0' + len(m[1])))
			out.WriteString("<h" + n + ">" + inlineHTML(m[2], att) + "</h" + n + ">\n")
			i++
		case reRule.MatchString(line):
			out.WriteString("<hr>\n")
			i++
		case strings.HasPrefix(trimmed, ">"):
			var quoted []string
			for ; i < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i]), ">"); i++ {
				q := strings.TrimPrefix(strings.TrimSpace(lines[i]), ">")
				quoted = append(quoted, strings.TrimPrefix(q, " "))
			}
			out.WriteString("<blockquote>\n")
			renderBlocks(out, quoted, att)
			out.WriteString("</blockquote>\n")
		case reBullet.MatchString(line) || reOrdered.MatchString(line):
			i = renderList(out, lines, i, att)
		case strings.HasPrefix(line, "    ") || strings.HasPrefix(line, "\t"):
			var code []string
			for ; i < len(lines) && (strings.HasPrefix(lines[i], "    ") || strings.HasPrefix(lines[i], "\t") || strings.TrimSpace(lines[i]) == ""); i++ {
				l := strings.TrimPrefix(lines[i], "\t")
				if l == lines[i] {
					l = strings.TrimPrefix(lines[i], "    ")
				}
				code = append(code, l)
			}
			for len(code) > 0 && strings.TrimSpace(code[len(code)-1]) == "" {
				code = code[:len(code)-1]
			}
			out.WriteString("<pre><code>" + html.EscapeString(strings.Join(code, "\n")) + "</code></pre>\n")
		case strings.Contains(line, "|") && i+1 < len(lines) && reTableSp.MatchString(lines[i+1]):
			i = renderTable(out, lines, i, att)
		default:
			var para []string
			for ; i < len(lines); i++ {
				l := lines[i]
				t := strings.TrimSpace(l)
				if t == "" || (len(para) > 0 && (reHeading.MatchString(l) || reFence.MatchString(l) || reRule.MatchString(l) ||
					strings.HasPrefix(t, ">") || reBullet.MatchString(l) || reOrdered.MatchString(l))) {
					break
				}
				para = append(para, t)
			}
			out.WriteString("<p>" + inlineHTML(strings.Join(para, "\n"), att) + "</p>\n")
		}
	}
}

func indentOf(s string) int {
	return len(s) - len(strings.TrimLeft(s, " \t"))
}

// renderList renders the list starting at lines[i] and returns the index of
// the first line after it.
func renderList(out *strings.Builder, lines []string, i int, att map[string]any) int {
	ordered := !reBullet.MatchString(lines[i])
	base := indentOf(lines[i])
	tag := "ul"
	if ordered {
		tag = "ol"
	}
	out.WriteString("<" + tag + ">\n")
	for i < len(lines) {
		line := lines[i]
		var text string
		if m := reBullet.FindStringSubmatch(line); m != nil && !ordered && indentOf(line) == base {
			text = m[3]
		} else if m := reOrdered.FindStringSubmatch(line); m != nil && ordered && indentOf(line) == base {
			text = m[3]
		} else {
			break
		}
		i++
		// continuation lines and nested blocks, indented deeper than the marker
		var body []string
		for i < len(lines) {
			l := lines[i]
			if strings.TrimSpace(l) == "" {
				if i+1 < len(lines) && indentOf(lines[i+1]) > base && strings.TrimSpace(lines[i+1]) != "" {
					body = append(body, "")
					i++
					continue
				}
				break
			}
			if indentOf(l) <= base && (reBullet.MatchString(l) || reOrdered.MatchString(l)) {
				break
			}
			if indentOf(l) <= base && len(body) == 0 && !isListContinuation(l) {
				break
			}
			body = append(body, l)
			i++
		}
		out.WriteString("<li>" + inlineHTML(text, att))
		if len(body) > 0 {
			nested := make([]string, len(body))
			cut := indentOf(body[0])
			for k, l := range body {
				nested[k] = l[min(cut, indentOf(l)):]
			}
			if !reBullet.MatchString(nested[0]) && !reOrdered.MatchString(nested[0]) {
				out.WriteString(" " + inlineHTML(strings.TrimSpace(nested[0]), att))
				nested = nested[1:]
			}
			out.WriteString("\n")
			renderBlocks(out, nested, att)
		}
		out.WriteString("</li>\n")
		if i < len(lines) && strings.TrimSpace(lines[i]) == "" {
			break
		}
	}
	out.WriteString("</" + tag + ">\n")
	return i
}

// isListContinuation reports whether an unindented line continues a list
// item's text (a lazy continuation line).
func isListContinuation(l string) bool {
	t := strings.TrimSpace(l)
	return t != "" && !reHeading.MatchString(l) && !reFence.MatchString(l) && !strings.HasPrefix(t, ">") && !reRule.MatchString(l)
}

func splitRow(line string) []string {
	t := strings.TrimSpace(line)
	t = strings.TrimPrefix(t, "|")
	t = strings.TrimSuffix(t, "|")
	cells := strings.Split(t, "|")
	for i := range cells {
		cells[i] = strings.TrimSpace(cells[i])
	}
	return cells
}

func renderTable(out *strings.Builder, lines []string, i int, att map[string]any) int {
	head := splitRow(lines[i])
	var aligns []string
	for _, spec := range splitRow(lines[i+1]) {
		switch {
		case strings.HasPrefix(spec, ":") && strings.HasSuffix(spec, ":"):
			aligns = append(aligns, "center")
		case strings.HasSuffix(spec, ":"):
			aligns = append(aligns, "right")
		case strings.HasPrefix(spec, ":"):
			aligns = append(aligns, "left")
		default:
			aligns = append(aligns, "")
		}
	}
	row := func(cells []string, tag string) {
		out.WriteString("<tr>")
		for k, c := range cells {
			style := ""
			if k < len(aligns) && aligns[k] != "" {
				style = ` style="text-align:` + aligns[k] + `"`
			}
			out.WriteString("<" + tag + style + ">" + inlineHTML(c, att) + "</" + tag + ">")
		}
		out.WriteString("</tr>\n")
	}
	out.WriteString("<table>\n<thead>\n")
	row(head, "th")
	out.WriteString("</thead>\n<tbody>\n")
	i += 2
	for ; i < len(lines) && strings.Contains(lines[i], "|") && strings.TrimSpace(lines[i]) != ""; i++ {
		row(splitRow(lines[i]), "td")
	}
	out.WriteString("</tbody>\n</table>\n")
	return i
}

var (
	reCode   = regexp.MustCompile("`+")
	reToken  = regexp.MustCompile(`!\[([^\]]*)\]\(([^)\s]+)(?:\s+&#34;[^)]*&#34;)?\)|\[([^\]]+)\]\(([^)\s]+)(?:\s+&#34;[^)]*&#34;)?\)|&lt;(https?://[^\s&]+)&gt;`)
	reStrong = regexp.MustCompile(`(\*\*|__)(\S(?:.*?\S)?)(\*\*|__)`)
	reEm     = regexp.MustCompile(`(^|[^\w*])[*_](\S(?:[^*_]*?\S)?)[*_]`)
)

// inlineHTML renders inline Markdown in s: code spans are protected first,
// the rest is escaped and then links, images, strong and emphasis are
// turned into HTML.
func inlineHTML(s string, att map[string]any) string {
	var out strings.Builder
	for s != "" {
		loc := reCode.FindStringIndex(s)
		if loc == nil {
			out.WriteString(inlineText(s, att))
			break
		}
		ticks := s[loc[0]:loc[1]]
		end := strings.Index(s[loc[1]:], ticks)
		if end < 0 {
			out.WriteString(inlineText(s[:loc[1]], att))
			s = s[loc[1]:]
			continue
		}
		out.WriteString(inlineText(s[:loc[0]], att))
		code := strings.TrimSpace(s[loc[1] : loc[1]+end])
		out.WriteString("<code>" + html.EscapeString(code) + "</code>")
		s = s[loc[1]+end+len(ticks):]
	}
	return strings.ReplaceAll(out.String(), "  \n", "<br>\n")
}

// inlineText renders Markdown without code spans: the text is escaped,
// then links, images and autolinks become tags and strong and emphasis are
// applied outside URLs.
func inlineText(s string, att map[string]any) string {
	e := html.EscapeString(s)
	var b strings.Builder
	for e != "" {
		loc := reToken.FindStringSubmatchIndex(e)
		if loc == nil {
			b.WriteString(emphasis(e))
			break
		}
		b.WriteString(emphasis(e[:loc[0]]))
		group := func(n int) string {
			if loc[2*n] < 0 {
				return ""
			}
			return e[loc[2*n]:loc[2*n+1]]
		}
		switch {
		case group(2) != "": // image
			b.WriteString(`<img src="` + imageSource(group(2), att) + `" alt="` + group(1) + `">`)
		case group(4) != "": // link
			b.WriteString(`<a href="` + safeURL(group(4)) + `">` + emphasis(group(3)) + `</a>`)
		default: // autolink
			b.WriteString(`<a href="` + group(5) + `">` + group(5) + `</a>`)
		}
		e = e[loc[1]:]
	}
	return b.String()
}

func emphasis(s string) string {
	s = reStrong.ReplaceAllString(s, "<strong>$2</strong>")
	return reEm.ReplaceAllString(s, "$1<em>$2</em>")
}

// safeURL refuses javascript: and similar URLs in links.
func safeURL(u string) string {
	l := strings.ToLower(strings.TrimSpace(u))
	if i := strings.Index(l, ":"); i >= 0 && !strings.ContainsAny(l[:i], "/?#") {
		switch l[:i] {
		case "http", "https", "mailto", "ftp":
		default:
			return "#"
		}
	}
	return u
}

// imageSource resolves attachment:NAME to a data URL of the cell's
// attachment; other sources are links (kept as given, made safe).
func imageSource(src string, att map[string]any) string {
	name, ok := strings.CutPrefix(src, "attachment:")
	if !ok {
		return safeURL(src)
	}
	bundle, _ := att[html.UnescapeString(name)].(map[string]any)
	for _, mime := range []string{"image/png", "image/jpeg", "image/gif", "image/webp"} {
		if data, ok := bundle[mime].(string); ok {
			return "data:" + mime + ";base64," + strings.Join(strings.Fields(data), "")
		}
	}
	return "#"
}
