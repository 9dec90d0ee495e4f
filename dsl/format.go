package dsl

import (
	"fmt"
	"os"
	"sync"

	"github.com/latent-ai/latent/display"
	"github.com/latent-ai/latent/plotting"
	"github.com/latent-ai/latent/runtime/ae"
	"github.com/latent-ai/latent/runtime/data"
	"github.com/latent-ai/latent/runtime/host"
)

var formatterOnce sync.Once

// installFormatter makes runtime results show as plotting figures when they
// are a cell's result or passed to display.Show: a training history as its
// loss curves, reconstructions, codes, samples, interpolations and anomaly
// reports as their figures, and an image dataset as a grid of its first
// images. The plain-text form stays beside the figure.
func installFormatter() {
	formatterOnce.Do(func() {
		display.SetFormatter(formatRuntime)
		data.SetNoticeWriter(cellStderr{})
	})
}

// cellStderr writes to the stderr stream of the running cell (dataset
// notices such as "using the built-in subset"), or to os.Stderr between
// cells.
type cellStderr struct{}

func (cellStderr) Write(p []byte) (int, error) {
	if s := display.CurrentSink(); s != nil {
		s.Stream("stderr", string(p))
		return len(p), nil
	}
	return os.Stderr.Write(p)
}

// formatRuntime is the display.Format hook for runtime types; it also
// keeps the plain-text fallback of display.Format bounded (formatBounded).
func formatRuntime(v any) (b display.Bundle, ok bool) {
	if b, ok := formatGonum(v); ok {
		return b, true
	}
	var fig *plotting.Figure
	switch x := v.(type) {
	case *ae.History:
		if x != nil && len(x.Train) > 0 && !x.ShownLive() { // else the live display above shows the curve
			fig = plotting.HistoryLoss(x)
		}
	case *ae.Reconstruction:
		if x != nil {
			fig = plotting.ReconstructionFigure(x, 8)
		}
	case *ae.Codes:
		if x != nil {
			fig = plotting.CodesFigure(x)
		}
	case *ae.Samples:
		if x != nil {
			fig = plotting.SamplesFigure(x, 8)
		}
	case *ae.Interpolation:
		if x != nil {
			fig = plotting.InterpolationFigure(x)
		}
	case *ae.SeriesReport:
		if x != nil {
			fig = plotting.SeriesAnomalies(x)
		}
	case *ae.AnomalyReport:
		if x != nil {
			fig = plotting.AnomalyFigure(x)
		}
	case *data.Set:
		if x != nil && x.H > 0 && x.W > 0 && x.N > 0 {
			fig = plotting.ImagesOf(x, 16, 8)
		}
	case host.Progress:
		return plotting.ProgressView{Progress: x}.Render(), true
	}
	if fig == nil {
		return formatBounded(v)
	}
	defer func() {
		// A figure that cannot be drawn must not fail the cell: fall back
		// to the plain form.
		if r := recover(); r != nil {
			b, ok = display.Text(fmt.Sprintf("%v\n(figure failed: %v)", v, r)), true
		}
	}()
	b = fig.Render()
	if b.Data == nil {
		return display.Bundle{}, false
	}
	if s, isStr := v.(fmt.Stringer); isStr {
		b.Data["text/plain"] = s.String()
	}
	return b, true
}

// liveReporter is the default host reporter factory: one live display per
// training run, in the cell's output (plotting.LiveProgress: display_data
// then update_display_data, at most five a second, final state kept).
func liveReporter(sink display.Sink) func() host.Reporter {
	return func() host.Reporter {
		return plotting.NewLiveProgress(sink.Display, 0).Report
	}
}
