package nnops

import (
	"runtime"
	"sync"
)

// threads returns how many goroutines a kernel may use: GOMAXPROCS.
func threads() int { return runtime.GOMAXPROCS(0) }

// poolJob is work for a pool worker: a rectangle of a GEMM, or a range of
// tasks of parallelTasks.
type poolJob struct {
	gemm   gemmJob
	tasks  func(t int)
	lo, hi int
	done   *sync.WaitGroup
}

var (
	poolMu    sync.Mutex
	poolJobs  = make(chan poolJob, 64)
	poolAlive int // workers started
)

// ensureWorkers starts pool workers until there are at least n. Workers
// live for the life of the process and only ever run jobs to completion,
// so a job never waits on another job.
func ensureWorkers(n int) {
	poolMu.Lock()
	for poolAlive < n {
		poolAlive++
		go func() {
			for j := range poolJobs {
				if j.tasks != nil {
					for t := j.lo; t < j.hi; t++ {
						j.tasks(t)
					}
					j.done.Done()
					continue
				}
				runPart(j.gemm)
				j.gemm.done.Done()
			}
		}()
	}
	poolMu.Unlock()
}

// parallelTasks runs fn(t) for every task t in [0, n), spreading the tasks
// statically over at most threads() goroutines (worker w gets a contiguous
// range; the caller runs the first). Each task must write disjoint memory,
// so results never depend on scheduling.
func parallelTasks(n int, fn func(t int)) {
	w := min(threads(), n)
	if w <= 1 {
		for t := 0; t < n; t++ {
			fn(t)
		}
		return
	}
	ensureWorkers(w - 1)
	wg := wgPool.Get().(*sync.WaitGroup)
	wg.Add(w - 1)
	for i := 1; i < w; i++ {
		poolJobs <- poolJob{tasks: fn, lo: i * n / w, hi: (i + 1) * n / w, done: wg}
	}
	for t := 0; t < n/w; t++ {
		fn(t)
	}
	wg.Wait()
	wgPool.Put(wg)
}
