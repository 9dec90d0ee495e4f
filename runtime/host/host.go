// Package host carries what the program hosting the runtime (a notebook
// session, a script runner, or nothing at all) lends to long-running runtime
// work: a context that is cancelled on interrupt, and a place to report
// training progress. A plain Go program never needs to touch it.
package host

import (
	"context"
	"sync"
	"time"
)

// Progress is a snapshot of a training run, reported after batches (rate
// limited by the reporter) and after every epoch.
type Progress struct {
	Model         string        // a short description of the model
	Epoch, Epochs int           // 1-based current epoch and the total
	Batch         int           // 1-based batch within the epoch
	Batches       int           // batches per epoch
	Loss          float64       // running mean training loss of this epoch
	ValLoss       float64       // last validation loss, NaN when none yet
	SamplesPerSec float64       // training throughput so far
	Elapsed       time.Duration // since training started
	ETA           time.Duration // estimated time left
	TrainHistory  []float64     // mean training loss of each finished epoch
	ValHistory    []float64     // validation loss of each finished epoch
	EpochEnd      bool          // this report closes an epoch
	Done          bool          // training has ended (finished, stopped or failed)
	Stopped       string        // why training ended early, empty if it ran to the end
}

// Reporter receives progress reports. The runtime calls it from the
// training goroutine, so it must return quickly.
type Reporter func(Progress)

var (
	mu       sync.RWMutex
	ctxFunc  func() context.Context
	reporter func() Reporter
)

// Set installs the host's hooks: ctx returns the context of the work being
// run now (cancelled on interrupt), and newReporter returns a fresh progress
// reporter for one training run. Either may be nil.
func Set(ctx func() context.Context, newReporter func() Reporter) {
	mu.Lock()
	ctxFunc, reporter = ctx, newReporter
	mu.Unlock()
	generation.Add(1)
}

// Context returns the host's current context, or context.Background when no
// host is installed.
func Context() context.Context {
	mu.RLock()
	f := ctxFunc
	mu.RUnlock()
	if f != nil {
		if c := f(); c != nil {
			return c
		}
	}
	return context.Background()
}

// NewReporter returns a progress reporter from the host, or nil when there
// is none.
func NewReporter() Reporter {
	mu.RLock()
	f := reporter
	mu.RUnlock()
	if f == nil {
		return nil
	}
	return f()
}
