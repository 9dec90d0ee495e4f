package nnops

import (
	"runtime"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"
)

// BenchmarkCoreRoundTrip reports how long one cache line takes to go from
// one CPU to another and back: two threads, each pinned to one of the
// first two CPUs this process may use, take turns writing a counter that
// the other waits on. Every handover moves the line to the other core, so
// ns/op is a round trip. It is a fact about the machine, printed beside
// the FMA peak (bench/nnops.sh): each line of a batch's rows or weights
// that one thread writes and the other reads pays it, which bounds what
// a second thread gains on a training step (README, Performance). It
// needs GOMAXPROCS ≥ 2 (at 1 the two goroutines could only take turns on
// one thread) and two CPUs.
func BenchmarkCoreRoundTrip(b *testing.B) {
	var allowed unix.CPUSet
	if err := unix.SchedGetaffinity(0, &allowed); err != nil {
		b.Skip("no CPU affinity here:", err)
	}
	var cpus []int
	for c := 0; c < 1024 && len(cpus) < 2; c++ {
		if allowed.IsSet(c) {
			cpus = append(cpus, c)
		}
	}
	if len(cpus) < 2 || runtime.GOMAXPROCS(0) < 2 {
		b.Skip("needs two CPUs and GOMAXPROCS ≥ 2")
	}
	// Each counter on a line of its own, so that a handover moves one line.
	var ping, pong struct {
		_ [64]byte
		v atomic.Int64
		_ [56]byte
	}
	// pin locks the calling goroutine to its thread and that thread to
	// cpu; unpin gives the thread back with the CPUs it had.
	pin := func(cpu int) error {
		runtime.LockOSThread()
		var set unix.CPUSet
		set.Set(cpu)
		return unix.SchedSetaffinity(0, &set)
	}
	unpin := func() {
		unix.SchedSetaffinity(0, &allowed)
		runtime.UnlockOSThread()
	}
	n := int64(b.N)
	done := make(chan error, 1)
	go func() {
		defer unpin()
		if err := pin(cpus[1]); err != nil {
			done <- err
			return
		}
		done <- nil
		for i := int64(1); i <= n; i++ {
			for ping.v.Load() != i {
			}
			pong.v.Store(i)
		}
		done <- nil
	}()
	defer unpin()
	err := pin(cpus[0])
	if err2 := <-done; err == nil {
		err = err2
	}
	if err != nil {
		b.Skip("cannot pin threads to CPUs:", err)
	}
	b.ResetTimer()
	for i := int64(1); i <= n; i++ {
		ping.v.Store(i)
		for pong.v.Load() != i {
		}
	}
	b.StopTimer()
	<-done
	b.ReportMetric(float64(cpus[0]), "cpuA")
	b.ReportMetric(float64(cpus[1]), "cpuB")
}
