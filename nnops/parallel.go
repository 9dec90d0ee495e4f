package nnops

import (
	"runtime"
	"sync"
)

// threads returns how many goroutines a kernel may use: GOMAXPROCS.
func threads() int { return runtime.GOMAXPROCS(0) }

// parallelTasks runs fn(t) for every task t in [0, n), spreading the tasks
// statically over at most threads() goroutines (worker w gets a contiguous
// range). Each task must write disjoint memory, so results never depend on
// scheduling.
func parallelTasks(n int, fn func(t int)) {
	w := min(threads(), n)
	if w <= 1 {
		for t := 0; t < n; t++ {
			fn(t)
		}
		return
	}
	var wg sync.WaitGroup
	wg.Add(w - 1)
	for i := 1; i < w; i++ {
		go func(i int) {
			defer wg.Done()
			for t := i * n / w; t < (i+1)*n/w; t++ {
				fn(t)
			}
		}(i)
	}
	for t := 0; t < n/w; t++ {
		fn(t)
	}
	wg.Wait()
}
