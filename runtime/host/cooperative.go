package host

import (
	"sync/atomic"
	"time"
)

// cooperative counts the compiled calls running now that watch Context and
// return promptly when it is cancelled (Fit).
var cooperative atomic.Int32

// Cooperative marks the start of a compiled call that watches Context and
// returns soon after it is cancelled, keeping what it has done (Fit returns
// its history so far). Call the returned function when the call returns:
//
//	defer host.Cooperative()()
//
// A host that stops its interpreter on interrupt waits while such a call
// runs (InCooperative), so that the call's result still reaches the
// variable it is assigned to (h := m.Fit(...) keeps the history).
func Cooperative() (done func()) {
	cooperative.Add(1)
	var once atomic.Bool
	return func() {
		if once.CompareAndSwap(false, true) {
			cooperative.Add(-1)
		}
	}
}

// InCooperative reports whether a call marked with Cooperative is running.
func InCooperative() bool { return cooperative.Load() > 0 }

// generation counts calls of Set: a host calls Set before each unit of
// work (a notebook cell), so it tells results of this cell from earlier
// ones.
var generation atomic.Uint64

// Generation returns a number that changes every time the host installs
// its hooks (Set), that is once per notebook cell.
func Generation() uint64 { return generation.Load() }

// AwaitCooperative waits until no call marked with Cooperative runs, until
// done is closed, or for at most limit, whichever comes first. A host calls
// it on interrupt before it stops its interpreter: the call sees the
// cancelled context and returns what it has. When a call was running, it
// then waits up to assignGrace more for done, because the interpreter
// stores a call's result in a step of its own after the call (yaegi's
// assignment of h := m.Fit(...)), and a stop between the two would lose
// the result; a cell that ends soon after needs no stop at all.
func AwaitCooperative(done <-chan struct{}, limit time.Duration) {
	if !InCooperative() {
		return
	}
	deadline := time.After(limit)
	for InCooperative() {
		select {
		case <-done:
			return
		case <-deadline:
			return
		case <-time.After(time.Millisecond):
		}
	}
	select {
	case <-done:
	case <-time.After(assignGrace):
	}
}

// assignGrace is how long AwaitCooperative lets the interpreter run on
// after the cooperative call returned.
const assignGrace = 100 * time.Millisecond
