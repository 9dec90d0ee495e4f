package dsl

import (
	"context"
	"testing"

	"github.com/latent-ai/latent/display"
)

// TestRedeclaredVariableIsFreed: yaegi keeps the value a re-run `x := ...`
// replaced; re-running a cell that loads 8 MB must not keep 8 MB per run.
func TestRedeclaredVariableIsFreed(t *testing.T) {
	if testing.Short() {
		t.Skip("measures the heap over many cells")
	}
	s, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	run := func(code string) {
		t.Helper()
		if _, err := s.Execute(ctx, code, discardSink{}); err != nil {
			t.Fatalf("%s: %v", code, err)
		}
	}
	var _ display.Sink = discardSink{}
	run("func double(x int) int { return 2 * x }")
	for _, form := range []string{
		"big := make([]float64, 1<<20)\nbig[0] = float64(double(1))",
		"var big2 = make([]float64, 1<<20)",
		"a, b := make([]float64, 1<<20), double(2)\n_ = b",
	} {
		run(form)
		run("1")
		before := heapInUse()
		for i := 0; i < 20; i++ {
			run(form)
		}
		run("1")
		after := heapInUse()
		grew := int64(after) - int64(before)
		t.Logf("%q re-run 20 times: heap %+d bytes", form, grew)
		if grew > 40<<20 { // 20 leaked copies would be 160 MB
			t.Errorf("%q re-run 20 times grew the heap by %d MB: old values are kept", form, grew>>20)
		}
	}
	run("big[0] + float64(len(big2)) + a[0]")
}
