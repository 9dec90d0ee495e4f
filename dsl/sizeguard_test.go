package dsl

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/latent-ai/latent/display"
)

// TestSizeGuardOutOfMemory checks that each allocation a cell sizes itself
// (a huge array type, make of struct or array elements, Grow) is an "out of
// memory" error on that cell, and that the session keeps its state.
func TestSizeGuardOutOfMemory(t *testing.T) {
	s := newSession(t)
	run := func(code string) (*display.Bundle, error) {
		return s.Execute(context.Background(), code, newRecSink())
	}
	if _, err := run("kept := 42\ntype rec struct{ data [128]float64 }"); err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{
		"p := new([1 << 40]byte)",
		"var a [1 << 20][1 << 20]int64",
		"b := [1 << 40]byte{}",
		"type big struct{ pad [1 << 40]byte }",
		"func f(x [1 << 41]int16) {}",
		"var rs [1 << 30]rec",
		"xs := make([]rec, 100_000_000_000)",
		"ys := make([][1 << 10]int64, 1<<30)",
		"var sb strings.Builder\nsb.Grow(1 << 40)",
		"var bb bytes.Buffer\nbb.Grow(1 << 40)",
	} {
		_, err := run(code)
		var de *display.Error
		if !errors.As(err, &de) || de.Name != "out of memory" {
			t.Fatalf("%q: want an out of memory error, got %v", code, err)
		}
		b, err := run("kept")
		if err != nil || !strings.Contains(b.Data["text/plain"].(string), "42") {
			t.Fatalf("after %q the session lost its state: %v %v", code, b, err)
		}
	}
	// Sizes that fit run as before.
	if _, err := run("var small [1 << 10]rec\nzs := make([]rec, 10)\nvar sb strings.Builder\nsb.Grow(1 << 10)\n_, _, _ = small, zs, sb"); err != nil {
		t.Fatal(err)
	}
}

// TestLargeResultsFreed shows a 16 MiB result twenty times: yaegi keeps
// every top-level expression's value, so without the compaction noteResult
// asks for the session would hold 320 MiB; the variables survive it.
func TestLargeResultsFreed(t *testing.T) {
	s := newSession(t)
	ctx := context.Background()
	if _, err := s.Execute(ctx, "kept := []int{1, 2, 3}", discardSink{}); err != nil {
		t.Fatal(err)
	}
	h0 := heapInUse()
	for range 20 {
		if _, err := s.Execute(ctx, `strings.Repeat("r", 16<<20)`, discardSink{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Execute(ctx, "len(kept)", discardSink{}); err != nil {
		t.Fatal(err)
	}
	h1 := heapInUse()
	t.Logf("live heap %d -> %d MiB after twenty 16 MiB results", h0>>20, h1>>20)
	if h1 > h0+64<<20 {
		t.Errorf("the session keeps the results: live heap grew by %d MiB", (h1-h0)>>20)
	}
}

// TestShownVariableNoCompaction: showing a large variable, or a slice of
// it, keeps nothing new, so the session does not compact for it.
func TestShownVariableNoCompaction(t *testing.T) {
	s := newSession(t)
	ctx := context.Background()
	for _, code := range []string{"big := make([]byte, 4<<20)\ntext := strings.Repeat(\"t\", 4<<20)", "big", "big[10:]", "text", "text[5:]", "&big", "type box struct{ b [2 << 20]byte }\nbx := &box{}", "bx", "bx.b[:]"} {
		if _, err := s.Execute(ctx, code, discardSink{}); err != nil {
			t.Fatal(err)
		}
		if s.shadowed {
			t.Fatalf("showing %q asks for a compaction", code)
		}
	}
	if _, err := s.Execute(ctx, "append([]byte(nil), big...)", discardSink{}); err != nil {
		t.Fatal(err)
	}
	if !s.shadowed {
		t.Fatal("a new 4 MiB result does not ask for a compaction")
	}
}

// TestGoroutinePanicsCompact checks that panicLimit goroutine panics make
// the session compact (yaegi keeps ~30 KB per panicked goroutine).
func TestGoroutinePanicsCompact(t *testing.T) {
	s := newSession(t)
	ctx := context.Background()
	for range panicLimit {
		_, _ = s.Execute(ctx, "go func() { panic(\"p\") }()\ntime.Sleep(10 * time.Millisecond)", discardSink{})
	}
	_, _ = s.Execute(ctx, "1", discardSink{})
	if _, err := s.Execute(ctx, "2", discardSink{}); err != nil {
		t.Fatal(err)
	}
	if s.sinceNew > 3 {
		t.Fatalf("no compaction after %d goroutine panics (sinceNew %d)", panicLimit, s.sinceNew)
	}
}
