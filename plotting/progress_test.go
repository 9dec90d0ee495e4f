package plotting

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latent-ai/latent/display"
	"github.com/latent-ai/latent/runtime/host"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time       { return c.t }
func (c *fakeClock) step(d time.Duration) { c.t = c.t.Add(d) }
func newFakeClock() *fakeClock            { return &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }
func (c *fakeClock) since0() time.Duration {
	return c.t.Sub(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
}
func (c *fakeClock) advance(ms int) time.Time {
	c.step(time.Duration(ms) * time.Millisecond)
	return c.t
}

// run simulates a training run of epochs × batches reports, one every
// 10 ms of fake time, each epoch closed by an EpochEnd report and the run by
// a Done report (stopped early after stopAt reports when stopAt > 0).
func run(clock *fakeClock, report host.Reporter, epochs, batches, stopAt int) {
	var train, val []float64
	n := 0
	for e := 1; e <= epochs; e++ {
		for b := 1; b <= batches; b++ {
			clock.advance(10)
			n++
			p := host.Progress{Model: "dense", Epoch: e, Epochs: epochs, Batch: b, Batches: batches,
				Loss: 0.1 / float64(e), ValLoss: math.NaN(), SamplesPerSec: 5000, Elapsed: clock.since0(),
				TrainHistory: train, ValHistory: val}
			if len(val) > 0 {
				p.ValLoss = val[len(val)-1]
			}
			if stopAt > 0 && n == stopAt {
				p.Done, p.Stopped = true, "interrupted"
				report(p)
				return
			}
			report(p)
		}
		train = append(train, 0.1/float64(e))
		val = append(val, 0.12/float64(e))
		report(host.Progress{Model: "dense", Epoch: e, Epochs: epochs, Batch: batches, Batches: batches,
			Loss: train[e-1], ValLoss: val[e-1], Elapsed: clock.since0(), EpochEnd: true,
			TrainHistory: append([]float64(nil), train...), ValHistory: append([]float64(nil), val...)})
	}
	report(host.Progress{Model: "dense", Epoch: epochs, Epochs: epochs, Batch: batches, Batches: batches,
		Loss: train[epochs-1], ValLoss: val[epochs-1], Elapsed: clock.since0(), Done: true,
		TrainHistory: train, ValHistory: val})
}

type shown struct {
	b      display.Bundle
	update bool
}

func TestLiveProgressRateLimit(t *testing.T) {
	tests := []struct {
		name                     string
		epochs, batches, stopAt  int
		interval                 time.Duration
		wantSent                 int
		wantFinalDone, wantStops bool
	}{
		// 3 epochs × 100 batches, one report every 10 ms: updates at 10 ms,
		// 210 ms, ... 2810 ms (15; the epoch ends at 1 s, 2 s and 3 s fall
		// 190 ms after an update and are thinned), then the end of training.
		{"full run", 3, 100, 0, 0, 15 + 1, true, false},
		// Stopped at the 150th batch report (1.5 s): updates at 10 ms ... 1410 ms
		// (8), then the stop.
		{"interrupted", 3, 100, 150, 0, 8 + 1, true, true},
		// One a second: updates at 10 ms and 1010 ms, then the end.
		{"1 per second", 2, 100, 0, time.Second, 2 + 1, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			var got []shown
			l := NewLiveProgress(func(b display.Bundle, update bool) { got = append(got, shown{b, update}) }, tt.interval)
			l.gate.now = clock.now
			run(clock, l.Report, tt.epochs, tt.batches, tt.stopAt)
			if len(got) != tt.wantSent || l.Sent() != tt.wantSent {
				t.Errorf("sent %d bundles (Sent()=%d), want %d", len(got), l.Sent(), tt.wantSent)
			}
			for i, s := range got {
				if s.b.ID != l.ID() || s.b.ID == "" {
					t.Fatalf("bundle %d has display ID %q, want %q", i, s.b.ID, l.ID())
				}
				if s.update != (i > 0) {
					t.Errorf("bundle %d: update = %v, want %v", i, s.update, i > 0)
				}
			}
			final := got[len(got)-1].b
			html, _ := final.Data["text/html"].(string)
			if tt.wantStops && !strings.Contains(html, "stopped: interrupted") {
				t.Errorf("final display does not say training stopped:\n%s", html)
			}
			if !tt.wantStops && !strings.Contains(html, "done") {
				t.Errorf("final display does not say training is done:\n%s", html)
			}
			if !strings.Contains(html, "data:image/png;base64,") {
				t.Error("final display has no loss plot")
			}
			if !l.Last().Done {
				t.Error("Last() is not the final report")
			}
		})
	}
}

func TestLiveProgressEpochEnds(t *testing.T) {
	tests := []struct {
		name     string
		epochGap time.Duration // time between epoch ends
		want     int
	}{
		// Slow epochs: every epoch end gets through (first report, 5 ends, done).
		{"slow epochs", time.Second, 1 + 5 + 1},
		// Ten epochs a second: thinned to one update per 200 ms: the first
		// report, the epoch ends at 200 and 400 ms, and the end.
		{"fast epochs", 100 * time.Millisecond, 1 + 2 + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			var last display.Bundle
			n := 0
			l := NewLiveProgress(func(b display.Bundle, _ bool) { n++; last = b }, 0)
			l.gate.now = clock.now
			l.Report(host.Progress{Epoch: 1, Epochs: 5, Batch: 1, Batches: 1})
			for e := 1; e <= 5; e++ {
				clock.step(tt.epochGap)
				l.Report(host.Progress{Epoch: e, Epochs: 5, EpochEnd: true, TrainHistory: make([]float64, e)})
			}
			l.Report(host.Progress{Epoch: 5, Epochs: 5, Done: true, TrainHistory: make([]float64, 5)})
			if n != tt.want {
				t.Errorf("sent %d bundles, want %d", n, tt.want)
			}
			if h := last.Data["text/html"].(string); !strings.Contains(h, "epoch 5/5") || !strings.Contains(h, "done") {
				t.Errorf("final display is not the final state:\n%s", h)
			}
		})
	}
}

func TestTerminalProgress(t *testing.T) {
	clock := newFakeClock()
	var out strings.Builder
	tp := NewTerminalProgress(&out)
	tp.gate.now = clock.now
	run(clock, tp.Report, 2, 30, 0)
	s := out.String()
	lines := strings.Split(s, "\n")
	// The model line, one kept line for the first epoch, one for the end
	// (which replaces the last epoch's), and the empty tail.
	if len(lines) != 1+1+1+1 {
		t.Fatalf("got %d lines, want 4:\n%q", len(lines), s)
	}
	if lines[0] != "training dense" {
		t.Errorf("model line = %q", lines[0])
	}
	if !strings.HasPrefix(lines[1], "\r[") || !strings.Contains(lines[1], "\r[#####-----]  50%  epoch 1/2  loss 0.1  val 0.12") {
		t.Errorf("first epoch line = %q", lines[1])
	}
	if last := lines[2]; !strings.Contains(last, "100%") || !strings.HasSuffix(last, "done") {
		t.Errorf("last line = %q, want 100%% and done", last)
	}
	// Redraws within an epoch: 30 batches at 10 ms = 300 ms: the first and one
	// more at 200 ms, then the epoch end.
	if got := strings.Count(lines[1], "\r"); got != 3 {
		t.Errorf("%d redraws in the first epoch, want 3: %q", got, lines[1])
	}
	for _, redraw := range strings.Split(lines[1], "\r")[1:3] {
		if n := len([]rune(strings.TrimRight(redraw, " "))); n > maxRedraw {
			t.Errorf("redrawn line of %d characters may wrap: %q", n, redraw)
		}
	}
}

func TestProgressLine(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name string
		p    host.Progress
		want string
	}{
		{"mid epoch", host.Progress{Epoch: 2, Epochs: 4, Batch: 50, Batches: 100, Loss: 0.0213, ValLoss: nan,
			SamplesPerSec: 12345, Elapsed: 65 * time.Second, ETA: 3 * time.Minute},
			"[########------------]  38%  epoch 2/4  batch 50/100  loss 0.0213  12.3k/s  ETA 3m00s  elapsed 1m05s"},
		{"stopped", host.Progress{Model: "vae", Epoch: 3, Epochs: 10, Batch: 7, Batches: 10, Loss: 0.5, ValLoss: 0.6,
			Elapsed: 2 * time.Hour, Done: true, Stopped: "interrupted", ValHistory: []float64{0.6}},
			"vae [#####---------------]  27%  epoch 3/10  loss 0.5  val 0.6  took 2h00m  stopped: interrupted"},
		{"zero", host.Progress{}, "[--------------------]   0%  loss 0  elapsed 0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ProgressLine(tt.p); got != tt.want {
				t.Errorf("ProgressLine =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestProgressViewEscapes(t *testing.T) {
	v := ProgressView{Progress: host.Progress{Model: "<script>", Epoch: 1, Epochs: 2, ValLoss: math.NaN()}}
	b := v.Render()
	h := b.Data["text/html"].(string)
	if strings.Contains(h, "<script>") || !strings.Contains(h, "&lt;script&gt;") {
		t.Errorf("model name not escaped:\n%s", h)
	}
	if b.Data["text/plain"] == nil {
		t.Error("no text/plain form")
	}
}

func TestTerminalProgressToLogFile(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tp := NewTerminalProgress(f)
	run(newFakeClock(), tp.Report, 2, 30, 0)
	b, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if strings.Contains(s, "\r") || strings.Count(s, "\n") != 3 {
		t.Errorf("log output should be 3 plain lines (model, epoch 1, end), got %q", s)
	}
}

func TestLiveProgressConcurrent(t *testing.T) {
	var mu sync.Mutex
	n := 0
	l := NewLiveProgress(func(display.Bundle, bool) { mu.Lock(); n++; mu.Unlock() }, time.Hour)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				l.Report(host.Progress{Epoch: 1, Epochs: 1, Batch: i, Batches: 100, ValLoss: math.NaN()})
			}
		}()
	}
	wg.Wait()
	l.Report(host.Progress{Epoch: 1, Epochs: 1, Done: true})
	if n != 2 || l.Sent() != 2 {
		t.Errorf("sent %d bundles, want 2 (first report and done)", n)
	}
}
