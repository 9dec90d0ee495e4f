package notebook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/latent-ai/latent/dsl"
)

// benchNotebook is a notebook of n code cells, each with a stream, a PNG
// display and a result, about the shape of an executed course notebook.
func benchNotebook(n int) *Notebook {
	nb := &Notebook{Metadata: map[string]any{"kernelspec": KernelSpec(), "language_info": LanguageInfo()}}
	png := strings.Repeat("iVBORw0KGgoAAAANSUhEUgAA", 400)
	for i := range n {
		count := i + 1
		nb.Cells = append(nb.Cells,
			&Cell{Type: MarkdownCell, Source: fmt.Sprintf("## Step %d\nSome *text* about it.", i)},
			&Cell{Type: CodeCell, ExecutionCount: &count, Source: "m.Fit(train)\nfmt.Println(\"done\")\nplot", Outputs: []*Output{
				{Type: StreamOutput, Name: "stdout", Text: strings.Repeat("epoch 1/8 loss 0.0123\n", 8)},
				{Type: DisplayDataOutput, Data: map[string]any{"image/png": png, "text/plain": "<image>"}, Metadata: map[string]any{}},
				{Type: ExecuteResultOutput, ExecutionCount: &count, Data: map[string]any{"text/plain": "0.0123"}, Metadata: map[string]any{}},
			}})
	}
	nb.AssignIDs()
	return nb
}

// BenchmarkNotebookIO measures Parse and Marshal against encoding/json on
// the same bytes (the reference: a plain decode into maps and a plain
// indented encode), so the cost of nbformat's exact layout and of the
// checks shows as a ratio.
func BenchmarkNotebookIO(b *testing.B) {
	data, err := benchNotebook(40).Marshal()
	if err != nil {
		b.Fatal(err)
	}
	var tree any
	json.Unmarshal(data, &tree)
	b.Run("reference=json.Unmarshal", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			var v any
			if err := json.Unmarshal(data, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Parse", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := Parse(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("reference=json.MarshalIndent", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := json.MarshalIndent(tree, "", " "); err != nil {
				b.Fatal(err)
			}
		}
	})
	nb, _ := Parse(data)
	b.Run("Marshal", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			out, err := nb.Marshal()
			if err != nil || !bytes.Equal(out, data) {
				b.Fatal("Marshal changed the notebook")
			}
		}
	})
}

// BenchmarkRunCell measures the runner's cost per trivial cell against the
// session executing the same cell directly (the reference).
func BenchmarkRunCell(b *testing.B) {
	s, err := dsl.New()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("reference=Session.Execute", func(b *testing.B) {
		rec := newRecorder()
		rec.begin(&Cell{Type: CodeCell}, 1)
		for b.Loop() {
			if _, err := s.Execute(context.Background(), "1 + 1", rec); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Run", func(b *testing.B) {
		nb := &Notebook{Cells: []*Cell{{Type: CodeCell, Source: "1 + 1"}}}
		for b.Loop() {
			if _, err := Run(context.Background(), nb, s, Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
