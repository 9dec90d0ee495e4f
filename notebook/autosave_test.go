package notebook

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latent-ai/latent/display"
)

// slowPrinter prints its cell's source, then waits d.
type slowPrinter struct{ d time.Duration }

func (s slowPrinter) Execute(ctx context.Context, code string, sink display.Sink) (*display.Bundle, error) {
	sink.Stream("stdout", code+"\n")
	select {
	case <-time.After(s.d):
	case <-ctx.Done():
	}
	return nil, nil
}

// TestAutosave: while the run goes on, snapshots come at most once an
// interval, each with a note saying how far the run got; the notebook
// itself never holds the note once Run returns.
func TestAutosave(t *testing.T) {
	nb := &Notebook{Cells: []*Cell{
		{Type: CodeCell, Source: "one"}, {Type: CodeCell, Source: "two"}, {Type: CodeCell, Source: "three"},
	}}
	var mu sync.Mutex
	var snaps []string
	opts := Options{AutosaveEvery: 30 * time.Millisecond, Autosave: func(b []byte) error {
		mu.Lock()
		snaps = append(snaps, string(b))
		mu.Unlock()
		return nil
	}}
	if _, err := Run(context.Background(), nb, slowPrinter{100 * time.Millisecond}, opts); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(snaps) < 3 || len(snaps) > 12 {
		t.Fatalf("%d snapshots in 300 ms at one per 30 ms at most, when something changed", len(snaps))
	}
	// The last snapshot is taken while cell 3 runs, or, on a loaded
	// machine, in the moment between its end and the end of the run.
	last := snaps[len(snaps)-1]
	progress := strings.Contains(last, "after cell 2 of 3 (In [2]) finished") || strings.Contains(last, "after cell 3 of 3 (In [3]) finished")
	if !strings.Contains(last, "still executing this notebook") || !progress || !strings.Contains(last, `"three\n"`) {
		t.Errorf("last snapshot:\n%s", last)
	}
	for _, c := range nb.Cells {
		if c.HasTag(TagRunNote) {
			t.Error("the notebook kept an autosave note")
		}
	}
}

// TestRunNotesReplaced: a rerun removes the note of the run before.
func TestRunNotesReplaced(t *testing.T) {
	nb := &Notebook{Cells: []*Cell{{Type: CodeCell, Source: "x"}}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	Run(ctx, nb, slowPrinter{}, Options{})
	if len(nb.Cells) != 2 || !nb.Cells[0].HasTag(TagRunNote) || !strings.Contains(nb.Cells[0].Source, "interrupted during cell 1 (In [1])") {
		t.Fatalf("after an interrupted run: %+v", nb.Cells[0])
	}
	if _, err := Run(context.Background(), nb, slowPrinter{}, Options{}); err != nil || len(nb.Cells) != 1 {
		t.Errorf("a rerun kept the old note: %v, %d cells", err, len(nb.Cells))
	}
}
