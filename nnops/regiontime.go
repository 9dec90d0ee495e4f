package nnops

import (
	"sync"
	"sync/atomic"
	"time"
)

// Region timing: what each kind of parallel region costs on the threads
// that really run it, the counterpart of the simulation (simulate.go),
// which models threads the machine may not have. Comparing a run on one
// thread with a run on two shows which regions gain least from the second
// core (aebench -regions).
var timing struct {
	on      atomic.Bool
	mu      sync.Mutex
	regions map[string]*SimRegion
}

// TimeRegions starts (on) or stops measuring the parallel regions as they
// run. For each kind of region (named as the simulation names them) it
// sums the runs' wall time, from the region's start to its last task's
// end (Span), and the time its threads spent taking and running its tasks
// (Work): Work/Span is the threads the region kept busy, and the rest of
// threads × Span went to waiting. Starting clears what an earlier
// measurement recorded. Results do not change. It is meant for
// benchmarks; call it while no region runs, and not during a simulation.
func TimeRegions(on bool) {
	timing.mu.Lock()
	defer timing.mu.Unlock()
	if on {
		timing.regions = map[string]*SimRegion{}
	}
	timing.on.Store(on)
}

// TimedRegions returns what the current or last measurement recorded, in
// a SimReport whose Threads is the pool's thread count and whose regions
// are sorted by Span, largest first.
func TimedRegions() SimReport {
	timing.mu.Lock()
	defer timing.mu.Unlock()
	return report(threads(), timing.regions)
}

// recordRegion adds one run of a region of n tasks to the measurement.
func recordRegion(n int, job task, span, work time.Duration) {
	name := regionName(n, job)
	timing.mu.Lock()
	defer timing.mu.Unlock()
	if timing.regions != nil {
		addRun(timing.regions, name, n, work, span)
	}
}
