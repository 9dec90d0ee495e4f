package notebook

import (
	"fmt"
	"regexp"
	"strings"
)

// ParamInfo describes one parameter a notebook declares in its cell tagged
// parameters (papermill's --help-notebook).
type ParamInfo struct {
	Name    string
	Type    string // the Go type, or for Python the type its default has; "" when it cannot be told
	Default string // the default value as written; "" when there is none
	Comment string // the comment on its line, or on the line above
	Line    int    // its line in the cell, from 1
}

// Parameters lists the parameters declared by the first code cell tagged
// parameters, and that cell's 1-based position; cell is 0 when no cell is
// tagged. language is "go" or "python".
func (nb *Notebook) Parameters(language string) (params []ParamInfo, cell int, err error) {
	at := -1
	for i, c := range nb.Cells {
		if c.Type == CodeCell && c.HasTag(TagParameters) {
			at = i
			break
		}
	}
	if at < 0 {
		return nil, 0, nil
	}
	src := nb.Cells[at].Source
	switch strings.ToLower(language) {
	case "go":
		decls, err := parameterDeclarations(src)
		if err != nil {
			return nil, at + 1, fmt.Errorf("the parameters cell (cell %d) cannot be parsed: %v", at+1, err)
		}
		for _, d := range decls {
			params = append(params, ParamInfo{Name: d.name, Type: d.typ, Default: d.def, Comment: d.doc, Line: d.line})
		}
	case "python":
		params = pythonParameters(src)
	default:
		return nil, at + 1, fmt.Errorf("parameters can be listed for Go and Python notebooks, not %s", language)
	}
	return params, at + 1, nil
}

// pythonAssign is a top-level `name = value  # comment` line.
var pythonAssign = regexp.MustCompile(`^([A-Za-z_]\w*)\s*(?::\s*([\w.\[\], ]+?)\s*)?=\s*(.*?)\s*(?:#\s*(.*))?$`)

// pythonParameters reads the simple assignments of a Python parameters
// cell, one a line, typed by their annotation or the look of their value.
func pythonParameters(src string) []ParamInfo {
	var params []ParamInfo
	above := ""
	for i, line := range strings.Split(src, "\n") {
		if c, ok := strings.CutPrefix(strings.TrimSpace(line), "#"); ok {
			above = strings.TrimSpace(c)
			continue
		}
		m := pythonAssign.FindStringSubmatch(line)
		if m == nil {
			above = ""
			continue
		}
		p := ParamInfo{Name: m[1], Type: m[2], Default: m[3], Comment: m[4], Line: i + 1}
		if p.Type == "" {
			p.Type = pythonType(p.Default)
		}
		if p.Comment == "" {
			p.Comment = above
		}
		params = append(params, p)
		above = ""
	}
	return params
}

// pythonType is the type a Python literal has, or "".
func pythonType(v string) string {
	switch {
	case v == "True" || v == "False":
		return "bool"
	case v == "None":
		return "None"
	case strings.HasPrefix(v, `"`) || strings.HasPrefix(v, `'`):
		return "str"
	case strings.HasPrefix(v, "["):
		return "list"
	case strings.HasPrefix(v, "{"):
		return "dict"
	}
	if v := pythonLiteral(v); !strings.HasPrefix(v, `"`) {
		if strings.ContainsAny(v, ".eE") {
			return "float"
		}
		return "int"
	}
	return ""
}
