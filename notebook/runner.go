package notebook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/latent-ai/latent/display"
)

// Cell tags the runner understands (papermill's and nbclient's names).
const (
	TagParameters         = "parameters"
	TagInjectedParameters = "injected-parameters"
	TagRaisesException    = "raises-exception"
	TagSkipExecution      = "skip-execution"
)

// Executor runs cell source, sending outputs to sink as they happen and
// returning the bundle of the cell's result (or nil). A failing cell returns
// an error, preferably a *display.Error. Cancelling ctx interrupts the cell.
// *dsl.Session is the Executor of `latent run`.
type Executor interface {
	Execute(ctx context.Context, code string, sink display.Sink) (*display.Bundle, error)
}

// Options control a run.
type Options struct {
	// Name names the notebook in progress lines and errors.
	Name string
	// Timeout limits each cell; zero means no limit. A cell that runs longer
	// is interrupted (its context is cancelled) and the run fails.
	Timeout time.Duration
	// Grace is how long an interrupted cell may take to stop before the
	// runner gives up on the session (default 10s).
	Grace time.Duration
	// AllowErrors records failing cells and goes on, as nbclient's
	// allow_errors does; without it, the first failing cell ends the run
	// unless it is tagged raises-exception.
	AllowErrors bool
	// Progress, when set, receives one line per executed cell.
	Progress io.Writer
	// Echo, when set, also receives the cells' stream output as it arrives
	// (papermill's --log-output), so a CI log shows training progress.
	Echo io.Writer
	// Heartbeat, when positive and Progress is set, prints a line for a
	// cell that has been running that long, and again after each period.
	Heartbeat time.Duration
	// KernelSpec and LanguageInfo are written into the notebook's metadata;
	// nil means Latent's (KernelSpec() and LanguageInfo()). A run on
	// another kernel passes that kernel's.
	KernelSpec, LanguageInfo map[string]any
	// NoTiming leaves out the metadata.execution timestamps nbclient
	// records for each executed cell (TimeBusy and the others), and removes
	// old ones from the cells it runs, so that outputs are byte-stable.
	NoTiming bool
	// Autosave, when set with AutosaveEvery > 0, receives the notebook as
	// it stands (encoded, with a note at the top saying how far the run
	// got) at most once every AutosaveEvery while the run goes on, when
	// something changed. An error is reported once on Progress.
	Autosave      func(snapshot []byte) error
	AutosaveEvery time.Duration
}

// CellError is a failed cell: Index is its 1-based position among all the
// notebook's cells, Count its execution count (In [Count]).
type CellError struct {
	Notebook string
	Index    int
	Count    int
	Err      *display.Error
	// Timeout is set when the cell exceeded Options.Timeout.
	Timeout bool
	// Stuck is set when the cell did not stop after its interrupt; the
	// session was abandoned and later cells were not run.
	Stuck bool
	// Expected is set when the cell is tagged raises-exception.
	Expected bool
}

// Error names the notebook, the cell (position and In [n]) and the error.
func (e *CellError) Error() string {
	var b strings.Builder
	if e.Notebook != "" {
		b.WriteString(e.Notebook + ": ")
	}
	fmt.Fprintf(&b, "cell %d (In [%d]): %s: %s", e.Index, e.Count, e.Err.Name, e.Err.Value)
	return b.String()
}

// Result summarizes a run.
type Result struct {
	// Cells is the number of cells executed.
	Cells int
	// Errors lists every cell that failed, allowed or not, in order.
	Errors []*CellError
	// Elapsed is the wall time of the run.
	Elapsed time.Duration
}

// Run executes the code cells of nb in order with exec, recording outputs
// and execution counts in nb as nbclient does. Cells whose source is blank
// or that are tagged skip-execution are left as they are. Run sets
// metadata.kernelspec and metadata.language_info (to Latent's unless opts
// name others).
//
// When a cell fails and neither opts.AllowErrors nor the cell's
// raises-exception tag allows it, Run stops and returns a *CellError; nb
// then holds every output up to and including the error, and a note at the
// top (tagged TagRunNote) that says where and why the run stopped. When ctx
// is cancelled, Run interrupts the running cell, adds a note that says so,
// and returns ctx's error. Notes of earlier runs are removed first.
func Run(ctx context.Context, nb *Notebook, exec Executor, opts Options) (*Result, error) {
	if opts.Grace <= 0 {
		opts.Grace = 10 * time.Second
	}
	if nb.Metadata == nil {
		nb.Metadata = map[string]any{}
	}
	nb.Metadata["kernelspec"] = opts.KernelSpec
	if opts.KernelSpec == nil {
		nb.Metadata["kernelspec"] = KernelSpec()
	}
	nb.Metadata["language_info"] = opts.LanguageInfo
	if opts.LanguageInfo == nil {
		nb.Metadata["language_info"] = LanguageInfo()
	}
	nb.removeRunNotes()
	nb.AssignIDs()

	rec := newRecorder()
	rec.echo = opts.Echo
	defer rec.close()
	display.SetSink(rec)
	defer display.SetSink(nil)

	start := time.Now()
	res := &Result{}
	var runnable []int
	for i, c := range nb.Cells {
		if c.Type == CodeCell && strings.TrimSpace(c.Source) != "" && !c.HasTag(TagSkipExecution) {
			runnable = append(runnable, i)
		}
	}
	stopSaving := autosave(nb, rec, opts)
	defer stopSaving()
	for n, i := range runnable {
		c := nb.Cells[i]
		count := n + 1
		if opts.Progress != nil {
			fmt.Fprintf(opts.Progress, "latent run: %s: cell %d/%d (In [%d]) started at %s\n",
				opts.Name, i+1, len(nb.Cells), count, since(start))
		}
		rec.begin(c, count)
		res.Cells++
		stopBeat := heartbeat(opts, i+1, count, len(nb.Cells))
		ce := runCell(ctx, exec, c, rec, count, opts)
		stopBeat()
		rec.finish(c, i+1, !opts.NoTiming)
		if ctx.Err() != nil {
			stopSaving()
			res.Elapsed = time.Since(start)
			nb.Cells = nb.withNote(interruptNote(i+1, count, context.Cause(ctx))).Cells
			return res, fmt.Errorf("%s: interrupted in cell %d (In [%d]): %w", opts.Name, i+1, count, ctx.Err())
		}
		if ce == nil {
			continue
		}
		ce.Notebook, ce.Index, ce.Count = opts.Name, i+1, count
		ce.Expected = c.HasTag(TagRaisesException)
		res.Errors = append(res.Errors, ce)
		allowed := (opts.AllowErrors || ce.Expected) && !ce.Timeout && !ce.Stuck
		if !allowed {
			stopSaving()
			res.Elapsed = time.Since(start)
			nb.Cells = nb.withNote(failureNote(ce)).Cells
			return res, ce
		}
	}
	stopSaving()
	res.Elapsed = time.Since(start)
	if opts.Progress != nil {
		fmt.Fprintf(opts.Progress, "latent run: %s: %d code cells run in %s\n", opts.Name, res.Cells, since(start))
	}
	return res, nil
}

// autosave starts saving snapshots of nb as opts ask, and returns the
// function that stops it (and waits until a save under way is done); it
// may be called more than once.
func autosave(nb *Notebook, rec *recorder, opts Options) (stop func()) {
	if opts.Autosave == nil || opts.AutosaveEvery <= 0 {
		return func() {}
	}
	done, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		t := time.NewTicker(opts.AutosaveEvery)
		defer t.Stop()
		var saved uint64
		reported := false
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			rec.mu.Lock()
			if rec.version == saved {
				rec.mu.Unlock()
				continue
			}
			saved = rec.version
			data, err := nb.withNote(progressNote(rec.finished, rec.finishedCount, len(nb.Cells), time.Now())).Marshal()
			rec.mu.Unlock()
			if err == nil {
				err = opts.Autosave(data)
			}
			if err != nil && !reported && opts.Progress != nil {
				reported = true
				fmt.Fprintf(opts.Progress, "latent run: %s: warning: autosave failed (the run goes on): %v\n", opts.Name, err)
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done); <-exited }) }
}

// heartbeat prints "still running" lines for a long cell until stopped.
func heartbeat(opts Options, index, count, cells int) (stop func()) {
	if opts.Progress == nil || opts.Heartbeat <= 0 {
		return func() {}
	}
	start := time.Now()
	t := time.NewTicker(opts.Heartbeat)
	done, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		for {
			select {
			case <-t.C:
				fmt.Fprintf(opts.Progress, "latent run: %s: cell %d/%d (In [%d]) still running after %s\n",
					opts.Name, index, cells, count, time.Since(start).Round(time.Second))
			case <-done:
				return
			}
		}
	}()
	return func() { t.Stop(); close(done); <-exited }
}

func since(t time.Time) string {
	return time.Since(t).Round(10 * time.Millisecond).String()
}

type outcome struct {
	result *display.Bundle
	err    error
}

// runCell executes one cell and records its result or error; it returns the
// error, if any, as a *CellError without position.
func runCell(ctx context.Context, exec Executor, c *Cell, rec *recorder, count int, opts Options) *CellError {
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var timeout <-chan time.Time
	if opts.Timeout > 0 {
		t := time.NewTimer(opts.Timeout)
		defer t.Stop()
		timeout = t.C
	}
	done := make(chan outcome, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- outcome{err: &display.Error{
					Name:      "panic",
					Value:     fmt.Sprint(p),
					Traceback: strings.Split(strings.TrimRight(string(debug.Stack()), "\n"), "\n"),
				}}
			}
		}()
		rec.markOwn(TimeBusy)
		rec.markOwn(TimeExecuteInput)
		b, err := exec.Execute(cctx, c.Source, rec)
		rec.markOwn(TimeExecuteReply)
		done <- outcome{b, err}
	}()

	var out outcome
	timedOut := false
	select {
	case out = <-done:
	case <-ctx.Done():
		cancel()
		select {
		case out = <-done:
		case <-time.After(opts.Grace):
		}
		return nil
	case <-timeout:
		timedOut = true
		cancel()
		select {
		case out = <-done:
		case <-time.After(opts.Grace):
			e := &display.Error{
				Name: "CellTimeoutError",
				Value: fmt.Sprintf("cell exceeded --timeout of %s and did not stop within %s of its interrupt (a compiled call that does not watch its context?); the remaining cells were not run",
					opts.Timeout, opts.Grace),
			}
			e.Traceback = []string{e.Name + ": " + e.Value}
			rec.fail(e)
			return &CellError{Err: e, Timeout: true, Stuck: true}
		}
	}
	if timedOut {
		e := &display.Error{
			Name:  "CellTimeoutError",
			Value: fmt.Sprintf("cell exceeded --timeout of %s and was interrupted", opts.Timeout),
		}
		e.Traceback = []string{e.Name + ": " + e.Value}
		if out.err != nil {
			e.Traceback = append(e.Traceback, "the session reported: "+out.err.Error())
		}
		rec.fail(e)
		return &CellError{Err: e, Timeout: true}
	}
	if out.err != nil {
		var de *display.Error
		if !errors.As(out.err, &de) {
			de = &display.Error{Name: "Error", Value: out.err.Error(), Traceback: []string{out.err.Error()}}
		}
		rec.fail(de)
		return &CellError{Err: de}
	}
	if out.result != nil {
		rec.result(*out.result, count)
	}
	return nil
}
