package notebook

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// testdataNotebooks lists the notebooks in testdata, all written by
// Python's nbformat.
func testdataNotebooks(t testing.TB) []string {
	paths, err := filepath.Glob("testdata/*.ipynb")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no testdata notebooks: %v", err)
	}
	return paths
}

// TestRoundTripIsByteIdentical checks that reading a notebook written by
// nbformat and writing it again gives the same bytes.
func TestRoundTripIsByteIdentical(t *testing.T) {
	for _, path := range testdataNotebooks(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			nb, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			if err := nb.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			out, err := nb.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(data), string(out)); diff != "" {
				t.Errorf("Marshal(Parse(file)) differs from the file (-file +ours):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, json, path, msg string
	}{
		{"empty", ``, "", "empty or ends"},
		{"truncated", `{"cells": [`, "", "truncated"},
		{"syntax", "{\n \"cells\": [,]\n}", "", "line 2, column"},
		{"trailing", `{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5} {}`, "", "extra data"},
		{"array", `[]`, "", "not an object"},
		{"no nbformat", `{"cells": []}`, "nbformat", "missing"},
		{"nbformat string", `{"cells": [], "nbformat": "4", "nbformat_minor": 5}`, "nbformat", "got a string"},
		{"v3", `{"worksheets": [], "nbformat": 3, "nbformat_minor": 0}`, "nbformat", "nbformat 3 is not supported"},
		{"no cells", `{"nbformat": 4, "nbformat_minor": 5}`, "cells", "missing"},
		{"cells object", `{"cells": {}, "nbformat": 4, "nbformat_minor": 5}`, "cells", "got an object"},
		{"cell type", `{"cells": [{"cell_type": "python", "source": ""}], "nbformat": 4, "nbformat_minor": 5}`, "cells[0].cell_type", `"code", "markdown" or "raw"`},
		{"source number", `{"cells": [{"cell_type": "code", "source": 3}], "nbformat": 4, "nbformat_minor": 5}`, "cells[0].source", "got a number"},
		{"source list", `{"cells": [{"cell_type": "code", "source": ["a", 1]}], "nbformat": 4, "nbformat_minor": 5}`, "cells[0].source[1]", "want a string"},
		{"no source", `{"cells": [{"cell_type": "markdown"}], "nbformat": 4, "nbformat_minor": 5}`, "cells[0].source", "missing"},
		{"metadata list", `{"cells": [{"cell_type": "code", "source": "", "metadata": []}], "nbformat": 4, "nbformat_minor": 5}`, "cells[0].metadata", "want an object"},
		{"count", `{"cells": [{"cell_type": "code", "source": "", "execution_count": -1}], "nbformat": 4, "nbformat_minor": 5}`, "cells[0].execution_count", "non-negative"},
		{"output type", `{"cells": [{"cell_type": "code", "source": "", "outputs": [{"output_type": "pager"}]}], "nbformat": 4, "nbformat_minor": 5}`, "cells[0].outputs[0].output_type", "stream"},
		{"stream text", `{"cells": [{"cell_type": "code", "source": "", "outputs": [{"output_type": "stream", "name": "stdout"}]}], "nbformat": 4, "nbformat_minor": 5}`, "cells[0].outputs[0].text", "missing"},
		{"traceback", `{"cells": [{"cell_type": "code", "source": "", "outputs": [{"output_type": "error", "ename": "E", "evalue": "v", "traceback": [1]}]}], "nbformat": 4, "nbformat_minor": 5}`, "cells[0].outputs[0].traceback[0]", "want a string"},
		{"data value", `{"cells": [{"cell_type": "code", "source": "", "outputs": [{"output_type": "display_data", "data": {"text/plain": 5}, "metadata": {}}]}], "nbformat": 4, "nbformat_minor": 5}`, "cells[0].outputs[0].data.text/plain", "got a number"},
		{"id number", `{"cells": [{"cell_type": "code", "source": "", "id": 7}], "nbformat": 4, "nbformat_minor": 5}`, "cells[0].id", "want a string"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.json))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse: got %v, want a *ParseError", err)
			}
			if pe.Path != c.path || !strings.Contains(pe.Msg, c.msg) {
				t.Errorf("Parse: got path %q msg %q; want path %q and a message containing %q", pe.Path, pe.Msg, c.path, c.msg)
			}
		})
	}
}

func TestReadFileNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "broken.ipynb")
	if err := os.WriteFile(path, []byte(`{"cells": [`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFile(path)
	if err == nil || !strings.HasPrefix(err.Error(), path+": not a valid notebook: ") {
		t.Errorf("ReadFile: got %v, want an error starting with the path", err)
	}
}

// TestParseOlderMinor reads a 4.4 notebook (no ids, multi-line strings as
// strings) and checks that it is written as 4.5 with stable ids.
func TestParseOlderMinor(t *testing.T) {
	in := `{"cells": [{"cell_type": "code", "source": "a\nb", "metadata": {"trusted": true}, "outputs": [], "execution_count": null},
	{"cell_type": "code", "source": "a\nb", "metadata": {}, "outputs": [], "execution_count": null}],
	"metadata": {"signature": "x", "custom": {"n": 12345678901234567890}}, "nbformat": 4, "nbformat_minor": 4}`
	first, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	second, _ := Parse([]byte(in))
	a, _ := first.Marshal()
	b, _ := second.Marshal()
	if !bytes.Equal(a, b) {
		t.Errorf("ids are not stable across reads:\n%s\n%s", a, b)
	}
	if first.Cells[0].ID == first.Cells[1].ID || !validID(first.Cells[0].ID) {
		t.Errorf("ids %q, %q: want two distinct valid ids", first.Cells[0].ID, first.Cells[1].ID)
	}
	for _, want := range []string{`"nbformat_minor": 5`, `"n": 12345678901234567890`, "\"a\\n\",\n    \"b\""} {
		if !bytes.Contains(a, []byte(want)) {
			t.Errorf("output lacks %s:\n%s", want, a)
		}
	}
	for _, gone := range []string{"signature", "trusted"} {
		if bytes.Contains(a, []byte(gone)) {
			t.Errorf("output keeps transient %q:\n%s", gone, a)
		}
	}
}

func TestAssignIDsRepairs(t *testing.T) {
	nb := &Notebook{Cells: []*Cell{
		{ID: "same", Type: CodeCell}, {ID: "same", Type: CodeCell},
		{ID: "bad id!", Type: MarkdownCell}, {ID: strings.Repeat("x", 65), Type: RawCell},
	}}
	nb.AssignIDs()
	if nb.Cells[0].ID != "same" {
		t.Errorf("the first of two equal ids was changed to %q", nb.Cells[0].ID)
	}
	if err := nb.Validate(); err != nil {
		t.Errorf("after AssignIDs: %v", err)
	}
}

func TestValidateFindsProblems(t *testing.T) {
	n := -1
	nb := &Notebook{
		Metadata: map[string]any{"kernelspec": map[string]any{"name": "x"}},
		Cells: []*Cell{
			{ID: "a", Type: CodeCell, ExecutionCount: &n, Outputs: []*Output{
				{Type: StreamOutput, Name: "stdin"},
				{Type: DisplayDataOutput, Data: map[string]any{"plain": "x"}},
				{Type: DisplayDataOutput, Data: map[string]any{"text/plain": 3}},
				{Type: "pager"},
			}},
			{ID: "a", Type: MarkdownCell, Metadata: map[string]any{"tags": []any{"a,b"}}},
		},
	}
	err := nb.Validate()
	if err == nil {
		t.Fatal("Validate accepted an invalid notebook")
	}
	for _, want := range []string{"kernelspec", "execution_count", `"plain"`, "want text", "pager", "also the id", "tags"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate error lacks %q:\n%v", want, err)
		}
	}
}

func TestSplitLines(t *testing.T) {
	cases := []struct {
		in   string
		want []any
	}{
		{"", []any{}},
		{"a", []any{"a"}},
		{"a\n", []any{"a\n"}},
		{"a\nb", []any{"a\n", "b"}},
		{"a\r\nb\rc", []any{"a\r\n", "b\r", "c"}},
		{"a\vb\fc\x1cd\u0085e\u2028f", []any{"a\v", "b\f", "c\x1c", "d\u0085", "e\u2028", "f"}},
		{"\n\n", []any{"\n", "\n"}},
	}
	for _, c := range cases {
		if diff := cmp.Diff(c.want, splitLines(c.in)); diff != "" {
			t.Errorf("splitLines(%q) (-want +got):\n%s", c.in, diff)
		}
	}
}

func TestPythonFloat(t *testing.T) {
	cases := map[float64]string{
		1: "1.0", 0.1: "0.1", -2.5: "-2.5", 1e16: "1e+16", 1234567: "1234567.0",
		1e-5: "1e-05", 0.0001: "0.0001", 1.5e300: "1.5e+300", 123456789012345678: "1.2345678901234568e+17",
	}
	for f, want := range cases {
		if got := pythonFloat(f); got != want {
			t.Errorf("pythonFloat(%v) = %s, want %s", f, got, want)
		}
	}
}

func TestJSONStringEscapes(t *testing.T) {
	var buf bytes.Buffer
	writeJSONString(&buf, "q\" b\\ \n\r\t\b\f \x01 <&> é \u2028 \xff")
	want := `"q\" b\\ \n\r\t\b\f \u0001 <&> é ` + "\u2028" + ` ` + "\ufffd" + `"`
	if buf.String() != want {
		t.Errorf("got %s\nwant %s", buf.String(), want)
	}
}
