package nnops

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestTimeRegions checks the accounting of timed regions on real threads:
// one region of 4 tasks on two threads and the same on one, and that
// products computed while timed are those computed untimed.
func TestTimeRegions(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	defer func(n int) { maxThreads = n }(maxThreads)
	for _, w := range []int{2, 1} {
		maxThreads = w
		TimeRegions(true)
		Parallel(4, func(int) { spin(500 * time.Microsecond) })
		r := TimedRegions()
		TimeRegions(false)
		if len(r.Regions) != 1 || r.Regions[0].Runs != 1 || r.Regions[0].Tasks != 4 || r.Threads != w {
			t.Fatalf("%d threads: report %+v, want one region of 4 tasks run once", w, r)
		}
		g := r.Regions[0]
		if !strings.Contains(g.Name, "(4 tasks)") {
			t.Errorf("region name %q", g.Name)
		}
		// Four tasks of 0.5 ms: the threads are busy at least 2 ms in all,
		// and the region lasts at least a thread's share of that.
		if g.Work < 2*time.Millisecond || g.Span < g.Work/time.Duration(w) {
			t.Errorf("%d threads: busy %v, span %v: want busy ≥ 2 ms and span ≥ busy/%d", w, g.Work, g.Span, w)
		}
	}
	Parallel(2, func(int) {})
	if r := TimedRegions(); len(r.Regions) != 1 {
		t.Errorf("a region run after TimeRegions(false) was recorded: %+v", r)
	}

	m, n, k := 200, 150, 300
	var r RNG
	r.Seed(1)
	a, b := randSlice(&r, m*k), randSlice(&r, k*n)
	want, got := make([]float32, m*n), make([]float32, m*n)
	Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, want, n)
	TimeRegions(true)
	Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, got, n)
	TimeRegions(false)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("timed product differs at %d: %v, want %v", i, got[i], want[i])
		}
	}
}
