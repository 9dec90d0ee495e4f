package plotting

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"math"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/latent-ai/latent/display"
	"github.com/latent-ai/latent/runtime/host"
)

// DefaultInterval is the shortest time between two progress updates that
// are not the end of an epoch or of training: at most five a second.
const DefaultInterval = 200 * time.Millisecond

// fraction returns how much of the run is done, in [0,1].
func fraction(p host.Progress) float64 {
	if p.Epochs <= 0 {
		return 0
	}
	done := float64(p.Epoch - 1)
	if p.EpochEnd || (p.Done && p.Stopped == "") {
		done = float64(p.Epoch)
	} else if p.Batches > 0 {
		done += float64(p.Batch) / float64(p.Batches)
	}
	return math.Max(0, math.Min(1, done/float64(p.Epochs)))
}

// shortDuration writes d as "45s", "3m07s" or "1h02m".
func shortDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int(d.Round(time.Second) / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	default:
		return fmt.Sprintf("%dh%02dm", s/3600, (s%3600)/60)
	}
}

// rate writes samples per second as "850/s", "12.3k/s" or "1.2M/s".
func rate(r float64) string {
	switch {
	case r >= 1e6:
		return fmt.Sprintf("%.1fM/s", r/1e6)
	case r >= 1e4:
		return fmt.Sprintf("%.1fk/s", r/1e3)
	default:
		return fmt.Sprintf("%.0f/s", r)
	}
}

// fields returns the progress facts shown in both forms, in order.
func fields(p host.Progress) []string {
	var f []string
	if p.Epochs > 0 {
		f = append(f, fmt.Sprintf("epoch %d/%d", p.Epoch, p.Epochs))
	}
	if p.Batches > 0 && !p.EpochEnd && !p.Done {
		f = append(f, fmt.Sprintf("batch %d/%d", p.Batch, p.Batches))
	}
	if !math.IsNaN(p.Loss) {
		f = append(f, "loss "+formatLoss(p.Loss))
	}
	// NaN means no validation yet; so does 0 before any validation epoch
	// (a zero Progress).
	if !math.IsNaN(p.ValLoss) && (p.ValLoss != 0 || len(p.ValHistory) > 0) {
		f = append(f, "val "+formatLoss(p.ValLoss))
	}
	if p.SamplesPerSec > 0 {
		f = append(f, rate(p.SamplesPerSec))
	}
	if p.Done {
		f = append(f, "took "+shortDuration(p.Elapsed))
	} else {
		if p.ETA > 0 {
			f = append(f, "ETA "+shortDuration(p.ETA))
		}
		f = append(f, "elapsed "+shortDuration(p.Elapsed))
	}
	return f
}

// status says in a few words where the run is.
func status(p host.Progress) string {
	switch {
	case p.Done && p.Stopped != "":
		return "stopped: " + p.Stopped
	case p.Done:
		return "done"
	default:
		return "training"
	}
}

// ProgressLine returns the one-line text form of p, e.g.
// "[########----------]  42%  epoch 5/12  batch 80/469  loss 0.0213 ...".
func ProgressLine(p host.Progress) string { return progressLine(p, true, 20) }

// progressLine is ProgressLine, with or without the model's description,
// with a bar width characters wide.
func progressLine(p host.Progress, model bool, width int) string {
	frac := fraction(p)
	n := int(frac*float64(width) + 0.5)
	var b strings.Builder
	if model && p.Model != "" {
		b.WriteString(p.Model + " ")
	}
	b.WriteString("[" + strings.Repeat("#", n) + strings.Repeat("-", width-n) + "]")
	fmt.Fprintf(&b, " %3.0f%%  ", 100*frac)
	b.WriteString(strings.Join(fields(p), "  "))
	if p.Done {
		b.WriteString("  " + status(p))
	}
	return b.String()
}

// ProgressView is the rich display of one progress snapshot: a progress
// bar with the facts of the run, and below it a loss plot (an image shown
// when LossPlot, a PNG, is set). It is a display.Renderer.
type ProgressView struct {
	host.Progress
	LossPlot []byte // PNG of the loss curves so far, or nil
}

// lossPlotSize is the size of the loss plot under the progress bar, in CSS pixels.
const lossPlotW, lossPlotH = 600, 240

// LossPlotPNG draws the loss curves of p's finished epochs as a small PNG
// for a ProgressView, or returns nil when there is no finished epoch yet.
func LossPlotPNG(p host.Progress) []byte {
	if len(p.TrainHistory) == 0 && len(p.ValHistory) == 0 {
		return nil
	}
	run := Run{Train: p.TrainHistory, Val: p.ValHistory}
	f := LossCurves([]Run{run}, LossOptions{Epochs: p.Epochs}).WithTitle("").WithSize(lossPlotW, lossPlotH)
	b, err := f.PNG()
	if err != nil {
		return nil
	}
	return b
}

// HTML returns the display as an HTML fragment with inline styles only, so
// it looks the same in JupyterLab, in nbconvert's HTML and in a saved
// notebook.
func (v ProgressView) HTML() string {
	p := v.Progress
	frac := fraction(p)
	barColor := "#1f77b4"
	switch {
	case p.Done && p.Stopped != "":
		barColor = "#ff7f0e"
	case p.Done:
		barColor = "#2ca02c"
	}
	var b strings.Builder
	b.WriteString(`<div class="latent-progress" style="font-family:sans-serif;font-size:13px;line-height:1.5;max-width:720px">`)
	head := status(p)
	if p.Model != "" {
		head = p.Model + " — " + head
	}
	fmt.Fprintf(&b, `<div style="font-weight:bold">%s</div>`, html.EscapeString(head))
	fmt.Fprintf(&b, `<div style="display:flex;align-items:center;gap:8px">`+
		`<div style="flex:0 0 400px;height:12px;background:rgba(128,128,128,0.25);border-radius:3px;overflow:hidden">`+
		`<div style="width:%.1f%%;height:100%%;background:%s"></div></div>`+
		`<span style="font-variant-numeric:tabular-nums">%.0f%%</span></div>`, 100*frac, barColor, 100*frac)
	fmt.Fprintf(&b, `<div style="font-variant-numeric:tabular-nums">%s</div>`, html.EscapeString(strings.Join(fields(p), " · ")))
	if len(v.LossPlot) > 0 {
		fmt.Fprintf(&b, `<img src="data:image/png;base64,%s" width="%d" height="%d" alt="training and validation loss per epoch">`,
			base64.StdEncoding.EncodeToString(v.LossPlot), lossPlotW, lossPlotH)
	}
	b.WriteString(`</div>`)
	return b.String()
}

// Render implements display.Renderer: the HTML display with the one-line
// text form as text/plain.
func (v ProgressView) Render() display.Bundle {
	b := display.HTML(v.HTML())
	b.Data["text/plain"] = ProgressLine(v.Progress)
	return b
}

// gate is the rate limiter shared by the progress reporters: it lets a
// report through when it is the first, ends training, comes at least
// interval after the last one let through, or (with epochEnds set) closes
// an epoch.
type gate struct {
	interval  time.Duration
	now       func() time.Time
	last      time.Time
	opened    bool
	epochEnds bool // epoch ends always pass
}

// pass reports whether p should be shown now, and records it if so.
func (g *gate) pass(p host.Progress) bool {
	t := g.now()
	if g.opened && !p.Done && !(g.epochEnds && p.EpochEnd) && t.Sub(g.last) < g.interval {
		return false
	}
	g.opened, g.last = true, t
	return true
}

func newGate(interval time.Duration) gate {
	if interval <= 0 {
		interval = DefaultInterval
	}
	return gate{interval: interval, now: time.Now}
}

// LiveProgress shows training progress in a notebook: the first report
// creates one display (with a display ID) and later ones update it in
// place, at most one update per interval (five a second by default) so that
// the frontend and a saved notebook never fill with updates. The end of
// training always gets through, and shows the final state (or where
// training stopped) with the loss plot of every finished epoch. Epoch ends
// are rate limited like batches: when epochs take longer than the interval
// (almost always) every epoch end is shown and the loss plot is redrawn
// each epoch; faster epochs are thinned, and the next update that gets
// through carries their losses. It is safe for use from several goroutines.
type LiveProgress struct {
	mu      sync.Mutex
	show    func(b display.Bundle, update bool)
	gate    gate
	id      string
	shown   bool
	plot    []byte
	plotFor int // len(TrainHistory)+len(ValHistory) the plot was drawn for
	last    host.Progress
	sent    int
}

// NewLiveProgress returns a live display that sends its bundles to show
// (update false for the first, true for the rest, all with the same
// display ID), at most one per interval (interval <= 0: DefaultInterval).
// Pass its Report method where a host.Reporter is wanted.
func NewLiveProgress(show func(b display.Bundle, update bool), interval time.Duration) *LiveProgress {
	var id [8]byte
	rand.Read(id[:])
	return &LiveProgress{show: show, gate: newGate(interval), id: "latent-progress-" + hex.EncodeToString(id[:])}
}

// NewSinkReporter returns a fresh live display's reporter that writes to the
// current display sink (display.SetSink). Its signature fits host.Set:
// host.Set(ctx, plotting.NewSinkReporter).
func NewSinkReporter() host.Reporter {
	return NewLiveProgress(func(b display.Bundle, update bool) {
		if s := display.CurrentSink(); s != nil {
			s.Display(b, update)
		}
	}, 0).Report
}

// Report takes one progress snapshot; it is a host.Reporter.
func (l *LiveProgress) Report(p host.Progress) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.last = p
	if !l.gate.pass(p) {
		return
	}
	if n := len(p.TrainHistory) + len(p.ValHistory); n != l.plotFor && (p.EpochEnd || p.Done || l.plot == nil) {
		l.plot, l.plotFor = LossPlotPNG(p), n
	}
	b := ProgressView{Progress: p, LossPlot: l.plot}.Render().WithID(l.id)
	update := l.shown
	l.shown = true
	l.sent++
	if l.show != nil {
		l.show(b, update)
	}
}

// ID returns the display ID of this display.
func (l *LiveProgress) ID() string { return l.id }

// Last returns the last snapshot reported (shown or not).
func (l *LiveProgress) Last() host.Progress {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.last
}

// Sent returns how many bundles have been passed to show.
func (l *LiveProgress) Sent() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sent
}

// TerminalProgress shows training progress as one line of text redrawn
// with carriage returns, for scripts and terminals: at most one redraw per
// interval, a finished line kept for every epoch, and a last line saying
// how training ended. The model's description is written once, on a line
// of its own, and redrawn lines are cut to 79 characters so that they never
// wrap (a wrapped line cannot be redrawn). Writing to a file or pipe that is
// not a terminal (a CI log), it writes only the epoch and end lines. It is
// safe for use from several goroutines.
type TerminalProgress struct {
	mu      sync.Mutex
	w       io.Writer
	gate    gate
	logOnly bool // w is not a terminal: no redrawn lines
	started bool // the model line is written
	lastLen int  // length of the line being redrawn, 0 after a newline
}

// maxRedraw is the longest line TerminalProgress redraws in place, and
// terminalBar the width of its bar.
const maxRedraw, terminalBar = 79, 10

// NewTerminalProgress returns a terminal display writing to w (usually
// os.Stderr). Pass its Report method where a host.Reporter is wanted.
func NewTerminalProgress(w io.Writer) *TerminalProgress {
	t := &TerminalProgress{w: w, gate: newGate(DefaultInterval)}
	t.gate.epochEnds = true // a line per epoch is kept, so none may be lost
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice == 0 {
			t.logOnly = true
		}
	}
	return t
}

// Report takes one progress snapshot; it is a host.Reporter.
func (t *TerminalProgress) Report(p host.Progress) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.started {
		t.started = true
		if p.Model != "" {
			fmt.Fprintln(t.w, "training "+p.Model)
		}
	}
	// The last epoch's end is followed by the end of training, whose line
	// replaces it.
	keep := p.Done || (p.EpochEnd && !(p.Epochs > 0 && p.Epoch >= p.Epochs))
	if t.logOnly {
		if keep {
			fmt.Fprintln(t.w, progressLine(p, false, terminalBar))
		}
		return
	}
	if !t.gate.pass(p) {
		return
	}
	line := []rune(progressLine(p, false, terminalBar))
	end := ""
	if keep {
		end = "\n"
	} else if len(line) > maxRedraw {
		line = line[:maxRedraw]
	}
	pad := ""
	if n := len(line); n < t.lastLen {
		pad = strings.Repeat(" ", t.lastLen-n)
	}
	t.lastLen = len(line)
	if end != "" {
		t.lastLen = 0
	}
	fmt.Fprint(t.w, "\r"+string(line)+pad+end)
}
