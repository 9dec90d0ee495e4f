package display

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// OutputLimit is the size one result or display may have as published,
// all its representations together, unless a kernel is configured with
// another (see Bound).
const OutputLimit = 16 << 20

// A cell's streams show at most their first MiB and last 64 KiB (package
// dsl cuts them); Bound keeps the same head and tail of a long text.
const (
	outputHead = 1 << 20
	outputTail = 64 << 10
)

// Bound returns data, one result or display, as it may be published under
// limit bytes in all, and whether it had to cut anything: text/plain keeps
// its first MiB and last 64 KiB (or, under a lower limit, a head and tail
// that fit it), and other representations that do not fit are left out,
// largest first, with a notice in text/plain that says what was cut and
// why. The kernel bounds what it publishes with it, and latent run what
// it saves, so that both give the same notebook.
func Bound(data map[string]any, limit int) (map[string]any, bool) {
	sizes := map[string]int{}
	total := 0
	for mime, v := range data {
		sizes[mime] = valueSize(v)
		total += sizes[mime]
	}
	if limit <= 0 || total <= limit {
		return data, false
	}
	out := make(map[string]any, len(data))
	for mime, v := range data {
		out[mime] = v
	}
	var notes []string
	keepHead, keepTail := outputHead, outputTail
	if keepHead+keepTail > limit { // a limit below the usual cut
		keepTail = limit / 16
		keepHead = limit - keepTail
	}
	if s, ok := data["text/plain"].(string); ok && len(s) > keepHead+keepTail {
		head, tail := cutText(s, keepHead, keepTail)
		shown := len(head) + len(tail)
		out["text/plain"] = head + fmt.Sprintf("\n... [result truncated: %d bytes not shown. An output over %s (this one has %s) keeps the first %s and the last %s of its text; the last %s follow] ...\n",
			len(s)-shown, byteSize(limit), byteSize(total), byteSize(keepHead), byteSize(keepTail), byteSize(len(tail))) + tail
		total += shown - len(s)
		sizes["text/plain"] = shown
	}
	mimes := make([]string, 0, len(out))
	for mime := range out {
		if mime != "text/plain" {
			mimes = append(mimes, mime)
		}
	}
	sort.Slice(mimes, func(i, j int) bool { return sizes[mimes[i]] > sizes[mimes[j]] })
	for _, mime := range mimes {
		if total <= limit {
			break
		}
		delete(out, mime)
		total -= sizes[mime]
		notes = append(notes, fmt.Sprintf("%s (%s)", mime, mib(sizes[mime])))
	}
	if len(notes) > 0 {
		notice := fmt.Sprintf("[latent] not shown: %s; one output is limited to %s. Save large outputs to a file and show a part of them.", strings.Join(notes, ", "), mib(limit))
		if s, ok := out["text/plain"].(string); ok {
			notice = s + "\n" + notice
		}
		out["text/plain"] = notice
	}
	return out, true
}

// cutText returns the first headBytes and last tailBytes bytes of s (longer
// than both together), cut at rune boundaries.
func cutText(s string, headBytes, tailBytes int) (head, tail string) {
	h := headBytes
	for h > 0 && !utf8.RuneStart(s[h]) {
		h--
	}
	t := len(s) - tailBytes
	for t < len(s) && !utf8.RuneStart(s[t]) {
		t++
	}
	return s[:h], s[t:]
}

// valueSize is the size of one MIME representation as published.
func valueSize(v any) int {
	switch x := v.(type) {
	case string:
		return len(x)
	case []byte:
		return len(x)
	case json.RawMessage:
		return len(x)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return 0
	}
	return len(b)
}

func mib(n int) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// byteSize writes n bytes in whole MiB or KiB where it can.
func byteSize(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return mib(n)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
