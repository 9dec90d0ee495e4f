package nnops

import (
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The simulation: how well a computation's parallel regions would use t
// threads, measured on any machine, however few its cores. While it is on,
// every region is split as for t threads but runs on its caller, one task
// after another, each task timed; the region's span is then what the
// pool's claiming (each thread its own run of tasks first, then the
// others') would take on t threads with those task times. It models the
// work and its split only: memory bandwidth shared by the cores, the cost
// of starting a region and caches are not modelled (a task that runs first
// pays for bringing shared data into cache, which on t cores every thread
// would pay at once).

// sim holds the simulation's state; threads and runRegion read on.
var sim struct {
	sync.Mutex
	threads atomic.Int32 // simulated threads; 0: no simulation
	busy    atomic.Bool  // a simulated region is running its tasks
	regions map[string]*SimRegion
	over    time.Duration // the simulation's own bookkeeping
}

// SimRegion is what the simulation measured for one kind of region: its
// runs, tasks per run, the tasks' time summed over its runs (work), and
// the time the runs would take on the simulated threads (span).
type SimRegion struct {
	Name       string
	Runs       int
	Tasks      int
	Work, Span time.Duration
}

// SimReport is the simulation's result: the regions by span, largest first,
// their sums, and the time the simulation spent on its own bookkeeping
// (to subtract from a wall time measured around the computation).
type SimReport struct {
	Threads    int
	Regions    []SimRegion
	Work, Span time.Duration
	Overhead   time.Duration
}

// Simulate starts a simulation of t threads (see the comment above), or,
// with t = 0, stops it. Starting clears what an earlier simulation
// measured. Results are the same as with t real threads: only where tasks
// run changes. It is meant for benchmarks; call it while no region runs.
func Simulate(t int) {
	sim.Lock()
	defer sim.Unlock()
	sim.threads.Store(int32(max(t, 0)))
	if t > 0 {
		sim.regions, sim.over = map[string]*SimRegion{}, 0
	}
}

// Simulated returns what the current or last simulation measured.
func Simulated() SimReport {
	sim.Lock()
	defer sim.Unlock()
	r := report(int(sim.threads.Load()), sim.regions)
	r.Overhead = sim.over
	return r
}

// report lists regions by span, largest first, with their sums.
func report(threads int, regions map[string]*SimRegion) SimReport {
	r := SimReport{Threads: threads}
	for _, g := range regions {
		r.Regions = append(r.Regions, *g)
		r.Work += g.Work
		r.Span += g.Span
	}
	sort.Slice(r.Regions, func(i, j int) bool { return r.Regions[i].Span > r.Regions[j].Span })
	return r
}

// simThreads returns the simulated thread count, or 0 when no simulation
// runs.
func simThreads() int { return int(sim.threads.Load()) }

// simRegion runs job's n tasks on the caller, split among w simulated
// threads, and records the region's work and span. A region started by a
// task runs serially as part of that task.
func simRegion(n, w int, job task) {
	if !sim.busy.CompareAndSwap(false, true) {
		for t := 0; t < n; t++ {
			job.run(t, nil)
		}
		return
	}
	start := time.Now()
	d := make([]time.Duration, n)
	for t := range d {
		t0 := time.Now()
		job.run(t, nil)
		d[t] = time.Since(t0)
	}
	sim.busy.Store(false)
	t0 := time.Now()
	var work time.Duration
	for _, x := range d {
		work += x
	}
	over := t0.Sub(start) - work // the timing of the tasks
	span := simSpan(d, w, &job)
	name := regionName(n, job)
	sim.Lock()
	addRun(sim.regions, name, n, work, span)
	sim.over += over + time.Since(t0)
	sim.Unlock()
}

// addRun adds one run of the region called name, of n tasks, to regions.
func addRun(regions map[string]*SimRegion, name string, n int, work, span time.Duration) {
	g := regions[name]
	if g == nil {
		g = &SimRegion{Name: name, Tasks: n}
		regions[name] = g
	}
	g.Runs++
	g.Work += work
	g.Span += span
}

// simSpan returns how long w threads would take over job's tasks, of
// durations d, claimed as claim does: each thread its own run first, then,
// in turn, what is left of the others'; the thread that is free first
// claims next.
func simSpan(d []time.Duration, w int, job *task) time.Duration {
	n := len(d)
	next, end := make([]int, w), make([]int, w)
	for i := range next {
		if i > 0 {
			next[i] = end[i-1]
		}
		end[i] = job.start(i+1, w, n, next[i])
	}
	clock := make([]time.Duration, w)
	for range d {
		id := 0
		for i := range clock {
			if clock[i] < clock[id] {
				id = i
			}
		}
		for k := 0; k < w; k++ {
			if h := (id + k) % w; next[h] < end[h] {
				clock[id] += d[next[h]]
				next[h]++
				break
			}
		}
	}
	return slices.Max(clock)
}

// regionName describes a region: the function of a Parallel call, the
// first part of each product of a GEMM region (m×n×k of the part, and
// which operands are transposed), or Adam.
func regionName(n int, job task) string {
	switch {
	case job.fn != nil:
		name := runtime.FuncForPC(reflect.ValueOf(job.fn).Pointer()).Name()
		name = name[strings.LastIndex(name, "/")+1:]
		return fmt.Sprintf("%s (%d tasks)", name, n)
	case job.gemms != nil:
		var b strings.Builder
		listed := 0
		for i, g := range job.gemms {
			if i > 0 && g.part != 0 {
				continue
			}
			if listed++; listed > maxNamedParts {
				continue
			}
			if b.Len() > 0 {
				b.WriteString(" + ")
			}
			fmt.Fprintf(&b, "%d×%d×%d%s%s", g.m1-g.m0, g.n1-g.n0, g.k, flag(g.transA, " Aᵀ"), flag(g.transB, " Bᵀ"))
		}
		if more := listed - maxNamedParts; more > 0 {
			fmt.Fprintf(&b, " + %d more", more)
		}
		return fmt.Sprintf("GEMM part %s (%d tasks)", b.String(), n)
	}
	return fmt.Sprintf("Adam (%d tasks)", n)
}

// maxNamedParts is the most parts a GEMM region's name lists (SgemmOwned
// lists every piece of every product as a first part).
const maxNamedParts = 4

func flag(on bool, s string) string {
	if on {
		return s
	}
	return ""
}
