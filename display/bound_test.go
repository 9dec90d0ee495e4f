package display

import (
	"strings"
	"testing"
)

// TestBoundOutput: a huge result keeps the head and tail of its text and
// drops what does not fit, saying so.
func TestBoundOutput(t *testing.T) {
	big := strings.Repeat("é", 20<<20) // 40 MiB
	out, cut := Bound(map[string]any{"text/plain": big, "text/html": "<pre>" + big + "</pre>", "image/png": "small"}, 16<<20)
	if !cut {
		t.Fatal("a 80 MiB output was not cut")
	}
	s := out["text/plain"].(string)
	if len(s) > 2<<20 || !strings.Contains(s, "truncated") || !strings.Contains(s, "not shown: text/html") {
		t.Errorf("text/plain is %d bytes; notice missing: %q", len(s), s[len(s)-300:])
	}
	// The notice states the cut that was made.
	notice := "An output over 16 MiB (this one has 80.0 MiB) keeps the first 1 MiB and the last 64 KiB of its text; the last 64 KiB follow"
	if !strings.Contains(s, notice) || strings.Count(s, "é") != (outputHead+outputTail)/2 {
		t.Errorf("notice or cut wrong: %d é kept, notice %q", strings.Count(s, "é"), s[outputHead-2:outputHead+300])
	}
	// A limit below the usual cut is kept too.
	low, _ := Bound(map[string]any{"text/plain": strings.Repeat("z", 1<<20)}, 64<<10)
	if s := low["text/plain"].(string); strings.Count(s, "z") != 64<<10 || !strings.Contains(s, "keeps the first 60 KiB and the last 4 KiB") {
		t.Errorf("64 KiB limit: kept %d bytes of text: %q", strings.Count(s, "z"), s[60<<10:60<<10+300])
	}
	if _, ok := out["text/html"]; ok {
		t.Error("40 MiB of text/html kept")
	}
	if out["image/png"] != "small" {
		t.Error("a small representation was dropped")
	}
	small := map[string]any{"text/plain": "x"}
	if got, cut := Bound(small, 16<<20); cut || got["text/plain"] != "x" {
		t.Error("a small output was changed")
	}
}
