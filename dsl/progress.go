package dsl

import (
	"fmt"
	"html"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/latent-ai/latent/display"
	"github.com/latent-ai/latent/runtime/host"
)

// progressInterval bounds live progress updates to 5 a second.
const progressInterval = 200 * time.Millisecond

var progressIDs atomic.Int64

// progressRenderer turns a progress snapshot into a bundle. It is replaced
// by the plotting package's renderer when that is linked in (see
// SetProgressRenderer).
var (
	progressMu       sync.RWMutex
	progressRenderer = renderProgress
)

// SetProgressRenderer replaces the bundle used for training progress.
func SetProgressRenderer(f func(host.Progress) display.Bundle) {
	progressMu.Lock()
	progressRenderer = f
	progressMu.Unlock()
}

// newProgressReporter returns a host.Reporter that shows training progress
// as one live display: display_data with a display_id at the first report,
// then update_display_data at most 5 times a second; epoch ends and the
// final report are always shown, so the last state stays visible.
func newProgressReporter(sink display.Sink) host.Reporter {
	id := fmt.Sprintf("latent-progress-%d", progressIDs.Add(1))
	var mu sync.Mutex
	var last time.Time
	shown := false
	return func(p host.Progress) {
		mu.Lock()
		defer mu.Unlock()
		now := time.Now()
		if shown && !p.EpochEnd && !p.Done && now.Sub(last) < progressInterval {
			return
		}
		progressMu.RLock()
		render := progressRenderer
		progressMu.RUnlock()
		sink.Display(render(p).WithID(id), shown)
		shown, last = true, now
	}
}

// renderProgress is a plain HTML progress bar with the loss.
func renderProgress(p host.Progress) display.Bundle {
	frac := 0.0
	if p.Epochs > 0 && p.Batches > 0 {
		frac = (float64(p.Epoch-1) + float64(p.Batch)/float64(p.Batches)) / float64(p.Epochs)
	}
	if p.Done && p.Stopped == "" {
		frac = 1
	}
	frac = math.Max(0, math.Min(1, frac))
	text := fmt.Sprintf("%s epoch %d/%d batch %d/%d loss %.4g", p.Model, p.Epoch, p.Epochs, p.Batch, p.Batches, p.Loss)
	if !math.IsNaN(p.ValLoss) && p.ValLoss != 0 {
		text += fmt.Sprintf(" val %.4g", p.ValLoss)
	}
	text += fmt.Sprintf(" | %.0f samples/s | %s elapsed", p.SamplesPerSec, p.Elapsed.Round(time.Second))
	if !p.Done {
		text += fmt.Sprintf(", ETA %s", p.ETA.Round(time.Second))
	} else if p.Stopped != "" {
		text += " | stopped: " + p.Stopped
	} else {
		text += " | done"
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<div style="font-family:monospace"><progress value="%.4f" max="1" style="width:30em"></progress> %s</div>`, frac, html.EscapeString(text))
	return display.Bundle{Data: map[string]any{"text/html": b.String(), "text/plain": text}}
}
