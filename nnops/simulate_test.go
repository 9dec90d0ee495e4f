package nnops

import (
	"math"
	"strings"
	"testing"
	"time"
)

// TestSimulate checks the simulation's accounting: one region of 8 tasks
// split for 4 threads, a region nested in a task counted as part of that
// task, and the span of the claiming order.
func TestSimulate(t *testing.T) {
	Simulate(4)
	defer Simulate(0)
	if threads() != 4 {
		t.Fatalf("threads() = %d under Simulate(4)", threads())
	}
	ran := make([]int, 8)
	Parallel(8, func(i int) {
		ran[i]++
		spin(time.Duration(i+1) * 200 * time.Microsecond)
		Parallel(3, func(int) {}) // nested: serial, not a region of its own
	})
	r := Simulated()
	if len(r.Regions) != 1 || r.Regions[0].Tasks != 8 || r.Regions[0].Runs != 1 || r.Threads != 4 {
		t.Fatalf("report %+v, want one region of 8 tasks run once on 4 threads", r)
	}
	for i, n := range ran {
		if n != 1 {
			t.Fatalf("task %d ran %d times", i, n)
		}
	}
	if !strings.Contains(r.Regions[0].Name, "(8 tasks)") {
		t.Errorf("region name %q", r.Regions[0].Name)
	}
	if r.Work < 7200*time.Microsecond || r.Span < r.Work/4 || r.Span >= r.Work {
		t.Errorf("work %v, span %v: want work ≥ 7.2 ms and work/4 ≤ span < work", r.Work, r.Span)
	}
	Simulate(0)
	if simThreads() != 0 {
		t.Fatal("Simulate(0) left a simulation running")
	}
}

// TestSimSpan checks the claiming model on exact durations: each thread
// runs its own run, then takes what is left of the others'.
func TestSimSpan(t *testing.T) {
	// Runs {5, 1} and {1, 1}: thread 1 finishes its own at 2 and takes
	// thread 0's second task, so both are done at 5, not 6.
	d := []time.Duration{5, 1, 1, 1}
	if s := simSpan(d, 2, &task{}); s != 5 {
		t.Errorf("span %d, want 5", s)
	}
	if s := simSpan(d, 1, &task{}); s != 8 {
		t.Errorf("span on one thread %d, want 8", s)
	}
}

// TestSimulateResults checks that a simulated 16-thread split computes
// the same products, bit for bit, as one thread.
func TestSimulateResults(t *testing.T) {
	r := NewRNG(5)
	g := newGemmCase(r, false, true, 256, 256, 784, 1, 1, 0.5)
	one := g.run(activeKernel, false)
	got := append([]float32(nil), g.c...)
	Simulate(16)
	SgemmBatch(Product{TransB: true, M: g.m, N: g.n, K: g.k, Alpha: g.alpha, A: g.a, Lda: g.lda, B: g.b, Ldb: g.ldb, Beta: g.beta, C: got, Ldc: g.ldc})
	r16 := Simulated()
	Simulate(0)
	if len(r16.Regions) != 1 || r16.Regions[0].Tasks != 16 {
		t.Fatalf("simulated regions %+v, want one of 16 tasks", r16.Regions)
	}
	for i := range one {
		if math.Float32bits(one[i]) != math.Float32bits(got[i]) {
			t.Fatalf("C[%d] = %g simulated, %g on one thread", i, got[i], one[i])
		}
	}
}

func spin(d time.Duration) {
	for t0 := time.Now(); time.Since(t0) < d; {
	}
}
