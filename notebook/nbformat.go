package notebook

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/latent-ai/latent/kernel/langinfo"
)

// Cell types.
const (
	CodeCell     = "code"
	MarkdownCell = "markdown"
	RawCell      = "raw"
)

// Output types.
const (
	StreamOutput        = "stream"
	DisplayDataOutput   = "display_data"
	ExecuteResultOutput = "execute_result"
	ErrorOutput         = "error"
)

// Notebook is a Jupyter notebook in nbformat 4. Metadata keeps every key of
// the file, known or not, with numbers as json.Number so that they are
// written back unchanged.
type Notebook struct {
	Cells       []*Cell
	Metadata    map[string]any
	Format      int // nbformat, always 4
	FormatMinor int // nbformat_minor; files are written as 4.5
}

// Cell is one notebook cell. Outputs and ExecutionCount are used by code
// cells only; Attachments by markdown and raw cells only (nil when absent).
type Cell struct {
	ID             string
	Type           string
	Source         string
	Metadata       map[string]any
	Attachments    map[string]any
	Outputs        []*Output
	ExecutionCount *int
}

// Output is one output of a code cell. Which fields are used depends on Type:
// Name and Text for streams; Data, Metadata (and ExecutionCount for
// execute_result) for rich outputs; EName, EValue and Traceback for errors.
type Output struct {
	Type           string
	Name           string
	Text           string
	Data           map[string]any
	Metadata       map[string]any
	ExecutionCount *int
	EName          string
	EValue         string
	Traceback      []string
}

// Tags returns the cell's metadata.tags, ignoring anything that is not a
// string.
func (c *Cell) Tags() []string {
	list, _ := c.Metadata["tags"].([]any)
	var tags []string
	for _, t := range list {
		if s, ok := t.(string); ok {
			tags = append(tags, s)
		}
	}
	return tags
}

// HasTag reports whether the cell carries tag in metadata.tags.
func (c *Cell) HasTag(tag string) bool {
	for _, t := range c.Tags() {
		if t == tag {
			return true
		}
	}
	return false
}

// KernelSpec is the metadata.kernelspec written into executed notebooks.
func KernelSpec() map[string]any {
	return map[string]any{"name": "latent", "display_name": "Go (Latent)", "language": "go"}
}

// LanguageInfo is the metadata.language_info written into executed
// notebooks; the kernel reports the same in kernel_info_reply.
func LanguageInfo() map[string]any { return langinfo.Get() }

// ParseError is a notebook that cannot be read: File names it (empty when
// parsed from bytes), Path locates the bad part in the JSON (such as
// "cells[3].source") and Msg says what is wrong.
type ParseError struct {
	File string
	Path string
	Msg  string
}

// Error says which file, where in it and what is wrong.
func (e *ParseError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File + ": ")
	}
	b.WriteString("not a valid notebook: ")
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ReadFile reads and parses the notebook at path.
func ReadFile(path string) (*Notebook, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read notebook: %w", err)
	}
	nb, err := Parse(data)
	var pe *ParseError
	if errors.As(err, &pe) {
		pe.File = path
	}
	return nb, err
}

// Parse parses a notebook in nbformat 4 (any minor version). Multi-line
// strings stored as lists of lines are joined, cells without an id get a
// stable one derived from their position and content, and duplicate ids are
// replaced, so the result is ready to be written as nbformat 4.5. The result
// is then checked with Validate. Errors are *ParseError values that say
// where the problem is.
func Parse(data []byte) (*Notebook, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		return nil, &ParseError{Msg: jsonErrorMessage(data, err)}
	}
	if rest := bytes.TrimSpace(data[dec.InputOffset():]); len(rest) > 0 {
		return nil, &ParseError{Msg: fmt.Sprintf("extra data after the JSON document, at byte %d", dec.InputOffset())}
	}
	top, ok := root.(map[string]any)
	if !ok {
		return nil, &ParseError{Msg: "the file is JSON but not an object; a notebook is a JSON object with \"cells\", \"metadata\", \"nbformat\" and \"nbformat_minor\""}
	}
	p := jsonWalker{}
	nb := &Notebook{}
	nb.Format = p.int(top, "", "nbformat", true)
	nb.FormatMinor = p.int(top, "", "nbformat_minor", true)
	if p.err != nil {
		return nil, p.err
	}
	if nb.Format != 4 {
		return nil, &ParseError{Path: "nbformat", Msg: fmt.Sprintf("nbformat %d is not supported; convert it with: jupyter nbconvert --to notebook --nbformat 4 FILE", nb.Format)}
	}
	nb.Metadata = p.object(top, "", "metadata", false)
	cells, ok := top["cells"].([]any)
	if !ok {
		return nil, &ParseError{Path: "cells", Msg: missingOr(top, "cells", "a list of cells")}
	}
	for i, raw := range cells {
		c := p.cell(raw, fmt.Sprintf("cells[%d]", i))
		if p.err != nil {
			return nil, p.err
		}
		nb.Cells = append(nb.Cells, c)
	}
	nb.AssignIDs()
	if err := nb.Validate(); err != nil {
		return nil, &ParseError{Msg: err.Error()}
	}
	return nb, nil
}

// jsonErrorMessage turns a decoding error into "line L, column C: ...".
func jsonErrorMessage(data []byte, err error) string {
	var offset int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		offset = se.Offset
	case errors.As(err, &te):
		offset = te.Offset
	case errors.Is(err, io.EOF):
		return "the file is empty or ends in the middle of the JSON; was it truncated?"
	}
	msg := "invalid JSON: " + err.Error()
	if err.Error() == "unexpected EOF" {
		msg = "the JSON ends too early; was the file truncated?"
	}
	if offset < 0 {
		return msg
	}
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	line := 1 + bytes.Count(data[:offset], []byte("\n"))
	col := int(offset) - bytes.LastIndexByte(data[:offset], '\n')
	return fmt.Sprintf("line %d, column %d: %s", line, col, msg)
}

func missingOr(obj map[string]any, key, want string) string {
	v, ok := obj[key]
	if !ok {
		return "missing; want " + want
	}
	return fmt.Sprintf("want %s, got %s", want, jsonKind(v))
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// jsonWalker walks the decoded JSON, keeping the first error.
type jsonWalker struct{ err *ParseError }

func (p *jsonWalker) fail(path, msg string) {
	if p.err == nil {
		p.err = &ParseError{Path: path, Msg: msg}
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (p *jsonWalker) int(obj map[string]any, path, key string, required bool) int {
	v, ok := obj[key]
	if !ok && !required {
		return 0
	}
	n, isNum := v.(json.Number)
	i, err := strconv.Atoi(string(n))
	if !isNum || err != nil || i < 0 {
		p.fail(join(path, key), missingOr(obj, key, "a non-negative integer"))
		return 0
	}
	return i
}

func (p *jsonWalker) object(obj map[string]any, path, key string, optionalNil bool) map[string]any {
	v, ok := obj[key]
	if !ok {
		if optionalNil {
			return nil
		}
		return map[string]any{}
	}
	m, ok := v.(map[string]any)
	if !ok {
		p.fail(join(path, key), missingOr(obj, key, "an object"))
		return nil
	}
	return m
}

// multiline reads a string or a list of strings (joined).
func (p *jsonWalker) multiline(v any, path string) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		var b strings.Builder
		for i, item := range x {
			s, ok := item.(string)
			if !ok {
				p.fail(fmt.Sprintf("%s[%d]", path, i), "want a string, got "+jsonKind(item))
				return ""
			}
			b.WriteString(s)
		}
		return b.String()
	}
	p.fail(path, "want a string or a list of strings, got "+jsonKind(v))
	return ""
}

func (p *jsonWalker) cell(raw any, path string) *Cell {
	obj, ok := raw.(map[string]any)
	if !ok {
		p.fail(path, "want a cell object, got "+jsonKind(raw))
		return nil
	}
	c := &Cell{}
	c.Type, _ = obj["cell_type"].(string)
	switch c.Type {
	case CodeCell, MarkdownCell, RawCell:
	default:
		p.fail(join(path, "cell_type"), missingOr(obj, "cell_type", `"code", "markdown" or "raw"`))
		return nil
	}
	if id, ok := obj["id"]; ok {
		s, isStr := id.(string)
		if !isStr {
			p.fail(join(path, "id"), "want a string, got "+jsonKind(id))
			return nil
		}
		c.ID = s // invalid ids are replaced by AssignIDs
	}
	src, ok := obj["source"]
	if !ok {
		p.fail(join(path, "source"), "missing; want a string or a list of strings")
		return nil
	}
	c.Source = p.multiline(src, join(path, "source"))
	c.Metadata = p.object(obj, path, "metadata", false)
	if c.Type != CodeCell {
		c.Attachments = p.object(obj, path, "attachments", true)
		for name, a := range c.Attachments {
			if bundle, ok := a.(map[string]any); ok {
				p.bundle(bundle, join(path, "attachments."+name))
			}
		}
		return c
	}
	if ec, ok := obj["execution_count"]; ok && ec != nil {
		n := p.int(obj, path, "execution_count", true)
		c.ExecutionCount = &n
	}
	if outs, ok := obj["outputs"]; ok {
		list, isList := outs.([]any)
		if !isList {
			p.fail(join(path, "outputs"), "want a list, got "+jsonKind(outs))
			return nil
		}
		for i, o := range list {
			c.Outputs = append(c.Outputs, p.output(o, fmt.Sprintf("%s.outputs[%d]", path, i)))
		}
	}
	if p.err != nil {
		return nil
	}
	return c
}

func (p *jsonWalker) output(raw any, path string) *Output {
	obj, ok := raw.(map[string]any)
	if !ok {
		p.fail(path, "want an output object, got "+jsonKind(raw))
		return nil
	}
	o := &Output{}
	o.Type, _ = obj["output_type"].(string)
	str := func(key string) string {
		s, ok := obj[key].(string)
		if !ok {
			p.fail(join(path, key), missingOr(obj, key, "a string"))
		}
		return s
	}
	switch o.Type {
	case StreamOutput:
		o.Name = str("name")
		text, ok := obj["text"]
		if !ok {
			p.fail(join(path, "text"), "missing; want a string or a list of strings")
		}
		o.Text = p.multiline(text, join(path, "text"))
	case DisplayDataOutput, ExecuteResultOutput:
		o.Data = p.object(obj, path, "data", false)
		o.Metadata = p.object(obj, path, "metadata", false)
		p.bundle(o.Data, join(path, "data"))
		if o.Type == ExecuteResultOutput {
			if ec, ok := obj["execution_count"]; ok && ec != nil {
				n := p.int(obj, path, "execution_count", true)
				o.ExecutionCount = &n
			}
		}
	case ErrorOutput:
		o.EName = str("ename")
		o.EValue = str("evalue")
		tb, ok := obj["traceback"].([]any)
		if !ok {
			p.fail(join(path, "traceback"), missingOr(obj, "traceback", "a list of strings"))
		}
		for i, line := range tb {
			s, ok := line.(string)
			if !ok {
				p.fail(fmt.Sprintf("%s.traceback[%d]", path, i), "want a string, got "+jsonKind(line))
			}
			o.Traceback = append(o.Traceback, s)
		}
	default:
		p.fail(join(path, "output_type"), missingOr(obj, "output_type", `"stream", "display_data", "execute_result" or "error"`))
	}
	return o
}

// bundle joins the multi-line text values of a MIME bundle in place; JSON
// MIME types are left alone.
func (p *jsonWalker) bundle(data map[string]any, path string) {
	for mime, v := range data {
		if isJSONMime(mime) {
			continue
		}
		if _, isList := v.([]any); isList {
			data[mime] = p.multiline(v, join(path, mime))
		} else if _, isStr := v.(string); !isStr {
			p.fail(join(path, mime), "want a string or a list of strings, got "+jsonKind(v))
		}
	}
}

func isJSONMime(mime string) bool {
	return mime == "application/json" || (strings.HasPrefix(mime, "application/") && strings.HasSuffix(mime, "+json"))
}

func splitsMime(mime string) bool {
	return strings.HasPrefix(mime, "text/") || mime == "application/javascript" || mime == "image/svg+xml"
}

// validID reports whether id matches nbformat 4.5's cell id pattern.
func validID(id string) bool {
	if len(id) < 1 || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// AssignIDs gives every cell without a valid, unique id a stable one: the
// first 8 bytes (hex) of a SHA-256 over the cell's position, type and
// source, so running the same notebook twice writes the same ids.
func (nb *Notebook) AssignIDs() {
	seen := map[string]bool{}
	for _, c := range nb.Cells {
		if validID(c.ID) && !seen[c.ID] {
			seen[c.ID] = true
		}
	}
	kept := map[string]bool{}
	for i, c := range nb.Cells {
		if validID(c.ID) && !kept[c.ID] {
			kept[c.ID] = true
			continue
		}
		for salt := 0; ; salt++ {
			h := sha256.Sum256(fmt.Appendf(nil, "%d\x00%d\x00%s\x00%s", i, salt, c.Type, c.Source))
			id := hex.EncodeToString(h[:8])
			if !seen[id] {
				c.ID = id
				seen[id], kept[id] = true, true
				break
			}
		}
	}
}

// Marshal encodes nb as nbformat 4.5 JSON, byte for byte as nbformat's
// writer would (sorted keys, one-space indent, multi-line strings as lists
// of lines, a final newline).
func (nb *Notebook) Marshal() ([]byte, error) {
	nb.AssignIDs()
	cells := make([]any, len(nb.Cells))
	for i, c := range nb.Cells {
		cells[i] = c.tree()
	}
	meta := cloneMap(orEmpty(nb.Metadata))
	for _, transient := range []string{"orig_nbformat", "orig_nbformat_minor", "signature"} {
		delete(meta, transient) // nbformat strips these on write
	}
	root := map[string]any{
		"cells":          cells,
		"metadata":       meta,
		"nbformat":       4,
		"nbformat_minor": 5,
	}
	var buf bytes.Buffer
	if err := encodeJSON(&buf, root, 0); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func (c *Cell) tree() map[string]any {
	meta := orEmpty(c.Metadata)
	if _, trusted := meta["trusted"]; trusted { // nbformat strips it on write
		meta = cloneMap(meta)
		delete(meta, "trusted")
	}
	t := map[string]any{
		"id":        c.ID,
		"cell_type": c.Type,
		"metadata":  meta,
		"source":    splitLines(c.Source),
	}
	if c.Type != CodeCell {
		if c.Attachments != nil {
			att := map[string]any{}
			for name, a := range c.Attachments {
				if b, ok := a.(map[string]any); ok {
					att[name] = splitBundle(b)
				} else {
					att[name] = a
				}
			}
			t["attachments"] = att
		}
		return t
	}
	if c.ExecutionCount != nil {
		t["execution_count"] = *c.ExecutionCount
	} else {
		t["execution_count"] = nil
	}
	outs := make([]any, 0, len(c.Outputs))
	for _, o := range c.Outputs {
		outs = append(outs, o.tree())
	}
	t["outputs"] = outs
	return t
}

func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func splitBundle(data map[string]any) map[string]any {
	out := make(map[string]any, len(data))
	for mime, v := range data {
		if s, ok := v.(string); ok && splitsMime(mime) {
			out[mime] = splitLines(s)
		} else {
			out[mime] = v
		}
	}
	return out
}

func (o *Output) tree() map[string]any {
	t := map[string]any{"output_type": o.Type}
	switch o.Type {
	case StreamOutput:
		t["name"] = o.Name
		t["text"] = splitLines(o.Text)
	case DisplayDataOutput, ExecuteResultOutput:
		t["data"] = splitBundle(orEmpty(o.Data))
		t["metadata"] = orEmpty(o.Metadata)
		if o.Type == ExecuteResultOutput {
			if o.ExecutionCount != nil {
				t["execution_count"] = *o.ExecutionCount
			} else {
				t["execution_count"] = nil
			}
		}
	case ErrorOutput:
		t["ename"] = o.EName
		t["evalue"] = o.EValue
		tb := make([]any, len(o.Traceback))
		for i, line := range o.Traceback {
			tb[i] = line
		}
		t["traceback"] = tb
	}
	return t
}
