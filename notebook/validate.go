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
		if tags, ok := c.Metadata["tags"]; ok {
			list, isList := tags.([]any)
			for _, t := range list {
				if !isString(t) {
					isList = false
				}
			}
			if !isList {
				bad("%s.metadata.tags: want a list of strings", where)
			}
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

func isString(v any) bool { _, ok := v.(string); return ok }

func (o *Output) validate() error {
	switch o.Type {
	case StreamOutput:
		if o.Name != "stdout" && o.Name != "stderr" {
			return fmt.Errorf("stream name %q is not stdout or stderr", o.Name)
		}
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
