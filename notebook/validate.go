package notebook

import (
	"errors"
	"fmt"
	"strings"
)

// Validate checks nb against the rules of the nbformat 4.5 schema that the
// in-memory model can break: cell ids (pattern, length, uniqueness), cell and
// output types, stream names, MIME bundles (a type/subtype key, text values
// for non-JSON types), execution counts, tags, and the kernelspec and
// language_info metadata. It returns every problem found, joined.
func (nb *Notebook) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if ks, ok := nb.Metadata["kernelspec"]; ok {
		m, isObj := ks.(map[string]any)
		if !isObj || !isString(m["name"]) || !isString(m["display_name"]) {
			bad("metadata.kernelspec: want an object with string name and display_name")
		}
	}
	if li, ok := nb.Metadata["language_info"]; ok {
		m, isObj := li.(map[string]any)
		if !isObj || !isString(m["name"]) {
			bad("metadata.language_info: want an object with a string name")
		}
		for _, key := range []string{"file_extension", "mimetype", "pygments_lexer"} {
			if v, ok := m[key]; ok && !isString(v) {
				bad("metadata.language_info.%s: want a string", key)
			}
		}
		if v, ok := m["codemirror_mode"]; ok {
			if _, isObj := v.(map[string]any); !isObj && !isString(v) {
				bad("metadata.language_info.codemirror_mode: want a string or an object")
			}
		}
	}
	if v, ok := nb.Metadata["title"]; ok && !isString(v) {
		bad("metadata.title: want a string")
	}
	if v, ok := nb.Metadata["authors"]; ok {
		if _, isList := v.([]any); !isList {
			bad("metadata.authors: want a list")
		}
	}
	ids := map[string]int{}
	for i, c := range nb.Cells {
		where := fmt.Sprintf("cells[%d]", i)
		if !validID(c.ID) {
			bad("%s.id: %q does not match ^[a-zA-Z0-9-_]{1,64}$", where, c.ID)
		} else if j, dup := ids[c.ID]; dup {
			bad("%s.id: %q is also the id of cells[%d]", where, c.ID, j)
		} else {
			ids[c.ID] = i
		}
		if err := validateCellMetadata(c.Metadata); err != nil {
			bad("%s.metadata.%v", where, err)
		}
		switch c.Type {
		case CodeCell:
		case MarkdownCell, RawCell:
			if len(c.Outputs) > 0 || c.ExecutionCount != nil {
				bad("%s: a %s cell cannot have outputs or an execution count", where, c.Type)
			}
			continue
		default:
			bad("%s.cell_type: %q is not code, markdown or raw", where, c.Type)
			continue
		}
		if c.ExecutionCount != nil && *c.ExecutionCount < 0 {
			bad("%s.execution_count: %d is negative", where, *c.ExecutionCount)
		}
		for j, o := range c.Outputs {
			if o == nil {
				bad("%s.outputs[%d]: missing", where, j)
				continue
			}
			if err := o.validate(); err != nil {
				bad("%s.outputs[%d]: %v", where, j, err)
			}
		}
	}
	return errors.Join(errs...)
}

// validateCellMetadata checks the cell metadata keys the schema defines.
func validateCellMetadata(m map[string]any) error {
	if tags, ok := m["tags"]; ok {
		list, isList := tags.([]any)
		if !isList {
			return errors.New("tags: want a list of strings")
		}
		seen := map[string]bool{}
		for _, t := range list {
			s, isStr := t.(string)
			if !isStr || s == "" || strings.Contains(s, ",") || seen[s] {
				return fmt.Errorf("tags: %v: want unique, non-empty strings without commas", t)
			}
			seen[s] = true
		}
	}
	if v, ok := m["collapsed"]; ok {
		if _, isBool := v.(bool); !isBool {
			return errors.New("collapsed: want true or false")
		}
	}
	if v, ok := m["scrolled"]; ok {
		if _, isBool := v.(bool); !isBool && v != "auto" {
			return errors.New(`scrolled: want true, false or "auto"`)
		}
	}
	if v, ok := m["name"]; ok {
		if s, isStr := v.(string); !isStr || s == "" {
			return errors.New("name: want a non-empty string")
		}
	}
	for _, key := range []string{"jupyter", "execution"} {
		if v, ok := m[key]; ok {
			if _, isObj := v.(map[string]any); !isObj {
				return fmt.Errorf("%s: want an object", key)
			}
		}
	}
	return nil
}

func isString(v any) bool { _, ok := v.(string); return ok }

func (o *Output) validate() error {
	switch o.Type {
	case StreamOutput: // the schema allows any name; Jupyter uses stdout and stderr
	case DisplayDataOutput, ExecuteResultOutput:
		for mime, v := range o.Data {
			typ, sub, ok := strings.Cut(mime, "/")
			if !ok || typ == "" || sub == "" || strings.ContainsAny(mime, " \t\n") {
				return fmt.Errorf("data key %q is not a MIME type (type/subtype)", mime)
			}
			if !isJSONMime(mime) && !isString(v) {
				return fmt.Errorf("data[%q]: want text, got %T", mime, v)
			}
		}
		if o.ExecutionCount != nil && *o.ExecutionCount < 0 {
			return fmt.Errorf("execution_count %d is negative", *o.ExecutionCount)
		}
	case ErrorOutput:
	default:
		return fmt.Errorf("output_type %q is not stream, display_data, execute_result or error", o.Type)
	}
	return nil
}
