package nnops

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// The parallel design: one persistent pool of worker goroutines runs
// "regions". A region is n independent tasks (tiles of a product, rows of an
// elementwise pass, images of a convolution) that the caller and the workers
// claim one at a time from atomic counters. Each thread first works through
// a run of tasks of its own (the i-th of w equal runs), so that with no
// other load a thread runs the same rows of every region and finds them in
// its own cache, and then takes what the others have left, so a thread that
// loses its core (other load, more goroutines than cores) delays only the
// task in its hands, never a fixed share of the work. Starting a region is
// a few atomic stores plus a wake-up of parked workers; workers spin briefly
// between regions (the next one usually follows within microseconds) and
// then park. The pool never runs more goroutines than the CPUs the process
// may use, however large GOMAXPROCS is, and every task writes memory of its
// own with the same arithmetic whoever runs it, so results are
// bit-identical for any number of threads.
//
// One region runs at a time. A region started while another runs (another
// goroutine training a second model, or a task that itself calls a
// parallel kernel) runs its tasks serially on its own goroutine: nested or
// concurrent use is correct, just not parallel.

// maxThreads caps the threads of a region: the CPUs this process may run
// on (runtime.NumCPU honours the affinity mask), or LATENT_THREADS when
// set. Tests lower or raise it.
var maxThreads = threadCap()

func threadCap() int {
	if s := os.Getenv("LATENT_THREADS"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			return n
		}
	}
	return runtime.NumCPU()
}

// threads returns how many goroutines a region may use: GOMAXPROCS, at
// most maxThreads; under a simulation (Simulate), the simulated count.
func threads() int {
	if t := simThreads(); t > 0 {
		return t
	}
	return max(1, min(runtime.GOMAXPROCS(0), maxThreads))
}

// Threads reports how many goroutines the kernels split work over:
// GOMAXPROCS, capped at the number of CPUs the process may use (or at
// LATENT_THREADS when that is set).
func Threads() int { return threads() }

// task is the work of a region: a func of the task index, a list of GEMM
// rectangles or blocks of an Adam update (the last two kept as data, so
// that they allocate nothing).
//
// A region's tasks are handed out in w runs, one per participant (see
// claim): the i-th of w equal runs of tasks, or, when span is set, by
// position: each task of a GEMM list or an Adam update has a place in a
// line of span elements (the outputs of the list's products, the weights
// of the update's tensors, one after another in order), and participant i's
// run is the tasks placed in the i-th of w equal shares of that line. Two
// regions over the same tensors in the same order then give each tensor to
// the same thread: the weight gradients a thread computes are the ones it
// applies in Adam (SgemmOwned).
type task struct {
	fn    func(t int)
	gemms []gemmJob
	adam  adamJob
	span  int
}

// start returns the first task of participant i's run of the n tasks (n
// for i = w): the i-th of w equal runs, or, when j.span is set, the first
// task placed at or past the i-th of w equal shares of the span (places
// never decrease along the list), looked for from task from on (the start
// of run i−1, so that the runs of a region are found in one pass).
func (j *task) start(i, w, n, from int) int {
	if j.span == 0 || i <= 0 || i >= w {
		return i * n / w
	}
	edge := i * j.span / w
	t := from
	for t < n && j.place(t) < edge {
		t++
	}
	return t
}

// place returns where task t of a region placed by position lies in its
// span: the middle of the elements it writes.
func (j *task) place(t int) int {
	if j.gemms != nil {
		return j.gemms[t].place
	}
	return j.adam.place(t)
}

// run runs task t; a product packs into the buffers of ls (nil: the
// shared lists).
func (j *task) run(t int, ls *localScratch) {
	switch {
	case j.fn != nil:
		j.fn(t)
	case j.gemms != nil:
		runPart(j.gemms[t], ls)
	default:
		j.adam.run(t)
	}
}

// home is one participant's block of a region's tasks, [next, end), on a
// cache line of its own.
type home struct {
	next atomic.Int64
	end  int64
	busy atomic.Int64 // ns spent in claim, while regions are timed (TimeRegions)
	_    [40]byte
}

// pool is the process's worker pool.
var pool struct {
	mu      sync.Mutex     // held by the goroutine running the current region
	gen     atomic.Int64   // odd while a region is being set up, even once published
	active  atomic.Int32   // workers inside the current region
	homes   []home         // per participant: its block of tasks
	local   []localScratch // per participant: its packing buffers
	done    atomic.Int64   // tasks finished
	job     task
	helpers int // worker goroutines the region may use (threads − 1)

	startMu  sync.Mutex
	started  int           // worker goroutines running
	sleepers atomic.Int32  // workers parked on wake
	wake     chan struct{} // one token per wake-up
}

func init() { pool.wake = make(chan struct{}, 1024) }

// spinFor is how long an idle worker looks for the next region before it
// parks. Waking a parked worker took about 100 µs on the 2-core KVM
// development machine, during which the caller works alone, while the
// gaps between a training step's regions reach tens of µs whenever the
// caller's core is interrupted: with a 30 µs window the worker had parked
// before one region in 17 to 34, and dense training on 2 threads ran 1-5%
// slower than with 250 µs. The window is timed rather than counted
// because PAUSE lasts from about 10 to 140 cycles depending on the CPU.
const spinFor = 250 * time.Microsecond

// spinWait is one round of the caller's waiting loops: a PAUSE, which
// leaves the core to a sibling hardware thread that may be running the
// work being waited for (on a machine whose two CPUs are hyperthreads of
// one core, a loop that spins without it takes issue slots from the
// product next door), and every 1024th round (some tens of microseconds) a
// yield, in case the goroutine being waited for has no P to run on.
// Yielding more often cost the dense training step 16% at GOMAXPROCS=16 on
// 2 CPUs: each yield with idle Ps hands the goroutine to another thread.
func spinWait(i int) {
	spinPause()
	if i&1023 == 1023 {
		runtime.Gosched()
	}
}

// ensureWorkers starts worker goroutines until there are at least n.
func ensureWorkers(n int) {
	pool.startMu.Lock()
	for pool.started < n {
		pool.started++
		go worker(pool.started)
	}
	pool.startMu.Unlock()
}

// worker runs regions for the life of the process. Worker id takes part in
// a region only when the region allows id helpers or more.
func worker(id int) {
	last := pool.gen.Load() &^ 1
	for {
		g := waitRegion(last)
		last = g
		pool.active.Add(1)
		// Between the two loads of gen the caller may have begun to set up
		// the next region; it waits for active to fall to zero before it
		// touches the job, so leave when gen moved.
		if pool.gen.Load() != g || id > pool.helpers {
			pool.active.Add(-1)
			continue
		}
		claim(id)
		pool.active.Add(-1)
	}
}

// waitRegion returns the generation of the next published region after
// last, spinning a while and then parking.
func waitRegion(last int64) int64 {
	deadline := time.Now().Add(spinFor)
	for i := 1; ; i++ {
		if g := pool.gen.Load(); g != last && g&1 == 0 {
			return g
		}
		// No yield: the wait is short, then the worker parks. The clock
		// is read every 64 rounds (about 1 µs).
		if i&63 != 0 || time.Now().Before(deadline) {
			spinPause()
			continue
		}
		pool.sleepers.Add(1)
		if g := pool.gen.Load(); g != last && g&1 == 0 {
			pool.sleepers.Add(-1)
			return g
		}
		<-pool.wake
		pool.sleepers.Add(-1)
		deadline = time.Now().Add(spinFor)
	}
}

// claim runs tasks of the current region until none is left: first those
// of participant id's own block, then, in turn, what is left of the
// others'. Participant i's block is the i-th of w runs of tasks (see
// task), so
// with no load elsewhere the same thread runs the same share of every
// region (the rows it wrote in one product are the rows it reads in the
// next, from its own cache), while a thread that falls behind still has
// its tasks taken by the others.
func claim(id int) {
	if timing.on.Load() {
		t0 := time.Now()
		defer func() { pool.homes[id].busy.Store(int64(time.Since(t0))) }()
	}
	w := len(pool.homes)
	ls := &pool.local[id]
	for i := 0; i < w; i++ {
		h := &pool.homes[(id+i)%w]
		for {
			t := h.next.Add(1) - 1
			if t >= h.end {
				break
			}
			pool.job.run(int(t), ls)
			pool.done.Add(1)
		}
	}
}

// runRegion runs job's n tasks on up to w goroutines (the caller and w−1
// workers) and returns when all are done. The caller always takes part, so
// a region never waits for a worker to start.
func runRegion(n, w int, job task) {
	if n <= 0 {
		return
	}
	if t := simThreads(); t > 0 {
		simRegion(n, min(w, n, t), job)
		return
	}
	if w = min(w, n, threads()); w <= 1 {
		runSerial(n, job, timing.on.Load())
		return
	}
	if !pool.mu.TryLock() {
		runSerial(n, job, false) // nested or concurrent: timed as part of the running region
		return
	}
	timed := timing.on.Load()
	var start time.Time
	if timed {
		start = time.Now()
	}
	ensureWorkers(w - 1)
	pool.gen.Add(1) // odd: setting up
	for i := 0; pool.active.Load() != 0; i++ {
		spinWait(i)
	}
	pool.job, pool.helpers = job, w-1
	if cap(pool.homes) < w {
		pool.homes = make([]home, w)
	}
	pool.homes = pool.homes[:w]
	if len(pool.local) < w {
		pool.local = append(pool.local, make([]localScratch, w-len(pool.local))...)
	}
	lo := 0
	for i := range pool.homes {
		hi := job.start(i+1, w, n, lo)
		pool.homes[i].next.Store(int64(lo))
		pool.homes[i].end = int64(hi)
		pool.homes[i].busy.Store(0)
		lo = hi
	}
	pool.done.Store(0)
	pool.gen.Add(1) // even: published
	for s := min(int(pool.sleepers.Load()), w-1); s > 0; s-- {
		select {
		case pool.wake <- struct{}{}:
		default:
		}
	}
	claim(0)
	for i := 0; pool.done.Load() != int64(n); i++ {
		spinWait(i)
	}
	if timed {
		span := time.Since(start)
		for i := 0; pool.active.Load() != 0; i++ { // the workers' busy times are stored
			spinWait(i)
		}
		var work time.Duration
		for i := range pool.homes {
			work += time.Duration(pool.homes[i].busy.Load())
		}
		recordRegion(n, job, span, work)
	}
	pool.job = task{}
	pool.mu.Unlock()
}

// runSerial runs job's n tasks on the caller, recording the region's time
// when timed (see TimeRegions).
func runSerial(n int, job task, timed bool) {
	var start time.Time
	if timed {
		start = time.Now()
	}
	for t := 0; t < n; t++ {
		job.run(t, nil)
	}
	if timed {
		d := time.Since(start)
		recordRegion(n, job, d, d)
	}
}

// parallelTasks runs fn(t) for every task t in [0, n), spread over the
// pool. Each task must write memory of its own, so results never depend
// on which goroutine runs it.
func parallelTasks(n int, fn func(t int)) { runRegion(n, n, task{fn: fn}) }

// Parallel runs fn(t) for every t in [0, n) on the kernels' worker pool
// (the caller takes part) and returns when all calls have returned. The
// calls may run in any order and at the same time, so each must write
// memory of its own; callers that sum partial results should keep one
// slot per t and add them in order afterwards, which keeps results
// independent of the number of threads. Inside a task, or while another
// goroutine runs a region, Parallel runs the calls one after another.
func Parallel(n int, fn func(t int)) { parallelTasks(n, fn) }

// maxPieces is the most pieces SumPieces takes.
const maxPieces = 64

// SumPieces cuts [0, n) into k pieces (piece c is [n·c/k, n·(c+1)/k)),
// runs fn on each, on the kernels' threads when parallel is set and one
// after another otherwise, and returns the pieces' results added in order.
// With k fixed by the caller (not by the thread count), the sum is the same
// however many threads run. k is at most 64.
func SumPieces(n, k int, parallel bool, fn func(c, lo, hi int) float64) float64 {
	if k < 1 || k > maxPieces {
		panic(fmt.Sprintf("nnops.SumPieces: %d pieces; give 1 to %d", k, maxPieces))
	}
	var parts [maxPieces]float64
	piece := func(c int) { parts[c] = fn(c, n*c/k, n*(c+1)/k) }
	if parallel {
		parallelTasks(k, piece)
	} else {
		for c := range k {
			piece(c)
		}
	}
	var s float64
	for _, p := range parts[:k] {
		s += p
	}
	return s
}
