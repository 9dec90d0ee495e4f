package plotting

import (
	"strings"
	"sync"
	"testing"

	"github.com/latent-ai/latent/display"
	"github.com/latent-ai/latent/runtime/host"
)

func TestOrdinal(t *testing.T) {
	for n, want := range map[int]string{1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 11: "11th", 12: "12th", 13: "13th", 21: "21st", 102: "102nd", 111: "111th"} {
		if got := ordinal(n); got != want {
			t.Errorf("ordinal(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestWrapText(t *testing.T) {
	sty := textStyle(titleSize, true)
	long := "Reconstruction error on Fashion-MNIST test (threshold: 95th percentile of the training errors)"
	w := sty.Width("Reconstruction error on Fashion-MNIST")
	got := wrapText(sty, long, w)
	lines := strings.Split(got, "\n")
	if len(lines) < 2 || strings.Join(strings.Fields(got), " ") != long {
		t.Fatalf("wrapText = %q", got)
	}
	for _, l := range lines {
		if sty.Width(l) > w && strings.Contains(l, " ") {
			t.Errorf("line %q is wider than the limit", l)
		}
	}
	if wrapText(sty, "short", w) != "short" {
		t.Error("a short text was wrapped")
	}
}

// recordingSink keeps the displays it is sent.
type recordingSink struct {
	mu      sync.Mutex
	ids     []string
	updates []bool
}

func (s *recordingSink) Stream(name, text string) {}
func (s *recordingSink) Clear(wait bool)          {}
func (s *recordingSink) Input(string, bool) (string, error) {
	return "", display.ErrNoStdin
}
func (s *recordingSink) Display(b display.Bundle, update bool) {
	s.mu.Lock()
	s.ids, s.updates = append(s.ids, b.ID), append(s.updates, update)
	s.mu.Unlock()
}

func TestNewSinkReporter(t *testing.T) {
	sink := &recordingSink{}
	display.SetSink(sink)
	defer display.SetSink(nil)
	report := NewSinkReporter()
	report(host.Progress{Epoch: 1, Epochs: 1, Batch: 1, Batches: 2})
	report(host.Progress{Epoch: 1, Epochs: 1, Done: true, TrainHistory: []float64{0.5}})
	if len(sink.ids) != 2 || sink.ids[0] == "" || sink.ids[0] != sink.ids[1] || sink.updates[0] || !sink.updates[1] {
		t.Errorf("sink got ids %q updates %v, want one display then one update with the same id", sink.ids, sink.updates)
	}
	// A second run gets a display of its own.
	other := NewSinkReporter()
	other(host.Progress{Epoch: 1, Epochs: 1})
	if sink.ids[2] == sink.ids[0] {
		t.Error("two training runs share a display ID")
	}
}
