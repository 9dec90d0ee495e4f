package ae

import (
	"sync"
	"sync/atomic"
)

// A model's layers keep their working buffers between calls, so two
// goroutines computing with one model at once would overwrite each other's
// activations and gradients (silently wrong results, or a size panic deep
// in nnops). useGuard serialises a model's computations: every exported
// method that runs the network holds the model for its duration, and a
// second Fit while one is training is refused with an error. Fit lets go
// of the model between batches and while its AfterBatch and AfterEpoch
// callbacks run, so that they and other goroutines (Reconstruct beside a
// training in the background) may use it between batches.
type useGuard struct {
	mu       sync.Mutex
	training atomic.Bool
}

// hold waits until no other call computes with m, holds it, and returns
// the function that lets go. Usage: defer m.hold()().
func (m *Model) hold() func() {
	m.use.mu.Lock()
	return m.use.mu.Unlock
}

// holdForFit is hold for Fit: it refuses a second concurrent Fit.
func (m *Model) holdForFit() (func(), error) {
	if !m.use.training.CompareAndSwap(false, true) {
		return nil, errf("Fit", "the model is being trained by another Fit (from another goroutine, or this Fit's own callback); "+
			"wait for that Fit to return, or train a separate model")
	}
	m.use.mu.Lock()
	return func() {
		m.use.mu.Unlock()
		m.use.training.Store(false)
	}, nil
}

// letOthersIn lets calls from other goroutines that wait for the model
// run between two batches of Fit (sync.Mutex hands the lock to a waiter
// that has waited over a millisecond).
func (m *Model) letOthersIn() {
	m.use.mu.Unlock()
	m.use.mu.Lock()
}

// callback runs a user callback of Fit with the model let go, and holds it
// again afterwards.
func (m *Model) callback(f func()) {
	m.use.mu.Unlock()
	defer m.use.mu.Lock()
	f()
}
